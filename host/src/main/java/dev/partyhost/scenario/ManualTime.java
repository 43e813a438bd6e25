package dev.partyhost.scenario;

import dev.partyhost.guest.GuestTime;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.PriorityQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Guest time that moves only when told: {@link #advance} moves the clock and runs the timers that
 * fall due on the way (the alarms), each on a Vert.x context, in order of their times.
 */
public final class ManualTime implements GuestTime {
  private record Timer(long due, long id, Vertx vertx, Handler<Long> task)
      implements Comparable<Timer> {
    @Override
    public int compareTo(Timer o) {
      return due != o.due ? Long.compare(due, o.due) : Long.compare(id, o.id);
    }
  }

  private final PriorityQueue<Timer> timers = new PriorityQueue<>();
  private long now;
  private long nextId = 1;

  private final Clock clock = GuestTime.utcClock(this::nowMs);

  /** Starting at {@code epochMs}. */
  public ManualTime(long epochMs) {
    this.now = epochMs;
  }

  @Override
  public Clock clock() {
    return clock;
  }

  @Override
  public synchronized long nowMs() {
    return now;
  }

  @Override
  public synchronized long setTimer(Vertx vertx, long delayMs, Handler<Long> task) {
    long id = nextId++;
    timers.add(new Timer(now + Math.max(1, delayMs), id, vertx, task));
    return id;
  }

  @Override
  public synchronized boolean cancelTimer(Vertx vertx, long id) {
    return timers.removeIf(t -> t.id == id);
  }

  /**
   * Moves the clock {@code ms} forward, stopping at each timer due on the way to run it, then
   * {@code settle} (which waits until what the timer started is done: an alarm hook may set the
   * next alarm).
   */
  public void advance(long ms, Runnable settle) throws InterruptedException {
    long until;
    synchronized (this) {
      until = now + Math.max(0, ms);
    }
    while (true) {
      Timer due;
      synchronized (this) {
        due = timers.peek();
        if (due == null || due.due > until) {
          now = until;
          return;
        }
        timers.poll();
        now = Math.max(now, due.due);
      }
      CountDownLatch ran = new CountDownLatch(1);
      Timer timer = due;
      timer.vertx.runOnContext(
          v -> {
            try {
              timer.task.handle(timer.id);
            } finally {
              ran.countDown();
            }
          });
      if (!ran.await(10, TimeUnit.SECONDS))
        throw new IllegalStateException("a timer did not run within 10 s");
      settle.run();
    }
  }
}
