package dev.partyhost.room;

import dev.partyhost.PartyLimits;
import dev.partyhost.calls.Answer;
import dev.partyhost.calls.Outgoing;
import dev.partyhost.guest.Guest;
import dev.partyhost.guest.GuestModule;
import dev.partyhost.guest.GuestTime;
import dev.partyhost.guest.GuestTrap;
import dev.partyhost.guest.HookResult;
import dev.partyhost.guest.MemoryBudget;
import dev.partyhost.guest.Watchdog;
import dev.partyhost.metrics.PartyMeters;
import dev.partyhost.storage.Changes;
import dev.partyhost.storage.Fence;
import dev.partyhost.storage.RoomKey;
import dev.partyhost.storage.RoomStore;
import dev.partyhost.storage.StoredRoom;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import java.util.function.Predicate;
import java.util.function.ToIntFunction;
import java.util.function.UnaryOperator;

/**
 * One room: a party's instance for one room id, with its connections and its data. A room is owned by
 * one event-loop context; every method below runs there, so the guest sees one thread and one hook
 * at a time. Connects, requests and alarms come in through {@link #arrive}, each a task on the
 * room's loop; a connection's events (frames read on the socket's loop by {@link Inbound}, its close)
 * through {@link #deliver} into the room's bounded {@link Inbox}. Output leaves through the room's
 * {@link OutputGate}.
 *
 * <p>Life cycle: the room's data is loaded ({@link #ready}) before its instance starts; the instance
 * runs the party's current version at every start (first event, wake from hibernation, reset after a
 * trap); each hook is a storage transaction whose output waits for its commit; after {@code roomIdleMs}
 * without events the room hibernates (instance and data dropped, sockets kept) or, with no connections
 * left, leaves the registry.
 */
public final class Room {
  private static final Logger LOG = System.getLogger("partyhost.room");
  private static final long INBOX_FULL_LOG_MS = 60_000;

  /** What a client hears when the room cannot start for want of memory (a close reason fits 123 bytes). */
  private static final String MEMORY_FULL = "Host memory is full; try again later";

  private enum Hook {
    START,
    CONNECT,
    MESSAGE,
    CLOSE,
    ERROR,
    REQUEST,
    ALARM,
    RESPONSE
  }

  final String party;
  final String id;
  final RoomKey key;

  /** {@code [party/room] }: how the room's log lines begin. */
  final String tag;

  private final Rooms rooms;
  private final Context context;
  final PartyLimits limits;

  /** The party's meters (shared by its rooms). */
  final PartyMeters meters;

  private final GuestLog log;
  private final OutputGate output;
  private final Inbox<Delivery> inbox;

  /** Records (or, in a replay, checks) each hook's inputs and outputs; null when nothing listens. */
  private final RoomTap tap;

  /** The calls this room made that have no answer yet. */
  private final Outgoing calls;

  /** When the full inbox was last logged: at most once a minute. */
  private volatile long inboxFullLogged;

  private final Map<Integer, Connection> connections = new LinkedHashMap<>();
  private int nextHandle = 1;

  /** Broadcasts made in this room: each one's number marks the connections its exclusion list names. */
  private long broadcasts;

  private Guest guest;

  /** Why the next instance starts, for the metrics: new, wake (after hibernation) or reset. */
  private String nextStart = "new";

  // Snapshots (parties with `snapshots` on; see Snapshots): the hibernated instance, for the next
  // start (null: none); the hibernation a snapshot compressed off the loop belongs to (kept only if
  // the room still sleeps in it); asleep, and when the wake's first event arrived.
  private Snapshot snapshot;

  /** The guest memory budget's bytes that {@link #snapshot} holds (0 when it holds none). */
  private long snapshotHeld;

  private Object sleeping;
  private volatile boolean asleep;
  private volatile long wokenAt;

  /** The last start found the host's guest memory budget full: "try again later", not a failure. */
  private boolean memoryFull;

  /** The version the instance runs (kept after it hibernates, until the next start). */
  private volatile GuestModule module;

  /** Connects and requests on their way to this room; it is not dropped while any are. */
  final AtomicInteger arriving = new AtomicInteger();

  private boolean dropped;
  private long idleTimer = -1;

  /** When the last event ended (read by {@link Rooms} to find the least recently used room). */
  volatile long lastEvent = System.currentTimeMillis();

  /** No connections: the room may be dropped to make space (read by {@link Rooms}). */
  volatile boolean unused = true;

  // Durable data: loaded before the instance starts, dropped when the room hibernates.
  private RoomStore store;
  private boolean loading;
  // Sized for the usual one task at a time (the default holds 16: 64 B more in every room).
  private final ArrayDeque<Runnable> waitingForData = new ArrayDeque<>(1);

  /** The alarm timer may disagree with the reloaded data (a failed commit had changed it). */
  private boolean rescheduleAlarmOnLoad;

  // The hook in progress.
  private Hook hook;
  private Connection hookConnection;
  private RoomResponse response;

  /** {@code key}: the one the registry holds it under (one key per room, not two). */
  Room(Rooms rooms, RoomKey key, PartyLimits limits, Context context) {
    this.rooms = rooms;
    this.limits = limits;
    this.party = key.party();
    this.id = key.room();
    this.key = key;
    this.context = context;
    this.meters = rooms.metrics().party(party);
    this.log =
        new GuestLog(
            party,
            id,
            rooms.config().maxLogBytesPerHook,
            () -> meters.limitHit("maxLogBytesPerHook"));
    this.tag = log.tag();
    this.output =
        new OutputGate(
            context,
            rooms.commits(),
            rooms.config().maxHookOutputBytes,
            rooms::leaseHolds,
            this::commitFailed);
    this.inbox =
        new Inbox<>(rooms.config().maxInboxBytes, () -> context.runOnContext(v -> runInbox()));
    this.tap = rooms.taps().open(key, limits);
    output.tap(tap);
    this.calls = new Outgoing(rooms.vertx(), context, this::answered);
  }

  public String party() {
    return party;
  }

  public String id() {
    return id;
  }

  /** The SHA-256 of the version the room's instance runs, or ran last; null before its first start. */
  public String moduleSha256() {
    GuestModule m = module;
    return m == null ? null : m.sha256();
  }

  /** No instance runs (hibernated, or not started yet); read off the room's loop by the metrics. */
  boolean hibernating() {
    return guest == null;
  }

  /** Its connections; read off the room's loop by the metrics. */
  int connectionCount() {
    return connections.size();
  }

  /**
   * Completes on the room's loop once it has run every event it had, its data loaded (a scenario
   * waits for this before it moves time on).
   */
  Future<Void> whenIdle() {
    Promise<Void> idle = Promise.promise();
    context.runOnContext(v -> completeWhenIdle(idle));
    return idle.future();
  }

  private void completeWhenIdle(Promise<Void> idle) {
    if (loading
        || !waitingForData.isEmpty()
        || !inbox.isEmpty()
        || arriving.get() > 0
        || calls.inFlight() > 0) // an answer to come is an event to come
    rooms.vertx().setTimer(1, t -> context.runOnContext(v -> completeWhenIdle(idle)));
    else idle.complete();
  }

  /** What the admin API shows of the room, read on its own loop. */
  Future<Rooms.LiveRoom> describe() {
    Promise<Rooms.LiveRoom> read = Promise.promise();
    context.runOnContext(v -> read.complete(summary()));
    return read.future();
  }

  private Rooms.LiveRoom summary() {
    return new Rooms.LiveRoom(
        id,
        openConnections().size(),
        moduleSha256(),
        guest == null,
        lastEvent,
        store == null ? -1 : store.used());
  }

  /** The room with its open connections, read on its own loop. */
  Future<Rooms.RoomDetail> detail() {
    Promise<Rooms.RoomDetail> read = Promise.promise();
    context.runOnContext(
        v -> {
          List<Rooms.ConnectionInfo> list = new ArrayList<>();
          for (Connection c : openConnections())
            list.add(new Rooms.ConnectionInfo(c.id, c.uri, c.tags, c.state.length, c.connectedAt));
          read.complete(new Rooms.RoomDetail(summary(), list));
        });
    return read.future();
  }

  /**
   * The admin API evicts the room: its sockets close with {@code code} and it leaves the registry, so
   * that the next request starts a fresh instance. Completes with how many sockets it closed.
   */
  Future<Integer> evict(int code, String reason) {
    Promise<Integer> done = Promise.promise();
    context.runOnContext(v -> done.complete(closeAllNow(code, reason)));
    return done.future();
  }

  /**
   * Evicts the room (acquired from {@link Rooms#acquire}) and deletes its stored data and alarm, in
   * one commit of its own; the next room of this id loads only after that commit (GroupCommit#load).
   * Completes once storage reads back no data for it, with how many sockets it closed.
   */
  Future<Integer> evictDeletingData(int code, String reason) {
    Promise<Integer> done = Promise.promise();
    // The room that runs it may be a successor of this one, if this one was dropped meanwhile.
    arrive(null, r -> r.deleteDataAndEvict(code, reason, done));
    return done.future();
  }

  private void deleteDataAndEvict(int code, String reason, Promise<Integer> done) {
    arrived();
    if (store == null) {
      done.fail("the room's data could not be loaded");
      return;
    }
    forgetSnapshot(); // one still being compressed is not stored after the deletion
    store.deleteAll();
    store.hostSetsAlarm(null);
    commit();
    int closed = closeAllNow(code, reason);
    // A load waits for the room's commits, this one last: then storage is read back.
    rooms
        .commits()
        .load(key)
        .onComplete(
            stored -> {
              if (stored.failed()) done.fail(stored.cause());
              else if (!stored.result().entries().isEmpty()
                  || stored.result().alarm() != null
                  || stored.result().snapshot() != null)
                done.fail("the room's data is still stored: its deletion was not committed");
              else done.complete(closed);
            });
  }

  /**
   * Runs an arrival (a connect or a request, counted in {@link #arriving}) on the room's context. A
   * room dropped meanwhile (by a restart) hands it to its successor, and with it the connection.
   */
  private void arrive(Connection c, Handler<Room> task) {
    noteArrival();
    context.runOnContext(
        v -> {
          if (dropped) handOn(c, task);
          else
            ready(
                () -> {
                  if (dropped) handOn(c, task);
                  else task.handle(this);
                });
        });
  }

  private void handOn(Connection c, Handler<Room> task) {
    arrived();
    Room next;
    try {
      next = rooms.acquire(party, id);
    } catch (Rooms.Full full) {
      next = null;
    }
    if (next == null) {
      task.handle(this); // no successor (the host is at its room limit): this dropped room answers
      return;
    }
    if (c != null) c.room = next;
    next.arrive(c, task);
  }

  /** An event of a connection, queued in the room's {@link Inbox}. */
  private record Delivery(Connection c, Handler<Room> task) {}

  /**
   * Queues an event of connection {@code c} (from any thread) for the room that holds it, in the
   * order the socket produced them; a message from {@code sender} may pause it (see {@link Inbox}).
   */
  private void deliver(Connection c, Handler<Room> task, int bytes, Inbox.Sender sender) {
    noteArrival();
    if (!inbox.add(new Delivery(c, task), bytes, sender)) return;
    meters.limitHit("maxInboxBytes");
    long now = System.currentTimeMillis();
    if (now - inboxFullLogged < INBOX_FULL_LOG_MS) return; // a flood pauses its senders often
    inboxFullLogged = now;
    LOG.log(
        Level.INFO,
        tag
            + "inbox full ("
            + inbox.bytes()
            + " bytes queued): its senders are not read until it has room");
  }

  private void deliver(Connection c, Handler<Room> task) {
    deliver(c, task, 0, null);
  }

  /**
   * A slice of the inbox, on the room's context. A dropped room loads nothing for its events: each
   * follows its connection to its room, if it was handed on.
   */
  private void runInbox() {
    if (dropped) inbox.runSlice(this::inDroppedRoom);
    else
      ready(
          () ->
              inbox.runSlice(
                  d -> {
                    if (!dropped) d.task().handle(this);
                    else inDroppedRoom(d);
                  }));
  }

  private void inDroppedRoom(Delivery d) {
    if (d.c().room != this) d.c().room.deliver(d.c(), d.task()); // its connect was handed on
  }

  /**
   * A whole message from a connection's socket (checked by {@link Inbound}), from the socket's loop;
   * the socket is paused while its room's inbox is full.
   */
  void received(Connection c, byte[] data, int kind, Inbox.Sender from) {
    deliver(c, r -> r.message(c, data, kind), data.length, from);
  }

  /** A message from a connection that is never paused: the benchmark's way in, past the socket. */
  public void received(Connection c, byte[] data, int kind) {
    received(c, data, kind, null);
  }

  // --- events (called from any thread) ---

  /**
   * A WebSocket joins the room (acquired from {@link Rooms#acquire}) before its handshake completes:
   * the room runs its connect hook, then calls {@code upgrade} (on the room's context), which
   * completes the handshake and hands the socket to {@link #attach}, or reports {@link #upgradeFailed}.
   */
  public void connect(
      String connectionId, String uri, byte[] request, Handler<Connection> upgrade) {
    Connection c = new Connection(connectionId, uri, this);
    arrive(c, r -> r.connect(c, request, upgrade));
  }

  /**
   * The handshake of a connection completed: call on the socket's context right away, so that no frame
   * arrives before the handlers are set. What the room sent it meanwhile goes out first.
   */
  public static void attach(Connection c, ServerWebSocket socket) {
    Room room = c.room; // final by now: a connection moves to another room only before it joins one
    c.socket(socket);
    c.limitOutbound(room.rooms.outboundMark);
    socket.frameHandler(
        new Inbound(
            c, socket, room.tag, room.limits.maxMessageBytes(), room.limits.messagesPerSecond()));
    socket.exceptionHandler(
        error -> c.room.deliver(c, r -> r.error(c, String.valueOf(error.getMessage()))));
    if (LOG.isLoggable(Level.DEBUG))
      LOG.log(Level.DEBUG, room.tag + "WebSocket " + c.id + " opened");
    socket.closeHandler(
        v -> {
          if (LOG.isLoggable(Level.DEBUG))
            LOG.log(
                Level.DEBUG,
                room.tag
                    + "WebSocket "
                    + c.id
                    + " closed, code "
                    + (socket.closeStatusCode() == null ? 1006 : socket.closeStatusCode()));
          room.rooms.connectionEnded();
          c.room.deliver(c, r -> r.closed(c, socket.closeStatusCode(), socket.closeReason()));
        });
    room.context.runOnContext(
        v -> c.attached(room.output.outbound())); // queued before any frame of this socket can be
  }

  /** The handshake of a connection failed (the client went away): it leaves as if closed abruptly. */
  public static void upgradeFailed(Connection c) {
    c.room.rooms.connectionEnded();
    c.room.deliver(c, r -> r.closed(c, (short) 1006, null));
  }

  /**
   * Delivers an HTTP request to the room's request hook (the room acquired from {@link Rooms#acquire});
   * the future completes on the caller's context.
   */
  public Future<RoomResponse> request(byte[] request) {
    return request(request, false);
  }

  /**
   * As {@link #request}, for a room call: the future fails ({@link CallFailed}) when the room trapped,
   * was reset or did not start, where a client would get a 500 or 503 from the host.
   */
  public Future<RoomResponse> call(byte[] request) {
    return request(request, true);
  }

  /** The room failed a call: it trapped, was reset or did not start. */
  public static final class CallFailed extends RuntimeException {
    CallFailed(String message) {
      super(message, null, false, false);
    }
  }

  private Future<RoomResponse> request(byte[] request, boolean failuresApart) {
    Context caller = Vertx.currentContext();
    Promise<RoomResponse> promise = Promise.promise();
    // tryComplete: a reply may be both discarded (503) and failed (500); the first one wins.
    Handler<RoomResponse> reply =
        caller == null
            ? promise::tryComplete
            : r -> caller.runOnContext(v -> promise.tryComplete(r));
    Handler<RoomResponse> failed =
        !failuresApart
            ? reply
            : r -> {
              CallFailed why = new CallFailed(new String(r.body(), StandardCharsets.UTF_8));
              if (caller == null) promise.tryFail(why);
              else caller.runOnContext(v -> promise.tryFail(why));
            };
    arrive(null, r -> r.handleRequest(request, reply, failed));
    return promise.future();
  }

  /** Runs the alarm hook (the room acquired from {@link Rooms#acquire} by the host's alarm clock). */
  void alarm() {
    arrive(null, Room::runAlarm);
  }

  /**
   * Closes every connection with {@code code} (1012: the party restarted; 1001: it was deleted, or the
   * host is stopping) and drops the room, so that the next request gets a fresh one.
   */
  void closeAll(int code, String reason) {
    context.runOnContext(v -> closeAllNow(code, reason));
  }

  /**
   * The host stops: as {@link #closeAll}, but a room with snapshots on that has connections and
   * nothing in progress stores a snapshot first (compressed on its loop, submitted before the host
   * drains its commits), so that it comes back as it was after the restart.
   */
  void closeAllStopping(int code, String reason) {
    context.runOnContext(
        v -> {
          boolean quiet = !dropped && !connections.isEmpty() && !busy();
          if (quiet && snapshots() && guest != null && store != null) keepSnapshot(true);
          closeAllNow(code, reason);
        });
  }

  /** On the room's context: {@link #closeAll}; returns how many sockets it closed. */
  private int closeAllNow(int code, String reason) {
    int n = connections.size();
    for (Connection c : new ArrayList<>(connections.values()))
      c.close(output.outbound(), code, reason);
    connections.clear();
    drop(true);
    return n;
  }

  // --- event handlers (on the room's context) ---

  private void arrived() {
    arriving.decrementAndGet();
  }

  private void connect(Connection c, byte[] request, Handler<Connection> upgrade) {
    arrived();
    if (connections.size() >= limits.maxConnectionsPerRoom()) {
      LOG.log(
          Level.INFO,
          tag + "room full (" + connections.size() + " connections), closing with 1013");
      meters.limitHit("maxConnectionsPerRoom");
      c.close(output.outbound(), 1013, "Room is full");
    } else if (dropped || !ensureGuest()) {
      if (!dropped && memoryFull) c.close(output.outbound(), 1013, MEMORY_FULL);
      else c.close(output.outbound(), 1011, "room failed to start");
    } else {
      c.handle = nextHandle++;
      connections.put(c.handle, c);
      HookResult result = runHook(Hook.CONNECT, c, g -> g.onConnect(c.handle, request), null);
      if (!result.trapped() && result.code() != 0 && connections.get(c.handle) == c && !c.closing) {
        output.close(c, 1011, "connection rejected");
        output.release(); // after the hook's own frames
      }
    }
    upgrade.handle(c);
    touch();
  }

  private void message(Connection c, byte[] data, int kind) {
    if (!isMember(c) || c.closing || !ensureGuest())
      return; // a closing connection is heard no more
    meters.received(data.length);
    runHook(Hook.MESSAGE, c, g -> g.onMessage(c.handle, data, kind), null);
    touch();
  }

  private void error(Connection c, String message) {
    if (!isMember(c) || !ensureGuest()) return;
    runHook(
        Hook.ERROR, c, g -> g.onError(c.handle, message.getBytes(StandardCharsets.UTF_8)), null);
    touch();
  }

  private void closed(Connection c, Short code, String reason) {
    if (!isMember(c)) return;
    c.closing = true;
    if (ensureGuest()) {
      byte[] why = reason == null ? new byte[0] : reason.getBytes(StandardCharsets.UTF_8);
      runHook(Hook.CLOSE, c, g -> g.onClose(c.handle, code == null ? 1006 : code, why), null);
    }
    connections.remove(c.handle, c);
    touch();
  }

  /** {@code failed} hears of a trap, a reset and a failed start; {@code reply} of the rest. */
  private void handleRequest(
      byte[] request, Handler<RoomResponse> reply, Handler<RoomResponse> failed) {
    arrived();
    if (dropped) {
      reply.handle(RoomResponse.plain(503, "Room unavailable; retry later"));
    } else if (!ensureGuest()) {
      if (memoryFull) reply.handle(RoomResponse.plain(503, MEMORY_FULL));
      else failed.handle(RoomResponse.plain(500, "Room failed to start"));
    } else if (!guest.hasOnRequest()) {
      reply.handle(RoomResponse.plain(404, "No onRequest handler"));
    } else {
      response = null;
      // The response is the hook's last output: it passes the output gate with its frames.
      HookResult result =
          runHook(
              Hook.REQUEST,
              null,
              g -> g.onRequest(request),
              rc -> {
                RoomResponse r =
                    response != null ? response : RoomResponse.plain(500, "Room did not respond");
                output.add(OutputGate.reply(reply, failed, r));
              });
      response = null;
      if (result.trapped())
        failed.handle(RoomResponse.plain(500, "Room failed while handling the request"));
    }
    touch();
  }

  private void runAlarm() {
    arrived();
    if (store == null) {
      rooms.alarms().failed(key); // the data could not be loaded: try again later
    } else if (store.alarm() != null && ensureGuest()) {
      Long due = store.alarm(); // read after on_start, which may have changed it
      if (due != null && due > time().nowMs()) {
        rooms.alarms().schedule(key, due); // moved later meanwhile
      } else if (due != null) {
        // Cleared in the hook's transaction, so that the hook may set the next one.
        store.hostSetsAlarm(null);
        meters.alarmFired();
        boolean[] setItsOwn = {false};
        HookResult result =
            runHook(
                Hook.ALARM,
                null,
                Guest::onAlarm,
                rc -> {
                  setItsOwn[0] = store.guestSetAlarm();
                  // Failed without setting one: keep this one for the retry.
                  if (rc != 0 && !setItsOwn[0]) store.hostSetsAlarm(due);
                });
        // A failed run that set an alarm of its own counts as done: its alarm stands.
        if (result.trapped() || (result.code() != 0 && !setItsOwn[0])) alarmFailed(due);
        else rooms.alarms().succeeded(key);
      }
    } else if (store.alarm() != null) {
      alarmFailed(store.alarm()); // the instance did not start
    } // else: deleted meanwhile
    touch();
  }

  private void alarmFailed(long due) {
    if (!rooms.alarms().failed(key)
        && store != null
        && store.alarm() != null
        && store.alarm() == due) {
      store.hostSetsAlarm(null); // retries used up
      commit();
    }
  }

  /**
   * The answer to call {@code id}, on the room's loop (from {@link Outgoing}): {@code on_response}
   * runs as one transaction, the room woken for it if it hibernates. Dropped when the instance that
   * made the call is gone ({@code generation}), or the module has no {@code on_response}.
   */
  private void answered(int id, Answer answer, int generation) {
    if (dropped) return;
    ready(
        () -> {
          if (dropped || calls.generation() != generation) return;
          // Starting the instance runs on_start, whose trap forgets the calls.
          if (ensureGuest() && calls.generation() == generation && guest.hasOnResponse())
            runHook(
                Hook.RESPONSE, null, g -> g.onResponse(id, answer.record(), answer.status()), null);
          touch();
        });
  }

  // --- data ---

  /** Runs a task once the room's data is in memory, loading it first if needed; tasks keep their order. */
  private void ready(Runnable task) {
    if (store != null && waitingForData.isEmpty()) {
      task.run();
      return;
    }
    waitingForData.add(task);
    if (loading) return;
    loading = true;
    long start = System.nanoTime();
    Future<StoredRoom> load = rooms.commits().load(key);
    if (load.isComplete()) { // known to have no data: no hop
      loadTook(System.nanoTime() - start);
      loaded(load);
      return;
    }
    load.onComplete(
        loaded ->
            context.runOnContext(
                v -> {
                  loadTook(System.nanoTime() - start);
                  loaded(loaded);
                }));
  }

  private void loadTook(long nanos) {
    rooms.stats().loaded(nanos);
    meters.loaded(nanos);
  }

  private void loaded(AsyncResult<StoredRoom> loaded) {
    loading = false;
    if (loaded.succeeded()) {
      store = new RoomStore(key, loaded.result(), limits.storageQuotaBytes());
      if (rescheduleAlarmOnLoad) {
        rescheduleAlarmOnLoad = false;
        rooms.alarms().schedule(key, store.alarm());
      } else if (rooms.cluster() != null) {
        rooms.alarms().adopt(key, store.alarm()); // the room may come from another node
      }
      // Stored with this very data (a later commit would have deleted it): restorable, but not
      // after a failure, whose next start is a fresh one.
      if (snapshot == null && snapshots() && !nextStart.equals("reset"))
        snapshot =
            loaded.result().snapshot() == null
                ? null
                : rooms.snapshots().stored(this, loaded.result().snapshot());
    } else {
      LOG.log(Level.ERROR, tag + "cannot load the room's data: " + loaded.cause());
    }
    // Without data, each task fails on its own (ensureGuest refuses to start an instance).
    while (!waitingForData.isEmpty()) waitingForData.poll().run();
  }

  /** Submits the changes of the hook that just returned, if any, for a durable commit; returns them. */
  private Changes commit() {
    Changes changes = output.commit(store);
    if (changes != null && changes.alarmChanged()) rooms.alarms().schedule(key, changes.alarm());
    return changes;
  }

  /**
   * A commit failed: what the room holds in memory is not durable. Drop the data, the instance, the
   * gated output and the connections; the next event reloads what is durable.
   */
  private void commitFailed(Throwable cause) {
    // In a cluster the room may be another node's now: its clients reconnect to reach it there,
    // and it leaves this node's registry (a later request claims it again, or finds its owner).
    boolean moving = cause instanceof OutputGate.LeaseLapsed || cause instanceof Fence.Refused;
    if (cause instanceof Fence.Refused) rooms.stats().commitRefused();
    if (cause instanceof OutputGate.LeaseLapsed) rooms.stats().outputLapsed();
    if (moving) LOG.log(Level.WARNING, tag + "room no longer this node's, reset: " + cause);
    else LOG.log(Level.ERROR, tag + "commit failed, room reset: " + cause);
    output.discardGated();
    calls.forgetAll();
    store = null;
    dropGuest();
    forgetSnapshot();
    nextStart = "reset";
    rescheduleAlarmOnLoad = true;
    for (Connection c : new ArrayList<>(connections.values())) {
      if (moving) c.close(output.outbound(), 1012, "room moving to another node");
      else c.close(output.outbound(), 1011, "room storage failed");
    }
    connections.clear();
    if (moving) drop(true);
    else touch();
  }

  // --- guest lifecycle ---

  /** Creates the instance, of the party's current version, if the room has none; false if it failed to start. */
  private boolean ensureGuest() {
    if (guest != null) return true;
    memoryFull = false;
    if (store == null) return false;
    GuestModule current = rooms.parties().get(party);
    if (current == null) return false; // the party was removed
    long start = System.nanoTime();
    sleeping = null; // a snapshot still being compressed is not kept
    Snapshot image = snapshot;
    releaseSnapshot();
    Restore restored =
        image == null || !snapshots() ? Restore.UNUSABLE : restore(image, current, start);
    if (restored == Restore.TRAPPED) return false; // reset
    if (restored == Restore.DONE) {
      // The instance moves on from the snapshot: after a crash the room starts anew (on_start),
      // never from a memory older than what it held.
      var unused =
          rooms
              .commits()
              .submit(store.forgetSnapshot())
              .onFailure(e -> LOG.log(Level.WARNING, tag + "stored snapshot not deleted: " + e));
      woke();
      return true;
    }
    try {
      guest = instantiate(current);
    } catch (MemoryBudget.Exhausted e) {
      // Logged by the budget, once in a while. Members of a hibernated room would wait for answers
      // that cannot come: they are told to come back later.
      memoryFull = true;
      meters.limitHit("maxGuestMemoryBytes");
      for (Connection c : new ArrayList<>(connections.values())) output.close(c, 1013, MEMORY_FULL);
      connections.clear();
      output.release();
      return false;
    } catch (GuestTrap e) {
      LOG.log(Level.WARNING, tag + "instantiation failed: " + e.getMessage());
      return false;
    }
    module = current;
    String cause = nextStart; // before on_start, whose trap would say "reset"
    boolean started = !runHook(Hook.START, null, Guest::start, null).trapped();
    long took = System.nanoTime() - start;
    rooms.stats().instantiated(took);
    meters.started(cause, took);
    if (started) {
      nextStart = "wake"; // a later start is after hibernation, unless reset says else
      woke();
    }
    return started;
  }

  /**
   * Starts the instance from the room's snapshot instead of {@code on_start}; false if the snapshot
   * cannot be used (another version, memory short) and the room starts anew. Restored in another
   * process (after a restart), the room has lost the connections it had: the guest hears them close.
   */
  private Restore restore(Snapshot s, GuestModule current, long start) {
    if (!rooms.snapshots().usable(this, s, current)) return Restore.UNUSABLE;
    Guest fresh;
    try {
      fresh = instantiate(current);
    } catch (MemoryBudget.Exhausted | GuestTrap e) {
      return Restore.UNUSABLE; // the usual start says why, if it fails too
    }
    boolean restored;
    try {
      restored = s.image().restoreInto(fresh, current);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, tag + "snapshot not restored: " + e);
      restored = false;
    }
    if (!restored) {
      fresh.close();
      rooms.snapshots().notRestored(this);
      return Restore.UNUSABLE;
    }
    guest = fresh;
    module = current;
    nextHandle = Math.max(nextHandle, s.nextHandle());
    long took = System.nanoTime() - start;
    rooms.snapshots().restored();
    meters.started("restore", took);
    nextStart = "wake";
    for (int handle : s.handles()) {
      if (connections.containsKey(handle)) continue;
      runHook(Hook.CLOSE, null, g -> g.onClose(handle, 1012, RESTARTED), null);
      if (guest == null) return Restore.TRAPPED;
    }
    return Restore.DONE;
  }

  private enum Restore {
    DONE,
    UNUSABLE,
    TRAPPED
  }

  private static final byte[] RESTARTED = "host restarted".getBytes(StandardCharsets.UTF_8);

  /** An event for a hibernated room: the wake's time runs from the first one's arrival (any thread). */
  private void noteArrival() {
    if (asleep && wokenAt == 0) wokenAt = System.nanoTime();
  }

  /** The room is awake, its event's hook about to start. */
  private void woke() {
    long arrived = wokenAt;
    if (asleep && arrived != 0) rooms.stats().woke(System.nanoTime() - arrived);
    asleep = false;
    wokenAt = 0;
  }

  /**
   * Whether the room keeps snapshots: its party says so, and it is not recorded (a recording starts
   * with an instance's on_start, which a restored instance skips).
   */
  private boolean snapshots() {
    return limits.snapshots() && tap == null;
  }

  /** After a trap or a failed commit the next start is a fresh one. */
  private void forgetSnapshot() {
    releaseSnapshot();
    sleeping = null;
  }

  /**
   * Keeps {@code taken} in memory for the wake if the guest memory budget holds it (as the instance's
   * memory was: its non-zero bytes), else only in storage, where the wake reads it (with the data).
   */
  private boolean holdSnapshot(Snapshot taken) {
    releaseSnapshot();
    long bytes = taken.image().bytes();
    if (!rooms.parties().memoryBudget().tryHold(bytes)) return false;
    snapshot = taken;
    snapshotHeld = bytes;
    return true;
  }

  private void releaseSnapshot() {
    snapshot = null;
    rooms.parties().memoryBudget().unhold(snapshotHeld);
    snapshotHeld = 0;
  }

  /**
   * Captures the instance (snapshots on) as it hibernates, to keep and to store with the data. The
   * data stays in memory meanwhile (no other writer can change it: the room is the only one, a cluster
   * node's while it is its own), and after, if it fits in {@code maxSnapshotBytes} with the
   * snapshot: then the wake needs no load.
   */
  private void keepSnapshot(boolean now) {
    Object sleep = new Object();
    sleeping = sleep;
    RoomStore data = store;
    int[] handles = connections.keySet().stream().mapToInt(Integer::intValue).toArray();
    rooms
        .snapshots()
        .take(
            this,
            guest,
            module,
            nextHandle,
            handles,
            context,
            now,
            (taken, encoded) -> {
              if (sleeping != sleep) return; // woke meanwhile: the data may have changed
              sleeping = null;
              if (taken == null
                  || !holdSnapshot(taken)
                  || taken.image().bytes() + data.used() > rooms.snapshots().maxBytes())
                store = null; // loaded at the wake (with the stored snapshot), as without snapshots
              if (taken == null) return;
              // In the room's commit order: a later commit of the data deletes it.
              var unused =
                  rooms
                      .commits()
                      .submit(data.snapshot(encoded))
                      .onFailure(e -> LOG.log(Level.WARNING, tag + "snapshot not stored: " + e));
            });
  }

  /** An instance of {@code module} for this room: a spare, if one is ready, else a new one. */
  private Guest instantiate(GuestModule module) {
    Spares.Spare spare = rooms.spares().take(party, module, context);
    if (spare != null) return spare.bind(this, log, log.stderr());
    try {
      return newInstance(module);
    } catch (MemoryBudget.Exhausted e) {
      if (rooms.spares().drop(null) == 0) throw e;
      return newInstance(module); // the spares held the memory this room needs
    }
  }

  private Guest newInstance(GuestModule module) {
    return Guest.instantiate(
        module,
        tag,
        RoomCalls.TABLE.functions(new RoomCalls(this)),
        log,
        log.stderr(),
        time(),
        tap == null ? UnaryOperator.identity() : tap::imports);
  }

  /** Drops the instance, its memory going back to the host's budget now, not when it is collected. */
  private void dropGuest() {
    if (guest != null && tap != null) tap.ended();
    if (guest != null) guest.close();
    guest = null;
  }

  /**
   * Runs one hook as one transaction and releases what it produced through the output gate.
   * {@code onReturn}, if given, runs after the guest returned, inside the transaction. A trap
   * discards the hook's writes and output and resets the room.
   */
  private HookResult runHook(
      Hook kind, Connection c, ToIntFunction<Guest> call, IntConsumer onReturn) {
    hook = kind;
    hookConnection = c;
    output.hookStarted();
    log.hookStarted();
    long started = meters.hookStarting();
    long cpuStarted = meters.cpuStarting();
    if (tap != null) tapHookStarting(kind, c);
    HookResult result = guest.run(limits.hookDeadlineMs(), call);
    meters.hookEnded(kind, started, cpuStarted);
    hook = null;
    hookConnection = null;
    if (result.trapped()) {
      if (tap != null) tap.hookEnded(result, null, null);
      reset(kind, result.trap());
      return result;
    }
    if (result.code() != 0) LOG.log(Level.INFO, tag + kind + " hook returned " + result.code());
    if (onReturn != null) onReturn.accept(result.code());
    Changes changes = commit();
    if (tap != null) tap.hookEnded(result, changes, kind == Hook.REQUEST ? response : null);
    output.release();
    return result;
  }

  /** Tells the tap a hook begins; on_start first tells it what the new instance starts from. */
  private void tapHookStarting(Hook kind, Connection c) {
    if (kind == Hook.START) {
      List<RoomTap.Member> members = new ArrayList<>();
      for (Connection m : connections.values()) members.add(member(m));
      byte[] none = new byte[0];
      tap.started(module.sha256(), store.list(none, none, none, 0, false), store.alarm(), members);
      guest.listen(tap);
    }
    tap.hookStarting(time().nowMs(), c == null ? null : member(c));
  }

  private static RoomTap.Member member(Connection c) {
    return new RoomTap.Member(c.handle, c.id, c.uri, c.state, c.tags, c.closing);
  }

  /**
   * A trap: undo the hook's writes, discard its output and the instance, and close every connection
   * with 1011 (after the output of earlier hooks); the next event starts afresh.
   */
  private void reset(Hook kind, String why) {
    LOG.log(Level.WARNING, tag + "guest trapped in " + kind + " hook, room reset: " + why);
    meters.trapped(why.startsWith(Watchdog.DeadlineExceeded.PREFIX));
    nextStart = "reset";
    forgetSnapshot();
    if (store != null) store.rollback();
    output.discardOutbox();
    calls.forgetAll();
    dropGuest();
    for (Connection c : new ArrayList<>(connections.values())) output.close(c, 1011, "room error");
    connections.clear();
    output.release();
  }

  /**
   * After each event: once idle for a while, the room hibernates, or leaves when it has no
   * connections. One timer per room, re-armed only when it fires, so an event costs a field write.
   */
  private void touch() {
    lastEvent = System.currentTimeMillis();
    unused = connections.isEmpty();
    if (idleTimer < 0 && !dropped)
      idleTimer = rooms.vertx().setTimer(rooms.config().roomIdleMs, t -> idleTimerFired());
  }

  private void idleTimerFired() {
    idleTimer = -1;
    long quietFor = System.currentTimeMillis() - lastEvent;
    if (quietFor < rooms.config().roomIdleMs) {
      idleTimer =
          rooms.vertx().setTimer(rooms.config().roomIdleMs - quietFor, t -> idleTimerFired());
    } else {
      idle();
    }
  }

  /** Loading its data, waiting for a commit, with events to run or calls in flight. */
  private boolean busy() {
    return loading
        || !waitingForData.isEmpty()
        || !output.settled()
        || !inbox.isEmpty()
        || calls.inFlight() > 0;
  }

  private void idle() {
    if (busy()) {
      touch(); // busy with storage or events: look again later
    } else if (connections.isEmpty()) {
      drop(false);
    } else if (holdsMore()) {
      hibernate();
    }
  }

  /** An instance, or data not kept beside a snapshot: hibernating would free something. */
  private boolean holdsMore() {
    return guest != null || (store != null && !asleep);
  }

  /**
   * Sockets, their state and tags stay; the next event loads the data and starts anew, or (snapshots
   * on) restores the snapshot taken here.
   */
  private void hibernate() {
    boolean snapshotting = guest != null && store != null && snapshots();
    if (snapshotting) keepSnapshot(false);
    dropGuest();
    if (!snapshotting) store = null; // else kept, or dropped, by keepSnapshot
    wokenAt = 0; // a late write from an arrival of the last sleep
    asleep = true;
    LOG.log(Level.DEBUG, tag + "hibernating with " + connections.size() + " connections");
  }

  /**
   * Hibernates now, as an idle room would, if it has connections and nothing in progress (a
   * scenario's {@code hibernate}); completes with whether it did.
   */
  Future<Boolean> hibernateNow() {
    Promise<Boolean> done = Promise.promise();
    context.runOnContext(
        v -> {
          boolean quiet = !dropped && !connections.isEmpty() && !busy() && holdsMore();
          if (quiet) hibernate();
          done.complete(quiet);
        });
    return done.future();
  }

  /** The host needs space: a room without connections that is still so leaves now. */
  void evict() {
    context.runOnContext(
        v -> {
          if (connections.isEmpty() && !loading && output.settled() && calls.inFlight() == 0) {
            drop(false);
            if (dropped)
              LOG.log(
                  Level.INFO,
                  tag + "dropped to make space (room limit " + rooms.config().maxRooms + ")");
          }
        });
  }

  /** Leaves the registry; unless forced, only when nothing is on its way in. */
  private void drop(boolean force) {
    if (dropped || !rooms.remove(this, force)) return;
    dropped = true;
    forgetSnapshot(); // one still being compressed is not stored after the room left
    calls.forgetAll();
    dropGuest();
    store = null;
    if (idleTimer >= 0) rooms.vertx().cancelTimer(idleTimer);
  }

  // --- what host calls see (on the room's context, inside a hook) ---

  Connection connection(int handle) {
    return connections.get(handle);
  }

  List<Connection> openConnections() {
    return openConnections(c -> true);
  }

  /** The open connections that pass {@code filter}, in one pass (a broadcast's recipients). */
  List<Connection> openConnections(Predicate<Connection> filter) {
    List<Connection> open = new ArrayList<>(connections.size());
    for (Connection c : connections.values()) if (!c.closing && filter.test(c)) open.add(c);
    return open;
  }

  /** The number of a new broadcast, to mark the connections it excludes. */
  long nextBroadcast() {
    return ++broadcasts;
  }

  boolean isConnecting(Connection c) {
    return hook == Hook.CONNECT && hookConnection == c;
  }

  boolean isRequesting() {
    return hook == Hook.REQUEST;
  }

  void setResponse(RoomResponse r) {
    response = r;
  }

  Rooms rooms() {
    return rooms;
  }

  /** The room's calls in flight. */
  Outgoing calls() {
    return calls;
  }

  /** Where the hook's effects go. */
  OutputGate output() {
    return output;
  }

  /** The room's data, inside a hook. */
  RoomStore store() {
    return store;
  }

  String configValue(String key) {
    return rooms.config().configValue(party, key);
  }

  GuestLog log() {
    return log;
  }

  /** The guests' time (the host's config). */
  GuestTime time() {
    return rooms.config().time;
  }

  // --- a replay's way in (RoomInputs): inputs as a recording has them, on the room's loop ---

  /** Starts the instance, as the first event after a start would. */
  void replayStart() {
    context.runOnContext(v -> ready(this::ensureGuest));
  }

  /** The next connection gets {@code handle}; {@code c}, if given, is a member already (a wake). */
  void replayHandles(int handle, Connection c) {
    context.runOnContext(
        v -> {
          nextHandle = handle;
          if (c != null) connections.put(c.handle, c);
        });
  }

  /** An answer as recorded: the replay's calls left nowhere, so none is in flight to match. */
  void replayResponse(int id, int status, byte[] record) {
    arrive(null, r -> r.replayedAnswer(id, status, record));
  }

  private void replayedAnswer(int id, int status, byte[] record) {
    arrived();
    if (ensureGuest() && guest.hasOnResponse())
      runHook(Hook.RESPONSE, null, g -> g.onResponse(id, record, status), null);
    touch();
  }

  void replayClose(Connection c, Short code, String reason) {
    deliver(c, r -> r.closed(c, code, reason));
  }

  void replayError(Connection c, String message) {
    deliver(c, r -> r.error(c, message));
  }

  private boolean isMember(Connection c) {
    return c.handle != 0 && connections.get(c.handle) == c;
  }
}
