package dev.partyhost.room;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The per-connection token bucket (RateLimit), with the time given: no sleeps, no clock. */
class RateLimitTest {
  private static final long SECOND = 1_000_000_000L;

  /** Any reading of System.nanoTime(): it may be negative, and only differences count. */
  private static final long T0 = -7_000_000_000_000L;

  /** How many messages pass at one instant. */
  private static int burst(RateLimit limit, long at) {
    int n = 0;
    while (limit.allows(at)) {
      if (++n > 10_000_000) throw new AssertionError("no limit");
    }
    return n;
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 5, 20, 1000})
  void aFreshConnectionMaySendOneSecondsWorthAtOnce(int perSecond) {
    RateLimit limit = RateLimit.perSecond(perSecond, T0);
    assertEquals(perSecond, burst(limit, T0));
    assertFalse(limit.allows(T0));
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 5, 20, 1000})
  void anEmptyBucketGainsOneTokenPerIntervalAndNoneSooner(int perSecond) {
    long interval = SECOND / perSecond;
    RateLimit limit = RateLimit.perSecond(perSecond, T0);
    burst(limit, T0);
    assertFalse(limit.allows(T0 + interval / 2), "half an interval: half a token");
    assertFalse(
        limit.allows(T0 + interval - interval / 100),
        "the refused message took no token, time still counts");
    assertTrue(limit.allows(T0 + interval + 1), "one interval: one token");
    assertFalse(limit.allows(T0 + interval + 2));
    // Over a second of steady sending at the rate, every message passes.
    long t = T0 + interval + 1;
    for (int i = 0; i < perSecond; i++) {
      t += interval + 1;
      assertTrue(limit.allows(t), "message " + i + " at the rate");
    }
  }

  @Test
  void sendingFasterThanTheRatePassesOnlyTheRate() {
    RateLimit limit = RateLimit.perSecond(10, T0);
    burst(limit, T0);
    int passed = 0;
    // 100 messages a second for 3 seconds: 10 a second get through (give or take the edge).
    for (int i = 1; i <= 300; i++) if (limit.allows(T0 + i * (SECOND / 100))) passed++;
    assertTrue(passed >= 29 && passed <= 30, passed + " passed");
  }

  @Test
  void aLongPauseRefillsOneSecondsWorthOnly() {
    RateLimit limit = RateLimit.perSecond(20, T0);
    burst(limit, T0);
    assertEquals(20, burst(limit, T0 + 3600 * SECOND), "an hour idle: still a burst of 20");
    assertEquals(
        10, burst(limit, T0 + 3600 * SECOND + SECOND / 2 + 1000), "half a second later: 10 more");
  }

  @Test
  void partOfABurstLeftOverCarriesOn() {
    RateLimit limit = RateLimit.perSecond(4, T0);
    assertTrue(limit.allows(T0));
    assertTrue(limit.allows(T0)); // 2 of 4 left
    assertEquals(4, burst(limit, T0 + SECOND / 2 + 1), "2 left + 2 refilled, capped at 4");
  }

  @Test
  void zeroMeansNoLimit() {
    RateLimit limit = RateLimit.perSecond(0, T0);
    for (int i = 0; i < 1_000_000; i++) assertTrue(limit.allows(T0));
    assertTrue(limit.allows(T0 - SECOND), "whatever the time");
    assertTrue(RateLimit.perSecond(0).allows());
  }

  @Test
  void theHostsClockIsUsedWithoutATimeGiven() {
    // The no-argument forms (what Inbound calls) read System.nanoTime(): a fresh limit has its
    // burst now.
    RateLimit limit = RateLimit.perSecond(1);
    assertTrue(limit.allows());
    assertFalse(limit.allows(System.nanoTime()), "a second one within the same second");
  }
}
