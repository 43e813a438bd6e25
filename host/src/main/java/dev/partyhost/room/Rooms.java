package dev.partyhost.room;

import dev.partyhost.HostConfig;
import dev.partyhost.calls.Calls;
import dev.partyhost.cluster.Cluster;
import dev.partyhost.cluster.RoomOwners;
import dev.partyhost.metrics.HostMetrics;
import dev.partyhost.party.Parties;
import dev.partyhost.storage.GroupCommit;
import dev.partyhost.storage.RoomKey;
import dev.partyhost.storage.StorageEngine;
import dev.partyhost.storage.StoredRoomSize;
import dev.partyhost.vertx.VertxInternals;
import io.netty.channel.WriteBufferWaterMark;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The live rooms, by (party, room id). The first arrival for an id creates its room, pinned to one
 * event loop: the loop of the request that creates it (so its first connection needs no thread hop;
 * Vert.x spreads connections over the loops), else one chosen round-robin (a room woken by an alarm).
 * Every later arrival reaches the same room until it is dropped.
 */
public final class Rooms {
  private final Vertx vertx;
  private final HostConfig config;

  /** Every socket's outbound bounds (config.maxOutboundBytes), one object for all of them. */
  final WriteBufferWaterMark outboundMark;

  private final Parties parties;
  private final StorageEngine engine;
  private final RoomTaps taps;
  private final GroupCommit commits;

  /** The rooms' way out for room_call and http_call. */
  private final Calls calls;

  private final Alarms alarms;
  private final Spares spares;

  /** This node's lease and rooms, in a cluster; null for a host alone. */
  private final Cluster cluster;

  private final Map<RoomKey, Room> rooms = new ConcurrentHashMap<>();
  private final List<Context> loops;
  private final AtomicInteger nextLoop = new AtomicInteger();
  private final AtomicInteger connections = new AtomicInteger();
  private final RoomStats stats = new RoomStats();
  private final Snapshots snapshots;
  private final HostMetrics metrics;

  /** The host is stopping: no room is created or reached any more. */
  private volatile boolean stopping;

  private final List<Runnable> stopListeners = new CopyOnWriteArrayList<>();

  /** Completed when the last WebSocket has ended, once asked for ({@link #noConnections}). */
  private volatile Promise<Void> noConnections;

  /**
   * A live room as the admin API shows it: its id, open connections, the SHA-256 of its module,
   * whether it hibernates (its sockets open, no instance running), when its last event ended (epoch
   * ms), and the bytes of its data in memory (keys plus values; -1 when not loaded).
   */
  public record LiveRoom(
      String id,
      int connections,
      String sha256,
      boolean hibernated,
      long lastActivity,
      long loadedBytes) {}

  /** One open connection of a room: its id, URI, tags, bytes of state, and when it arrived. */
  public record ConnectionInfo(
      String id, String uri, List<String> tags, int stateBytes, long connectedAt) {}

  /** A live room with its connections. */
  public record RoomDetail(LiveRoom room, List<ConnectionInfo> connections) {}

  /** The host is at its room limit and no room can be dropped to make space, or it is stopping. */
  public static final class Full extends RuntimeException {
    Full(String message) {
      super(message, null, false, false);
    }
  }

  /** The rooms of a host, alone ({@code cluster} null) or one node of a cluster. */
  public Rooms(
      Vertx vertx,
      HostConfig config,
      Parties parties,
      StorageEngine engine,
      Cluster cluster,
      int eventLoops,
      HostMetrics metrics) {
    this(vertx, config, parties, engine, cluster, eventLoopContexts(vertx, eventLoops), metrics);
  }

  /** A host alone, with the event-loop contexts rooms live on given (a benchmark's own loop). */
  public Rooms(
      Vertx vertx, HostConfig config, Parties parties, StorageEngine engine, List<Context> loops) {
    this(vertx, config, parties, engine, null, loops, HostMetrics.create(false));
  }

  private Rooms(
      Vertx vertx,
      HostConfig config,
      Parties parties,
      StorageEngine engine,
      Cluster cluster,
      List<Context> loops,
      HostMetrics metrics) {
    this.vertx = vertx;
    this.metrics = metrics;
    this.config = config;
    this.outboundMark =
        new WriteBufferWaterMark(config.maxOutboundBytes / 2, config.maxOutboundBytes);
    this.parties = parties;
    this.engine = engine;
    this.cluster = cluster;
    this.commits = new GroupCommit(engine);
    if (metrics.on()) {
      commits.observe(metrics::committed);
      metrics.census(this::census);
      metrics.gauge("partyhost.websockets", "WebSockets open on this host", connections::get);
    }
    this.alarms = new Alarms(vertx, this);
    this.spares = new Spares(this, vertx, config.spareInstances);
    this.taps = config.taps != null ? config.taps : new dev.partyhost.replay.Recordings(config);
    this.calls = new Calls(vertx, config, parties, this);
    this.snapshots = new Snapshots(vertx, config.maxSnapshotBytes);
    this.loops = List.copyOf(loops);
    if (cluster != null) {
      cluster
          .lease()
          .onLost(
              () -> {
                // Another node may take these rooms at any moment: their clients reconnect to it.
                cluster.owners().forgetAll();
                for (Room room : rooms.values()) room.closeAll(1012, "room moving to another node");
              });
      // Rooms whose owner died, or that nobody holds, have their alarms run by some node: each
      // node looks for them every lease period, and the claim picks one.
      vertx.setPeriodic(
          config.cluster.leaseMs(),
          t -> {
            if (cluster.lease().valid())
              cluster
                  .owners()
                  .orphanedAlarms(config.cluster.leaseMs())
                  .onSuccess(due -> due.forEach(alarms::adopt));
          });
    }
  }

  /** One context per event loop; Netty assigns new event-loop contexts to loops round-robin. */
  private static List<Context> eventLoopContexts(Vertx vertx, int eventLoops) {
    List<Context> loops = new ArrayList<>();
    for (int i = 0; i < eventLoops; i++) loops.add(VertxInternals.newEventLoopContext(vertx));
    return loops;
  }

  /**
   * The room for (party, id), created on first use, with one arrival counted so that it is not
   * dropped before the caller's connect or request reaches it. Null when the party does not exist.
   * Throws {@link Full} when the host has {@code maxRooms} rooms and none can leave to make space.
   */
  public Room acquire(String party, String id) {
    try {
      Room room = acquireOrNull(party, id);
      if (room == null) unclaim(party, id);
      return room;
    } catch (Full full) {
      unclaim(party, id); // a claim made for it is given up: another node may run it
      throw full;
    }
  }

  private Room acquireOrNull(String party, String id) {
    if (stopping) throw new Full("Host is stopping");
    RoomKey wanted = new RoomKey(party, id);
    if (rooms.size() >= config.maxRooms && !rooms.containsKey(wanted)) {
      try {
        makeSpace();
      } catch (Full full) {
        if (parties.get(party) != null) metrics.party(party).limitHit("maxRooms");
        throw full;
      }
    }
    return rooms.compute(
        wanted,
        (key, room) -> {
          if (room == null) {
            if (parties.get(party) == null)
              return null; // the room starts the party's current version later
            if (cluster != null && !cluster.owners().owns(key))
              throw new Full("Room " + key + " is owned by another node"); // released meanwhile
            room = new Room(this, key, config.limits(party), loopForNewRoom());
          }
          room.arriving.incrementAndGet();
          return room;
        });
  }

  /** The room context of the calling event loop, else the next one round-robin. */
  private Context loopForNewRoom() {
    for (Context loop : loops) {
      if (VertxInternals.eventLoop(loop).inEventLoop()) return loop;
    }
    return loops.get(Math.floorMod(nextLoop.getAndIncrement(), loops.size()));
  }

  /**
   * At the room limit: the least recently used room without connections leaves (asynchronously; the
   * limit is soft by the rooms leaving at that moment). Scans every room, but only at the limit.
   */
  private void makeSpace() {
    Room lru = null;
    for (Room r : rooms.values()) {
      if (r.unused && (lru == null || r.lastEvent < lru.lastEvent)) lru = r;
    }
    if (lru == null) {
      System.getLogger("partyhost.room")
          .log(
              System.Logger.Level.WARNING,
              "room limit reached ("
                  + config.maxRooms
                  + " rooms, all with connections): refusing a new room");
      throw new Full("Host at its limit of " + config.maxRooms + " rooms");
    }
    lru.unused = false; // not chosen twice
    lru.evict();
  }

  /** Whether the host is stopping (it takes no new rooms or clients). */
  public boolean stopping() {
    return stopping;
  }

  /** Runs {@code action} when the host starts to stop, after its rooms closed their sockets. */
  public void onStop(Runnable action) {
    stopListeners.add(action);
  }

  public void removeOnStop(Runnable action) {
    stopListeners.remove(action);
  }

  /** Counts a new WebSocket; false (not counted) when the host already has {@code maxConnections}. */
  public boolean admitConnection() {
    if (connections.incrementAndGet() <= config.maxConnections) return true;
    connections.decrementAndGet();
    return false;
  }

  public void connectionEnded() {
    if (connections.decrementAndGet() == 0 && noConnections != null) noConnections.tryComplete();
  }

  /** Completes once no WebSocket is open on this host. */
  public Future<Void> noConnections() {
    Promise<Void> promise = Promise.promise();
    noConnections = promise;
    if (connections.get() <= 0) promise.tryComplete();
    return promise.future();
  }

  /**
   * Removes a room from the registry; unless forced, only when no arrival is on its way to it. In a
   * cluster the room is released: any node may claim it next.
   */
  boolean remove(Room room, boolean force) {
    boolean[] removed = {false};
    rooms.computeIfPresent(
        room.key,
        (key, current) -> {
          if (current != room || (!force && room.arriving.get() > 0)) return current;
          removed[0] = true;
          // Released once its last commit has finished (the next owner's load must see it); no
          // longer this node's from now, under the map's lock, so no new room of it starts here
          // until then.
          if (cluster != null) {
            var unused = cluster.owners().release(key, commits.idle(key));
          }
          return null;
        });
    return removed[0];
  }

  /** Gives up a room claimed for a client that will not get it here (at a limit, or no party). */
  public void unclaim(String party, String id) {
    RoomKey key = new RoomKey(party, id);
    if (cluster != null && !rooms.containsKey(key)) {
      var unused = cluster.owners().release(key, Future.succeededFuture());
    }
  }

  /**
   * Who runs the room: this node (a host alone runs every room; in a cluster, a room live here is
   * this node's), else its owner in the cluster, after claiming it for this node if nobody holds it
   * (unless {@code here} is false and hash placement puts it on another node). Fails when this node
   * has no lease.
   */
  public Future<RoomOwners.Owner> owner(String party, String id, boolean here) {
    RoomKey key = new RoomKey(party, id);
    if (cluster == null || (rooms.containsKey(key) && cluster.owners().owns(key)))
      return Future.succeededFuture(new RoomOwners.Owner(null, null, 0, true));
    return cluster.owners().claim(key, here);
  }

  /** Whether output may leave this node's rooms now: always alone, while the lease holds in a cluster. */
  boolean leaseHolds() {
    return cluster == null || cluster.lease().valid();
  }

  /** Closes every live room of a party with 1012, so that its clients reconnect to the new version. */
  public int restart(String party) {
    return close(party, 1012, "party restarted");
  }

  /** Closes every live room of a party with {@code code} (each room's sockets, then the room); returns how many. */
  public int close(String party, int code, String reason) {
    spares.drop(party); // of the version that leaves
    int n = 0;
    for (Room room : rooms.values()) {
      if (room.party.equals(party)) {
        room.closeAll(code, reason);
        n++;
      }
    }
    return n;
  }

  /**
   * The host is stopping: every room closes its sockets with 1001 (going away; 1012 in a cluster, and
   * forwarded clients too), and no room is created or reached any more (requests and upgrades get
   * 503). Returns how many sockets were open.
   */
  public int stop() {
    stopping = true;
    spares.drop(null);
    // In a cluster the rooms go on at other nodes: their clients reconnect there (1012).
    for (Room room : rooms.values())
      if (cluster == null) room.closeAllStopping(1001, "host stopping");
      else room.closeAllStopping(1012, "node stopping: room moving to another node");
    stopListeners.forEach(Runnable::run);
    return connections.get();
  }

  /** Completes once every room has run the events it had (see {@link Room#whenIdle}). */
  public Future<Void> whenIdle() {
    List<Future<Void>> each = new ArrayList<>();
    for (Room room : rooms.values()) each.add(room.whenIdle());
    return Future.all(each).mapEmpty();
  }

  /**
   * Hibernates every room that has connections and nothing in progress (a scenario's step);
   * completes with how many did.
   */
  public Future<Integer> hibernateAll() {
    List<Future<Boolean>> each = new ArrayList<>();
    for (Room room : rooms.values()) each.add(room.hibernateNow());
    return Future.all(each)
        .map(all -> (int) all.<Boolean>list().stream().filter(Boolean::booleanValue).count());
  }

  /** The live rooms of a party, each read on its own event loop. */
  public Future<List<LiveRoom>> live(String party) {
    List<Future<LiveRoom>> each = new ArrayList<>();
    for (Room room : rooms.values()) if (room.party.equals(party)) each.add(room.describe());
    return Future.all(each)
        .map(
            all -> {
              List<LiveRoom> live = new ArrayList<>(all.<LiveRoom>list());
              live.sort(Comparator.comparing(LiveRoom::id, StoredRoomSize.ORDER));
              return live;
            });
  }

  /**
   * The first {@code limit} live rooms of a party whose ids come after {@code after} (null: from the
   * start), in {@link StoredRoomSize#ORDER}: only those are read on their loops.
   */
  public Future<List<LiveRoom>> live(String party, String after, int limit) {
    List<Room> matching = new ArrayList<>();
    for (Room room : rooms.values())
      if (room.party.equals(party)
          && (after == null || StoredRoomSize.ORDER.compare(room.id, after) > 0))
        matching.add(room);
    matching.sort(Comparator.comparing(room -> room.id, StoredRoomSize.ORDER));
    List<Future<LiveRoom>> each = new ArrayList<>();
    for (Room room : matching.subList(0, Math.min(limit, matching.size())))
      each.add(room.describe());
    return Future.all(each).map(all -> all.<LiveRoom>list());
  }

  /** The room of (party, id) live on this node, or null. */
  public Future<RoomDetail> detail(String party, String id) {
    Room room = rooms.get(new RoomKey(party, id));
    return room == null ? Future.succeededFuture() : room.detail();
  }

  /**
   * Evicts a live room: its sockets close with {@code code} and the instance is dropped (its data
   * stays). Completes with how many sockets were closed, or null if the room is not live here.
   */
  public Future<Integer> evict(String party, String id, int code, String reason) {
    Room room = rooms.get(new RoomKey(party, id));
    return room == null ? Future.succeededFuture() : room.evict(code, reason);
  }

  /**
   * Evicts a room, live or not, and deletes its stored data and alarm: the room is acquired (loading
   * its data if not live) so that the deletion is one commit in its order. Completes, once durable,
   * with how many sockets were closed. Throws {@link Full} as {@link #acquire} does; null when the
   * party does not exist.
   */
  public Future<Integer> evictDeletingData(String party, String id, int code, String reason) {
    Room room = acquire(party, id);
    return room == null ? null : room.evictDeletingData(code, reason);
  }

  /** Per party: its live rooms (as {@link #live} describes them), read on their loops. */
  public Future<Map<String, List<LiveRoom>>> liveByParty() {
    Map<String, List<Future<LiveRoom>>> each = new java.util.TreeMap<>();
    for (Room room : rooms.values())
      each.computeIfAbsent(room.party, p -> new ArrayList<>()).add(room.describe());
    List<Future<LiveRoom>> all = new ArrayList<>();
    each.values().forEach(all::addAll);
    return Future.all(all)
        .map(
            done -> {
              Map<String, List<LiveRoom>> byParty = new java.util.TreeMap<>();
              each.forEach(
                  (party, rooms) ->
                      byParty.put(party, rooms.stream().map(Future::result).toList()));
              return byParty;
            });
  }

  /** Where rooms' data lives (the admin API lists stored rooms; readiness pings it). */
  /** What rooms tell about their hooks: the host's recordings, or a replay's taps. */
  public RoomTaps taps() {
    return taps;
  }

  public StorageEngine storage() {
    return engine;
  }

  /** Schedules every stored alarm (at start: alarms that fell due while the host was down fire now). */
  public void scheduleStoredAlarms() {
    engine.alarms().await().forEach(alarms::schedule);
  }

  public int size() {
    return rooms.size();
  }

  /**
   * Every party's rooms and WebSockets, counted for the metrics' gauges: each room's state is read
   * off its loop, as it happens to be at that moment.
   */
  public Map<String, HostMetrics.PartyCensus> census() {
    Map<String, int[]> counts = new HashMap<>();
    for (Room room : rooms.values()) {
      int[] c = counts.computeIfAbsent(room.party, p -> new int[3]);
      c[room.hibernating() ? 1 : 0]++;
      c[2] += room.connectionCount();
    }
    Map<String, HostMetrics.PartyCensus> census = new HashMap<>();
    counts.forEach((p, c) -> census.put(p, new HostMetrics.PartyCensus(c[0], c[1], c[2])));
    return census;
  }

  public HostMetrics metrics() {
    return metrics;
  }

  /** WebSockets open on this host. */
  public int connections() {
    return connections.get();
  }

  /** This node's part in its cluster; null for a host alone. */
  public Cluster cluster() {
    return cluster;
  }

  public RoomStats stats() {
    return stats;
  }

  Parties parties() {
    return parties;
  }

  Vertx vertx() {
    return vertx;
  }

  HostConfig config() {
    return config;
  }

  /** Where rooms' calls go. */
  public Calls calls() {
    return calls;
  }

  public GroupCommit commits() {
    return commits;
  }

  Spares spares() {
    return spares;
  }

  /** Spare instances ready now, and rooms started from one so far. */
  public record SpareCount(int ready, long taken) {}

  public SpareCount spareInstances() {
    return new SpareCount(spares.ready(), spares.taken());
  }

  Alarms alarms() {
    return alarms;
  }

  Snapshots snapshots() {
    return snapshots;
  }

  /**
   * Snapshots of hibernating rooms: kept, restored at a wake, not kept for their size, and dropped
   * (another version, or a module whose instances cannot be imaged).
   */
  public record SnapshotCount(long taken, long restored, long tooLarge, long unusable) {}

  public SnapshotCount snapshotCount() {
    return new SnapshotCount(
        snapshots.taken(), snapshots.restoredCount(), snapshots.tooLarge(), snapshots.unusable());
  }
}
