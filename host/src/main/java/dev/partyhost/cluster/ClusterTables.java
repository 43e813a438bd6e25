package dev.partyhost.cluster;

import io.vertx.sqlclient.Pool;

/** The cluster's tables in PostgreSQL, beside the rooms' data: node leases and room owners. */
public final class ClusterTables {
  private ClusterTables() {}

  /** Creates them if missing. Blocks; called once at start. */
  public static void create(Pool pool) {
    for (String sql : NodeLease.SCHEMA) pool.query(sql).execute().await();
    for (String sql : RoomOwners.SCHEMA) pool.query(sql).execute().await();
  }
}
