package dev.partyhost.cluster;

import dev.partyhost.HostConfig;
import dev.partyhost.storage.PostgresEngine;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import java.util.ArrayList;
import java.util.List;

/**
 * This node's part in the cluster's record in PostgreSQL: its lease and the rooms it owns. Claims
 * have a connection pool of their own, beside the rooms' commits; the lease has a connection of its
 * own, so that its renewal never queues behind claims or commits (a burst of claims once held it up
 * past the lease, and the node lost it).
 */
public final class Cluster {
  private final Pool pool;
  private final Pool leasePool;
  private final NodeLease lease;
  private final RoomOwners owners;
  private final HashPlacement placement;

  private Cluster(
      Pool pool, Pool leasePool, NodeLease lease, RoomOwners owners, HashPlacement placement) {
    this.pool = pool;
    this.leasePool = leasePool;
    this.lease = lease;
    this.owners = owners;
    this.placement = placement;
  }

  /**
   * Takes this node's lease (waiting for a killed predecessor's to run out) and starts renewing it.
   * Blocks; called once at start.
   */
  public static Cluster join(Vertx vertx, HostConfig config) {
    HostConfig.ClusterConfig c = config.cluster;
    String node = config.node.id();
    Pool pool = pool(vertx, config, 2);
    Pool leasePool = pool(vertx, config, 1);
    try {
      ClusterTables.create(pool);
      String address = c.host() + ":" + config.port;
      NodeLease lease = new NodeLease(vertx, leasePool, node, address, c.leaseMs());
      lease.acquire();
      HashPlacement placement =
          c.placement() == Placement.HASH ? new HashPlacement(vertx, pool, node, address) : null;
      return new Cluster(pool, leasePool, lease, new RoomOwners(pool, lease, placement), placement);
    } catch (RuntimeException e) {
      pool.close();
      leasePool.close();
      throw e;
    }
  }

  private static Pool pool(Vertx vertx, HostConfig config, int connections) {
    return PgBuilder.pool()
        .with(new PoolOptions().setMaxSize(connections))
        .connectingTo(connectOptions(config))
        .using(vertx)
        .build();
  }

  /**
   * How this node's connections to PostgreSQL are made: named after the node ({@code
   * pg_stat_activity} shows which node holds what), and ended by PostgreSQL once idle inside a
   * transaction for a third of the lease. A node paused in the middle of a commit would otherwise
   * keep its rooms' owner rows locked until it woke, and their takeover would wait for it.
   */
  public static PgConnectOptions connectOptions(HostConfig config) {
    return PostgresEngine.connectOptions(config.postgresUrl, "partyhost/" + config.node.id())
        .addProperty(
            "idle_in_transaction_session_timeout", String.valueOf(config.cluster.leaseMs() / 3));
  }

  /**
   * A node as the cluster's record shows it: its lease (ms left, negative once run out) and the rooms
   * it owns.
   */
  public record Member(String node, String address, long leaseLeftMs, boolean live, long rooms) {}

  /** Every node that ever joined, from PostgreSQL (membership in Hazelcast is only a hint). */
  public Future<List<Member>> members() {
    return pool.query(
            "SELECT n.node, n.address,"
                + " (extract(epoch FROM n.lease_until - clock_timestamp()) * 1000)::bigint,"
                + " n.lease_until > clock_timestamp(), count(o.room)"
                + " FROM cluster_nodes n LEFT JOIN room_owners o"
                + " ON o.node = n.node AND o.incarnation = n.incarnation"
                + " GROUP BY n.node, n.address, n.lease_until ORDER BY n.node")
        .execute()
        .map(
            rows -> {
              List<Member> members = new ArrayList<>();
              for (Row row : rows)
                members.add(
                    new Member(
                        row.getString(0),
                        row.getString(1),
                        row.getLong(2),
                        row.getBoolean(3),
                        row.getLong(4)));
              return members;
            });
  }

  public NodeLease lease() {
    return lease;
  }

  public RoomOwners owners() {
    return owners;
  }

  /**
   * Gives up this node's rooms and then its lease (after the last commit: the host calls it last), so
   * that other nodes take the rooms over at once rather than once the lease has run out; closes the
   * pools.
   */
  public void close() {
    if (placement != null) placement.close();
    try {
      owners.releaseAll().await();
      lease.release().await();
    } finally {
      pool.close().await();
      leasePool.close().await();
    }
  }
}
