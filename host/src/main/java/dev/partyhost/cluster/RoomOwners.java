package dev.partyhost.cluster;

import dev.partyhost.storage.Fence;
import dev.partyhost.storage.RoomKey;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who owns each room, in PostgreSQL: one row per room with its owner (node and incarnation) and an
 * epoch that rises on every change of owner. A node claims a room before it runs it; it takes a room
 * over only from an owner whose lease has run out; every commit checks, under row locks, that the
 * node still owns each room at the epoch it claimed ({@link Fence}). Rows stay when a room is
 * released (owner null), so that epochs only rise.
 *
 * <p>Lock order, the same in every transaction: the node's own lease row, then room rows.
 */
public final class RoomOwners implements Fence {
  static final String[] SCHEMA = {
    "CREATE TABLE IF NOT EXISTS room_owners (party text NOT NULL, room text NOT NULL, node text,"
        + " incarnation bigint, epoch bigint NOT NULL, PRIMARY KEY (party, room))",
  };

  /**
   * Who owns a room: this node (at {@code epoch}), or another, reached at {@code address} (with
   * {@link Placement#HASH}, perhaps the node it is placed on, which claims it when reached: epoch 0).
   */
  public record Owner(String node, String address, long epoch, boolean mine) {}

  private final Pool pool;
  private final NodeLease lease;

  /** Where rooms without an owner go with {@link Placement#HASH}; null: they start here. */
  private final HashPlacement placement;

  /** The rooms this node owns, with the epoch it claimed each at. */
  private final Map<RoomKey, Long> owned = new ConcurrentHashMap<>();

  /** Releases under way, by room. */
  private final Map<RoomKey, Future<Void>> releasing = new ConcurrentHashMap<>();

  public RoomOwners(Pool pool, NodeLease lease) {
    this(pool, lease, null);
  }

  RoomOwners(Pool pool, NodeLease lease, HashPlacement placement) {
    this.pool = pool;
    this.lease = lease;
    this.placement = placement;
  }

  /**
   * The room's owner, after claiming it for this node if it has none or its owner's lease has run
   * out; unless {@code here} is false and hash placement puts the room on another node, which is
   * then returned (not yet its owner: it claims the room when the client reaches it). Fails if this
   * node's own lease has run out.
   */
  public Future<Owner> claim(RoomKey room, boolean here) {
    // After this node's own release of the room, if one is under way: else the release could land
    // after the claim, and free the room this node believes it owns.
    Future<Void> released = releasing.get(room);
    Long epoch = owned.get(room);
    if (released == null && epoch != null)
      return Future.succeededFuture(new Owner(lease.node(), null, epoch, true));
    Future<Void> before = released == null ? Future.succeededFuture() : released.otherwiseEmpty();
    return before.compose(
        v ->
            claimOnce(room, here)
                .recover(e -> e instanceof Raced ? claimOnce(room, here) : Future.failedFuture(e)));
  }

  /** Another node inserted the room's first row while this one did: the next claim reads it. */
  private static final class Raced extends RuntimeException {
    Raced(RoomKey room) {
      super("room " + room + " was claimed meanwhile", null, false, false);
    }
  }

  private Future<Owner> claimOnce(RoomKey room, boolean here) {
    // Most lookups find a live owner elsewhere: read without a lock (a routing hint only; were it
    // stale, forwarding fails and the client retries), and lock the row only to take the room.
    return pool.preparedQuery(OWNER)
        .execute(Tuple.of(room.party(), room.room()))
        .compose(
            rows -> {
              Owner seen = rows.size() == 1 ? holder(rows.iterator().next()) : null;
              if (seen != null && !seen.mine()) return Future.succeededFuture(seen);
              if (seen == null && !here && placement != null) {
                HashPlacement.Node preferred = placement.nodeFor(room);
                if (!placement.isSelf(preferred))
                  return Future.succeededFuture(
                      new Owner(preferred.node(), preferred.address(), 0, false));
              }
              return pool.withTransaction(
                  conn -> lockOwnLease(conn).compose(v -> claim(conn, room)));
            })
        .onSuccess(
            owner -> {
              if (owner.mine()) owned.put(room, owner.epoch());
            });
  }

  /** The owner row of a room: node, incarnation, epoch, the node's address, whether its lease holds. */
  private static final String OWNER =
      "SELECT o.node, o.incarnation, o.epoch, n.address, n.lease_until > clock_timestamp()"
          + " FROM room_owners o LEFT JOIN cluster_nodes n"
          + " ON n.node = o.node AND n.incarnation = o.incarnation"
          + " WHERE o.party = $1 AND o.room = $2";

  /**
   * Who holds the room by its owner row: this node (this incarnation), another live node (or a live
   * earlier incarnation of this one), or nobody (null: released, or its owner's lease ran out).
   */
  private Owner holder(Row row) {
    String node = row.getString(0);
    Long incarnation = row.getLong(1);
    long epoch = row.getLong(2);
    if (lease.node().equals(node) && incarnation != null && incarnation == lease.incarnation())
      return new Owner(node, null, epoch, true);
    if (node != null && Boolean.TRUE.equals(row.getBoolean(4)))
      return new Owner(node, row.getString(3), epoch, false);
    return null;
  }

  private Future<Owner> claim(SqlConnection conn, RoomKey room) {
    return conn.preparedQuery(OWNER + " FOR UPDATE OF o")
        .execute(Tuple.of(room.party(), room.room()))
        .compose(
            rows -> {
              if (rows.size() == 0) {
                // First owner ever (a race with another node's insert is claimed again).
                return conn.preparedQuery(
                        "INSERT INTO room_owners (party, room, node, incarnation, epoch)"
                            + " VALUES ($1, $2, $3, $4, 1) ON CONFLICT DO NOTHING")
                    .execute(Tuple.of(room.party(), room.room(), lease.node(), lease.incarnation()))
                    .compose(
                        inserted ->
                            inserted.rowCount() == 1
                                ? Future.succeededFuture(new Owner(lease.node(), null, 1, true))
                                : Future.failedFuture(new Raced(room)));
              }
              Owner held = holder(rows.iterator().next());
              if (held != null) return Future.succeededFuture(held);
              // Released, or its owner's lease ran out: take it over.
              return conn.preparedQuery(
                      "UPDATE room_owners SET node = $3, incarnation = $4, epoch = epoch + 1"
                          + " WHERE party = $1 AND room = $2 RETURNING epoch")
                  .execute(Tuple.of(room.party(), room.room(), lease.node(), lease.incarnation()))
                  .map(
                      updated ->
                          new Owner(
                              lease.node(), null, updated.iterator().next().getLong(0), true));
            });
  }

  /** Checks this node's lease in the transaction; fails with {@link Fence.Refused} if it ran out. */
  private Future<Void> lockOwnLease(SqlConnection conn) {
    return conn.preparedQuery(
            // KEY SHARE: it keeps the row (this incarnation) for the transaction without holding
            // up the lease's renewal, an UPDATE of a column that is not a key.
            "SELECT 1 FROM cluster_nodes WHERE node = $1 AND incarnation = $2"
                + " AND lease_until > clock_timestamp() FOR KEY SHARE")
        .execute(Tuple.of(lease.node(), lease.incarnation()))
        .compose(
            rows ->
                rows.size() == 1
                    ? Future.succeededFuture()
                    : Future.failedFuture(
                        new Fence.Refused("node " + lease.node() + " has lost its lease")));
  }

  @Override
  public Future<Set<RoomKey>> refused(SqlConnection conn, List<RoomKey> rooms) {
    String[] parties = new String[rooms.size()];
    String[] ids = new String[rooms.size()];
    for (int i = 0; i < rooms.size(); i++) {
      parties[i] = rooms.get(i).party();
      ids[i] = rooms.get(i).room();
    }
    return lockOwnLease(conn)
        .compose(
            v ->
                conn.preparedQuery(
                        "SELECT o.party, o.room, o.epoch FROM room_owners o"
                            + " JOIN unnest($3::text[], $4::text[]) AS w(party, room)"
                            + " ON o.party = w.party AND o.room = w.room"
                            + " WHERE o.node = $1 AND o.incarnation = $2 FOR SHARE OF o")
                    .execute(Tuple.of(lease.node(), lease.incarnation(), parties, ids)))
        .map(rows -> refusedAmong(rooms, rows));
  }

  private Set<RoomKey> refusedAmong(List<RoomKey> rooms, RowSet<Row> stillOwned) {
    Set<RoomKey> refused = new HashSet<>(rooms);
    for (Row row : stillOwned) {
      RoomKey room = new RoomKey(row.getString(0), row.getString(1));
      Long epoch = owned.get(room);
      if (epoch != null && epoch.equals(row.getLong(2))) refused.remove(room);
    }
    return refused;
  }

  /** Whether this node owns the room (as far as it knows: the commit's fence has the last word). */
  public boolean owns(RoomKey room) {
    return owned.containsKey(room);
  }

  /**
   * Gives a room up (it left this node) once {@code after} completes (its last commit): from then on
   * another node may claim it. This node stops counting it as its own at once, and a claim of it here
   * waits for the release.
   */
  public Future<Void> release(RoomKey room, Future<Void> after) {
    Long epoch = owned.get(room);
    if (epoch == null) return Future.succeededFuture();
    Future<Void> done =
        after
            .otherwiseEmpty()
            .compose(
                v ->
                    pool.preparedQuery(
                            "UPDATE room_owners SET node = NULL, incarnation = NULL"
                                + " WHERE party = $1 AND room = $2 AND node = $3 AND incarnation = $4"
                                + " AND epoch = $5")
                        .execute(
                            Tuple.of(
                                room.party(),
                                room.room(),
                                lease.node(),
                                lease.incarnation(),
                                epoch)))
            .mapEmpty();
    releasing.put(room, done); // before it stops being owned: a claim sees one or the other
    owned.remove(room, epoch);
    done.onComplete(r -> releasing.remove(room, done));
    return done;
  }

  /** Gives up every room this node still owns (it is stopping, its last commit done). */
  public Future<Void> releaseAll() {
    owned.clear();
    return pool.preparedQuery(
            "UPDATE room_owners SET node = NULL, incarnation = NULL WHERE node = $1 AND incarnation = $2")
        .execute(Tuple.of(lease.node(), lease.incarnation()))
        .mapEmpty();
  }

  /** Forgets every room (the lease was lost: they are, or will be, another node's). */
  public void forgetAll() {
    owned.clear();
  }

  /**
   * The stored alarms due within {@code withinMs} of rooms that no live node owns (their owner died or
   * released them): some node must claim each and run it.
   */
  public Future<Map<RoomKey, Long>> orphanedAlarms(long withinMs) {
    return pool.preparedQuery(
            "SELECT a.party, a.room, a.at FROM alarms a"
                + " LEFT JOIN room_owners o ON o.party = a.party AND o.room = a.room"
                + " LEFT JOIN cluster_nodes n ON n.node = o.node AND n.incarnation = o.incarnation"
                + " WHERE a.at <= $1 AND (n.node IS NULL OR n.lease_until <= clock_timestamp())")
        .execute(Tuple.of(System.currentTimeMillis() + withinMs))
        .map(
            rows -> {
              Map<RoomKey, Long> due = new HashMap<>();
              for (Row row : rows)
                due.put(new RoomKey(row.getString(0), row.getString(1)), row.getLong(2));
              return due;
            });
  }
}
