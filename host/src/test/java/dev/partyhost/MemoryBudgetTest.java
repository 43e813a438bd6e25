package dev.partyhost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partyhost.guest.ExecutionMode;
import dev.partyhost.support.HostProcess;
import dev.partyhost.support.LogCapture;
import dev.partyhost.support.Poll;
import dev.partyhost.support.TestHost;
import dev.partyhost.support.Ws;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The host-wide budget of guest memory (issue 11, item 9): every room's and gate's linear memory and
 * tables draw from {@code maxGuestMemoryBytes}; a grow past it returns -1, a room that cannot start
 * is told to come back later (503, 1013), and an instance's memory goes back when it is dropped.
 * Driven by the "memory-budget" test guest (1 page, no maximum; "m" grows 16 pages, "f" grows until
 * refused, "x" traps; answers "RESULT PAGES"; a request answers "PAGES", and grows first if its URL
 * ends in "fill"). The budget shows in {@code GET /_admin/stats}.
 */
class MemoryBudgetTest {
  private static final long MIB = 1024 * 1024;
  private static final long PAGE = 64 * 1024;
  private static final String FULL = "Host memory is full; try again later";

  private static long reserved(TestHost host) {
    return host.stats().get("guestMemory").get("reservedBytes").asLong();
  }

  @ParameterizedTest
  @EnumSource(ExecutionMode.class)
  void aGrowPastTheBudgetFailsAndARoomThatCannotStartIsToldToComeBackLater(ExecutionMode mode)
      throws Exception {
    try (LogCapture log = new LogCapture("partyhost.memory");
        TestHost host =
            TestHost.start(
                c -> {
                  c.mode = mode;
                  c.maxGuestMemoryBytes = 4 * MIB;
                  c.roomIdleMs =
                      2_000; // not 300 ms: a loaded machine idled rooms between two steps
                  c.spareInstances = false; // exact counts: no spare reserves beside the rooms
                })) {
      assertEquals(4 * MIB, host.stats().get("guestMemory").get("budgetBytes").asLong());
      assertEquals(0, reserved(host)); // every module's version probe gave its memory back
      try (Ws a = host.ws("/parties/memory-budget/a")) {
        assertEquals(PAGE, reserved(host));
        // Chicory doubles a buffer as it grows (64 KiB, then 2 MiB for 17 pages, 4 MiB for 33):
        // the budget counts the buffer the heap holds, not the pages the guest sees.
        a.send("m").expectText("1 17");
        assertEquals(2 * MIB, reserved(host));
        a.send("m").expectText("17 33");
        a.send("m").expectText("33 49"); // inside the 4 MiB buffer: nothing new to reserve
        a.send("m").expectText("-1 49"); // 65 pages do not fit: as at the per-instance cap
        assertEquals(4 * MIB, reserved(host));
        a.send("hello").expectText("0 49"); // the room serves on

        HttpResponse<String> refused = host.get("/parties/memory-budget/b");
        assertEquals(503, refused.statusCode());
        assertEquals(FULL, refused.body());
        try (Ws b = host.ws("/parties/memory-budget/b")) {
          assertEquals(1013, b.awaitClose());
        }
        String line =
            log.awaitLine(m -> m.startsWith("guest memory budget full: 4194304 of 4194304 bytes"));
        assertTrue(line.contains("refused 0 instance starts and 1 memory grows"), line);
        // One line per ten seconds, however many refusals.
        for (int i = 0; i < 20; i++)
          assertEquals(503, host.get("/parties/memory-budget/b" + i).statusCode());
        // (Only the budget lines: other tests in this JVM may leave Cleaner lines in this logger.)
        List<String> full =
            log.messages().stream().filter(m -> m.startsWith("guest memory budget full")).toList();
        assertEquals(1, full.size(), String.join("\n", log.messages()));
      }
      // Room a has no connections left: it leaves, and its memory goes back.
      Poll.until(() -> reserved(host) == 0, 10_000);
      assertEquals("1", host.get("/parties/memory-budget/b").body());
    }
  }

  @Test
  void anInstanceGivesItsMemoryBackOnEveryWayItIsDropped() throws Exception {
    try (TestHost host =
        TestHost.start(
            c -> {
              c.maxGuestMemoryBytes = 64 * MIB;
              c.roomIdleMs = 2_000; // not 300 ms: a loaded machine idled rooms between two steps
              c.spareInstances = false; // exact counts: no spare reserves beside the rooms
            })) {
      assertEquals(0, reserved(host));
      try (Ws ws = host.ws("/parties/memory-budget/drop")) {
        ws.send("m").expectText("1 17");
        assertEquals(2 * MIB, reserved(host));
        // Hibernation: the socket stays, the instance goes.
        Poll.until(() -> reserved(host) == 0, 10_000);
        ws.send("hello").expectText("0 1"); // a fresh instance
        assertEquals(PAGE, reserved(host));
        // A trap resets the room.
        ws.send("x");
        assertEquals(1011, ws.awaitClose());
        Poll.until(() -> reserved(host) == 0, 10_000);
      }

      // A restart and a delete of a party (an upload of the same guest under another name).
      byte[] module = Files.readAllBytes(TestHost.wasm("test-wasm", "memory-budget"));
      assertEquals(200, host.upload("budget-up", module, TestHost.ADMIN_TOKEN, false).statusCode());
      assertEquals(0, reserved(host)); // the upload's version probe gave its memory back
      try (Ws ws = host.ws("/parties/budget-up/r")) {
        ws.send("m").expectText("1 17");
        assertEquals(
            200, host.upload("budget-up", module, TestHost.ADMIN_TOKEN, true).statusCode());
        assertEquals(1012, ws.awaitClose());
      }
      Poll.until(() -> reserved(host) == 0, 10_000);
      try (Ws ws = host.ws("/parties/budget-up/r")) {
        ws.send("m").expectText("1 17");
        assertEquals(200, host.admin("DELETE", "parties/budget-up", null).statusCode());
        assertEquals(1001, ws.awaitClose());
      }
      Poll.until(() -> reserved(host) == 0, 10_000);

      // A gate (2 pages, one per event loop): dropped when it traps, and after roomIdleMs unused.
      assertEquals(500, host.get("/parties/gate-probe/trap").statusCode());
      assertEquals(0, reserved(host));
      assertEquals("calls 1", host.get("/parties/gate-probe/g").body());
      assertEquals(2 * PAGE, reserved(host));
      Poll.until(() -> reserved(host) == 0, 10_000);
    }
  }

  @Test
  void tablesCountAtTheirCappedMaximum() throws Exception {
    // The "table-grow" guest: 1 page, a table of 1 entry growing to 1,000,000, capped at 10,000
    // entries of 12 bytes.
    long instance = PAGE + 10_000 * 12;
    try (TestHost host =
        TestHost.start(
            c -> {
              c.maxTableElements = 10_000;
              c.maxGuestMemoryBytes = instance + PAGE;
              c.roomIdleMs = 2_000; // not 300 ms: a loaded machine idled rooms between two steps
              c.spareInstances = false; // exact counts: no spare reserves beside the rooms
            })) {
      try (Ws a = host.ws("/parties/table-grow/a")) {
        a.send("size").expectText("0 1");
        assertEquals(instance, reserved(host));
        try (Ws b = host.ws("/parties/table-grow/b")) {
          assertEquals(1013, b.awaitClose());
        }
        a.send("g").expectText("1 1001"); // within what was reserved
      }
      Poll.until(() -> reserved(host) == 0, 10_000);
      try (Ws b = host.ws("/parties/table-grow/b")) {
        b.send("size").expectText("0 1");
      }
    }
  }

  /**
   * The case, scaled to a process with a 256 MiB heap and the default budget (half of it):
   * 32 rooms that each grow to the 16 MiB cap would need 512 MiB. Rooms past the budget get less
   * memory, or 503; the host never runs out of heap, and its rooms serve on.
   */
  @Test
  void roomsThatAllGrowToTheCapDoNotRunTheHostOutOfHeap() throws Exception {
    int port = HostProcess.freePort();
    String dataDir =
        Files.createTempDirectory(
                Files.createDirectories(TestHost.root().resolve("host/target")), "proc-")
            .toString();
    HostProcess host =
        HostProcess.start(
            port, List.of("--data-dir", dataDir, "--room-idle-ms", "60000"), Map.of());
    HttpClient http = HttpClient.newHttpClient();
    try {
      List<String> answers = new ArrayList<>();
      for (int r = 0; r < 32; r++) {
        HttpResponse<String> response = get(http, port, "/parties/memory-budget/r" + r + "/fill");
        answers.add(response.statusCode() + " " + response.body());
      }
      assertEquals("200 256", answers.get(0), answers.toString());
      for (String a : answers)
        assertTrue(a.startsWith("200 ") || a.equals("503 " + FULL), answers.toString());
      assertTrue(answers.contains("503 " + FULL), answers.toString());
      // The rooms that got memory still serve.
      assertEquals("256", get(http, port, "/parties/memory-budget/r0").body());
      String out = host.output();
      assertTrue(out.contains("guest memory budget full"), out);
      assertFalse(out.contains("OutOfMemoryError"), out);
      assertFalse(out.contains("host failure"), out);
    } finally {
      host.process.destroy();
      host.awaitExit(30);
    }
  }

  private static HttpResponse<String> get(HttpClient http, int port, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(10))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
