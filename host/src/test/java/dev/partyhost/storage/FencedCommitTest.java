package dev.partyhost.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partyhost.cluster.ClusterTables;
import dev.partyhost.cluster.NodeLease;
import dev.partyhost.cluster.RoomOwners;
import dev.partyhost.support.PostgresServer;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The cluster's fence on real PostgreSQL, with two nodes in one process (each its own lease, owners
 * and engine): a node writes a room only while it holds its lease and owns the room at the epoch it
 * claimed, and a takeover waits for a commit in flight, then sees it.
 */
class FencedCommitTest {
  private static final long LEASE_MS = 1_000;
  private static final RoomKey ROOM = new RoomKey("counter", "r");

  private Vertx vertx;
  private String url;
  private Pool sql;
  private Node a;
  private Node b;

  /** One node: its lease, its view of the owners, and an engine fenced by it. */
  private record Node(NodeLease lease, RoomOwners owners, PostgresEngine engine, Pool pool) {}

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    url = PostgresServer.get().newDatabase();
    sql = pool();
    ClusterTables.create(sql);
    a = node("a");
    b = node("b");
  }

  @AfterEach
  void stop() {
    for (Node n : List.of(a, b)) {
      n.engine().close();
      n.pool().close().await();
    }
    sql.close().await();
    vertx.close().await();
  }

  @Test
  void aNodeWhoseLeaseRanOutWritesNothingAndItsRoomIsTakenOver() {
    RoomOwners.Owner first = a.owners().claim(ROOM, true).await();
    assertTrue(first.mine());
    assertEquals(1, first.epoch());
    assertEquals(Set.of(), a.engine().write(List.of(put(ROOM, "k", "1"))).await());

    RoomOwners.Owner seenByB = b.owners().claim(ROOM, true).await();
    assertFalse(seenByB.mine(), "a's lease holds: b forwards to a");
    assertEquals("a", seenByB.node());
    assertEquals("127.0.0.1:1", seenByB.address());

    leaseRunsOut("a"); // as for a node paused past its lease
    RoomOwners.Owner taken = b.owners().claim(ROOM, true).await();
    assertTrue(taken.mine());
    assertEquals(2, taken.epoch(), "a takeover raises the epoch");

    // Fails whole on the lapsed lease; or, if a has rejoined meanwhile as a new incarnation (its
    // renewal found the lease gone: on a loaded machine this can come first), the room is refused.
    AsyncResult<Set<RoomKey>> stale =
        a.engine().write(List.of(put(ROOM, "k", "2"))).transform(Future::succeededFuture).await();
    assertTrue(
        stale.failed() || stale.result().contains(ROOM),
        "a stale owner's commit is refused: " + stale);
    assertEquals("1", value(b.engine().load(ROOM).await(), "k"));
  }

  @Test
  void aRoomThatIsNoLongerThisNodesIsLeftOutOfTheGroupAndTheOthersAreWritten() {
    RoomKey kept = new RoomKey("counter", "kept");
    a.owners().claim(ROOM, true).await();
    a.owners().claim(kept, true).await();
    // The room moved to b meanwhile (b's claim after a released it, say).
    sql.preparedQuery(
            "UPDATE room_owners SET node = 'b', incarnation = $1, epoch = epoch + 1 WHERE room = 'r'")
        .execute(Tuple.of(b.lease().incarnation()))
        .await();
    Set<RoomKey> refused =
        a.engine().write(List.of(put(ROOM, "k", "stale"), put(kept, "k", "fresh"))).await();
    assertEquals(Set.of(ROOM), refused);
    assertNull(value(a.engine().load(ROOM).await(), "k"));
    assertEquals("fresh", value(a.engine().load(kept).await(), "k"));
  }

  @Test
  void aTakeoverWaitsForTheCommitInFlightAndLoadsWhatItWrote() throws Exception {
    // Node c stands for a paused process: its lease row is only what this test writes.
    Node c = node("c", false);
    try {
      setLease("c", 10_000);
      c.owners().claim(ROOM, true).await();
      setLease("c", 400);
      SqlConnection conn = c.pool().getConnection().await();
      Transaction tx = conn.begin().await();
      assertEquals(Set.of(), c.owners().refused(conn, List.of(ROOM)).await(), "c's commit passes");
      Thread.sleep(600); // c's lease runs out while its commit is in flight
      Future<RoomOwners.Owner> takeover = b.owners().claim(ROOM, true);
      Thread.sleep(500);
      assertFalse(
          takeover.isComplete(), "the takeover waits for the row c's commit locked: " + takeover);
      conn.preparedQuery("INSERT INTO kv (party, room, key, value) VALUES ($1, $2, $3, $4)")
          .execute(Tuple.of(ROOM.party(), ROOM.room(), bytes("k"), bytes("in flight")))
          .await();
      tx.commit().await();
      conn.close().await();
      RoomOwners.Owner taken = takeover.await();
      assertTrue(taken.mine());
      assertEquals(2, taken.epoch());
      assertEquals("in flight", value(b.engine().load(ROOM).await(), "k"));
    } finally {
      c.engine().close();
      c.pool().close().await();
    }
  }

  private Node node(String name) {
    return node(name, true);
  }

  /** A node; unless {@code renewing}, its lease row is left to the test (inserted, never renewed). */
  private Node node(String name, boolean renewing) {
    Pool pool = pool();
    String address = "127.0.0.1:" + (1 + "abc".indexOf(name));
    NodeLease lease = new NodeLease(vertx, pool, name, address, LEASE_MS);
    if (renewing) {
      lease.acquire();
    } else {
      sql.preparedQuery(
              "INSERT INTO cluster_nodes (node, incarnation, address, lease_until)"
                  + " VALUES ($1, $2, $3, clock_timestamp())")
          .execute(Tuple.of(name, lease.incarnation(), address))
          .await();
    }
    RoomOwners owners = new RoomOwners(pool, lease);
    return new Node(
        lease,
        owners,
        new PostgresEngine(vertx, PostgresEngine.connectOptions(url, "partyhost/" + name), owners),
        pool);
  }

  private Pool pool() {
    return PgBuilder.pool().connectingTo(PgConnectOptions.fromUri(url)).using(vertx).build();
  }

  /** Sets when a node's lease ends in PostgreSQL: {@code msFromNow} from now. */
  private void setLease(String node, long msFromNow) {
    sql.preparedQuery(
            "UPDATE cluster_nodes SET lease_until = clock_timestamp() + $2 * interval '1 millisecond'"
                + " WHERE node = $1")
        .execute(Tuple.of(node, msFromNow))
        .await();
  }

  /** Ends a node's lease in PostgreSQL, as time does when the node stops renewing it. */
  private void leaseRunsOut(String node) {
    sql.preparedQuery("UPDATE cluster_nodes SET lease_until = clock_timestamp() WHERE node = $1")
        .execute(Tuple.of(node))
        .await();
  }

  private static Changes put(RoomKey room, String key, String value) {
    Changes c = new Changes(room, 1);
    c.put(key.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8));
    return c;
  }

  private static Buffer bytes(String s) {
    return Buffer.buffer(s.getBytes(StandardCharsets.UTF_8));
  }

  private static String value(StoredRoom room, String key) {
    byte[] v = room.entries().get(key.getBytes(StandardCharsets.UTF_8));
    return v == null ? null : new String(v, StandardCharsets.UTF_8);
  }
}
