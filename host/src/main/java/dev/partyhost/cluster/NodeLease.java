package dev.partyhost.cluster;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.security.SecureRandom;

/**
 * This node's lease in PostgreSQL: a row per node, whose {@code lease_until} (PostgreSQL's clock) the
 * node moves forward every third of {@code leaseMs}. Another node may take this node's rooms only once
 * the lease has run out there; this node trusts its lease only until the time it asked for the
 * renewal plus {@code leaseMs}, less a margin, on its own monotonic clock, so it stops well before.
 * A process start is an incarnation of its node: a restarted node does not inherit the rooms of the
 * one before it.
 */
public final class NodeLease {
  private static final Logger LOG = System.getLogger("partyhost.cluster");

  static final String[] SCHEMA = {
    "CREATE TABLE IF NOT EXISTS cluster_nodes (node text PRIMARY KEY, incarnation bigint NOT NULL,"
        + " address text NOT NULL, lease_until timestamptz NOT NULL)",
  };

  private final Vertx vertx;
  private final Pool pool;
  private final String node;
  private static final SecureRandom RANDOM = new SecureRandom();

  /** This process's current incarnation: a new one after the lease was lost and taken again. */
  private volatile long incarnation = RANDOM.nextLong();

  private final String address;
  private final long leaseMs;

  /** Until when (System.nanoTime) this node trusts its lease; it writes and releases output until then. */
  private volatile long trustedUntil = Long.MIN_VALUE;

  private volatile boolean lost;

  /** A renewal is on its way (touched on the renewal timer's thread and the pool's). */
  private volatile boolean renewing;

  /** Given up for good (the node is stopping). */
  private volatile boolean released;

  private volatile long timer = -1;
  private Runnable onLost = () -> {};

  /**
   * @param address where other nodes reach this one (its forwarding endpoint, host:port)
   */
  public NodeLease(Vertx vertx, Pool pool, String node, String address, long leaseMs) {
    this.vertx = vertx;
    this.pool = pool;
    this.node = node;
    this.address = address;
    this.leaseMs = leaseMs;
  }

  public String node() {
    return node;
  }

  public long incarnation() {
    return incarnation;
  }

  /**
   * What to do once the lease is lost (drop every room); runs on a Vert.x thread, before the node
   * takes a lease again as a new incarnation.
   */
  public void onLost(Runnable action) {
    this.onLost = action;
  }

  /**
   * Takes the node's row, if no live process holds it (a node that was killed holds it until its
   * lease runs out: then waits for that, up to twice the lease). Blocks; called once at start.
   */
  public void acquire() {
    long giveUpAt = System.nanoTime() + 2 * leaseMs * 1_000_000;
    while (true) {
      long asked = System.nanoTime();
      int taken =
          pool.preparedQuery(
                  "INSERT INTO cluster_nodes (node, incarnation, address, lease_until)"
                      + " VALUES ($1, $2, $3, clock_timestamp() + $4 * interval '1 millisecond')"
                      + " ON CONFLICT (node) DO UPDATE SET incarnation = excluded.incarnation,"
                      + " address = excluded.address, lease_until = excluded.lease_until"
                      + " WHERE cluster_nodes.lease_until <= clock_timestamp()")
              .execute(Tuple.of(node, incarnation, address, leaseMs))
              .await()
              .rowCount();
      if (taken == 1) {
        lost = false;
        renewing = false; // a renewal of an earlier incarnation may never have answered
        renewed(asked);
        timer = vertx.setPeriodic(leaseMs / 3, t -> renew());
        return;
      }
      if (System.nanoTime() > giveUpAt)
        throw new IllegalStateException(
            "node id "
                + node
                + " is held by a live node (its lease in PostgreSQL keeps being renewed):"
                + " is another node running with this name?");
      try {
        Thread.sleep(Math.max(50, leaseMs / 10));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for node id " + node, e);
      }
    }
  }

  /** Whether this node may write and release output now. */
  public boolean valid() {
    return !lost && System.nanoTime() < trustedUntil;
  }

  private void renew() {
    if (lost) return;
    if (renewing) { // one renewal at a time: a slow one is not overtaken
      if (!valid()) lose("its renewal got no answer within the lease");
      return;
    }
    renewing = true;
    long asked = System.nanoTime();
    long renewed = incarnation;
    pool.preparedQuery(
            "UPDATE cluster_nodes SET lease_until = clock_timestamp() + $3 * interval '1 millisecond'"
                + " WHERE node = $1 AND incarnation = $2 AND lease_until > clock_timestamp()")
        .execute(Tuple.of(node, renewed, leaseMs))
        .onComplete(
            result -> {
              renewing = false;
              if (renewed != incarnation || lost) return; // an answer for a lease since given up
              if (result.succeeded() && result.result().rowCount() == 1) renewed(asked);
              else if (result.succeeded()) lose("its lease ran out in PostgreSQL");
              else if (!valid()) lose("renewals failed: " + result.cause().getMessage());
              // else: a failed renewal while the lease still holds; the next one may succeed
            });
  }

  /**
   * Trusts the lease until the time it was asked for plus the lease, less a sixth of it: PostgreSQL
   * set the new end after this node asked, so this node's trust ends before it, by the margin, even
   * when the two clocks run at slightly different rates.
   */
  private void renewed(long askedNanos) {
    trustedUntil = askedNanos + (leaseMs - leaseMs / 6) * 1_000_000;
  }

  private void lose(String why) {
    if (lost) return;
    lost = true;
    LOG.log(Level.ERROR, "node " + node + " lost its lease (" + why + "): dropping its rooms");
    if (timer >= 0) vertx.cancelTimer(timer);
    onLost.run();
    rejoin();
  }

  /**
   * Takes the lease again as a new incarnation (the rooms of the old one are others' to take), once
   * the old lease has run out; retried every lease period until it succeeds or the node stops.
   */
  private void rejoin() {
    incarnation = RANDOM.nextLong();
    // On a thread of its own: acquire() waits with Future.await, which Vert.x refuses on its own
    // threads, worker threads included (executeBlocking failed every time).
    Thread thread =
        new Thread(
            () -> {
              try {
                acquire();
                LOG.log(Level.INFO, "node " + node + " has a lease again");
              } catch (RuntimeException e) {
                if (released) return;
                LOG.log(
                    Level.WARNING,
                    "node " + node + " cannot take a lease again: " + e.getMessage());
                vertx.setTimer(leaseMs, t -> rejoin());
              }
            },
            "partyhost-rejoin");
    thread.setDaemon(true);
    thread.start();
  }

  /** Gives the lease up at once (drain): the node's rooms can be taken over without waiting. */
  public Future<Void> release() {
    released = true;
    lost = true;
    if (timer >= 0) vertx.cancelTimer(timer);
    return pool.preparedQuery(
            "UPDATE cluster_nodes SET lease_until = clock_timestamp() WHERE node = $1 AND incarnation = $2")
        .execute(Tuple.of(node, incarnation))
        .mapEmpty();
  }
}
