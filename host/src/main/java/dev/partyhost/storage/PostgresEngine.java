package dev.partyhost.storage;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;

/**
 * The external engine: PostgreSQL through Vert.x's non-blocking client, for hosts that share their
 * rooms' data. Same two tables as the SQLite engine. A group commit is one transaction whose
 * statements are batched per kind (clears, deletes, upserts, alarms), pipelined on one connection.
 */
public final class PostgresEngine implements StorageEngine {
  private static final String[] SCHEMA = {
      "CREATE TABLE IF NOT EXISTS kv (party text NOT NULL, room text NOT NULL, key bytea NOT NULL,"
          + " value bytea NOT NULL, PRIMARY KEY (party, room, key))",
      "CREATE TABLE IF NOT EXISTS alarms (party text NOT NULL, room text NOT NULL, at bigint NOT NULL,"
          + " PRIMARY KEY (party, room))",
  };

  private final Pool pool;
  private final String description;

  public PostgresEngine(Vertx vertx, String url) {
    PgConnectOptions options = PgConnectOptions.fromUri(url);
    description = "PostgreSQL " + options.getHost() + ":" + options.getPort() + "/" + options.getDatabase();
    pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(4)).connectingTo(options).using(vertx).build();
    try {
      for (String sql : SCHEMA) pool.query(sql).execute().await();
    } catch (RuntimeException e) {
      pool.close();
      throw new IllegalStateException("cannot use " + description + ": " + e.getMessage(), e);
    }
  }

  @Override
  public Future<StoredRoom> load(RoomKey room) {
    Tuple key = Tuple.of(room.party(), room.room());
    return pool.withConnection(conn -> conn.preparedQuery("SELECT key, value FROM kv WHERE party = $1 AND room = $2")
        .execute(key)
        .compose(rows -> {
          NavigableMap<byte[], byte[]> entries = RoomStore.emptyMap();
          for (Row row : rows) entries.put(row.getBuffer(0).getBytes(), row.getBuffer(1).getBytes());
          return conn.preparedQuery("SELECT at FROM alarms WHERE party = $1 AND room = $2").execute(key)
              .map(alarm -> new StoredRoom(entries, alarm.size() == 0 ? null : alarm.iterator().next().getLong(0)));
        }));
  }

  @Override
  public Future<Void> write(List<Changes> group) {
    Changes.Rows rows = Changes.Rows.of(group);
    return pool.withTransaction(conn -> batch(conn, "DELETE FROM kv WHERE party = $1 AND room = $2", rows.clears())
        .compose(v -> batch(conn, "DELETE FROM kv WHERE party = $1 AND room = $2 AND key = $3", rows.deletes()))
        .compose(v -> batch(conn, "INSERT INTO kv (party, room, key, value) VALUES ($1, $2, $3, $4)"
            + " ON CONFLICT (party, room, key) DO UPDATE SET value = excluded.value", rows.upserts()))
        .compose(v -> batch(conn, "INSERT INTO alarms (party, room, at) VALUES ($1, $2, $3)"
            + " ON CONFLICT (party, room) DO UPDATE SET at = excluded.at", rows.alarmSets()))
        .compose(v -> batch(conn, "DELETE FROM alarms WHERE party = $1 AND room = $2", rows.alarmDeletes())));
  }

  private static Future<Void> batch(SqlConnection conn, String sql, List<Object[]> rows) {
    if (rows.isEmpty()) return Future.succeededFuture();
    List<Tuple> tuples = new ArrayList<>(rows.size());
    for (Object[] row : rows) {
      Tuple t = Tuple.tuple();
      for (Object v : row) t.addValue(v instanceof byte[] bytes ? Buffer.buffer(bytes) : v); // bytea
      tuples.add(t);
    }
    return conn.preparedQuery(sql).executeBatch(tuples).mapEmpty();
  }

  @Override
  public Future<Map<RoomKey, Long>> alarms() {
    return pool.query("SELECT party, room, at FROM alarms").execute().map(rows -> {
      Map<RoomKey, Long> alarms = new HashMap<>();
      for (Row row : rows) alarms.put(new RoomKey(row.getString(0), row.getString(1)), row.getLong(2));
      return alarms;
    });
  }

  @Override
  public String describe() {
    return description;
  }

  @Override
  public void close() {
    pool.close().await();
  }

}
