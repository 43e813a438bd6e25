package dev.partyhost.cluster;

import dev.partyhost.storage.RoomKey;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Places a room without an owner on the live node its id hashes highest with (rendezvous hashing):
 * each room has one preferred node, and when a node joins or leaves only the rooms it wins or held
 * move their preference. The live nodes are read from the leases in PostgreSQL every {@link
 * #REFRESH_MS}; they are a hint, as the placement is: the owner is whoever claims the room, and a
 * node that receives a forwarded client claims its room whatever it hashes to, so views of the
 * members that differ for a moment cost a room its ideal node, never a loop or a second owner.
 */
final class HashPlacement {
  private static final Logger LOG = System.getLogger("partyhost.cluster");

  static final long REFRESH_MS = 1_000;

  /** A live node: its name and the host:port of its HTTP server. */
  record Node(String node, String address) {}

  private final Pool pool;
  private final Node self;
  private volatile List<Node> live;
  private final long timer;
  private final Vertx vertx;

  HashPlacement(Vertx vertx, Pool pool, String node, String address) {
    this.vertx = vertx;
    this.pool = pool;
    this.self = new Node(node, address);
    this.live = List.of(self);
    refresh();
    this.timer = vertx.setPeriodic(REFRESH_MS, id -> refresh());
  }

  private void refresh() {
    pool.query(
            "SELECT node, address FROM cluster_nodes WHERE lease_until > clock_timestamp()"
                + " ORDER BY node")
        .execute()
        .onSuccess(
            rows -> {
              List<Node> nodes = new ArrayList<>();
              for (Row row : rows) nodes.add(new Node(row.getString(0), row.getString(1)));
              // This node counts itself live (it places no room without a lease), if not yet read.
              if (nodes.stream().noneMatch(n -> n.node().equals(self.node()))) nodes.add(self);
              live = List.copyOf(nodes);
            })
        .onFailure(e -> LOG.log(Level.DEBUG, "cannot read the live nodes: " + e.getMessage()));
  }

  /** The live node {@code room} prefers: this node's own entry when it is this one. */
  Node nodeFor(RoomKey room) {
    Node best = self;
    long bestScore = Long.MIN_VALUE;
    for (Node n : live) {
      long score = score(n.node(), room);
      if (score > bestScore || (score == bestScore && n.node().compareTo(best.node()) < 0)) {
        best = n;
        bestScore = score;
      }
    }
    return best;
  }

  boolean isSelf(Node node) {
    return node.node().equals(self.node());
  }

  private static final long FNV_PRIME = 0x100000001b3L;

  /** A 64-bit FNV-1a of node, party and room, NUL-separated, finished with SplitMix64's mix. */
  static long score(String node, RoomKey room) {
    long h = fnv(0xcbf29ce484222325L, node) * FNV_PRIME; // then a NUL (x ^ 0 == x)
    h = fnv(h, room.party()) * FNV_PRIME;
    h = fnv(h, room.room());
    h = (h ^ (h >>> 30)) * 0xbf58476d1ce4e5b9L;
    h = (h ^ (h >>> 27)) * 0x94d049bb133111ebL;
    return h ^ (h >>> 31);
  }

  private static long fnv(long h, String s) {
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) h = (h ^ (b & 0xff)) * FNV_PRIME;
    return h;
  }

  void close() {
    vertx.cancelTimer(timer);
  }
}
