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
import java.util.Set;

/**
 * The external engine: PostgreSQL through Vert.x's non-blocking client, for hosts that share their
 * rooms' data. The same tables as the SQLite engine. A group commit is one transaction whose
 * statements are batched per kind (clears, deletes, upserts, alarms), pipelined on one connection.
 */
public final class PostgresEngine implements StorageEngine, PartyStore {
  private static final String[] SCHEMA = {
    "CREATE TABLE IF NOT EXISTS kv (party text NOT NULL, room text NOT NULL, key bytea NOT NULL,"
        + " value bytea NOT NULL, PRIMARY KEY (party, room, key))",
    "CREATE TABLE IF NOT EXISTS alarms (party text NOT NULL, room text NOT NULL, at bigint NOT NULL,"
        + " PRIMARY KEY (party, room))",
    // Snapshots of hibernated rooms' instances, each valid for its room's data as it is (Changes).
    "CREATE TABLE IF NOT EXISTS snapshots (party text NOT NULL, room text NOT NULL,"
        + " bytes bytea NOT NULL, PRIMARY KEY (party, room))",
    // Uploaded parties (PartyStore), as in the SQLite engine.
    "CREATE TABLE IF NOT EXISTS modules (sha256 text PRIMARY KEY, bytes bytea NOT NULL)",
    "CREATE TABLE IF NOT EXISTS party_versions (party text NOT NULL, sha256 text NOT NULL REFERENCES modules,"
        + " uploaded_at bigint NOT NULL, seq bigint NOT NULL, PRIMARY KEY (party, sha256))",
    "CREATE TABLE IF NOT EXISTS parties (party text PRIMARY KEY, current text NOT NULL,"
        + " FOREIGN KEY (party, current) REFERENCES party_versions)",
  };

  private final Pool pool;
  private final String description;

  /** Who may write, in a cluster; null for a host alone. */
  private final Fence fence;

  public PostgresEngine(Vertx vertx, String url) {
    this(vertx, connectOptions(url, "partyhost"), null);
  }

  /** With a cluster's {@link Fence}, checked in every commit, and its node's connection options. */
  public PostgresEngine(Vertx vertx, PgConnectOptions options, Fence fence) {
    this.fence = fence;
    description =
        "PostgreSQL " + options.getHost() + ":" + options.getPort() + "/" + options.getDatabase();
    pool =
        PgBuilder.pool()
            .with(new PoolOptions().setMaxSize(4))
            .connectingTo(options)
            .using(vertx)
            .build();
    try {
      createTables(pool, List.of(SCHEMA));
    } catch (RuntimeException e) {
      pool.close();
      throw new IllegalStateException("cannot use " + description + ": " + e.getMessage(), e);
    }
  }

  /**
   * Runs {@code schema} ({@code CREATE ... IF NOT EXISTS} statements) in one transaction that holds
   * an advisory lock first: nodes starting at once would otherwise race inside PostgreSQL's catalog
   * ({@code duplicate key value violates unique constraint "pg_type_typname_nsp_index"}). Blocks.
   */
  public static void createTables(Pool pool, List<String> schema) {
    pool.withTransaction(
            c -> {
              Future<?> done =
                  c.query("SELECT pg_advisory_xact_lock(" + SCHEMA_LOCK + ")").execute();
              for (String sql : schema) done = done.compose(r -> c.query(sql).execute());
              return done;
            })
        .await();
  }

  /** The advisory lock of schema changes (any number the application uses for nothing else). */
  private static final long SCHEMA_LOCK = 0x7061727479L; // "party"

  /** The options of {@code url}, with the name the connections go by in PostgreSQL. */
  public static PgConnectOptions connectOptions(String url, String applicationName) {
    PgConnectOptions options = PgConnectOptions.fromUri(url);
    options.addProperty("application_name", applicationName);
    return options;
  }

  @Override
  public Future<StoredRoom> load(RoomKey room) {
    Tuple key = Tuple.of(room.party(), room.room());
    return pool.withConnection(
        conn ->
            conn.preparedQuery("SELECT key, value FROM kv WHERE party = $1 AND room = $2")
                .execute(key)
                .compose(
                    rows -> {
                      NavigableMap<byte[], byte[]> entries = RoomStore.emptyMap();
                      for (Row row : rows)
                        entries.put(row.getBuffer(0).getBytes(), row.getBuffer(1).getBytes());
                      return conn.preparedQuery(
                              "SELECT at FROM alarms WHERE party = $1 AND room = $2")
                          .execute(key)
                          .compose(
                              alarm ->
                                  conn.preparedQuery(
                                          "SELECT bytes FROM snapshots WHERE party = $1 AND room = $2")
                                      .execute(key)
                                      .map(
                                          snapshot ->
                                              new StoredRoom(
                                                  entries,
                                                  alarm.size() == 0
                                                      ? null
                                                      : alarm.iterator().next().getLong(0),
                                                  snapshot.size() == 0
                                                      ? null
                                                      : snapshot
                                                          .iterator()
                                                          .next()
                                                          .getBuffer(0)
                                                          .getBytes())));
                    }));
  }

  @Override
  public Future<Set<RoomKey>> write(List<Changes> group) {
    if (fence == null) return pool.withTransaction(conn -> write(conn, group)).map(Set.of());
    List<RoomKey> rooms = new ArrayList<>(group.size());
    for (Changes c : group) rooms.add(c.room);
    return pool.withTransaction(
        conn ->
            fence
                .refused(conn, rooms)
                .compose(
                    refused -> {
                      if (refused.isEmpty()) return write(conn, group).map(refused);
                      List<Changes> allowed = new ArrayList<>(group.size());
                      for (Changes c : group) if (!refused.contains(c.room)) allowed.add(c);
                      return write(conn, allowed).map(refused);
                    }));
  }

  private Future<Void> write(SqlConnection conn, List<Changes> group) {
    Changes.Rows rows = Changes.Rows.of(group);
    return batch(conn, "DELETE FROM kv WHERE party = $1 AND room = $2", rows.clears())
        .compose(
            v ->
                batch(
                    conn,
                    "DELETE FROM kv WHERE party = $1 AND room = $2 AND key = $3",
                    rows.deletes()))
        .compose(
            v ->
                batch(
                    conn,
                    "INSERT INTO kv (party, room, key, value) VALUES ($1, $2, $3, $4)"
                        + " ON CONFLICT (party, room, key) DO UPDATE SET value = excluded.value",
                    rows.upserts()))
        .compose(
            v ->
                batch(
                    conn,
                    "INSERT INTO alarms (party, room, at) VALUES ($1, $2, $3)"
                        + " ON CONFLICT (party, room) DO UPDATE SET at = excluded.at",
                    rows.alarmSets()))
        .compose(
            v ->
                batch(
                    conn, "DELETE FROM alarms WHERE party = $1 AND room = $2", rows.alarmDeletes()))
        .compose(
            v ->
                batch(
                    conn,
                    "DELETE FROM snapshots WHERE party = $1 AND room = $2",
                    rows.snapshotDeletes()))
        .compose(
            v ->
                batch(
                    conn,
                    "INSERT INTO snapshots (party, room, bytes) VALUES ($1, $2, $3)"
                        + " ON CONFLICT (party, room) DO UPDATE SET bytes = excluded.bytes",
                    rows.snapshotSets()));
  }

  private static Future<Void> batch(SqlConnection conn, String sql, List<Object[]> rows) {
    if (rows.isEmpty()) return Future.succeededFuture();
    List<Tuple> tuples = new ArrayList<>(rows.size());
    for (Object[] row : rows) {
      Tuple t = Tuple.tuple();
      for (Object v : row)
        t.addValue(v instanceof byte[] bytes ? Buffer.buffer(bytes) : v); // bytea
      tuples.add(t);
    }
    return conn.preparedQuery(sql).executeBatch(tuples).mapEmpty();
  }

  @Override
  public Future<Map<RoomKey, Long>> alarms() {
    return pool.query("SELECT party, room, at FROM alarms")
        .execute()
        .map(
            rows -> {
              Map<RoomKey, Long> alarms = new HashMap<>();
              for (Row row : rows)
                alarms.put(new RoomKey(row.getString(0), row.getString(1)), row.getLong(2));
              return alarms;
            });
  }

  // --- uploaded parties: each change is one transaction ---

  @Override
  public PartyStore parties() {
    return this;
  }

  @Override
  public Future<Map<String, String>> currentVersions() {
    return pool.query("SELECT party, current FROM parties")
        .execute()
        .map(
            rows -> {
              Map<String, String> current = new HashMap<>();
              for (Row row : rows) current.put(row.getString(0), row.getString(1));
              return current;
            });
  }

  @Override
  public Future<List<Version>> versions(String party) {
    return pool.preparedQuery(
            "SELECT v.sha256, octet_length(m.bytes), v.uploaded_at, v.sha256 = p.current"
                + " FROM party_versions v JOIN modules m ON m.sha256 = v.sha256 JOIN parties p ON p.party = v.party"
                + " WHERE v.party = $1 ORDER BY v.seq DESC")
        .execute(Tuple.of(party))
        .map(
            rows -> {
              List<Version> versions = new ArrayList<>();
              for (Row row : rows) {
                versions.add(
                    new Version(
                        row.getString(0), row.getInteger(1), row.getLong(2), row.getBoolean(3)));
              }
              return versions;
            });
  }

  @Override
  public Future<byte[]> module(String sha256) {
    return pool.preparedQuery("SELECT bytes FROM modules WHERE sha256 = $1")
        .execute(Tuple.of(sha256))
        .map(
            rows ->
                rows.iterator().hasNext() ? rows.iterator().next().getBuffer(0).getBytes() : null);
  }

  @Override
  public Future<Void> upload(String party, String sha256, byte[] bytes, long uploadedAt) {
    return pool.withTransaction(
        conn ->
            conn.preparedQuery(
                    "INSERT INTO modules (sha256, bytes) VALUES ($1, $2) ON CONFLICT (sha256) DO NOTHING")
                .execute(Tuple.of(sha256, Buffer.buffer(bytes)))
                .compose(
                    v ->
                        conn.preparedQuery(
                                "INSERT INTO party_versions (party, sha256, uploaded_at, seq)"
                                    + " VALUES ($1, $2, $3, (SELECT coalesce(max(seq), 0) + 1 FROM party_versions))"
                                    + " ON CONFLICT (party, sha256) DO UPDATE SET uploaded_at = excluded.uploaded_at, seq = excluded.seq")
                            .execute(Tuple.of(party, sha256, uploadedAt)))
                .compose(
                    v ->
                        conn.preparedQuery(
                                "INSERT INTO parties (party, current) VALUES ($1, $2)"
                                    + " ON CONFLICT (party) DO UPDATE SET current = excluded.current")
                            .execute(Tuple.of(party, sha256)))
                .mapEmpty());
  }

  @Override
  public Future<Boolean> setCurrent(String party, String sha256) {
    return pool.preparedQuery(
            "UPDATE parties SET current = $2 WHERE party = $1"
                + " AND EXISTS (SELECT 1 FROM party_versions WHERE party = $1 AND sha256 = $2)")
        .execute(Tuple.of(party, sha256))
        .map(rows -> rows.rowCount() > 0);
  }

  @Override
  public Future<Boolean> delete(String party) {
    return pool.withTransaction(
        conn ->
            conn.preparedQuery("DELETE FROM parties WHERE party = $1")
                .execute(Tuple.of(party))
                .compose(
                    v ->
                        conn.preparedQuery("DELETE FROM snapshots WHERE party = $1")
                            .execute(Tuple.of(party)))
                .compose(
                    v ->
                        conn.preparedQuery("DELETE FROM party_versions WHERE party = $1")
                            .execute(Tuple.of(party)))
                .compose(
                    versions ->
                        conn.query(
                                "DELETE FROM modules WHERE sha256 NOT IN (SELECT sha256 FROM party_versions)")
                            .execute()
                            .map(v -> versions.rowCount() > 0)));
  }

  @Override
  public Future<List<StoredRoomSize>> storedRooms(String party, String from, int limit) {
    // COLLATE "C": ids in the order of their UTF-8 bytes, as SQLite and the host sort them. (In a
    // database whose own collation is not C, the range cannot use the index: the party's rows are
    // scanned.)
    return pool.preparedQuery(
            "WITH page AS ("
                + " (SELECT DISTINCT room COLLATE \"C\" AS room FROM kv WHERE party = $1"
                + " AND room COLLATE \"C\" >= $2 ORDER BY 1 LIMIT $3)"
                + " UNION (SELECT room COLLATE \"C\" FROM alarms WHERE party = $1"
                + " AND room COLLATE \"C\" >= $2 ORDER BY 1 LIMIT $3) ORDER BY 1 LIMIT $3)"
                + " SELECT p.room, (SELECT coalesce(sum(octet_length(key) + octet_length(value)), 0)"
                + " FROM kv WHERE kv.party = $1 AND kv.room = p.room) FROM page p ORDER BY 1")
        .execute(Tuple.of(party, from, limit))
        .map(
            rows -> {
              List<StoredRoomSize> page = new ArrayList<>();
              for (Row row : rows) page.add(new StoredRoomSize(row.getString(0), row.getLong(1)));
              return page;
            });
  }

  @Override
  public Future<Void> ping() {
    return pool.query("SELECT count(*) FROM parties").execute().mapEmpty();
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
