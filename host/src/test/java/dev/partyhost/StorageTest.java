package dev.partyhost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partyhost.support.LogCapture;
import dev.partyhost.support.Poll;
import dev.partyhost.support.TestHost;
import dev.partyhost.support.TestHost.Engine;
import dev.partyhost.support.Ws;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.EnumMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Durable rooms on both engines, one set of tests: storage calls, per-hook transactions, the output
 * gate, limits, alarms and hibernation, driven through the "kv" test guest (host/src/test/c/kv.c).
 * The shared hosts hibernate idle rooms after 500 ms, so most tests also cross a hibernation.
 */
class StorageTest {
  private static final long QUOTA = 4 * 1024 * 1024;
  private static final Map<Engine, TestHost> HOSTS = new EnumMap<>(Engine.class);

  private static synchronized TestHost host(Engine engine) {
    return HOSTS.computeIfAbsent(engine, e -> TestHost.start(e, StorageTest::tune));
  }

  private static void tune(Settings config) {
    config.storageQuotaBytes = QUOTA;
    config.roomIdleMs = 500;
    config.alarmRetryMs = 100;
    config.alarmRetries = 3;
    // kv's "big" fills megabytes inside one hook: on a loaded machine that passes the default 100
    // ms.
    config.hookDeadlineMs = 2_000;
  }

  @AfterAll
  static void stop() {
    HOSTS.values().forEach(TestHost::close);
    HOSTS.clear();
  }

  private static String room() {
    return "/parties/kv/" + UUID.randomUUID();
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void putGetDeleteAndListInKeyOrder(Engine engine) {
    try (Ws ws = host(engine).ws(room())) {
      for (String k : new String[] {"b", "a", "c", "ab"})
        ws.send("put " + k + " v-" + k).expectText("put 0");
      ws.send("get ab").expectText("get v-ab");
      ws.send("put ab again").expectText("put 0");
      ws.send("get ab").expectText("get again");
      ws.send("list ").expectText("list a,ab,b,c,starts");
      ws.send("list a").expectText("list a,ab");
      ws.send("del a").expectText("del 1");
      ws.send("del a").expectText("del 0");
      ws.send("get a").expectText("get ?-1");
      ws.send("put  empty-key").expectText("put -5");
    }
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void aHookThatTrapsLeavesNoWrites(Engine engine) {
    TestHost host = host(engine);
    String room = room();
    try (Ws ws = host.ws(room)) {
      ws.send("put kept 1").expectText("put 0");
      ws.send("trap lost 2");
      assertEquals(1011, ws.awaitClose());
    }
    try (Ws ws = host.ws(room)) {
      ws.send("get lost").expectText("get ?-1");
      ws.send("get kept").expectText("get 1");
    }
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void sizeLimitsAndTheQuotaRefuseWritesAndWriteNothing(Engine engine) {
    try (Ws ws = host(engine).ws(room())) {
      ws.send("put " + "k".repeat(2048) + " v").expectText("put 0");
      ws.send("put " + "k".repeat(2049) + " v").expectText("put -4");
      ws.send("big too-big " + (2 * 1024 * 1024 + 1)).expectText("big -4");
      ws.send("get too-big").expectText("get ?-1");
      ws.send("big a 2000000").expectText("big 0");
      ws.send("big b 2000000").expectText("big 0");
      ws.send("big c 2000000").expectText("big -7"); // past the 4 MiB quota
      ws.send("get c").expectText("get ?-1");
      ws.send("del a").expectText("del 1");
      ws.send("big c 2000000").expectText("big 0");
    }
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void outputWaitsUntilTheHookIsDurableWhileOtherRoomsServe(Engine engine) throws Exception {
    TestHost host = host(engine);
    try (Ws writer = host.ws(room());
        Ws reader = host.ws(room())) {
      writer.send("put warm 1").expectText("put 0");
      reader.send("get nothing").expectText("get ?-1");
      try (AutoCloseable lock = holdWriteLock(engine, host)) {
        writer.send("put gated 1");
        reader
            .send("get warm")
            .expectText("get ?-1"); // a room with nothing pending answers at once
        writer.expectNothing(300); // the commit is blocked by the lock: no acknowledgement yet
      }
      writer.expectText("put 0");
      writer.send("get gated").expectText("get 1");
    }
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void anAlarmFiresOnceAndIsCleared(Engine engine) {
    try (Ws ws = host(engine).ws(room())) {
      ws.send("alarm 300").expectText("alarm 0");
      ws.send("alarmget");
      assertTrue(ws.nextText().matches("alarmget \\d+"));
      ws.expectText("alarm 1");
      ws.expectNothing(
          500); // past a retry's first two back-offs (100, 200 ms): it does not run again
      ws.send("alarmget").expectText("alarmget ?-1");
      ws.send("get alarms").expectText("get 1");
    }
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void anAlarmWhoseHookTrapsIsRetriedThenSucceeds(Engine engine) throws Exception {
    TestHost host = host(engine);
    String room = room();
    try (LogCapture log = new LogCapture("partyhost.guest")) {
      long failUntil = System.currentTimeMillis() + 500;
      host.post(room, "failuntil " + failUntil);
      host.post(room, "alarm 50");
      // Runs at ~50 ms (trap), ~150 ms (trap), ~350 ms (trap), then after 400 ms more: succeeds.
      Poll.until(() -> host.post(room, "get alarms").body().equals("get 1"), 10_000);
      long runs =
          log.messages().stream()
              .filter(
                  m ->
                      m.contains(room.substring(room.lastIndexOf('/') + 1))
                          && m.contains("alarm hook runs"))
              .count();
      assertTrue(runs >= 2, "the alarm hook ran " + runs + " times");
      assertEquals("alarmget ?-1", host.post(room, "alarmget").body());
    }
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void anAlarmIsDroppedAfterItsRetries(Engine engine) throws Exception {
    TestHost host = host(engine);
    String room = room();
    try (LogCapture log = new LogCapture("partyhost.alarm")) {
      host.post(room, "failuntil " + (System.currentTimeMillis() + 3_600_000));
      host.post(room, "alarm 10");
      // 1 run and 3 retries (100, 200, 400 ms), then dropped.
      Poll.until(
          () ->
              log.messages().stream()
                  .anyMatch(m -> m.contains(room.substring(13)) && m.contains("given up")),
          10_000);
      Poll.until(() -> host.post(room, "alarmget").body().equals("alarmget ?-1"), 5_000);
      assertEquals("get ?-1", host.post(room, "get alarms").body());
    }
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void anAlarmHookThatReturnsAnErrorIsRetriedThenGivenUp(Engine engine) throws Exception {
    TestHost host = host(engine);
    String room = room();
    try (LogCapture log = new LogCapture("partyhost.alarm")) {
      host.post(room, "failrc");
      host.post(room, "failuntil " + (System.currentTimeMillis() + 3_600_000));
      host.post(room, "alarm 10");
      // No trap, so the room is not reset; the retries back off (100, 200, 400 ms), then give up.
      Poll.until(
          () ->
              log.messages().stream()
                  .anyMatch(m -> m.contains(room.substring(13)) && m.contains("given up")),
          10_000);
      Poll.until(() -> host.post(room, "alarmget").body().equals("alarmget ?-1"), 5_000);
      long retries =
          log.messages().stream()
              .filter(m -> m.contains(room.substring(13)) && m.contains("retry"))
              .count();
      assertEquals(3, retries, log.messages().toString());
    }
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void aFailedCommitResetsTheRoomAndAnswersItsGatedRequest(Engine engine) throws Exception {
    TestHost host = host(engine);
    String room = room();
    try (Ws ws = host.ws(room)) {
      ws.send("put good 1").expectText("put 0");
      refuseKey(engine, host, "poison"); // the database now refuses this key: the commit fails
      assertEquals(503, host.post(room, "put poison 1").statusCode());
      assertEquals(1011, ws.awaitClose());
    }
    try (Ws ws = host.ws(room)) {
      ws.send("get good").expectText("get 1");
      ws.send("get poison").expectText("get ?-1");
      ws.send("put fine 1").expectText("put 0"); // the reloaded room commits again
    }
  }

  /** Installs a trigger that makes the database refuse writes of {@code key}, in every room. */
  private static void refuseKey(Engine engine, TestHost host, String key) throws Exception {
    HostConfig config = host.host.config();
    String hex =
        java.util.HexFormat.of().formatHex(key.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    if (engine == Engine.SQLITE) {
      try (Connection c =
              DriverManager.getConnection(
                  "jdbc:sqlite:" + Path.of(config.dataDir, "partyhost.db"));
          Statement s = c.createStatement()) {
        s.execute(
            "CREATE TRIGGER IF NOT EXISTS refuse_"
                + key
                + " BEFORE INSERT ON kv WHEN NEW.key = X'"
                + hex
                + "'"
                + " BEGIN SELECT RAISE(ABORT, 'refused by the test'); END");
      }
      return;
    }
    Vertx vertx = Vertx.vertx();
    try {
      SqlConnection c =
          PgConnection.connect(vertx, PgConnectOptions.fromUri(config.postgresUrl)).await();
      c.query(
              "CREATE OR REPLACE FUNCTION refuse_"
                  + key
                  + "() RETURNS trigger AS $$ BEGIN"
                  + " IF NEW.key = '\\x"
                  + hex
                  + "'::bytea THEN RAISE EXCEPTION 'refused by the test'; END IF;"
                  + " RETURN NEW; END $$ LANGUAGE plpgsql")
          .execute()
          .await();
      c.query(
              "CREATE OR REPLACE TRIGGER refuse_"
                  + key
                  + " BEFORE INSERT OR UPDATE ON kv FOR EACH ROW"
                  + " EXECUTE FUNCTION refuse_"
                  + key
                  + "()")
          .execute()
          .await();
      c.close().await();
    } finally {
      vertx.close().await();
    }
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void hibernationKeepsSocketsTheirStateAndTheData(Engine engine) throws Exception {
    TestHost host = host(engine);
    String room = room();
    try (LogCapture log = new LogCapture("partyhost.room");
        Ws ws = host.ws(room)) {
      ws.send("state alice").expectText("state 0");
      ws.send("put k v").expectText("put 0");
      ws.send("starts").expectText("starts 1");
      // Idle past roomIdleMs: the instance is dropped, the socket stays. Its log line
      // (RELIABILITY.md) is the only sign of it that does not wake the room.
      log.awaitLine(
          m ->
              m.equals(
                  "[" + room.substring("/parties/".length()) + "] hibernating with 1 connections"));
      ws.send("whoami").expectText("whoami alice");
      ws.send("starts").expectText("starts 2"); // on_start ran again on waking
      ws.send("get k").expectText("get v");
    }
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void dataAndAlarmsSurviveARestart(Engine engine) throws Exception {
    TestHost host = TestHost.start(engine, StorageTest::tune);
    String room = room();
    try {
      host.post(room, "put k v");
      host.post(room, "alarm 600");
      host = host.restart(); // the alarm falls due while the host is down, or right after start
      TestHost restarted = host;
      Poll.until(() -> restarted.post(room, "get alarms").body().equals("get 1"), 10_000);
      assertEquals("get v", host.post(room, "get k").body());
      try (Ws ws = host.ws(room)) {
        ws.send("get k").expectText("get v");
      }
    } finally {
      host.close();
    }
  }

  @Test
  void twoHostsCannotShareOneDataDirectory() {
    TestHost first = host(Engine.SQLITE);
    IllegalStateException refused =
        assertThrows(
            IllegalStateException.class,
            () -> TestHost.start(Engine.SQLITE, c -> c.dataDir = first.host.config().dataDir));
    assertTrue(
        refused.getMessage().contains("is in use by another partyhost"), refused.getMessage());
  }

  /** Holds the engine's write lock from outside the host, so that commits wait until it is closed. */
  private static AutoCloseable holdWriteLock(Engine engine, TestHost host) throws Exception {
    HostConfig config = host.host.config();
    if (engine == Engine.SQLITE) {
      Connection c =
          DriverManager.getConnection("jdbc:sqlite:" + Path.of(config.dataDir, "partyhost.db"));
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        s.executeUpdate("DELETE FROM alarms WHERE party = 'no such party'"); // takes the write lock
      }
      return () -> {
        c.rollback();
        c.close();
      };
    }
    Vertx vertx = Vertx.vertx();
    SqlConnection c =
        PgConnection.connect(vertx, PgConnectOptions.fromUri(config.postgresUrl)).await();
    Transaction tx = c.begin().await();
    c.query("LOCK TABLE kv IN EXCLUSIVE MODE").execute().await();
    return () -> {
      tx.rollback().await();
      c.close().await();
      vertx.close().await();
    };
  }
}
