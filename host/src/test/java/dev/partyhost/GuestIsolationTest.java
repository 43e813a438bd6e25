package dev.partyhost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partyhost.support.LogCapture;
import dev.partyhost.support.TestHost;
import dev.partyhost.support.Ws;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
  private static LogCapture hooks;

  @BeforeAll
  static void start() {
    hooks = new LogCapture("partyhost.guest");
    host = TestHost.start();
  }

  @AfterAll
  static void stop() {
    hooks.close();
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
    long deadline = System.currentTimeMillis() + Ws.TIMEOUT_MS;
    while (count("close") < rooms * 3 && System.currentTimeMillis() < deadline) Thread.sleep(20);

    Map<String, Set<Long>> threadsByRoom = new HashMap<>();
    for (LogCapture.Line line : hooks.lines()) {
      if (!line.message().startsWith("[probe/pin-")) continue;
      String room = line.message().substring(1, line.message().indexOf(']'));
      threadsByRoom.computeIfAbsent(room, k -> new HashSet<>()).add(line.threadId());
    }
    assertEquals(rooms, threadsByRoom.size());
    Set<Long> allThreads = new HashSet<>();
    for (Map.Entry<String, Set<Long>> e : threadsByRoom.entrySet()) {
      assertEquals(1, e.getValue().size(), e.getKey() + " ran on " + e.getValue());
      allThreads.addAll(e.getValue());
    }
    assertTrue(allThreads.size() > 1, "all rooms ran on one thread: " + allThreads);
    assertEquals(
        rooms * (1 + 3 + 15 + 3),
        countPrefix("[probe/pin-"),
        "start + connect + message + close per room");
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
    return (int)
        hooks.messages().stream()
            .filter(m -> m.startsWith("[probe/pin-") && m.endsWith("] " + hook))
            .count();
  }

  private static int countPrefix(String prefix) {
    return (int) hooks.messages().stream().filter(m -> m.startsWith(prefix)).count();
  }
}
