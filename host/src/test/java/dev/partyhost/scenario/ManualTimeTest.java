package dev.partyhost.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Guest time for scenarios: timers run in time order as the clock passes them, and only then. */
class ManualTimeTest {
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    vertx.close().await();
  }

  @Test
  void timersRunInOrderAsTheClockPassesThem() throws Exception {
    ManualTime time = new ManualTime(1_000);
    List<String> ran = new ArrayList<>();
    List<Long> settled = new ArrayList<>();
    time.setTimer(vertx, 300, id -> ran.add("300 at " + time.nowMs()));
    time.setTimer(vertx, 100, id -> ran.add("100 at " + time.nowMs()));
    long cancelled = time.setTimer(vertx, 200, id -> ran.add("cancelled"));
    // A timer that sets the next one, as an alarm hook does: it runs in the same advance.
    time.setTimer(
        vertx, 250, id -> time.setTimer(vertx, 10, id2 -> ran.add("chained at " + time.nowMs())));
    assertTrue(time.cancelTimer(vertx, cancelled));
    assertFalse(time.cancelTimer(vertx, cancelled));
    time.advance(99, () -> settled.add(time.nowMs()));
    assertEquals(List.of(), ran);
    assertEquals(1_099, time.nowMs());
    assertEquals(1_099, time.clock().millis());
    time.advance(1_000, () -> settled.add(time.nowMs()));
    assertEquals(List.of("100 at 1100", "chained at 1260", "300 at 1300"), ran);
    assertEquals(List.of(1_100L, 1_250L, 1_260L, 1_300L), settled);
    assertEquals(2_099, time.nowMs());
  }
}
