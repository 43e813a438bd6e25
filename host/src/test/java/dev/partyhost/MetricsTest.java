package dev.partyhost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partyhost.support.Poll;
import dev.partyhost.support.PromText;
import dev.partyhost.support.TestHost;
import dev.partyhost.support.Ws;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code /metrics} on a real host after real traffic: relay rooms, a hostile guest that traps and
 * runs past its deadline, alarms that fail and are retried, a message over the limit. Every scrape
 * must parse as Prometheus text ({@link PromText}, strict), and carry the party label, never a room.
 */
class MetricsTest {
  private static TestHost host;

  @BeforeAll
  static void start() {
    host =
        TestHost.start(
            s -> {
              s.alarmRetryMs = 50;
              s.partyLimits.put("relay-c", Map.of("maxMessageBytes", 1000L));
            });
  }

  @AfterAll
  static void stop() {
    host.close();
  }

  private static PromText scrape() {
    HttpResponse<String> r =
        host.send(
            HttpRequest.newBuilder(URI.create(host.url("/metrics")))
                .header("Authorization", "Bearer " + TestHost.ADMIN_TOKEN));
    assertEquals(200, r.statusCode(), r.body());
    assertTrue(
        r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
    return new PromText(r.body());
  }

  @Test
  void needsTheAdminToken() {
    assertEquals(401, host.get("/metrics").statusCode());
    HttpResponse<String> wrong =
        host.send(
            HttpRequest.newBuilder(URI.create(host.url("/metrics")))
                .header("Authorization", "Bearer nope"));
    assertEquals(401, wrong.statusCode());
  }

  @Test
  void relayTrafficMovesConnectionsMessagesBytesAndHookTimes() throws Exception {
    String room = "/parties/relay-c/m-" + UUID.randomUUID();
    PromText before = scrape();
    double received = before.value("partyhost_messages_received_total", "party", "relay-c");
    double sent = before.value("partyhost_messages_sent_total", "party", "relay-c");
    double bytesIn = before.value("partyhost_received_bytes_total", "party", "relay-c");
    double bytesOut = before.value("partyhost_sent_bytes_total", "party", "relay-c");
    double hooks =
        before.value(
            "partyhost_hook_duration_seconds_count", "party", "relay-c", "hook", "message");
    try (Ws a = host.ws(room);
        Ws b = host.ws(room);
        Ws c = host.ws(room)) {
      for (int i = 0; i < 5; i++) a.send("hello " + i); // 7 bytes each, to b and c
      for (int i = 0; i < 5; i++) {
        assertEquals("hello " + i, b.nextText());
        assertEquals("hello " + i, c.nextText());
      }
      // The census is counted at most once a second.
      Poll.until(
          () ->
              scrape().value("partyhost_connections", "party", "relay-c") >= 3
                  && scrape().value("partyhost_rooms", "party", "relay-c", "state", "active") >= 1,
          5_000);
      PromText after = scrape();
      assertEquals(
          5, after.value("partyhost_messages_received_total", "party", "relay-c") - received);
      assertEquals(10, after.value("partyhost_messages_sent_total", "party", "relay-c") - sent);
      assertEquals(35, after.value("partyhost_received_bytes_total", "party", "relay-c") - bytesIn);
      assertEquals(70, after.value("partyhost_sent_bytes_total", "party", "relay-c") - bytesOut);
      assertEquals(
          5,
          after.value(
                  "partyhost_hook_duration_seconds_count", "party", "relay-c", "hook", "message")
              - hooks);
      assertTrue(
          after.has(
                  "partyhost_hook_duration_seconds_bucket",
                  "party",
                  "relay-c",
                  "hook",
                  "message",
                  "le",
                  "1.0E-5")
              || after.has(
                  "partyhost_hook_duration_seconds_bucket",
                  "party",
                  "relay-c",
                  "hook",
                  "message",
                  "le",
                  "0.00001"),
          "a bucket at 10 microseconds");
      assertTrue(after.value("partyhost_room_start_seconds_count", "party", "relay-c") >= 1);
      assertTrue(after.has("partyhost_room_start_seconds_count", "cause", "new"));
      assertTrue(after.value("partyhost_websockets") >= 3);
    }
    // No label names a room: the cardinality stays with the parties.
    for (PromText.Sample s : scrape().samples) {
      assertTrue(!s.labels().containsKey("room"), s.toString());
      for (String v : s.labels().values()) assertTrue(!v.startsWith("m-"), s.toString());
    }
  }

  @Test
  void trapsAndDeadlineKillsAreCountedPerParty() throws Exception {
    PromText before = scrape();
    double traps = before.value("partyhost_guest_traps_total", "party", "hostile-c");
    double kills = before.value("partyhost_hook_deadline_kills_total", "party", "hostile-c");
    for (String what : new String[] {"trap", "loop"}) {
      try (Ws ws = host.ws("/parties/hostile-c/msg-" + what + "-" + UUID.randomUUID())) {
        ws.send("hi").expectText("hi");
        ws.send(what);
        assertEquals(1011, ws.awaitClose());
      }
    }
    PromText after = scrape();
    assertEquals(2, after.value("partyhost_guest_traps_total", "party", "hostile-c") - traps);
    assertEquals(
        1, after.value("partyhost_hook_deadline_kills_total", "party", "hostile-c") - kills);
    assertTrue(
        after.value("partyhost_limits_hit_total", "party", "hostile-c", "limit", "hookDeadlineMs")
            >= 1);
  }

  @Test
  void alarmsFiredAndRetriedAndCommitsAreCounted() throws Exception {
    PromText before = scrape();
    double fired = before.value("partyhost_alarms_fired_total", "party", "kv");
    double retried = before.value("partyhost_alarms_retried_total", "party", "kv");
    double commits = before.value("partyhost_storage_commit_seconds_count", "outcome", "ok");
    String room = "/parties/kv/" + UUID.randomUUID();
    // The alarm hook fails (returns 1) for the next 300 ms: retried every 50 ms, doubling, until
    // it succeeds.
    assertEquals("failrc 0", host.post(room, "failrc").body());
    long until = System.currentTimeMillis() + 300;
    assertTrue(host.post(room, "failuntil " + until).body().startsWith("failuntil"));
    assertTrue(host.post(room, "alarm 0").body().startsWith("alarm"));
    Poll.until(() -> host.post(room, "get alarms").body().equals("get 1"), 10_000);
    PromText after = scrape();
    assertTrue(after.value("partyhost_alarms_fired_total", "party", "kv") - fired >= 2);
    assertTrue(after.value("partyhost_alarms_retried_total", "party", "kv") - retried >= 1);
    assertTrue(after.value("partyhost_storage_commit_seconds_count", "outcome", "ok") > commits);
    assertTrue(after.value("partyhost_storage_commit_batch_count") >= 1);
  }

  @Test
  void aMessageOverTheLimitIsCountedByLimitName() throws Exception {
    double before =
        scrape()
            .value("partyhost_limits_hit_total", "party", "relay-c", "limit", "maxMessageBytes");
    try (Ws ws = host.ws("/parties/relay-c/big-" + UUID.randomUUID())) {
      ws.send("x".repeat(2000));
      assertEquals(1009, ws.awaitClose());
    }
    assertEquals(
        1,
        scrape().value("partyhost_limits_hit_total", "party", "relay-c", "limit", "maxMessageBytes")
            - before);
  }

  @Test
  void aHookPastItsLogBudgetIsCounted() {
    double before =
        scrape()
            .value(
                "partyhost_limits_hit_total", "party", "hostile-c", "limit", "maxLogBytesPerHook");
    try (Ws ws = host.ws("/parties/hostile-c/chatty-" + UUID.randomUUID())) {
      ws.send("logmany 100").expectText("logged many"); // 100 KiB, the budget is 64 KiB
    }
    assertEquals(
        1,
        scrape()
                .value(
                    "partyhost_limits_hit_total",
                    "party",
                    "hostile-c",
                    "limit",
                    "maxLogBytesPerHook")
            - before);
  }

  @Test
  void vertxAndJvmMetersAreThere() {
    PromText m = scrape();
    assertTrue(m.has("jvm_memory_used_bytes"), "JVM memory");
    assertTrue(m.has("jvm_gc_pause_seconds_count") || m.types.containsKey("jvm_gc_pause_seconds"));
    assertTrue(m.has("jvm_threads_live_threads"), "JVM threads");
    assertTrue(
        m.types.keySet().stream().anyMatch(n -> n.startsWith("vertx_")),
        "Vert.x's own: " + m.types.keySet());
    assertTrue(m.has("partyhost_guest_memory_budget_bytes"));
    assertTrue(m.has("partyhost_guest_memory_reserved_bytes"));
  }

  /** Every series the Grafana dashboard charts is one the host exposes (after a little traffic). */
  @Test
  void theDashboardChartsOnlyWhatTheHostExposes() throws Exception {
    try (Ws ws = host.ws("/parties/relay-c/dash-" + UUID.randomUUID())) {
      ws.send("x".repeat(2000)); // a room start, a limit hit
      assertEquals(1009, ws.awaitClose());
    }
    assertTrue(
        host.post("/parties/kv/dash-" + UUID.randomUUID(), "put k v").body().equals("put 0"));
    String dashboard = Files.readString(TestHost.root().resolve("ops/grafana/partyhost.json"));
    new com.fasterxml.jackson.databind.ObjectMapper().readTree(dashboard); // valid JSON
    // The host runs in this JVM: a collection now, so that the GC pause timer exists (Micrometer
    // registers it at the first pause, which a young JVM may not have had yet).
    System.gc();
    Poll.until(
        () -> scrape().samples.stream().anyMatch(x -> x.name().equals("jvm_gc_pause_seconds_sum")),
        5_000);
    PromText m = scrape();
    Matcher names =
        Pattern.compile("\\b(partyhost|jvm|vertx|process|system)_[a-z_]+").matcher(dashboard);
    int charted = 0;
    while (names.find()) {
      String name = names.group();
      assertTrue(
          m.types.containsKey(name) || m.samples.stream().anyMatch(x -> x.name().equals(name)),
          "the dashboard charts " + name + ", which /metrics does not have");
      charted++;
    }
    assertTrue(charted > 20, "found " + charted);
  }

  @Test
  void publicWithoutTheTokenAndAbsentWhenOff() {
    try (TestHost open = TestHost.start(s -> s.metricsPublic = true)) {
      HttpResponse<String> r = open.get("/metrics");
      assertEquals(200, r.statusCode());
      new PromText(r.body());
      // Its own Vert.x meters, not those of the other host in this JVM: the first scrape counted.
      PromText again = new PromText(open.get("/metrics").body());
      assertEquals(
          1.0, again.value("vertx_http_server_requests_total", "code", "200", "method", "GET"));
    }
    try (TestHost off = TestHost.start(s -> s.metrics = false)) {
      assertEquals(404, off.get("/metrics").statusCode());
      HttpResponse<String> withToken =
          off.send(
              HttpRequest.newBuilder(URI.create(off.url("/metrics")))
                  .header("Authorization", "Bearer " + TestHost.ADMIN_TOKEN));
      assertEquals(404, withToken.statusCode());
    }
  }
}
