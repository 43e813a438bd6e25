package dev.partyhost.replay;

import dev.partyhost.guest.GuestTime;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import java.time.Clock;

/**
 * A replay's host time: each hook's recorded time, set before it runs (the host reads it to decide
 * whether an alarm is due; the guest's own clock reads are answered from the recording). Timers never
 * fire: the recording says when alarm hooks ran.
 */
final class ReplayTime implements GuestTime {
  private volatile long nowMs;
  private long timers;
  private final Clock clock = GuestTime.utcClock(this::nowMs);

  void set(long nowMs) {
    this.nowMs = nowMs;
  }

  @Override
  public Clock clock() {
    return clock;
  }

  @Override
  public long nowMs() {
    return nowMs;
  }

  @Override
  public synchronized long setTimer(Vertx vertx, long delayMs, Handler<Long> task) {
    return ++timers;
  }

  @Override
  public boolean cancelTimer(Vertx vertx, long id) {
    return true;
  }
}
