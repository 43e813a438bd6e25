package dev.partyhost.room;

import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * How long rooms take to come alive, host-side, for {@code GET /_admin/stats}: loading a room's data
 * from storage, and instantiating its guest (the instance, {@code _initialize} and {@code on_start}).
 * Recorded from every event loop without locks.
 */
public final class RoomStats {
  private final Histogram loads = histogram();
  private final Histogram instantiations = histogram();

  private static Histogram histogram() {
    return new ConcurrentHistogram(60_000_000_000L, 2); // up to a minute, in nanoseconds
  }

  void loaded(long nanos) {
    loads.recordValue(Math.min(nanos, loads.getHighestTrackableValue()));
  }

  void instantiated(long nanos) {
    instantiations.recordValue(Math.min(nanos, instantiations.getHighestTrackableValue()));
  }

  /** Forgets what was recorded so far (say, a benchmark's warm-up). */
  public void reset() {
    loads.reset();
    instantiations.reset();
  }

  public Histogram loads() {
    return loads.copy();
  }

  public Histogram instantiations() {
    return instantiations.copy();
  }
}
