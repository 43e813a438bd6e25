package dev.partyhost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partyhost.support.LogCapture;
import dev.partyhost.support.NodeScript;
import dev.partyhost.support.TestHost;
import dev.partyhost.support.Ws;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Real Yjs clients (yjs and y-websocket's provider, host/src/test/node, versions in its
 * package-lock) editing through the {@code yjs} example party.
 */
class YjsTest {
  /**
   * Three clients edit at once and converge; the room hibernates; a late joiner is complete at its
   * first sync and sees the awareness the others announced before; awareness disappears with its
   * connection; after a host restart a new client reads the same document.
   */
  @Test
  void yjsClientsConvergeAndTheDocumentSurvivesHibernationAndARestart() throws Exception {
    String room = "doc-" + Long.toString(System.nanoTime(), 36);
    TestHost host = TestHost.start(c -> c.roomIdleMs = 300);
    try (LogCapture log = new LogCapture("partyhost.room")) {
      String edited = NodeScript.run("yjs-check.mjs", Integer.toString(host.port()), "edit", room);
      assertTrue(edited.contains("yjs-check: OK"), edited);
      String hibernated = "[yjs/" + room + "] hibernating with 3 connections";
      assertTrue(
          log.messages().stream().anyMatch(m -> m.contains(hibernated)), log.messages()::toString);
      host = host.restart();
      String reloaded =
          NodeScript.run("yjs-check.mjs", Integer.toString(host.port()), "reload", room);
      assertTrue(reloaded.contains("yjs-check: OK"), reloaded);
      assertEquals(stateLine(edited), stateLine(reloaded));
    } finally {
      host.close();
    }
  }

  /**
   * A document of 2.7 MB, over the 1 MiB message limit and one stored value: updates of 400 KB, then
   * one of 1.5 MB that y-partykit's provider sends in chunks; a follower gets them (the big one in
   * parts), a late joiner gets it all in parts at its first sync, and it is whole after a restart.
   */
  @Test
  void aDocumentLargerThanOneMessageReachesALateJoinerAndSurvivesARestart() throws Exception {
    String room = "big-" + Long.toString(System.nanoTime(), 36);
    // Receiving an update of 1.5 MB is a few passes over it in one hook, and on a cold host (the
    // guest's code not yet compiled by the JIT) that takes longer than the default 100 ms.
    TestHost host = TestHost.start(c -> c.partyLimits.put("yjs", Map.of("hookDeadlineMs", 2_000L)));
    try {
      String written = NodeScript.run("yjs-check.mjs", Integer.toString(host.port()), "big", room);
      assertTrue(written.contains("yjs-check: OK"), written);
      host = host.restart();
      String reloaded =
          NodeScript.run("yjs-check.mjs", Integer.toString(host.port()), "reload", room);
      assertEquals(stateLine(written), stateLine(reloaded));
    } finally {
      host.close();
    }
  }

  /**
   * A client that edited offline merges on reconnect; a late joiner then has both sides' edits. The
   * party reports the change debounced (its log line, 2 s after the last edit), not per update.
   */
  @Test
  void editsMadeOfflineMergeOnReconnect() throws Exception {
    String room = "offline-" + Long.toString(System.nanoTime(), 36);
    try (TestHost host = TestHost.start();
        LogCapture log = new LogCapture("partyhost.guest.yjs")) {
      String out = run(host, "offline", room);
      assertTrue(out.contains("yjs-check: OK"), out);
      String changed = "yjs: document " + room + " changed";
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (log.messages().stream().noneMatch(m -> m.contains(changed))
          && System.nanoTime() < deadline) Thread.sleep(100);
      // debounced: dozens of updates, one report (or two, if the scenario paused over 2 s)
      long reports = log.messages().stream().filter(m -> m.contains(changed)).count();
      assertTrue(reports >= 1 && reports <= 2, log.messages()::toString);
    }
  }

  /**
   * 4,000 keystrokes, one update each: once the last client leaves, the room stores the document
   * compacted (no log left, a few keys) in no more bytes than yjs's own snapshot of it, and serves
   * the same document after a restart.
   */
  @Test
  void aDocumentOfManySmallUpdatesIsStoredCompacted() throws Exception {
    String room = "typing-" + Long.toString(System.nanoTime(), 36);
    TestHost host = TestHost.start();
    try {
      String typed = run(host, "typing", room);
      assertTrue(typed.contains("yjs-check: OK"), typed);
      Matcher m =
          Pattern.compile("sent (\\d+) bytes in updates; yjs's own snapshot is (\\d+)")
              .matcher(typed);
      assertTrue(m.find(), typed);
      long sent = Long.parseLong(m.group(1));
      long snapshot = Long.parseLong(m.group(2));
      Map<String, Integer> stored = Map.of();
      long deadline = System.nanoTime() + 15_000_000_000L;
      while (System.nanoTime() < deadline) {
        stored = storedValues(host, room);
        if (!stored.isEmpty() && stored.keySet().stream().noneMatch(k -> k.startsWith("yjs:log:")))
          break;
        Thread.sleep(100);
      }
      long bytes = stored.values().stream().mapToLong(Integer::longValue).sum();
      assertTrue(
          stored.keySet().stream().noneMatch(k -> k.startsWith("yjs:log:")) && stored.size() <= 3,
          "not compacted: " + stored);
      assertTrue(
          bytes <= snapshot,
          "stored " + bytes + " bytes; yjs's snapshot is " + snapshot + ", updates sent " + sent);
      host = host.restart();
      String reloaded = run(host, "reload", room);
      assertEquals(stateLine(typed), stateLine(reloaded));
    } finally {
      host.close();
    }
  }

  /**
   * With a {@code write-token} set, the gate lets a client without it in read-only: the room drops
   * its updates, and it still syncs.
   */
  @Test
  void withAWriteTokenOthersAreReadOnly() throws Exception {
    try (TestHost host =
        TestHost.start(c -> c.vars.put("yjs", Map.of("write-token", "w-secret")))) {
      String room = "readonly-" + Long.toString(System.nanoTime(), 36);
      String out =
          NodeScript.run(
              "yjs-check.mjs", Integer.toString(host.port()), "readonly", room, "w-secret");
      assertTrue(out.contains("yjs-check: OK"), out);
    }
  }

  /**
   * Bad input closes only its own connection with 4007 (1007 is the host's to use): a frame that is not y-protocols, a batch
   * announced over 4 MiB, a chunk past the announced size; the room serves the next client.
   */
  @Test
  void badMessagesAndOversizedBatchesCloseTheirConnectionWith4007() throws Exception {
    try (TestHost host = TestHost.start()) {
      String path = "/parties/yjs/bad-" + Long.toString(System.nanoTime(), 36);
      try (Ws ws = host.ws(path)) {
        ws.next(); // the room's sync step 1
        ws.send(new byte[] {0, 9, 1, 2});
        assertEquals(4007, ws.awaitClose());
      }
      try (Ws ws = host.ws(path)) {
        ws.next();
        ws.send("y-pk-batch#{\"id\":\"b\",\"type\":\"start\",\"size\":5000000,\"count\":5}");
        assertEquals(4007, ws.awaitClose());
      }
      try (Ws ws = host.ws(path)) {
        ws.next();
        ws.send("y-pk-batch#{\"id\":\"b\",\"type\":\"start\",\"size\":10,\"count\":1}");
        ws.send(new byte[11]);
        assertEquals(4007, ws.awaitClose());
      }
      try (Ws ws = host.ws(path)) {
        assertTrue(ws.next() instanceof byte[], "a sync step 1 after the bad clients");
      }
    }
  }

  /** An update over the room's storage quota closes its sender with 4011 and is not relayed. */
  @Test
  void anUpdateOverTheStorageQuotaClosesItsSenderWith4011() throws Exception {
    try (TestHost host =
        TestHost.start(c -> c.partyLimits.put("yjs", Map.of("storageQuotaBytes", 2_000L)))) {
      String path = "/parties/yjs/quota-" + Long.toString(System.nanoTime(), 36);
      try (Ws writer = host.ws(path);
          Ws other = host.ws(path)) {
        writer.next();
        other.next();
        // A V1 update by hand: one client (1), one struct at clock 0, a string (info 4) in the
        // root type "t" (parent info 1), 3,000 bytes long; no deletions.
        ByteArrayOutputStream update = new ByteArrayOutputStream();
        update.writeBytes(new byte[] {1, 1, 1, 0, 4, 1, 1, 't', (byte) 0xb8, 0x17});
        update.writeBytes("x".repeat(3_000).getBytes(StandardCharsets.US_ASCII));
        update.write(0);
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.writeBytes(new byte[] {0, 2, (byte) 0xc3, 0x17}); // sync, update, 3,011 bytes
        frame.writeBytes(update.toByteArray());
        writer.send(frame.toByteArray());
        assertEquals(4011, writer.awaitClose());
        other.expectNothing(300);
      }
    }
  }

  private static String run(TestHost host, String mode, String room) throws Exception {
    return NodeScript.run("yjs-check.mjs", Integer.toString(host.port()), mode, room);
  }

  /** The room's stored keys and value sizes, read from the host's SQLite file. */
  private static Map<String, Integer> storedValues(TestHost host, String room) throws Exception {
    Map<String, Integer> values = new TreeMap<>();
    String db = "jdbc:sqlite:" + Path.of(host.host.config().dataDir, "partyhost.db");
    try (Connection c = DriverManager.getConnection(db);
        PreparedStatement q =
            c.prepareStatement(
                "SELECT key, length(value) FROM kv WHERE party = 'yjs' AND room = ?")) {
      q.setString(1, room);
      try (ResultSet rs = q.executeQuery()) {
        while (rs.next())
          values.put(new String(rs.getBytes(1), StandardCharsets.UTF_8), rs.getInt(2));
      }
    }
    return values;
  }

  private static String stateLine(String output) {
    return output
        .lines()
        .filter(l -> l.startsWith("yjs-state: "))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no yjs-state line in:\n" + output));
  }
}
