package dev.partyhost.cluster;

import dev.partyhost.HostConfig;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;

/**
 * This node's part in the cluster's record in PostgreSQL: its lease and the rooms it owns. On a
 * connection pool of its own, so that lease renewals never queue behind the rooms' commits.
 */
public final class Cluster {
  private final Pool pool;
  private final NodeLease lease;
  private final RoomOwners owners;

  private Cluster(Pool pool, NodeLease lease, RoomOwners owners) {
    this.pool = pool;
    this.lease = lease;
    this.owners = owners;
  }

  /**
   * Takes this node's lease (waiting for a killed predecessor's to run out) and starts renewing it.
   * Blocks; called once at start.
   */
  public static Cluster join(Vertx vertx, HostConfig config) {
    HostConfig.ClusterConfig c = config.cluster;
    String node = c.nodeId() != null ? c.nodeId() : "node-" + config.port;
    Pool pool =
        PgBuilder.pool()
            .with(new PoolOptions().setMaxSize(2))
            .connectingTo(PgConnectOptions.fromUri(config.postgresUrl))
            .using(vertx)
            .build();
    try {
      ClusterTables.create(pool);
      NodeLease lease = new NodeLease(vertx, pool, node, c.host() + ":" + config.port, c.leaseMs());
      lease.acquire();
      return new Cluster(pool, lease, new RoomOwners(pool, lease));
    } catch (RuntimeException e) {
      pool.close();
      throw e;
    }
  }

  public NodeLease lease() {
    return lease;
  }

  public RoomOwners owners() {
    return owners;
  }

  /** Gives the lease up, so that this node's rooms can be taken over at once, and closes the pool. */
  public void close() {
    try {
      lease.release().await();
    } finally {
      pool.close().await();
    }
  }
}
