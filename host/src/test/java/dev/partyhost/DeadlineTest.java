package dev.partyhost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partyhost.support.LogCapture;
import dev.partyhost.support.TestHost;
import dev.partyhost.support.Ws;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The CPU deadline: a guest that never returns is stopped, its room reset, and every other room keeps serving. */
class DeadlineTest {
  private static final String STOPPED_AT_100_MS =
      "[spin/runaway] guest trapped in MESSAGE hook, room reset: ran past its CPU deadline of 100 ms";

  @Test
  void anEndlessLoopIsStoppedAtTheDeadlineAndOnlyItsRoomIsReset() throws Exception {
    try (LogCapture log = new LogCapture("partyhost.room");
        TestHost host = TestHost.start(c -> c.hookDeadlineMs = 100)) {
      // Rooms are spread over the event loops round-robin: 8 rooms cover each loop twice.
      List<Ws> others = new ArrayList<>();
      for (int r = 0; r < 8; r++) others.add(host.ws("/parties/spin/calm-" + r));
      for (int round = 0; round < 3; round++) {
        try (Ws spinner = host.ws("/parties/spin/runaway")) {
          int mark = log.messages().size();
          spinner.send("loop");
          for (Ws other : others)
            other.send("still here " + round); // queued behind the loop on one loop
          assertEquals(1011, spinner.awaitClose());
          // Stopped by the deadline: 100 ms of the hook's CPU time (its wall time depends on what
          // else the machine runs, so it is not what this checks).
          assertTrue(
              log.messages().subList(mark, log.messages().size()).stream()
                  .anyMatch(STOPPED_AT_100_MS::equals),
              log.messages().toString());
          for (Ws other : others) other.expectText("still here " + round);
        }
      }
      try (Ws again = host.ws("/parties/spin/runaway")) {
        again.send("hello").expectText("hello"); // a fresh instance
      }
    }
  }

  @Test
  void aLoopClosedByAConditionalBranchIsStoppedToo() throws Exception {
    try (TestHost host = TestHost.start(c -> c.hookDeadlineMs = 100);
        Ws spinner = host.ws("/parties/spin/br-if")) {
      spinner.send("b");
      assertEquals(1011, spinner.awaitClose());
    }
  }

  @Test
  void aPartyMayHaveItsOwnDeadline() throws Exception {
    try (LogCapture log = new LogCapture("partyhost.room");
        TestHost host =
            TestHost.start(
                c -> c.partyLimits.put("spin", java.util.Map.of("hookDeadlineMs", 1000L)))) {
      try (Ws spinner = host.ws("/parties/spin/slow")) {
        long start = System.nanoTime();
        spinner.send("loop");
        assertEquals(1011, spinner.awaitClose());
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertTrue(ms >= 1000, "stopped after " + ms + " ms"); // CPU time: wall time is no shorter
        log.awaitLine(
            m ->
                m.equals(
                    "[spin/slow] guest trapped in MESSAGE hook, room reset: ran past its CPU"
                        + " deadline of 1000 ms"));
      }
    }
  }
}
