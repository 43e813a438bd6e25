package dev.partyhost.guest;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.function.LongSupplier;

/**
 * Time as guests see it: {@code now_ms}, WASI's realtime clock, and when alarms fire. A host runs on
 * the system's; a scenario ({@code dev.partyhost.scenario}) on one that moves only when told, so
 * that hours of alarms pass in a moment and every run sees the same times. The host's own timing
 * (deadlines, idle rooms, commits, leases) stays on the system's.
 */
public interface GuestTime {
  /** The clock of {@code now_ms} and WASI's {@code CLOCK_REALTIME}. */
  Clock clock();

  /** Epoch milliseconds now. */
  default long nowMs() {
    return clock().millis();
  }

  /** Runs {@code task} once {@code delayMs} (at least 1) have passed; returns the timer's id. */
  long setTimer(Vertx vertx, long delayMs, Handler<Long> task);

  /** Cancels a timer of {@link #setTimer}; false if it ran or was cancelled already. */
  boolean cancelTimer(Vertx vertx, long id);

  /** A UTC clock that reads epoch milliseconds from {@code millis}: a time that moves when told. */
  static Clock utcClock(LongSupplier millis) {
    return new Clock() {
      @Override
      public ZoneId getZone() {
        return ZoneOffset.UTC;
      }

      @Override
      public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("guest time is UTC");
      }

      @Override
      public long millis() {
        return millis.getAsLong();
      }

      @Override
      public Instant instant() {
        return Instant.ofEpochMilli(millis.getAsLong());
      }
    };
  }

  /** The system's time, with Vert.x's timers. */
  GuestTime SYSTEM =
      new GuestTime() {
        @Override
        public Clock clock() {
          return Clock.systemUTC();
        }

        @Override
        public long nowMs() {
          return System.currentTimeMillis();
        }

        @Override
        public long setTimer(Vertx vertx, long delayMs, Handler<Long> task) {
          return vertx.setTimer(delayMs, task);
        }

        @Override
        public boolean cancelTimer(Vertx vertx, long id) {
          return vertx.cancelTimer(id);
        }
      };
}
