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
public final class SqliteEngine implements StorageEngine {
  private static final String[] SCHEMA = {
      "CREATE TABLE IF NOT EXISTS kv (party TEXT NOT NULL, room TEXT NOT NULL, key BLOB NOT NULL,"
          + " value BLOB NOT NULL, PRIMARY KEY (party, room, key)) WITHOUT ROWID",
      "CREATE TABLE IF NOT EXISTS alarms (party TEXT NOT NULL, room TEXT NOT NULL, at INTEGER NOT NULL,"
          + " PRIMARY KEY (party, room)) WITHOUT ROWID",
  };

  private final Path file;
  /** Held while open: a second host on the same data directory would serve stale copies of rooms. */
  private final FileChannel lockFile;
  private final ExecutorService writer = Executors.newSingleThreadExecutor(daemon("partyhost-sqlite-writer"));
  private final ExecutorService reader = Executors.newSingleThreadExecutor(daemon("partyhost-sqlite-reader"));
  private final Connection writeConnection;
  private final Connection readConnection;
  private final PreparedStatement clear, upsert, delete, setAlarm, deleteAlarm, loadEntries, loadAlarm;
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
      upsert = w.prepareStatement("INSERT INTO kv (party, room, key, value) VALUES (?, ?, ?, ?)"
          + " ON CONFLICT (party, room, key) DO UPDATE SET value = excluded.value");
      delete = w.prepareStatement("DELETE FROM kv WHERE party = ? AND room = ? AND key = ?");
      setAlarm = w.prepareStatement("INSERT INTO alarms (party, room, at) VALUES (?, ?, ?)"
          + " ON CONFLICT (party, room) DO UPDATE SET at = excluded.at");
      deleteAlarm = w.prepareStatement("DELETE FROM alarms WHERE party = ? AND room = ?");
      writes = new PreparedStatement[] {clear, delete, upsert, setAlarm, deleteAlarm};
      loadEntries = r.prepareStatement("SELECT key, value FROM kv WHERE party = ? AND room = ?");
      loadAlarm = r.prepareStatement("SELECT at FROM alarms WHERE party = ? AND room = ?");
    } catch (SQLException e) {
      for (AutoCloseable c : new AutoCloseable[] {r, w, lockFile}) {
        try {
          if (c != null) c.close();
        } catch (Exception ignored) {
          // already failing
        }
      }
      throw new IllegalStateException("cannot open SQLite database in " + dataDir + ": " + e.getMessage(), e);
    }
  }

  /** Creates the data directory and locks it for this process, or says who holds it. */
  private static FileChannel lock(Path dataDir) {
    try {
      Files.createDirectories(dataDir);
      FileChannel lock = FileChannel.open(dataDir.resolve("partyhost.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      if (!tryLock(lock)) {
        lock.close();
        throw new IllegalStateException("data directory " + dataDir + " is in use by another partyhost");
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
      // FULL: every commit is fsynced, so an acknowledged write survives a power cut, not only a crash.
      s.execute("PRAGMA synchronous=FULL");
    }
    return c;
  }

  @Override
  public Future<StoredRoom> load(RoomKey room) {
    return run(reader, () -> {
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
      return new StoredRoom(entries, alarm);
    });
  }

  @Override
  public Future<Void> write(List<Changes> group) {
    return run(writer, () -> {
      try {
        // Each kind is one JDBC batch, which sqlite-jdbc binds and steps in a single native call.
        Changes.Rows rows = Changes.Rows.of(group);
        add(clear, rows.clears());
        add(delete, rows.deletes());
        add(upsert, rows.upserts());
        add(setAlarm, rows.alarmSets());
        add(deleteAlarm, rows.alarmDeletes());
        for (PreparedStatement s : writes) s.executeBatch();
        writeConnection.commit();
      } catch (Throwable e) {
        writeConnection.rollback();
        throw e;
      } finally {
        for (PreparedStatement s : writes) s.clearBatch();
      }
      return null;
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
    return run(reader, () -> {
      Map<RoomKey, Long> alarms = new HashMap<>();
      try (Statement s = readConnection.createStatement();
           ResultSet rows = s.executeQuery("SELECT party, room, at FROM alarms")) {
        while (rows.next()) alarms.put(new RoomKey(rows.getString(1), rows.getString(2)), rows.getLong(3));
      }
      return alarms;
    });
  }

  @Override
  public Future<List<RoomKey>> roomsWithData() {
    return run(reader, () -> {
      List<RoomKey> rooms = new ArrayList<>();
      try (Statement s = readConnection.createStatement();
           ResultSet rows = s.executeQuery("SELECT DISTINCT party, room FROM kv UNION SELECT party, room FROM alarms")) {
        while (rows.next()) rooms.add(new RoomKey(rows.getString(1), rows.getString(2)));
      }
      return rooms;
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
      thread.execute(() -> {
        try {
          promise.complete(task.call());
        } catch (Throwable e) { // an Error too: a promise never completed would hold every room's output
          promise.fail(e);
        }
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
