package dev.partyhost.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.partyhost.support.PostgresServer;
import dev.partyhost.support.TestHost.Engine;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A room's stored snapshot in both engines (a real SQLite file, a real PostgreSQL): loaded with the
 * room's data, valid only for that data (every commit to the data deletes it in the same
 * transaction, whether in a group of its own or merged with the snapshot), invisible to the room's
 * entries, kept across a restart, deleted with its party.
 */
class SnapshotStorageTest {
  private static final RoomKey ROOM = new RoomKey("p", "r");
  private static final long QUOTA = 1 << 20;

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void aSnapshotIsValidOnlyForTheDataItWasTakenWith(Engine kind, @TempDir Path dir)
      throws Exception {
    Vertx vertx = Vertx.vertx();
    String url = kind == Engine.POSTGRES ? PostgresServer.get().newDatabase() : null;
    Supplier<StorageEngine> open =
        () -> url != null ? new PostgresEngine(vertx, url) : new SqliteEngine(dir);
    StorageEngine engine = open.get();
    try {
      GroupCommit commits = new GroupCommit(engine);
      RoomStore store = new RoomStore(ROOM, commits.load(ROOM).await(), QUOTA);
      store.put(b("k"), b("v1"));
      commits.submit(store.commit()).await();
      commits.submit(store.snapshot(b("S1"))).await();
      StoredRoom loaded = engine.load(ROOM).await();
      assertArrayEquals(b("S1"), loaded.snapshot());
      assertEquals(1, loaded.entries().size(), "the snapshot is no entry of the room");

      // Kept across a restart, and listed as a room with something stored.
      engine.close();
      engine = open.get();
      commits = new GroupCommit(engine);
      loaded = commits.load(ROOM).await();
      assertArrayEquals(b("S1"), loaded.snapshot());

      // A commit to the data deletes it.
      store = new RoomStore(ROOM, loaded, QUOTA);
      store.put(b("k"), b("v2"));
      commits.submit(store.commit()).await();
      assertNull(engine.load(ROOM).await().snapshot());

      // Merged in one group: data then a snapshot keeps it; a snapshot then data deletes it.
      store.put(b("k"), b("v3"));
      Changes data = store.commit();
      engine.write(List.of(merged(data, store.snapshot(b("S2"))))).await();
      assertArrayEquals(b("S2"), engine.load(ROOM).await().snapshot());
      store.put(b("k"), b("v4"));
      engine.write(List.of(merged(store.snapshot(b("S3")), store.commit()))).await();
      loaded = engine.load(ROOM).await();
      assertNull(loaded.snapshot());
      assertArrayEquals(b("v4"), loaded.entries().get(b("k")));

      // Deleting the party deletes its snapshots.
      commits.submit(store.snapshot(b("S4"))).await();
      engine.parties().delete("p").await();
      assertNull(engine.load(ROOM).await().snapshot());
    } finally {
      engine.close();
      vertx.close().await();
    }
  }

  private static Changes merged(Changes first, Changes then) {
    Changes merged = new Changes(first.room, first.generation);
    merged.then(first);
    merged.then(then);
    return merged;
  }
}
