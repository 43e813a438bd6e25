package dev.partyhost.storage;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The embedded engine: one SQLite database per host ({@code DATA_DIR/partyhost.db}), in WAL mode with
 * full fsync on commit. One database rather than one per room, so that a group commit of many rooms
 * costs one fsync and an idle room costs no open file. Blocking JDBC runs on two threads of its own,
 * never on an event loop: one writer (commits are serial anyway) and one reader (room loads, which
 * WAL lets run beside the writer).
 */
public final class SqliteEngine implements StorageEngine, PartyStore {
  private static final String[] SCHEMA = {
    "CREATE TABLE IF NOT EXISTS kv (party TEXT NOT NULL, room TEXT NOT NULL, key BLOB NOT NULL,"
        + " value BLOB NOT NULL, PRIMARY KEY (party, room, key)) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS alarms (party TEXT NOT NULL, room TEXT NOT NULL, at INTEGER NOT NULL,"
        + " PRIMARY KEY (party, room)) WITHOUT ROWID",
    // Snapshots of hibernated rooms' instances, each valid for its room's data as it is (Changes).
    "CREATE TABLE IF NOT EXISTS snapshots (party TEXT NOT NULL, room TEXT NOT NULL,"
        + " bytes BLOB NOT NULL, PRIMARY KEY (party, room)) WITHOUT ROWID",
    // Uploaded parties (PartyStore): each module once, by SHA-256; versions per party, newest seq
    // last.
    "CREATE TABLE IF NOT EXISTS modules (sha256 TEXT PRIMARY KEY, bytes BLOB NOT NULL)",
    "CREATE TABLE IF NOT EXISTS party_versions (party TEXT NOT NULL, sha256 TEXT NOT NULL REFERENCES modules,"
        + " uploaded_at INTEGER NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (party, sha256)) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS parties (party TEXT PRIMARY KEY, current TEXT NOT NULL,"
        + " FOREIGN KEY (party, current) REFERENCES party_versions) WITHOUT ROWID",
  };

  private final Path file;

  /** Held while open: a second host on the same data directory would serve stale copies of rooms. */
  private final FileChannel lockFile;

  private final ExecutorService writer =
      Executors.newSingleThreadExecutor(daemon("partyhost-sqlite-writer"));
  private final ExecutorService reader =
      Executors.newSingleThreadExecutor(daemon("partyhost-sqlite-reader"));
  private final Connection writeConnection;
  private final Connection readConnection;
  private final PreparedStatement clear,
      upsert,
      delete,
      setAlarm,
      deleteAlarm,
      deleteSnapshot,
      setSnapshot,
      loadEntries,
      loadAlarm,
      loadSnapshot;

  /** The write statements, in the order a group runs them. */
  private final PreparedStatement[] writes;

  public SqliteEngine(Path dataDir) {
    lockFile = lock(dataDir);
    file = dataDir.resolve("partyhost.db");
    Connection w = null, r = null;
    try {
      writeConnection = w = open(file);
      try (Statement s = w.createStatement()) {
        s.execute("PRAGMA journal_mode=WAL");
        for (String sql : SCHEMA) s.execute(sql);
      }
      w.setAutoCommit(false);
      readConnection = r = open(file);
      clear = w.prepareStatement("DELETE FROM kv WHERE party = ? AND room = ?");
      upsert =
          w.prepareStatement(
              "INSERT INTO kv (party, room, key, value) VALUES (?, ?, ?, ?)"
                  + " ON CONFLICT (party, room, key) DO UPDATE SET value = excluded.value");
      delete = w.prepareStatement("DELETE FROM kv WHERE party = ? AND room = ? AND key = ?");
      setAlarm =
          w.prepareStatement(
              "INSERT INTO alarms (party, room, at) VALUES (?, ?, ?)"
                  + " ON CONFLICT (party, room) DO UPDATE SET at = excluded.at");
      deleteAlarm = w.prepareStatement("DELETE FROM alarms WHERE party = ? AND room = ?");
      deleteSnapshot = w.prepareStatement("DELETE FROM snapshots WHERE party = ? AND room = ?");
      setSnapshot =
          w.prepareStatement(
              "INSERT INTO snapshots (party, room, bytes) VALUES (?, ?, ?)"
                  + " ON CONFLICT (party, room) DO UPDATE SET bytes = excluded.bytes");
      writes =
          new PreparedStatement[] {
            clear, delete, upsert, setAlarm, deleteAlarm, deleteSnapshot, setSnapshot
          };
      loadEntries = r.prepareStatement("SELECT key, value FROM kv WHERE party = ? AND room = ?");
      loadAlarm = r.prepareStatement("SELECT at FROM alarms WHERE party = ? AND room = ?");
      loadSnapshot = r.prepareStatement("SELECT bytes FROM snapshots WHERE party = ? AND room = ?");
    } catch (SQLException e) {
      for (AutoCloseable c : new AutoCloseable[] {r, w, lockFile}) {
        try {
          if (c != null) c.close();
        } catch (Exception ignored) {
          // already failing
        }
      }
      throw new IllegalStateException(
          "cannot open SQLite database in " + dataDir + ": " + e.getMessage(), e);
    }
  }

  /** Creates the data directory and locks it for this process, or says who holds it. */
  private static FileChannel lock(Path dataDir) {
    try {
      Files.createDirectories(dataDir);
      FileChannel lock =
          FileChannel.open(
              dataDir.resolve("partyhost.lock"),
              StandardOpenOption.CREATE,
              StandardOpenOption.WRITE);
      if (!tryLock(lock)) {
        lock.close();
        throw new IllegalStateException(
            "data directory " + dataDir + " is in use by another partyhost");
      }
      return lock;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot use data directory " + dataDir, e);
    }
  }

  private static boolean tryLock(FileChannel file) throws IOException {
    try {
      return file.tryLock() != null;
    } catch (OverlappingFileLockException sameProcess) {
      return false;
    }
  }

  private static Connection open(Path file) throws SQLException {
    Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
    try (Statement s = c.createStatement()) {
      s.execute("PRAGMA busy_timeout=10000");
      // FULL: every commit is fsynced, so an acknowledged write survives a power cut, not only a
      // crash.
      s.execute("PRAGMA synchronous=FULL");
    }
    return c;
  }

  @Override
  public Future<StoredRoom> load(RoomKey room) {
    return run(
        reader,
        () -> {
          NavigableMap<byte[], byte[]> entries = RoomStore.emptyMap();
          loadEntries.setString(1, room.party());
          loadEntries.setString(2, room.room());
          try (ResultSet rows = loadEntries.executeQuery()) {
            while (rows.next()) entries.put(rows.getBytes(1), rows.getBytes(2));
          }
          loadAlarm.setString(1, room.party());
          loadAlarm.setString(2, room.room());
          Long alarm = null;
          try (ResultSet rows = loadAlarm.executeQuery()) {
            if (rows.next()) alarm = rows.getLong(1);
          }
          loadSnapshot.setString(1, room.party());
          loadSnapshot.setString(2, room.room());
          byte[] snapshot = null;
          try (ResultSet rows = loadSnapshot.executeQuery()) {
            if (rows.next()) snapshot = rows.getBytes(1);
          }
          return new StoredRoom(entries, alarm, snapshot);
        });
  }

  @Override
  public Future<Set<RoomKey>> write(List<Changes> group) {
    return run(
        writer,
        () -> {
          try {
            // Each kind is one JDBC batch, which sqlite-jdbc binds and steps in a single native
            // call.
            Changes.Rows rows = Changes.Rows.of(group);
            add(clear, rows.clears());
            add(delete, rows.deletes());
            add(upsert, rows.upserts());
            add(setAlarm, rows.alarmSets());
            add(deleteAlarm, rows.alarmDeletes());
            add(deleteSnapshot, rows.snapshotDeletes());
            add(setSnapshot, rows.snapshotSets());
            for (PreparedStatement s : writes) s.executeBatch();
            writeConnection.commit();
          } catch (Throwable e) {
            writeConnection.rollback();
            throw e;
          } finally {
            for (PreparedStatement s : writes) s.clearBatch();
          }
          return Set.<RoomKey>of(); // one process: nobody to fence
        });
  }

  /** Adds rows to a statement's batch. */
  private static void add(PreparedStatement s, List<Object[]> rows) throws SQLException {
    for (Object[] row : rows) {
      for (int i = 0; i < row.length; i++) s.setObject(1 + i, row[i]);
      s.addBatch();
    }
  }

  @Override
  public Future<Map<RoomKey, Long>> alarms() {
    return run(
        reader,
        () -> {
          Map<RoomKey, Long> alarms = new HashMap<>();
          try (Statement s = readConnection.createStatement();
              ResultSet rows = s.executeQuery("SELECT party, room, at FROM alarms")) {
            while (rows.next())
              alarms.put(new RoomKey(rows.getString(1), rows.getString(2)), rows.getLong(3));
          }
          return alarms;
        });
  }

  // --- uploaded parties: reads on the reader thread, each change one transaction on the writer
  // thread ---

  @Override
  public PartyStore parties() {
    return this;
  }

  @Override
  public Future<Map<String, String>> currentVersions() {
    return run(
        reader,
        () -> {
          Map<String, String> current = new HashMap<>();
          try (Statement s = readConnection.createStatement();
              ResultSet rows = s.executeQuery("SELECT party, current FROM parties")) {
            while (rows.next()) current.put(rows.getString(1), rows.getString(2));
          }
          return current;
        });
  }

  @Override
  public Future<List<Version>> versions(String party) {
    return run(
        reader,
        () -> {
          List<Version> versions = new ArrayList<>();
          try (PreparedStatement s =
              readConnection.prepareStatement(
                  "SELECT v.sha256, length(m.bytes), v.uploaded_at, v.sha256 = p.current FROM party_versions v"
                      + " JOIN modules m ON m.sha256 = v.sha256 JOIN parties p ON p.party = v.party"
                      + " WHERE v.party = ? ORDER BY v.seq DESC")) {
            s.setString(1, party);
            try (ResultSet rows = s.executeQuery()) {
              while (rows.next())
                versions.add(
                    new Version(
                        rows.getString(1), rows.getLong(2), rows.getLong(3), rows.getBoolean(4)));
            }
          }
          return versions;
        });
  }

  @Override
  public Future<byte[]> module(String sha256) {
    return run(
        reader,
        () -> {
          try (PreparedStatement s =
              readConnection.prepareStatement("SELECT bytes FROM modules WHERE sha256 = ?")) {
            s.setString(1, sha256);
            try (ResultSet rows = s.executeQuery()) {
              return rows.next() ? rows.getBytes(1) : null;
            }
          }
        });
  }

  @Override
  public Future<Void> upload(String party, String sha256, byte[] bytes, long uploadedAt) {
    return transaction(
        () -> {
          update(
              "INSERT INTO modules (sha256, bytes) VALUES (?, ?) ON CONFLICT (sha256) DO NOTHING",
              sha256,
              bytes);
          update(
              "INSERT INTO party_versions (party, sha256, uploaded_at, seq)"
                  + " VALUES (?, ?, ?, (SELECT coalesce(max(seq), 0) + 1 FROM party_versions))"
                  + " ON CONFLICT (party, sha256) DO UPDATE SET uploaded_at = excluded.uploaded_at, seq = excluded.seq",
              party,
              sha256,
              uploadedAt);
          update(
              "INSERT INTO parties (party, current) VALUES (?, ?) ON CONFLICT (party) DO UPDATE SET current = excluded.current",
              party,
              sha256);
          return null;
        });
  }

  @Override
  public Future<Boolean> setCurrent(String party, String sha256) {
    return transaction(
        () ->
            update(
                    "UPDATE parties SET current = ? WHERE party = ?"
                        + " AND EXISTS (SELECT 1 FROM party_versions WHERE party = ? AND sha256 = ?)",
                    sha256,
                    party,
                    party,
                    sha256)
                > 0);
  }

  @Override
  public Future<Boolean> delete(String party) {
    return transaction(
        () -> {
          update("DELETE FROM parties WHERE party = ?", party);
          update("DELETE FROM snapshots WHERE party = ?", party); // of a version that is gone
          int versions = update("DELETE FROM party_versions WHERE party = ?", party);
          update("DELETE FROM modules WHERE sha256 NOT IN (SELECT sha256 FROM party_versions)");
          return versions > 0;
        });
  }

  /** Runs {@code work} on the writer thread as one transaction: committed if it returns, else rolled back. */
  private <T> Future<T> transaction(Callable<T> work) {
    return run(
        writer,
        () -> {
          try {
            T result = work.call();
            writeConnection.commit();
            return result;
          } catch (Throwable e) {
            writeConnection.rollback();
            throw e;
          }
        });
  }

  /** One statement on the write connection (writer thread only); the rows it changed. */
  private int update(String sql, Object... values) throws SQLException {
    try (PreparedStatement s = writeConnection.prepareStatement(sql)) {
      for (int i = 0; i < values.length; i++) s.setObject(1 + i, values[i]);
      return s.executeUpdate();
    }
  }

  @Override
  public Future<List<RoomKey>> roomsWithData() {
    return run(
        reader,
        () -> {
          List<RoomKey> rooms = new ArrayList<>();
          try (Statement s = readConnection.createStatement();
              ResultSet rows =
                  s.executeQuery(
                      "SELECT DISTINCT party, room FROM kv UNION SELECT party, room FROM alarms"
                          + " UNION SELECT party, room FROM snapshots")) {
            while (rows.next()) rooms.add(new RoomKey(rows.getString(1), rows.getString(2)));
          }
          return rooms;
        });
  }

  @Override
  public Future<List<StoredRoomSize>> storedRooms(String party, String from, int limit) {
    return run(
        reader,
        () -> {
          List<StoredRoomSize> page = new ArrayList<>();
          // The page's ids first, from the primary keys' order (a walk that stops after the page),
          // then each one's size through the same index.
          try (PreparedStatement s =
              readConnection.prepareStatement(
                  "WITH page AS ("
                      + " SELECT room FROM (SELECT DISTINCT room FROM kv WHERE party = ?1 AND room >= ?2"
                      + " ORDER BY room LIMIT ?3)"
                      + " UNION SELECT room FROM (SELECT room FROM alarms WHERE party = ?1 AND room >= ?2"
                      + " ORDER BY room LIMIT ?3) ORDER BY room LIMIT ?3)"
                      + " SELECT p.room, (SELECT coalesce(sum(length(key) + length(value)), 0) FROM kv"
                      + " WHERE kv.party = ?1 AND kv.room = p.room) FROM page p ORDER BY p.room")) {
            s.setString(1, party);
            s.setString(2, from);
            s.setInt(3, limit);
            try (ResultSet rows = s.executeQuery()) {
              while (rows.next()) page.add(new StoredRoomSize(rows.getString(1), rows.getLong(2)));
            }
          }
          return page;
        });
  }

  @Override
  public Future<Void> ping() {
    return run(
        reader,
        () -> {
          try (Statement s = readConnection.createStatement();
              ResultSet rows = s.executeQuery("SELECT count(*) FROM parties")) {
            rows.next();
          }
          return null;
        });
  }

  @Override
  public String describe() {
    return "SQLite " + file;
  }

  @Override
  public void close() {
    for (ExecutorService thread : List.of(writer, reader)) {
      thread.shutdown();
      try {
        thread.awaitTermination(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    try {
      readConnection.close();
      writeConnection.close();
      lockFile.close();
    } catch (SQLException | IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static <T> Future<T> run(ExecutorService thread, Callable<T> task) {
    Promise<T> promise = Promise.promise();
    try {
      thread.execute(
          () -> {
            T result;
            try {
              result = task.call();
              // An Error too: a promise never completed would hold every room's output.
            } catch (Throwable e) {
              promise.fail(e);
              return;
            }
            // Outside the try: a listener that throws must not fail a completed promise.
            promise.complete(result);
          });
    } catch (RuntimeException rejected) {
      promise.fail(rejected); // closed
    }
    return promise.future();
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }
}
