package dev.partyhost.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;

/**
 * What clients of a node's rooms wait through when the node fails or drains. Counter rooms are
 * spread over the nodes (room r made through node r mod n, which then owns it), a {@link Writers}
 * writer per room goes through a node that survives; then one node gets a signal, and for each room
 * it owned: the time from the signal to the first write sent after it that another node
 * acknowledged.
 */
final class Failover {
  enum Fault {
    /** kill -9. */
    KILL("kill -9"),
    /** SIGSTOP past the lease; SIGCONT once its rooms answer elsewhere (or after STOP_MAX_MS). */
    STOP("SIGSTOP"),
    /** SIGTERM: the node drains (closes its clients, gives its rooms and lease up) and exits. */
    TERM("SIGTERM (drain)");

    final String title;

    Fault(String title) {
      this.title = title;
    }
  }

  /** Longest wait for every room after the signal; longest pause of a SIGSTOP. */
  private static final long WAIT_MS = 15_000;

  private static final long STOP_MAX_MS = 8_000;

  /**
   * @param millis per room the victim owned, sorted: ms from the signal to its first acknowledged
   *     write (Long.MAX_VALUE: none within WAIT_MS)
   * @param othersMaxMs the same, the most of the other rooms that had an acknowledged write
   * @param othersNone the other rooms that had none within WAIT_MS
   * @param exitMs ms from the signal until the node's process exited; -1 if it did not
   * @param resumedMs SIGSTOP: ms from the signal to SIGCONT; -1 otherwise
   */
  record Result(
      Fault fault,
      int rooms,
      long[] millis,
      long othersMaxMs,
      int othersNone,
      long exitMs,
      long resumedMs) {
    long p50() {
      return millis.length == 0 ? -1 : millis[(millis.length - 1) / 2];
    }

    long max() {
      return millis.length == 0 ? -1 : millis[millis.length - 1];
    }

    /** Rooms acknowledged only after the paused node was woken. */
    long afterResume() {
      return resumedMs < 0 ? 0 : Arrays.stream(millis).filter(ms -> ms > resumedMs).count();
    }
  }

  private Failover() {}

  /** Makes {@code rooms} rooms, writes to them, strikes node {@code victim}, measures. */
  static Result run(LocalCluster cluster, int victim, Fault fault, int rooms) throws Exception {
    int n = cluster.size();
    List<String> paths = new ArrayList<>();
    String run = fault.name().toLowerCase(Locale.ROOT) + "-" + System.nanoTime() + "-";
    for (int r = 0; r < rooms; r++) {
      paths.add(cluster.node(0).path(Server.Party.COUNTER, run + r));
      Writers.place(cluster.node(r % n).port(), paths.get(r));
    }
    List<Integer> survivors = new ArrayList<>();
    for (int i = 0; i < n; i++) if (i != victim) survivors.add(i);
    LocalCluster.Node node = cluster.node(victim);
    try (Writers writers =
        new Writers(paths, r -> cluster.node(survivors.get(r % survivors.size())).port())) {
      // 2 s of writes, and until every room answered (a node started again is slow at first): each
      // room's owner is then known.
      Thread.sleep(2_000);
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MS);
      while (System.nanoTime() < deadline
          && IntStream.range(0, rooms).anyMatch(r -> writers.owner(r) == null)) Thread.sleep(50);
      List<Integer> owned = new ArrayList<>();
      for (int r = 0; r < rooms; r++) if (node.id().equals(writers.owner(r))) owned.add(r);

      AtomicLong exited = new AtomicLong(-1);
      CompletableFuture<Void> exit =
          node.process.onExit().thenRun(() -> exited.set(System.nanoTime()));
      writers.mark(node.id());
      long start = writers.markNanos();
      cluster.signal(victim, fault == Fault.STOP ? "STOP" : fault == Fault.KILL ? "KILL" : "TERM");
      long resumed = -1;
      if (fault == Fault.STOP) {
        // Past the lease at least; then once its rooms answer elsewhere, or STOP_MAX_MS at most.
        await(writers, owned, start, STOP_MAX_MS, 4_000);
        cluster.signal(victim, "CONT");
        resumed = System.nanoTime();
      }
      await(writers, owned, start, WAIT_MS, 0);
      if (fault == Fault.TERM) {
        try {
          exit.get(WAIT_MS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException stillRunning) {
          // reported as -1
        }
      }
      // The other rooms too, for their figure (most answered long before).
      await(writers, IntStream.range(0, rooms).boxed().toList(), start, WAIT_MS, 0);

      long[] millis =
          owned.stream().mapToLong(r -> sinceStart(writers.firstAck(r), start)).toArray();
      Arrays.sort(millis);
      long othersMax = 0;
      int othersNone = 0;
      for (int r = 0; r < rooms; r++) {
        if (owned.contains(r)) continue;
        if (writers.firstAck(r) == 0) othersNone++;
        else othersMax = Math.max(othersMax, sinceStart(writers.firstAck(r), start));
      }
      long exitMs = exited.get() < 0 ? -1 : (exited.get() - start) / 1_000_000;
      long resumedMs = resumed < 0 ? -1 : (resumed - start) / 1_000_000;
      return new Result(fault, rooms, millis, othersMax, othersNone, exitMs, resumedMs);
    }
  }

  /** Waits until each of {@code rooms} had a write acknowledged, and at least {@code minMs}. */
  private static void await(
      Writers writers, List<Integer> rooms, long start, long maxMs, long minMs)
      throws InterruptedException {
    while (true) {
      long elapsed = (System.nanoTime() - start) / 1_000_000;
      boolean all = rooms.stream().allMatch(r -> writers.firstAck(r) != 0);
      if (elapsed >= maxMs || (all && elapsed >= minMs)) return;
      Thread.sleep(5);
    }
  }

  /** ms from start to {@code nanos}; Long.MAX_VALUE for 0 (no write acknowledged in the wait). */
  private static long sinceStart(long nanos, long start) {
    return nanos == 0 ? Long.MAX_VALUE : (nanos - start) / 1_000_000;
  }
}
