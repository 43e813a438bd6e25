package dev.partyhost.room;

import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * How long rooms take to come alive, host-side, for {@code GET /_admin/stats}: loading a room's data
 * from storage, instantiating its guest (the instance, {@code _initialize} and {@code on_start}), and
 * waking from hibernation;
 * in a cluster, how often a room found itself no longer this node's. Recorded from every event loop
 * without locks.
 */
public final class RoomStats {
  private final Histogram loads = histogram();
  private final Histogram instantiations = histogram();
  private final Histogram wakes = histogram();
  private final LongAdder refusedCommits = new LongAdder();
  private final LongAdder lapsedOutputs = new LongAdder();

  private static Histogram histogram() {
    return new ConcurrentHistogram(60_000_000_000L, 2); // up to a minute, in nanoseconds
  }

  void loaded(long nanos) {
    loads.recordValue(Math.min(nanos, loads.getHighestTrackableValue()));
  }

  void instantiated(long nanos) {
    instantiations.recordValue(Math.min(nanos, instantiations.getHighestTrackableValue()));
  }

  /**
   * A hibernated room woke: from its first event's arrival to the start of that event's hook, whether
   * restored from a snapshot or started anew ({@code on_start}).
   */
  void woke(long nanos) {
    wakes.recordValue(Math.min(Math.max(0, nanos), wakes.getHighestTrackableValue()));
  }

  /** The fence refused a room's commit: another node owns the room now, or this node lost its lease. */
  void commitRefused() {
    refusedCommits.increment();
  }

  /** A committed hook's output was held back: this node's lease lapsed before it could go out. */
  void outputLapsed() {
    lapsedOutputs.increment();
  }

  /** Forgets what was recorded so far (say, a benchmark's warm-up). */
  public void reset() {
    loads.reset();
    instantiations.reset();
    wakes.reset();
    refusedCommits.reset();
    lapsedOutputs.reset();
  }

  public Histogram loads() {
    return loads.copy();
  }

  public Histogram instantiations() {
    return instantiations.copy();
  }

  public Histogram wakes() {
    return wakes.copy();
  }

  public long refusedCommits() {
    return refusedCommits.sum();
  }

  public long lapsedOutputs() {
    return lapsedOutputs.sum();
  }
}
