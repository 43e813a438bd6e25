package dev.partyhost;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partyhost.storage.PartyStore;
import dev.partyhost.storage.PartyStore.Version;
import dev.partyhost.storage.PostgresEngine;
import dev.partyhost.storage.SqliteEngine;
import dev.partyhost.storage.StorageEngine;
import dev.partyhost.support.PostgresServer;
import dev.partyhost.support.TestHost.Engine;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The uploaded parties' store in both engines, against a real SQLite file and a real PostgreSQL. */
class PartyStoreTest {
  private static final byte[] A = {0, 'a', 's', 'm', 1};
  private static final byte[] B = {0, 'a', 's', 'm', 2, 2};
  private static final String SHA_A = "a".repeat(64), SHA_B = "b".repeat(64);

  @ParameterizedTest
  @EnumSource(Engine.class)
  void versionsAreKeptPerPartyAndEachModuleOnce(Engine kind, @TempDir Path dir) throws Exception {
    Vertx vertx = Vertx.vertx();
    String url = kind == Engine.POSTGRES ? PostgresServer.get().newDatabase() : null;
    StorageEngine engine = url != null ? new PostgresEngine(vertx, url) : new SqliteEngine(dir);
    try {
      PartyStore store = engine.parties();
      assertEquals(Map.of(), store.currentVersions().await());
      assertEquals(List.of(), store.versions("p").await());
      store.upload("p", SHA_A, A, 1000).await();
      store.upload("q", SHA_A, A, 2000).await(); // the same module under another name
      store.upload("p", SHA_B, B, 3000).await();
      store
          .upload("p", SHA_A, A, 4000)
          .await(); // the same bytes again: the same version, uploaded anew
      assertEquals(
          List.of(new Version(SHA_A, 5, 4000, true), new Version(SHA_B, 6, 3000, false)),
          store.versions("p").await());
      assertEquals(Map.of("p", SHA_A, "q", SHA_A), store.currentVersions().await());
      assertEquals(2, count(dir, url, "modules"), "each distinct module once");
      assertEquals(3, count(dir, url, "party_versions"));

      assertTrue(store.setCurrent("p", SHA_B).await());
      assertFalse(store.setCurrent("p", "c".repeat(64)).await(), "not a version of p");
      assertFalse(store.setCurrent("q", SHA_B).await(), "a version of p, not of q");
      assertFalse(store.setCurrent("nobody", SHA_A).await());
      assertEquals(Map.of("p", SHA_B, "q", SHA_A), store.currentVersions().await());
      assertArrayEquals(B, store.module(SHA_B).await());

      assertTrue(store.delete("p").await());
      assertFalse(store.delete("p").await());
      assertEquals(List.of(), store.versions("p").await());
      assertNull(store.module(SHA_B).await(), "no party has it any more");
      assertArrayEquals(A, store.module(SHA_A).await(), "q still has it");
      assertEquals(Map.of("q", SHA_A), store.currentVersions().await());
      assertEquals(1, count(dir, url, "modules"));
    } finally {
      engine.close();
      vertx.close().await();
    }
  }

  /** Rows of a table, read beside the engine: a second connection to the same database. */
  private static long count(Path dir, String url, String table) throws Exception {
    if (url == null) {
      try (Connection c =
              DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("partyhost.db"));
          ResultSet rows = c.createStatement().executeQuery("SELECT count(*) FROM " + table)) {
        rows.next();
        return rows.getLong(1);
      }
    }
    Vertx vertx = Vertx.vertx();
    Pool pool = PgBuilder.pool().connectingTo(PgConnectOptions.fromUri(url)).using(vertx).build();
    try {
      return pool.query("SELECT count(*) FROM " + table)
          .execute()
          .await()
          .iterator()
          .next()
          .getLong(0);
    } finally {
      pool.close().await();
      vertx.close().await();
    }
  }
}
