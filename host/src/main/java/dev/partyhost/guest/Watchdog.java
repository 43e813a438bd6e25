package dev.partyhost.guest;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.ref.WeakReference;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntSupplier;

/**
 * Stops guest code that runs past its CPU deadline. Chicory checks its thread's interrupt flag at
 * function entries and loop back-edges, so the watchdog's own thread interrupts the thread running
 * the guest. The interrupt must never outlive the guest call: an event loop interrupted in Netty's
 * I/O would break it. So each thread has a slot whose state (the call's number and its phase) the
 * watchdog and the guest call change with compare-and-set; a call that ends while the watchdog is
 * interrupting waits for it, then clears the flag before it returns.
 *
 * <p>The deadline counts the thread's CPU time, not wall time: a hook is not stopped because the
 * machine was busy, a GC paused it or its log line waited on a slow disk. The clock of a call starts
 * when the watchdog first sees it running, at most one tick late.
 */
public final class Watchdog {
  private static final long IDLE = 0, RUNNING = 1, INTERRUPTING = 2, INTERRUPTED = 3, PHASE = 3;

  /** How often deadlines are checked: a runaway guest is stopped within its deadline plus this. */
  static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  private static final boolean CPU_TIME = THREADS.isThreadCpuTimeSupported();

  private static final class Slot {
    // Weak: a slot must not keep its thread (and all a Vert.x thread reaches) once the thread ends;
    // the watchdog then drops the slot.
    final WeakReference<Thread> thread = new WeakReference<>(Thread.currentThread());
    final long threadId = Thread.currentThread().getId();

    /** (call number << 2) | phase. */
    final AtomicLong state = new AtomicLong(IDLE);

    volatile long timeoutNanos;
    long calls; // the owning thread's
    long seenCall = -1; // the watchdog's: the call whose clock it started, and when
    long clockAtStart;
  }

  private static final Watchdog SHARED = new Watchdog();

  private final List<Slot> slots = new CopyOnWriteArrayList<>();
  private final ThreadLocal<Slot> slot =
      ThreadLocal.withInitial(
          () -> {
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
   * Runs a guest call on the current thread with a deadline of {@code timeoutMs} of CPU time. Throws
   * {@link DeadlineExceeded} if the watchdog stopped it; any other failure passes through.
   */
  public int run(long timeoutMs, IntSupplier guestCall) {
    Slot s = slot.get();
    if ((s.state.get() & PHASE) != IDLE)
      return guestCall.getAsInt(); // nested: the outer deadline rules
    long call = ++s.calls << 2;
    s.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    s.state.set(call | RUNNING);
    try {
      return guestCall.getAsInt();
    } catch (RuntimeException e) {
      if (s.state.get() != (call | RUNNING)) throw new DeadlineExceeded(timeoutMs, e);
      throw e;
    } finally {
      if (!s.state.compareAndSet(call | RUNNING, call | IDLE)) {
        while (s.state.get() == (call | INTERRUPTING))
          Thread.onSpinWait(); // between its CAS and interrupt()
        // Clear the flag it set, before the thread goes back to its event loop.
        Thread.interrupted();
        s.state.set(call | IDLE);
      }
    }
  }

  private void watch() {
    while (true) {
      LockSupport.parkNanos(TICK_NANOS);
      // A slot whose thread ended (a host that stopped) has nothing to watch.
      slots.removeIf(s -> s.thread.get() == null || !s.thread.get().isAlive());
      for (Slot s : slots) {
        Thread thread = s.thread.get();
        if (thread == null) continue;
        long state = s.state.get();
        if ((state & PHASE) != RUNNING) continue;
        long call = state >>> 2;
        long clock = CPU_TIME ? THREADS.getThreadCpuTime(s.threadId) : System.nanoTime();
        if (call != s.seenCall) {
          s.seenCall = call;
          s.clockAtStart = clock;
        } else if (clock - s.clockAtStart > s.timeoutNanos
            && s.state.compareAndSet(state, (call << 2) | INTERRUPTING)) {
          thread.interrupt();
          s.state.set((call << 2) | INTERRUPTED);
        }
      }
    }
  }

  /** A guest call ran past its deadline and was stopped: a trap like any other. */
  public static final class DeadlineExceeded extends GuestTrap {
    /** How its message starts. */
    public static final String PREFIX = "ran past its CPU deadline";

    DeadlineExceeded(long timeoutMs, Throwable cause) {
      super(PREFIX + " of " + timeoutMs + " ms", cause);
    }
  }
}
