package dev.partyhost.cluster;

import dev.partyhost.storage.PostgresEngine;
import io.vertx.sqlclient.Pool;
import java.util.ArrayList;
import java.util.List;

/** The cluster's tables in PostgreSQL, beside the rooms' data: node leases and room owners. */
public final class ClusterTables {
  private ClusterTables() {}

  /** Creates them if missing. Blocks; called once at start. */
  public static void create(Pool pool) {
    List<String> schema = new ArrayList<>(List.of(NodeLease.SCHEMA));
    schema.addAll(List.of(RoomOwners.SCHEMA));
    PostgresEngine.createTables(pool, schema);
  }
}
