package dev.partyhost.guest;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The host-wide budget for guest memory: the heap bytes that every instance's linear memory and
 * tables hold, summed over all rooms and gates, and the snapshots that hibernated rooms keep. An instance reserves bytes before it allocates them
 * ({@link BudgetedMemory}) and gives them back when it is dropped; what the budget refuses is a
 * {@code memory.grow} that returns -1, or an instance that cannot start ({@link Exhausted}).
 * Thread-safe: instances on every event loop draw from it.
 */
public final class MemoryBudget {
  private static final Logger LOG = System.getLogger("partyhost.memory");

  /** At most one line about refusals per this interval: a full budget refuses many events. */
  static final long REPORT_EVERY_NANOS = TimeUnit.SECONDS.toNanos(10);

  private final long limit;
  private final AtomicLong reserved = new AtomicLong();

  // Refusals since the last line, and the last refused instance's owner.
  private final AtomicLong refusedStarts = new AtomicLong();
  private final AtomicLong refusedGrows = new AtomicLong();
  private final AtomicReference<String> lastRefused = new AtomicReference<>();
  private final AtomicLong lastReport;

  /** A room or gate instance that cannot start: its initial memory and tables do not fit. */
  public static final class Exhausted extends RuntimeException {
    Exhausted(String message) {
      super(message, null, false, false); // expected under load: no stack trace
    }
  }

  /** A budget of {@code limitBytes}. */
  public MemoryBudget(long limitBytes) {
    if (limitBytes < 0)
      throw new IllegalArgumentException("a memory budget cannot be negative: " + limitBytes);
    this.limit = limitBytes;
    this.lastReport =
        new AtomicLong(System.nanoTime() - REPORT_EVERY_NANOS); // the first refusal logs
  }

  /** A budget that never refuses (a module loaded outside a host: tests, benchmarks). */
  public static MemoryBudget unlimited() {
    return new MemoryBudget(Long.MAX_VALUE);
  }

  /** Reserves {@code bytes}; false (nothing reserved) when they would pass the limit. */
  boolean tryReserve(long bytes) {
    long now;
    do {
      now = reserved.get();
      if (bytes > limit - now) return false;
    } while (!reserved.compareAndSet(now, now + bytes));
    return true;
  }

  /** Gives back bytes reserved earlier. */
  void release(long bytes) {
    if (bytes > 0) reserved.addAndGet(-bytes);
  }

  /**
   * Reserves {@code bytes} held for later (a hibernated room's snapshot), only while the budget stays
   * within three quarters of its limit, as spare instances do: the last quarter is for rooms that
   * start. False: nothing reserved.
   */
  public boolean tryHold(long bytes) {
    long now;
    do {
      now = reserved.get();
      if (bytes > limit / 4 * 3 - now) return false;
    } while (!reserved.compareAndSet(now, now + bytes));
    return true;
  }

  /** Gives back bytes held with {@link #tryHold}. */
  public void unhold(long bytes) {
    release(bytes);
  }

  /** Bytes reserved now, over all instances. */
  public long reserved() {
    return reserved.get();
  }

  public long limit() {
    return limit;
  }

  /**
   * Counts a refusal ({@code start}: an instance that could not start, else a grow that returned
   * -1) and logs it, at most once per {@link #REPORT_EVERY_NANOS}, with the refusals since the
   * previous line: a flood of refused events makes a line every ten seconds, not one per event.
   */
  void refused(boolean start, String owner, long wanted) {
    (start ? refusedStarts : refusedGrows).incrementAndGet();
    lastRefused.set(owner.strip()); // a room's tag ends in a space
    long now = System.nanoTime();
    long last = lastReport.get();
    if (now - last < REPORT_EVERY_NANOS || !lastReport.compareAndSet(last, now)) return;
    LOG.log(
        Level.WARNING,
        "guest memory budget full: "
            + reserved()
            + " of "
            + limit
            + " bytes reserved; refused "
            + refusedStarts.getAndSet(0)
            + " instance starts and "
            + refusedGrows.getAndSet(0)
            + " memory grows since the last report, the latest "
            + wanted
            + " bytes for "
            + lastRefused.get()
            + " (maxGuestMemoryBytes)");
  }
}
