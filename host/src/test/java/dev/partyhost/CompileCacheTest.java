package dev.partyhost;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partyhost.guest.ExecutionMode;
import dev.partyhost.support.LogCapture;
import dev.partyhost.support.TestHost;
import dev.partyhost.support.Ws;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The compile cache across real restarts: what the host logs and what lies on disk say whether a
 * module was compiled or loaded, and parties loaded either way serve real clients.
 */
class CompileCacheTest {
  @Test
  void aRestartLoadsEveryModuleFromTheCacheAndLeavesItsFilesAlone() throws Exception {
    try (LogCapture log = new LogCapture("partyhost.compile")) {
      TestHost host = TestHost.start(CompileCacheTest::ownCache);
      try {
        List<String> shas = shas(host);
        for (String sha : shas)
          assertTrue(compiled(log, sha), "not compiled: " + sha + "\n" + log.messages());
        Path cache = cacheDir(host);
        assertEquals(Path.of(host.host.config().dataDir, "compiled").toAbsolutePath(), cache);
        assertEquals(shas.size(), entries(cache).size());
        Path chat = cache.resolve(sha(host, "chat") + ".chicory");
        byte[] before = Files.readAllBytes(chat);
        FileTime modified = Files.getLastModifiedTime(chat);

        int mark = log.messages().size();
        host = host.restart();
        for (String sha : shas)
          assertTrue(loaded(log, sha), "not loaded from the cache: " + sha + "\n" + log.messages());
        List<String> restart = log.messages().subList(mark, log.messages().size());
        assertEquals(
            shas.size(), restart.size(), restart.toString()); // one line per module, no warning
        assertArrayEquals(before, Files.readAllBytes(chat));
        assertEquals(modified, Files.getLastModifiedTime(chat));
        chatWorks(host, "after-restart");
      } finally {
        host.close();
      }
    }
  }

  @Test
  void corruptTruncatedForeignOrStaleEntriesAreIgnoredAndRewritten() throws Exception {
    try (LogCapture log = new LogCapture("partyhost.compile")) {
      TestHost host = TestHost.start(CompileCacheTest::ownCache);
      try {
        Path cache = cacheDir(host);
        Path chat = cache.resolve(sha(host, "chat") + ".chicory");
        Path counter = cache.resolve(sha(host, "counter") + ".chicory");
        Path relayRust = cache.resolve(sha(host, "relay-rust") + ".chicory");
        Path relayC = cache.resolve(sha(host, "relay-c") + ".chicory");
        Path poll = cache.resolve(sha(host, "poll") + ".chicory");
        byte[] chatEntry = Files.readAllBytes(chat);
        Files.write(chat, Arrays.copyOf(chatEntry, chatEntry.length / 2)); // truncated
        Files.write(counter, "not an entry at all".getBytes(StandardCharsets.US_ASCII)); // garbage
        Files.copy(
            relayC,
            relayRust,
            java.nio.file.StandardCopyOption.REPLACE_EXISTING); // another module's
        Files.writeString(
            poll,
            Files.readString(poll, StandardCharsets.ISO_8859_1)
                .replaceFirst("chicory-[^ ]+", "chicory-0.0.1-0123456789abcdef"),
            StandardCharsets.ISO_8859_1); // older host

        host = host.restart();
        log.awaitLine(
            m ->
                m.equals(
                    "compile cache: "
                        + chat
                        + " is corrupt (its hash does not match); compiling again"));
        log.awaitLine(
            m -> m.equals("compile cache: " + counter + " has no header; compiling again"));
        log.awaitLine(
            m -> m.startsWith("compile cache: " + relayRust + " belongs to another module ("));
        log.awaitLine(
            m ->
                m.equals(
                    "compile cache: "
                        + poll
                        + " was compiled by another version (chicory-0.0.1-0123456789abcdef); compiling again"));
        for (String party : List.of("chat", "counter", "relay-rust", "poll"))
          assertTrue(compiled(log, sha(host, party)), party);
        assertTrue(loaded(log, sha(host, "relay-c")));

        // The rewritten entries are whole again, and the parties serve real clients.
        host = host.restart();
        for (String sha : shas(host))
          assertTrue(loaded(log, sha), "not loaded from the cache: " + sha + "\n" + log.messages());
        chatWorks(host, "after-corruption");
        assertEquals("{\"count\":1}", host.post("/parties/counter/after-corruption", "").body());
        try (Ws a = host.ws("/parties/relay-rust/after-corruption?_pk=a");
            Ws b = host.ws("/parties/relay-rust/after-corruption?_pk=b")) {
          a.send("hello b");
          b.expectText("hello b");
        }
      } finally {
        host.close();
      }
    }
  }

  /** An entry that passes every check but whose payload is not classes: deleted, compiled again. */
  @Test
  void anEntryThatPassesItsChecksButDoesNotLoadIsCompiledAgain() throws Exception {
    try (LogCapture log = new LogCapture("partyhost.compile")) {
      TestHost host = TestHost.start(CompileCacheTest::ownCache);
      try {
        Path chat = cacheDir(host).resolve(sha(host, "chat") + ".chicory");
        String[] header =
            Files.readString(chat, StandardCharsets.ISO_8859_1).split("\n", 2)[0].split(" ");
        byte[] payload = "these are not JVM classes".getBytes(StandardCharsets.US_ASCII);
        header[4] = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(payload));
        Files.write(
            chat,
            concat((String.join(" ", header) + "\n").getBytes(StandardCharsets.US_ASCII), payload));

        host = host.restart();
        log.awaitLine(m -> m.startsWith("compile cache: " + chat + " did not load ("));
        assertTrue(compiled(log, sha(host, "chat")));
        chatWorks(host, "after-bad-classes");
        host = host.restart();
        assertTrue(loaded(log, sha(host, "chat")));
      } finally {
        host.close();
      }
    }
  }

  @Test
  void theInterpretedModeNeitherReadsNorWritesTheCache() throws Exception {
    try (LogCapture log = new LogCapture("partyhost.compile")) {
      TestHost compiled = TestHost.start(CompileCacheTest::ownCache);
      String dataDir = compiled.host.config().dataDir;
      Path chat = cacheDir(compiled).resolve(sha(compiled, "chat") + ".chicory");
      compiled.close();
      byte[] garbage = "garbage".getBytes(StandardCharsets.US_ASCII);
      Files.write(chat, garbage);
      int mark = log.messages().size();
      try (TestHost interpreted =
          TestHost.start(
              c -> {
                c.mode = ExecutionMode.INTERPRETED;
                c.dataDir = dataDir;
              })) {
        assertEquals(
            mark,
            log.messages().size(),
            log.messages().toString()); // nothing loaded, compiled or ignored
        assertArrayEquals(garbage, Files.readAllBytes(chat));
        chatWorks(interpreted, "interpreted");
      }
      try (TestHost fresh = TestHost.start(c -> c.mode = ExecutionMode.INTERPRETED)) {
        assertFalse(Files.exists(Path.of(fresh.host.config().dataDir, "compiled")));
      }
    }
  }

  @Test
  void anEmptySettingTurnsTheCacheOff() throws Exception {
    try (LogCapture log = new LogCapture("partyhost.compile");
        TestHost host = TestHost.start(c -> c.compileCacheDir = "")) {
      assertFalse(Files.exists(Path.of(host.host.config().dataDir, "compiled")));
      assertEquals(List.of(), log.messages());
      chatWorks(host, "no-cache");
    }
  }

  // --- helpers ---

  /** The default cache (DATA_DIR/compiled, new with each data directory), not the suite's shared one. */
  private static void ownCache(Settings c) {
    c.compileCacheDir = null;
  }

  private static void chatWorks(TestHost host, String room) {
    try (Ws alice = host.ws("/parties/chat/" + room + "?_pk=alice");
        Ws bob = host.ws("/parties/chat/" + room + "?_pk=bob")) {
      assertTrue(alice.nextText().startsWith("{\"type\":\"history\""));
      assertTrue(bob.nextText().startsWith("{\"type\":\"history\""));
      alice.send("hi");
      bob.expectText("{\"type\":\"message\",\"from\":\"alice\",\"text\":\"hi\"}");
    }
  }

  private static Path cacheDir(TestHost host) {
    return host.host.config().compileCachePath().toAbsolutePath().normalize();
  }

  private static String sha(TestHost host, String party) {
    return host.host.parties().get(party).sha256();
  }

  private static List<String> shas(TestHost host) {
    return host.host.parties().all().values().stream().map(m -> m.sha256()).distinct().toList();
  }

  private static List<Path> entries(Path cache) throws Exception {
    try (var files = Files.list(cache)) {
      return files.filter(f -> f.toString().endsWith(".chicory")).toList();
    }
  }

  /** The last line about {@code sha} says it was compiled (and saved). */
  private static boolean compiled(LogCapture log, String sha) {
    return last(log, sha)
        .matches("module " + sha + " compiled in \\d+ ms, saved to the compile cache");
  }

  /** The last line about {@code sha} says it was loaded from the cache. */
  private static boolean loaded(LogCapture log, String sha) {
    return last(log, sha).matches("module " + sha + " loaded from the compile cache in \\d+ ms");
  }

  private static String last(LogCapture log, String sha) {
    List<String> about =
        log.messages().stream().filter(m -> m.startsWith("module " + sha + " ")).toList();
    return about.isEmpty() ? "" : about.get(about.size() - 1);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
