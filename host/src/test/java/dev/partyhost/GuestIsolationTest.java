package dev.partyhost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partyhost.support.TestHost;
import dev.partyhost.support.Ws;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Rooms as single-threaded worlds: every hook of a room runs on one event-loop thread, rooms spread
 * over loops, and a trapping guest resets only its own room. Uses the WAT probe (host/src/test/wat).
 */
class GuestIsolationTest {
  private static TestHost host;
  /** Guest log lines ("[probe/ROOM] hook") with the thread that ran the hook. */
  private static final List<String[]> hooks = java.util.Collections.synchronizedList(new ArrayList<>());
  private static final Handler capture = new Handler() {
    @Override
    public void publish(LogRecord r) {
      hooks.add(new String[] {r.getMessage(), Long.toString(r.getLongThreadID())});
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };

  @BeforeAll
  static void start() {
    Logger.getLogger("partyhost.guest").addHandler(capture);
    host = TestHost.start();
  }

  @AfterAll
  static void stop() {
    Logger.getLogger("partyhost.guest").removeHandler(capture);
    host.close();
  }

  @Test
  void everyHookOfARoomRunsOnOneThreadAndRoomsSpreadOverLoops() throws Exception {
    int rooms = 16;
    List<Ws> sockets = new ArrayList<>();
    for (int r = 0; r < rooms; r++) {
      for (int k = 0; k < 3; k++) sockets.add(host.ws("/parties/probe/pin-" + r + "?_pk=c" + k));
    }
    for (int round = 0; round < 5; round++) {
      for (Ws ws : sockets) ws.send("m" + round);
    }
    for (Ws ws : sockets) for (int round = 0; round < 5; round++) ws.expectText("m" + round);
    for (Ws ws : sockets) ws.close();
    // Wait for the close hooks.
    long deadline = System.currentTimeMillis() + 5000;
    while (count("close") < rooms * 3 && System.currentTimeMillis() < deadline) Thread.sleep(20);

    Map<String, Set<String>> threadsByRoom = new HashMap<>();
    synchronized (hooks) {
      for (String[] h : hooks) {
        if (!h[0].startsWith("[probe/pin-")) continue;
        String room = h[0].substring(1, h[0].indexOf(']'));
        threadsByRoom.computeIfAbsent(room, k -> new HashSet<>()).add(h[1]);
      }
    }
    assertEquals(rooms, threadsByRoom.size());
    Set<String> allThreads = new HashSet<>();
    for (Map.Entry<String, Set<String>> e : threadsByRoom.entrySet()) {
      assertEquals(1, e.getValue().size(), e.getKey() + " ran on " + e.getValue());
      allThreads.addAll(e.getValue());
    }
    assertTrue(allThreads.size() > 1, "all rooms ran on one thread: " + allThreads);
    assertEquals(rooms * (1 + 3 + 15 + 3), countPrefix("[probe/pin-"), "start + connect + message + close per room");
  }

  @Test
  void aTrapResetsOnlyItsRoom() {
    Ws victim1 = host.ws("/parties/probe/trap-room?_pk=v1");
    Ws victim2 = host.ws("/parties/probe/trap-room?_pk=v2");
    Ws bystander = host.ws("/parties/probe/calm-room?_pk=b");
    victim1.send("one");
    victim1.expectText("one");
    bystander.send("before");
    bystander.expectText("before");
    assertEquals("1", host.get("/parties/probe/trap-room").body());

    victim1.send("trap");
    assertEquals(1011, victim1.awaitClose());
    assertEquals(1011, victim2.awaitClose());

    bystander.send("after");
    bystander.expectText("after");
    assertEquals("2", host.get("/parties/probe/calm-room").body());
    // The trapped room starts afresh on the next request: a new instance, its count back to 0.
    assertEquals("0", host.get("/parties/probe/trap-room").body());
    try (Ws again = host.ws("/parties/probe/trap-room?_pk=v1")) {
      again.send("back");
      again.expectText("back");
    }
    bystander.close();
  }

  private static int count(String hook) {
    synchronized (hooks) {
      return (int) hooks.stream().filter(h -> h[0].startsWith("[probe/pin-") && h[0].endsWith("] " + hook)).count();
    }
  }

  private static int countPrefix(String prefix) {
    synchronized (hooks) {
      return (int) hooks.stream().filter(h -> h[0].startsWith(prefix)).count();
    }
  }
}
