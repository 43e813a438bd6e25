package dev.partyhost.guest;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntSupplier;

/**
 * Stops guest code that runs past its deadline. Chicory checks its thread's interrupt flag at
 * function entries and loop back-edges, so the watchdog's own thread interrupts the thread running
 * the guest. The interrupt must never outlive the guest call: an event loop interrupted in Netty's
 * I/O would break it. So each thread has a slot whose state the watchdog and the guest call change
 * with compare-and-set; a call that ends while the watchdog is interrupting waits for it, then
 * clears the flag before it returns.
 */
public final class Watchdog {
  private static final int IDLE = 0, RUNNING = 1, INTERRUPTING = 2, INTERRUPTED = 3;
  /** How often deadlines are checked: a runaway guest is stopped within its deadline plus this. */
  static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

  private static final class Slot {
    final Thread thread = Thread.currentThread();
    final AtomicInteger state = new AtomicInteger(IDLE);
    volatile long deadline;
  }

  private static final Watchdog SHARED = new Watchdog();

  private final List<Slot> slots = new CopyOnWriteArrayList<>();
  private final ThreadLocal<Slot> slot = ThreadLocal.withInitial(() -> {
    Slot s = new Slot();
    slots.add(s);
    return s;
  });
  private Watchdog() {
    Thread ticker = new Thread(this::watch, "partyhost-watchdog");
    ticker.setDaemon(true);
    ticker.start();
  }

  /** The process's watchdog: one daemon thread watches every thread that runs guests. */
  public static Watchdog shared() {
    return SHARED;
  }

  /**
   * Runs a guest call on the current thread with a deadline of {@code timeoutMs}. Throws
   * {@link DeadlineExceeded} if the watchdog stopped it; any other failure passes through.
   */
  public int run(long timeoutMs, IntSupplier guestCall) {
    Slot s = slot.get();
    if (s.state.get() != IDLE) return guestCall.getAsInt(); // nested (a guest call inside a guest call): the outer deadline rules
    s.deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    s.state.set(RUNNING);
    try {
      return guestCall.getAsInt();
    } catch (RuntimeException e) {
      if (s.state.get() != RUNNING) throw new DeadlineExceeded(timeoutMs, e);
      throw e;
    } finally {
      if (!s.state.compareAndSet(RUNNING, IDLE)) {
        while (s.state.get() == INTERRUPTING) Thread.onSpinWait(); // the watchdog is between its CAS and interrupt()
        Thread.interrupted(); // clear the flag it set, before the thread goes back to its event loop
        s.state.set(IDLE);
      }
    }
  }

  private void watch() {
    while (true) {
      LockSupport.parkNanos(TICK_NANOS);
      long now = System.nanoTime();
      for (Slot s : slots) {
        if (s.state.get() == RUNNING && now - s.deadline > 0 && s.state.compareAndSet(RUNNING, INTERRUPTING)) {
          s.thread.interrupt();
          s.state.set(INTERRUPTED);
        }
      }
    }
  }

  /** A guest call ran past its deadline and was stopped: a trap like any other. */
  public static final class DeadlineExceeded extends GuestTrap {
    DeadlineExceeded(long timeoutMs, Throwable cause) {
      super("ran past its CPU deadline of " + timeoutMs + " ms", cause);
    }
  }
}
