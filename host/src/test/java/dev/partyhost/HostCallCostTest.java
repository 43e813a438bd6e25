package dev.partyhost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partyhost.support.LogCapture;
import dev.partyhost.support.TestHost;
import dev.partyhost.support.Ws;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * One host call cannot hold an event loop past the hook's deadline (issue 11, item 5): its cost is
 * bounded by its input, and a call over a guest-chosen list checks the deadline inside. Driven by the
 * hostile-c test guest's "exclude N": a broadcast whose exclusion list holds N handles.
 */
class HostCallCostTest {
  private static final int CONNECTIONS = 1500;

  @Test
  void aBroadcastExcludingMillionsOfHandlesIsStoppedAtTheDeadline() {
    // 3,000,000 handles against 1,000 connections: scanned per recipient that is 3e9 comparisons,
    // seconds of one event loop. Marked once per handle, it is a few tens of milliseconds, past a
    // 10 ms deadline.
    try (LogCapture log = new LogCapture("partyhost.room");
        TestHost host =
            TestHost.start(
                c -> c.partyLimits = Map.of("hostile-c", Map.of("hookDeadlineMs", 10L)))) {
      List<Ws> room = new ArrayList<>();
      try {
        for (int i = 0; i < CONNECTIONS; i++)
          room.add(host.ws("/parties/hostile-c/cost?_pk=c" + i));
        long start = System.nanoTime();
        room.get(0).send("exclude 3000000");
        assertEquals(1011, room.get(0).awaitClose());
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertTrue(ms < 1500, "the broadcast held its loop for " + ms + " ms");
        assertTrue(
            log.messages().stream()
                .anyMatch(
                    m ->
                        m.startsWith("[hostile-c/cost] guest trapped in MESSAGE hook")
                            && m.contains("ran past its CPU deadline of 10 ms")),
            log.messages().toString());
      } finally {
        room.forEach(Ws::close);
      }
      // The host and the party go on: a fresh room of it answers.
      try (Ws again = host.ws("/parties/hostile-c/after?_pk=a")) {
        again.send("exclude 10");
        again.expectText("x"); // the broadcast, to its one connection (handle 0 is nobody's)
        again.expectText("excluded 1");
      }
    }
  }
}
