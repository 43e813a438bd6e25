package dev.partyhost.room;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A room's queue of connection events (messages, closes, errors): filled on the sockets' loops,
 * emptied on the room's loop a slice at a time. It is bounded in bytes: a message that finds it over
 * {@code maxBytes} pauses the socket that sent it, so that TCP pushes back on the client instead of
 * the host buffering; the paused sockets read again once the room has worked it down to half.
 *
 * <p>Each slice is one task on the room's loop and runs events for at most {@link #SLICE_NANOS}, so
 * the loop's other rooms, and a restart or close of this room, go between slices rather than
 * behind the whole queue.
 */
final class Inbox<E> {
  private static final Logger LOG = System.getLogger("partyhost.room");

  /** What an event costs beyond its payload: its queue node, task and array header. */
  static final int OVERHEAD_BYTES = 64;

  /** A slice runs events until the queue is empty or this long has passed (at least one event). */
  static final long SLICE_NANOS = 2_000_000;

  /** A socket reader that can stop and start reading (an {@link Inbound}). */
  interface Sender {
    /** On the sender's own loop, inside its read: stop reading. */
    void pause();

    /** From any thread: read again. */
    void resume();
  }

  private record Event<E>(E event, int bytes) {}

  private final long maxBytes;
  private final Runnable schedule;
  private final long sliceNanos;
  private final Queue<Event<E>> events = new ConcurrentLinkedQueue<>();
  private final AtomicLong bytes = new AtomicLong();
  private final AtomicBoolean scheduled = new AtomicBoolean();
  private final Queue<Sender> paused = new ConcurrentLinkedQueue<>();

  /**
   * @param maxBytes the bytes queued past which senders are paused
   * @param schedule queues a task on the room's loop that calls {@link #runSlice} (once its data is in
   *     memory)
   */
  Inbox(long maxBytes, Runnable schedule) {
    this(maxBytes, schedule, SLICE_NANOS);
  }

  /** With slices of {@code sliceNanos} (a test's that times nothing takes a long one). */
  Inbox(long maxBytes, Runnable schedule, long sliceNanos) {
    this.maxBytes = maxBytes;
    this.schedule = schedule;
    this.sliceNanos = sliceNanos;
  }

  /**
   * From any thread: queues an event with a payload of {@code payloadBytes}. When the queue is then
   * over its limit and the event came from a {@code sender} (null for closes and errors, which are
   * never held back), the sender is paused until the queue has room.
   *
   * @return true if the sender was paused
   */
  boolean add(E event, int payloadBytes, Sender sender) {
    int cost = payloadBytes + OVERHEAD_BYTES;
    events.add(new Event<>(event, cost));
    boolean full = bytes.addAndGet(cost) > maxBytes;
    if (scheduled.compareAndSet(false, true)) schedule.run();
    if (!full || sender == null) return false;
    sender.pause();
    paused.add(sender);
    // Emptied meanwhile, before the room could see this sender: nobody else would resume it.
    if (bytes.get() <= maxBytes / 2) resumePaused();
    return true;
  }

  /** On the room's loop: runs queued events in order for one slice, then yields the loop. */
  void runSlice(Consumer<E> run) {
    long start = System.nanoTime();
    try {
      Event<E> next;
      while ((next = events.poll()) != null) {
        try {
          run.accept(next.event());
        } catch (RuntimeException e) {
          // One event's failure (a host bug) must not stop the room hearing the next ones.
          LOG.log(Level.ERROR, "an inbox event failed", e);
        } finally {
          release(next.bytes());
        }
        if (System.nanoTime() - start > sliceNanos) break;
      }
    } finally {
      // Even after an Error: the queue is never left scheduled with nobody to run it.
      if (!events.isEmpty()) {
        schedule.run(); // the rest in a later task, after what else the loop has queued
      } else {
        scheduled.set(false);
        // An event added between the last poll and the flag's reset found it set: run it.
        if (!events.isEmpty() && scheduled.compareAndSet(false, true)) schedule.run();
      }
    }
  }

  /** Events queued and not yet run. */
  boolean isEmpty() {
    return events.isEmpty();
  }

  /** The bytes queued, overhead included. */
  long bytes() {
    return bytes.get();
  }

  private void release(int cost) {
    if (bytes.addAndGet(-cost) <= maxBytes / 2 && !paused.isEmpty()) resumePaused();
  }

  private void resumePaused() {
    Sender sender;
    while ((sender = paused.poll()) != null) sender.resume();
  }
}
