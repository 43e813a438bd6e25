package dev.partyhost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.partyhost.support.LogCapture;
import dev.partyhost.support.Poll;
import dev.partyhost.support.TestHost;
import dev.partyhost.support.TestHost.Engine;
import dev.partyhost.support.Ws;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Snapshots: a hibernated room of a party with {@code snapshots} on wakes from its instance's memory
 * and globals instead of running {@code on_start}, while its data and the party's version are those
 * it was taken with; otherwise it starts as before. The probe counts messages in a global and logs
 * "start" from {@code on_start}, so what the guest remembers is seen from outside.
 */
class SnapshotTest {
  private static void on(Settings s) {
    s.snapshots = true;
    s.roomIdleMs = 600_000; // hibernated by the test, not by a timer
  }

  private static JsonNode stats(TestHost host) {
    return host.stats();
  }

  /**
   * Hibernates {@code rooms} rooms, once none is busy (a chat room awaits the lobby's answer to the
   * report it makes on each join).
   */
  private static void hibernate(TestHost host, int rooms) {
    host.host.rooms().whenIdle().await();
    assertEquals(rooms, host.host.rooms().hibernateAll().await());
  }

  private static long starts(LogCapture guestLog, String room) {
    return guestLog.messages().stream().filter(m -> m.equals("[" + room + "] start")).count();
  }

  /** Sends {@code n} messages to a probe room and reads each echo. */
  private static void send(Ws ws, int n) {
    for (int i = 0; i < n; i++) {
      ws.send("m" + i);
      ws.expectText("m" + i);
    }
  }

  @Test
  void aWokenRoomHasItsMemoryAndGlobalsAndNoSecondOnStart() throws Exception {
    try (LogCapture guestLog = new LogCapture("partyhost.guest");
        TestHost host = TestHost.start(SnapshotTest::on);
        Ws ws = host.ws("/parties/probe/snap")) {
      send(ws, 3);
      long instantiated = stats(host).path("instantiations").path("count").asLong();
      for (int sleep = 1; sleep <= 2; sleep++) {
        hibernate(host, 1);
        send(ws, 1);
      }
      assertEquals("5", host.get("/parties/probe/snap").body(), "the count lives in a global");
      assertEquals(1, starts(guestLog, "probe/snap"), "on_start ran once");
      JsonNode stats = stats(host);
      assertEquals(2, stats.path("wakes").path("count").asLong(), stats.toString());
      assertEquals(2, stats.path("snapshots").path("restored").asLong(), stats.toString());
      assertEquals(instantiated, stats.path("instantiations").path("count").asLong());
      assertTrue(stats.path("wakes").has("p50Micros"), stats.toString());
    }
  }

  @Test
  void offTheRoomStartsAfreshAsBefore() throws Exception {
    try (LogCapture guestLog = new LogCapture("partyhost.guest");
        TestHost host = TestHost.start(s -> s.roomIdleMs = 600_000);
        Ws ws = host.ws("/parties/probe/off")) {
      send(ws, 3);
      hibernate(host, 1);
      send(ws, 1);
      assertEquals("1", host.get("/parties/probe/off").body());
      assertEquals(2, starts(guestLog, "probe/off"));
      JsonNode stats = stats(host);
      assertEquals(1, stats.path("wakes").path("count").asLong(), "a wake either way");
      assertEquals(0, stats.path("snapshots").path("taken").asLong());
      assertEquals(0, stats.path("snapshots").path("restored").asLong());
    }
  }

  @Test
  void chatAndRelayWakeWithHistoryAndConnectionsIntact() throws Exception {
    try (TestHost host = TestHost.start(SnapshotTest::on);
        Ws alice = host.ws("/parties/chat/snap?_pk=alice");
        Ws bob = host.ws("/parties/chat/snap?_pk=bob");
        Ws r1 = host.ws("/parties/relay-c/snap");
        Ws r2 = host.ws("/parties/relay-c/snap")) {
      assertTrue(alice.nextText().startsWith("{\"type\":\"history\""));
      assertTrue(bob.nextText().startsWith("{\"type\":\"history\""));
      alice.send("one");
      bob.expectText("{\"type\":\"message\",\"from\":\"alice\",\"text\":\"one\"}");
      r1.send("x");
      r2.expectText("x");
      long instantiated = stats(host).path("instantiations").path("count").asLong();
      hibernate(host, 2);
      bob.send("two");
      alice.expectText("{\"type\":\"message\",\"from\":\"bob\",\"text\":\"two\"}");
      r2.send("y");
      r1.expectText("y");
      hibernate(host, 2);
      alice.send("three");
      bob.expectText("{\"type\":\"message\",\"from\":\"alice\",\"text\":\"three\"}");
      r1.send("z");
      r2.expectText("z");
      assertEquals(
          "{\"type\":\"history\",\"messages\":[{\"from\":\"alice\",\"text\":\"one\"},"
              + "{\"from\":\"bob\",\"text\":\"two\"},{\"from\":\"alice\",\"text\":\"three\"}]}",
          host.get("/parties/chat/snap").body());
      try (Ws carol = host.ws("/parties/chat/snap?_pk=carol")) {
        assertTrue(carol.nextText().contains("\"text\":\"three\""));
        carol.send("four");
        alice.expectText("{\"type\":\"message\",\"from\":\"carol\",\"text\":\"four\"}");
        bob.expectText("{\"type\":\"message\",\"from\":\"carol\",\"text\":\"four\"}");
      }
      JsonNode stats = stats(host);
      assertEquals(4, stats.path("snapshots").path("restored").asLong(), stats.toString());
      assertEquals(4, stats.path("wakes").path("count").asLong(), stats.toString());
      assertEquals(instantiated, stats.path("instantiations").path("count").asLong());
    }
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void aStoredSnapshotSurvivesARestartAndTheGuestHearsItsConnectionsClose(Engine engine)
      throws Exception {
    TestHost host = TestHost.start(engine, SnapshotTest::on);
    try (LogCapture guestLog = new LogCapture("partyhost.guest")) {
      // A client of its own, open as the host stops (the test host's clients close first, and a
      // close would wake the room, which then moves on from its snapshot).
      WebSocket ws =
          HttpClient.newHttpClient()
              .newWebSocketBuilder()
              .buildAsync(
                  URI.create("ws://127.0.0.1:" + host.port() + "/parties/probe/kept"),
                  new WebSocket.Listener() {})
              .get(10, TimeUnit.SECONDS);
      ws.sendText("a", true).get(10, TimeUnit.SECONDS);
      ws.sendText("b", true).get(10, TimeUnit.SECONDS);
      TestHost h = host;
      Poll.until(() -> h.get("/parties/probe/kept").body().equals("2"), 10_000);
      hibernate(host, 1);
      host = host.restart(); // its commits drained first: the snapshot is stored
      assertEquals("2", host.get("/parties/probe/kept").body(), "restored from storage");
      assertEquals(1, starts(guestLog, "probe/kept"), "on_start ran once, before the restart");
      assertTrue(guestLog.messages().contains("[probe/kept] close"), "the old connection's close");
      assertEquals(1, stats(host).path("snapshots").path("restored").asLong());
      try (Ws again = host.ws("/parties/probe/kept")) {
        send(again, 1);
      }
      assertEquals("3", host.get("/parties/probe/kept").body());
      // Restored, the instance moved on (3 messages, none of them data): the stored snapshot went
      // at the wake, so the next start, without a snapshot at the stop (no connections), is fresh,
      // not the memory of 2 messages.
      host = host.restart();
      assertEquals("0", host.get("/parties/probe/kept").body(), "a fresh start, no stale memory");
      assertEquals(2, starts(guestLog, "probe/kept"));
    } finally {
      host.close();
    }
  }

  @Test
  void aLiveRoomStoresItsSnapshotAsTheHostStops() throws Exception {
    TestHost host = TestHost.start(SnapshotTest::on);
    try (LogCapture guestLog = new LogCapture("partyhost.guest")) {
      // A client of its own: the test host's clients close before its host stops.
      HttpClient client = HttpClient.newHttpClient();
      WebSocket ws =
          client
              .newWebSocketBuilder()
              .buildAsync(
                  URI.create("ws://127.0.0.1:" + host.port() + "/parties/probe/stop"),
                  new WebSocket.Listener() {})
              .get(10, TimeUnit.SECONDS);
      ws.sendText("a", true).get(10, TimeUnit.SECONDS);
      ws.sendText("b", true).get(10, TimeUnit.SECONDS);
      TestHost h = host;
      Poll.until(() -> h.get("/parties/probe/stop").body().equals("2"), 10_000);
      host = host.restart(); // the room is live, its socket open
      assertEquals("2", host.get("/parties/probe/stop").body(), "restored from storage");
      assertEquals(1, starts(guestLog, "probe/stop"));
      assertTrue(guestLog.messages().contains("[probe/stop] close"));
    } finally {
      host.close();
    }
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void aCommitAfterTheSnapshotMakesItStale(Engine engine) throws Exception {
    TestHost host = TestHost.start(engine, SnapshotTest::on);
    try {
      try (Ws alice = host.ws("/parties/chat/stale?_pk=alice")) {
        alice.nextText();
        alice.send("one");
        TestHost first = host; // the message and the request come by different connections
        Poll.until(() -> first.get("/parties/chat/stale").body().contains("one"), 10_000);
        hibernate(host, 1); // stored with "one"
        alice.send("two"); // restored, then committed: the stored snapshot is deleted with it
        TestHost h = host;
        Poll.until(() -> h.get("/parties/chat/stale").body().contains("two"), 10_000);
        assertEquals(1, stats(host).path("snapshots").path("restored").asLong());
      }
      TestHost h = host;
      Poll.until(() -> h.stats().path("connections").asInt() == 0, 10_000);
      // Down without a snapshot: no hibernation, and no connection for a snapshot at the stop.
      host = host.restart();
      // The chat answers from its history in memory: a stale snapshot would not know "two".
      assertEquals(
          "{\"type\":\"history\",\"messages\":[{\"from\":\"alice\",\"text\":\"one\"},"
              + "{\"from\":\"alice\",\"text\":\"two\"}]}",
          host.get("/parties/chat/stale").body());
      assertEquals(0, stats(host).path("snapshots").path("restored").asLong());
    } finally {
      host.close();
    }
  }

  @Test
  void evictingARoomWithItsDataDeletesItsSnapshot() throws Exception {
    try (LogCapture guestLog = new LogCapture("partyhost.guest");
        TestHost host = TestHost.start(SnapshotTest::on)) {
      try (Ws ws = host.ws("/parties/probe/ev")) {
        send(ws, 2);
        hibernate(host, 1); // stored
        assertEquals(
            200, host.admin("DELETE", "parties/probe/rooms/ev?data=delete", null).statusCode());
        ws.awaitClose();
      }
      // A new room of that id loads what storage has: no snapshot, so a fresh start.
      assertEquals("0", host.get("/parties/probe/ev").body());
      assertEquals(2, starts(guestLog, "probe/ev"));
      assertEquals(0, stats(host).path("snapshots").path("restored").asLong());
    }
  }

  @Test
  void anotherVersionOfThePartyStartsAfresh() throws Exception {
    byte[] probe = Files.readAllBytes(TestHost.wasm("test-wasm", "probe"));
    try (LogCapture guestLog = new LogCapture("partyhost.guest");
        TestHost host = TestHost.start(SnapshotTest::on)) {
      assertEquals(200, host.upload("vprobe", probe, TestHost.ADMIN_TOKEN, false).statusCode());
      try (Ws ws = host.ws("/parties/vprobe/r")) {
        send(ws, 2);
        hibernate(host, 1);
        // The same code with a custom section: another SHA-256, another version.
        byte[] other = withCustomSection(probe);
        assertEquals(200, host.upload("vprobe", other, TestHost.ADMIN_TOKEN, false).statusCode());
        send(ws, 1);
      }
      assertEquals("1", host.get("/parties/vprobe/r").body(), "started afresh");
      assertEquals(2, starts(guestLog, "vprobe/r"));
      JsonNode snapshots = stats(host).path("snapshots");
      assertEquals(0, snapshots.path("restored").asLong(), snapshots.toString());
      assertEquals(1, snapshots.path("unusable").asLong(), snapshots.toString());
    }
  }

  @Test
  void aSnapshotOverTheLimitIsNotKept() throws Exception {
    try (LogCapture guestLog = new LogCapture("partyhost.guest");
        TestHost host =
            TestHost.start(
                s -> {
                  on(s);
                  s.maxSnapshotBytes = 64;
                });
        Ws ws = host.ws("/parties/probe/big")) {
      send(ws, 2);
      hibernate(host, 1);
      send(ws, 1);
      assertEquals("1", host.get("/parties/probe/big").body(), "woke with on_start");
      assertEquals(2, starts(guestLog, "probe/big"));
      JsonNode snapshots = stats(host).path("snapshots");
      assertEquals(1, snapshots.path("tooLarge").asLong(), snapshots.toString());
      assertEquals(0, snapshots.path("taken").asLong(), snapshots.toString());
    }
  }

  @Test
  void aTrapDiscardsTheSnapshot() throws Exception {
    try (LogCapture guestLog = new LogCapture("partyhost.guest");
        TestHost host = TestHost.start(SnapshotTest::on)) {
      try (Ws ws = host.ws("/parties/probe/trap")) {
        send(ws, 2);
        hibernate(host, 1);
        ws.send("trap"); // restored, then trapped: the room resets
        assertEquals(1011, ws.awaitClose());
      }
      assertEquals("0", host.get("/parties/probe/trap").body(), "a fresh start");
      assertEquals(2, starts(guestLog, "probe/trap"));
    }
  }

  @Test
  void aModuleThatCanChangeItsTablesIsNotSnapshotted() throws Exception {
    try (TestHost host = TestHost.start(SnapshotTest::on);
        Ws ws = host.ws("/parties/table-grow/t")) {
      ws.send("g");
      ws.expectText("1 1001"); // tables are not captured: a snapshot would lose this
      hibernate(host, 1);
      ws.send("x");
      ws.expectText("0 1"); // a fresh instance, as without snapshots
      JsonNode snapshots = stats(host).path("snapshots");
      assertEquals(0, snapshots.path("taken").asLong(), snapshots.toString());
      assertEquals(1, snapshots.path("unusable").asLong(), snapshots.toString());
    }
  }

  /** {@code module} with an empty custom section appended (a valid module, another SHA-256). */
  private static byte[] withCustomSection(byte[] module) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(module);
    out.write(0); // custom section
    out.write(5); // its size: the name's length byte and the name
    out.write(4);
    out.writeBytes("snap".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    return out.toByteArray();
  }
}
