package dev.partyhost.room;

import dev.partyhost.guest.Abi;
import dev.partyhost.guest.Guest;
import dev.partyhost.guest.GuestModule;
import dev.partyhost.guest.GuestTrap;
import dev.partyhost.guest.Utf8;
import dev.partyhost.guest.Wasi;
import dev.partyhost.guest.Watchdog;
import dev.partyhost.PartyLimits;
import dev.partyhost.storage.Changes;
import dev.partyhost.storage.RoomKey;
import dev.partyhost.storage.RoomStore;
import dev.partyhost.storage.StoredRoom;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.internal.ContextInternal;
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
import java.util.function.IntSupplier;
import java.util.function.Predicate;

/**
 * One room: a party's instance for one room id, with its connections and its data. A room is owned by
 * one event-loop context; every method below runs there, so the guest sees one thread and one hook
 * at a time. Events from other threads come in through {@link #arrive} and {@link #deliver}.
 *
 * <p>Life cycle: the room's data is loaded ({@link #ready}) before its instance starts; each hook is
 * a storage transaction whose output waits for its commit (the output gate, {@link #release}); after
 * {@code roomIdleMs} without events the room hibernates (instance and data dropped, sockets kept) or,
 * with no connections left, leaves the registry.
 */
public final class Room implements Scope {
  private static final Logger LOG = System.getLogger("partyhost.room");
  private enum Hook { START, CONNECT, MESSAGE, CLOSE, ERROR, REQUEST, ALARM }

  final String party;
  final String id;
  final RoomKey key;
  private final Rooms rooms;
  private final Context context;
  private final GuestModule module;
  final PartyLimits limits;
  private final GuestLog log;
  private Outbound outbound;
  private final Map<Integer, Connection> connections = new LinkedHashMap<>();
  private int nextHandle = 1;
  private Guest guest;
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
  private final ArrayDeque<Runnable> waitingForData = new ArrayDeque<>();

  /** Bumped when the room's data is dropped after a failed commit: results of older commits are ignored. */
  private int epoch;
  /** The alarm timer may disagree with the reloaded data (a failed commit had changed it). */
  private boolean rescheduleAlarmOnLoad;

  /** Something a hook caused outside the instance, released after it; a discarded HTTP reply answers 503. */
  private interface Effect {
    void run();

    default void discard() {}
  }

  // The output gate: hook output waits in `gated` until the commits submitted before it are durable.
  private record Gated(long commit, List<Effect> effects) {}
  private final ArrayDeque<Gated> gated = new ArrayDeque<>();
  private long submitted;
  private long durable;

  // The hook in progress and what it produced, released when it returns.
  private Hook hook;
  private Connection hookConnection;
  private RoomResponse response;
  private long outputThisHook;
  private List<Effect> outbox = new ArrayList<>();

  Room(Rooms rooms, String party, String id, GuestModule module, PartyLimits limits, Context context) {
    this.rooms = rooms;
    this.limits = limits;
    this.party = party;
    this.id = id;
    this.key = new RoomKey(party, id);
    this.module = module;
    this.context = context;
    this.log = new GuestLog(party, id);
  }

  @Override
  public String party() {
    return party;
  }

  public String id() {
    return id;
  }

  /** The SHA-256 of the module this room runs (for the admin API). */
  String moduleSha256() {
    return module.sha256();
  }

  @Override
  public String roomId() {
    return id;
  }

  /**
   * Runs an arrival (a connect or a request, counted in {@link #arriving}) on the room's context. A
   * room dropped meanwhile (by a restart) hands it to its successor, and with it the connection.
   */
  private void arrive(Connection c, Handler<Room> task) {
    context.runOnContext(v -> {
      if (dropped) handOn(c, task); else ready(() -> { if (dropped) handOn(c, task); else task.handle(this); });
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

  /** Runs an event of connection {@code c} on the context of the room that holds it. */
  private void deliver(Connection c, Handler<Room> task) {
    context.runOnContext(v -> ready(() -> {
      if (!dropped) task.handle(this);
      else if (c.room != this) c.room.deliver(c, task); // its connect was handed on; its events follow
    }));
  }

  // --- events (called from any thread) ---

  /**
   * A WebSocket joins the room (acquired from {@link Rooms#acquire}) before its handshake completes:
   * the room runs its connect hook, then calls {@code upgrade} (on the room's context), which
   * completes the handshake and hands the socket to {@link #attach}, or reports {@link #upgradeFailed}.
   */
  public void connect(String connectionId, String uri, byte[] request, Handler<Connection> upgrade) {
    Connection c = new Connection(connectionId, uri, this);
    arrive(c, r -> r.connect(c, request, upgrade));
  }

  /**
   * The handshake of a connection completed: call on the socket's thread right away, so that no frame
   * arrives before the handlers are set. What the room sent it meanwhile goes out first.
   */
  public static void attach(Connection c, ServerWebSocket socket) {
    Room room = c.room; // final by now: a connection moves to another room only before it joins one
    c.socket(socket);
    socket.frameHandler(new Inbound(room, c, socket));
    socket.exceptionHandler(error -> c.room.deliver(c, r -> r.error(c, String.valueOf(error.getMessage()))));
    socket.closeHandler(v -> {
      room.rooms.connectionEnded();
      c.room.deliver(c, r -> r.closed(c, socket.closeStatusCode(), socket.closeReason()));
    });
    room.context.runOnContext(v -> c.attached(room.outbound())); // queued before any frame of this socket can be
  }

  /**
   * Whole messages from a socket's frames, read on the socket's loop: the bytes as they came, with no
   * decoding to a String and back. Text is checked for UTF-8 here, on the whole message: neither
   * Netty's decoder nor Vert.x checks data frames (Netty's Utf8FrameValidator is not in Vert.x's pipeline).
   */
  private static final class Inbound implements Handler<WebSocketFrame> {
    private final Room room;
    private final Connection c;
    private final ServerWebSocket socket;
    private final int limit;
    private final RateLimit rate;
    /** The frames so far of a fragmented message, else null. */
    private Buffer fragments;
    private boolean fragmentsText;
    /** The host closed the socket over a message: what the client sent after it is not heard. */
    private boolean refused;

    Inbound(Room room, Connection c, ServerWebSocket socket) {
      this.room = room;
      this.c = c;
      this.socket = socket;
      this.limit = room.limits.maxMessageBytes();
      this.rate = RateLimit.perSecond(room.limits.messagesPerSecond());
    }

    @Override
    public void handle(WebSocketFrame frame) {
      if (refused) return;
      if (frame.isText() || frame.isBinary()) {
        fragments = null;
        if (frame.isFinal()) message(frame.binaryData(), frame.isText());
        else start(frame);
      } else if (frame.isContinuation() && fragments != null) {
        if (fragments.length() + frame.binaryData().length() > limit) {
          fragments = null;
          refuse(() -> room.tooBig(socket, limit));
          return;
        }
        fragments.appendBuffer(frame.binaryData());
        if (frame.isFinal()) {
          Buffer whole = fragments;
          fragments = null;
          message(whole, fragmentsText);
        }
      } // control frames: Vert.x answers pings and handles closes
    }

    private void start(WebSocketFrame frame) {
      if (frame.binaryData().length() > limit) {
        refuse(() -> room.tooBig(socket, limit));
        return;
      }
      fragments = Buffer.buffer().appendBuffer(frame.binaryData());
      fragmentsText = frame.isText();
    }

    private void message(Buffer data, boolean text) {
      if (data.length() > limit) {
        refuse(() -> room.tooBig(socket, limit));
        return;
      }
      byte[] bytes = data.getBytes();
      if (text && !Utf8.isValid(bytes, 0, bytes.length)) {
        refuse(() -> room.notUtf8(socket));
      } else if (rate.allows()) {
        c.room.deliver(c, r -> r.message(c, bytes, text ? Abi.TEXT : Abi.BINARY));
      } else {
        refuse(() -> room.tooFast(socket));
      }
    }

    private void refuse(Runnable close) {
      refused = true;
      close.run();
    }
  }

  /** The handshake of a connection failed (the client went away): it leaves as if closed abruptly. */
  public static void upgradeFailed(Connection c) {
    c.room.rooms.connectionEnded();
    c.room.deliver(c, r -> r.closed(c, (short) 1006, null));
  }

  private void tooBig(ServerWebSocket socket, int limit) {
    LOG.log(Level.INFO, "[" + party + "/" + id + "] message over " + limit + " bytes, closing with 1009");
    socket.close((short) 1009, "Message too big");
  }

  private void notUtf8(ServerWebSocket socket) {
    LOG.log(Level.INFO, "[" + party + "/" + id + "] text message that is not UTF-8, closing with 1007");
    socket.close((short) 1007, "Invalid UTF-8");
  }

  private void tooFast(ServerWebSocket socket) {
    if (socket.isClosed()) return;
    LOG.log(Level.INFO, "[" + party + "/" + id + "] connection over " + limits.messagesPerSecond()
        + " messages per second, closing with 1008");
    socket.close((short) 1008, "Rate limit exceeded");
  }

  /**
   * Delivers an HTTP request to the room's request hook (the room acquired from {@link Rooms#acquire});
   * the future completes on the caller's context.
   */
  public Future<RoomResponse> request(byte[] request) {
    Context caller = Vertx.currentContext();
    Promise<RoomResponse> promise = Promise.promise();
    // tryComplete: a reply may be both discarded (503) and failed (500); the first one wins.
    Handler<RoomResponse> reply = caller == null ? promise::tryComplete : r -> caller.runOnContext(v -> promise.tryComplete(r));
    arrive(null, r -> r.handleRequest(request, reply));
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
    context.runOnContext(v -> {
      for (Connection c : new ArrayList<>(connections.values())) c.close(outbound(), code, reason);
      connections.clear();
      drop(true);
    });
  }

  // --- event handlers (on the room's context) ---

  private void arrived() {
    arriving.decrementAndGet();
  }

  private void connect(Connection c, byte[] request, Handler<Connection> upgrade) {
    arrived();
    if (connections.size() >= limits.maxConnectionsPerRoom()) {
      LOG.log(Level.INFO, "[" + party + "/" + id + "] room full (" + connections.size() + " connections), closing with 1013");
      c.close(outbound(), 1013, "Room is full");
    } else if (dropped || !ensureGuest()) {
      c.close(outbound(), 1011, "room failed to start");
    } else {
      c.handle = nextHandle++;
      connections.put(c.handle, c);
      Integer rc = runHook(Hook.CONNECT, c, () -> guest.onConnect(c.handle, request), null);
      if (rc != null && rc != 0 && connections.get(c.handle) == c && !c.closing) {
        queueClose(c, 1011, "connection rejected");
        release(); // after the hook's own frames
      }
    }
    upgrade.handle(c);
    touch();
  }

  private void message(Connection c, byte[] data, int kind) {
    if (!isMember(c) || c.closing || !ensureGuest()) return; // a closing connection is heard no more
    runHook(Hook.MESSAGE, c, () -> guest.onMessage(c.handle, data, kind), null);
    touch();
  }

  private void error(Connection c, String message) {
    if (!isMember(c) || !ensureGuest()) return;
    runHook(Hook.ERROR, c, () -> guest.onError(c.handle, message.getBytes(StandardCharsets.UTF_8)), null);
    touch();
  }

  private void closed(Connection c, Short code, String reason) {
    if (!isMember(c)) return;
    c.closing = true;
    if (ensureGuest()) {
      byte[] why = reason == null ? new byte[0] : reason.getBytes(StandardCharsets.UTF_8);
      runHook(Hook.CLOSE, c, () -> guest.onClose(c.handle, code == null ? 1006 : code, why), null);
    }
    connections.remove(c.handle, c);
    touch();
  }

  private void handleRequest(byte[] request, Handler<RoomResponse> reply) {
    arrived();
    if (dropped) {
      reply.handle(RoomResponse.plain(503, "Room unavailable; retry later"));
    } else if (!ensureGuest()) {
      reply.handle(RoomResponse.plain(500, "Room failed to start"));
    } else if (!guest.hasOnRequest()) {
      reply.handle(RoomResponse.plain(404, "No onRequest handler"));
    } else {
      response = null;
      // The response is the hook's last output: it passes the output gate with its frames.
      Integer rc = runHook(Hook.REQUEST, null, () -> guest.onRequest(request), result -> {
        RoomResponse r = response != null ? response : RoomResponse.plain(500, "Room did not respond");
        outbox.add(new Effect() {
          @Override
          public void run() {
            reply.handle(r);
          }

          @Override
          public void discard() {
            reply.handle(RoomResponse.plain(503, "Room storage failed; retry"));
          }
        });
      });
      response = null;
      if (rc == null) reply.handle(RoomResponse.plain(500, "Room failed while handling the request"));
    }
    touch();
  }

  private void runAlarm() {
    arrived();
    if (store == null) {
      rooms.alarms().failed(key); // the data could not be loaded: try again later
    } else if (store.alarm() != null && ensureGuest()) {
      Long due = store.alarm(); // read after on_start, which may have changed it
      if (due != null && due > System.currentTimeMillis()) {
        rooms.alarms().schedule(key, due); // moved later meanwhile
      } else if (due != null) {
        store.alarm(null); // cleared in the hook's transaction, so the hook may set the next one
        Integer rc = runHook(Hook.ALARM, null, guest::onAlarm, result -> {
          if (result != 0 && store.alarm() == null) store.alarm(due); // failed: keep it for the retry
        });
        // A failed run that set an alarm of its own counts as done: its alarm stands.
        if (rc == null || (rc != 0 && due.equals(store.alarm()))) alarmFailed(due); else rooms.alarms().succeeded(key);
      }
    } else if (store.alarm() != null) {
      alarmFailed(store.alarm()); // the instance did not start
    } // else: deleted meanwhile
    touch();
  }

  private void alarmFailed(long due) {
    if (!rooms.alarms().failed(key) && store != null && store.alarm() != null && store.alarm() == due) {
      store.alarm(null); // retries used up
      commit();
    }
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
    rooms.commits().load(key).onComplete(loaded -> context.runOnContext(v -> {
      rooms.stats().loaded(System.nanoTime() - start);
      loaded(loaded);
    }));
  }

  private void loaded(AsyncResult<StoredRoom> loaded) {
    loading = false;
    if (loaded.succeeded()) {
      store = new RoomStore(key, loaded.result(), limits.storageQuotaBytes());
      if (rescheduleAlarmOnLoad) {
        rescheduleAlarmOnLoad = false;
        rooms.alarms().schedule(key, store.alarm());
      }
    } else {
      LOG.log(Level.ERROR, "[" + party + "/" + id + "] cannot load the room's data: " + loaded.cause());
    }
    // Without data, each task fails on its own (ensureGuest refuses to start an instance).
    while (!waitingForData.isEmpty()) waitingForData.poll().run();
  }

  /** Submits the changes of the hook that just returned, if any, for a durable commit. */
  private void commit() {
    Changes changes = store.commit();
    if (changes == null) return;
    long commit = ++submitted;
    int epochNow = epoch;
    rooms.commits().submit(changes).onComplete(done -> context.runOnContext(v -> {
      if (epoch != epochNow) return; // the room has started afresh since
      if (done.succeeded()) committed(commit); else commitFailed(done.cause());
    }));
    if (changes.alarmChanged()) rooms.alarms().schedule(key, changes.alarm());
  }

  private void committed(long commit) {
    durable = Math.max(durable, commit);
    while (!gated.isEmpty() && gated.peek().commit <= durable) {
      for (Effect effect : gated.poll().effects) effect.run();
    }
  }

  /**
   * The outbox goes out now when nothing is waiting to be durable; otherwise after every commit
   * submitted so far, so that no client sees state a crash could take back.
   */
  private void release() {
    if (outbox.isEmpty()) return;
    if (durable == submitted) {
      for (Effect effect : outbox) effect.run();
      outbox.clear();
    } else {
      gated.add(new Gated(submitted, outbox));
      outbox = new ArrayList<>();
    }
  }

  /**
   * A commit failed: what the room holds in memory is not durable. Drop the data, the instance, the
   * gated output and the connections; the next event reloads what is durable.
   */
  private void commitFailed(Throwable cause) {
    LOG.log(Level.ERROR, "[" + party + "/" + id + "] commit failed, room reset: " + cause);
    epoch++;
    for (Gated g : gated) g.effects.forEach(Effect::discard);
    gated.clear();
    durable = submitted;
    store = null;
    guest = null;
    rescheduleAlarmOnLoad = true;
    for (Connection c : new ArrayList<>(connections.values())) c.close(outbound(), 1011, "room storage failed");
    connections.clear();
    touch();
  }

  // --- guest lifecycle ---

  /** Creates the instance if the room has none; false if it failed to start. */
  private boolean ensureGuest() {
    if (guest != null) return true;
    if (store == null) return false;
    long start = System.nanoTime();
    try {
      HostCalls calls = new HostCalls(this);
      guest = new Guest(module.instantiate(calls.functions(), module.usesWasi() ? Wasi.functions(log, log.stderr()) : List.of()));
    } catch (RuntimeException | StackOverflowError e) {
      LOG.log(Level.WARNING, "[" + party + "/" + id + "] instantiation failed: " + e);
      return false;
    }
    boolean started = runHook(Hook.START, null, guest::start, null) != null;
    rooms.stats().instantiated(System.nanoTime() - start);
    return started;
  }

  /**
   * Runs one hook as one transaction and releases what it produced through the output gate.
   * {@code onReturn}, if given, runs after the guest returned, inside the transaction. Returns the
   * hook's result, or null when the guest trapped: then its writes and output are discarded and the
   * room is reset.
   */
  private Integer runHook(Hook kind, Connection c, IntSupplier call, IntConsumer onReturn) {
    hook = kind;
    hookConnection = c;
    outputThisHook = 0;
    int rc;
    try {
      rc = Watchdog.shared().run(limits.hookDeadlineMs(), call);
      if (rc != 0) LOG.log(Level.INFO, "[" + party + "/" + id + "] " + kind + " hook returned " + rc);
      if (onReturn != null) onReturn.accept(rc);
      commit();
    } catch (GuestTrap trap) {
      reset(kind, trap.getMessage());
      return null;
    } catch (Throwable bug) {
      // Not the guest's doing (a host bug, or the JVM out of memory): handled like a trap all the same.
      LOG.log(Level.ERROR, "[" + party + "/" + id + "] host failure in " + kind + " hook", bug);
      reset(kind, bug.toString());
      return null;
    } finally {
      hook = null;
      hookConnection = null;
    }
    release();
    return rc;
  }

  /**
   * A trap: undo the hook's writes, discard its output and the instance, and close every connection
   * with 1011 (after the output of earlier hooks); the next event starts afresh.
   */
  private void reset(Hook kind, String why) {
    LOG.log(Level.WARNING, "[" + party + "/" + id + "] guest trapped in " + kind + " hook, room reset: " + why);
    if (store != null) store.rollback();
    outbox.forEach(Effect::discard);
    outbox.clear();
    guest = null;
    for (Connection c : new ArrayList<>(connections.values())) {
      c.closing = true;
      outbox.add(() -> c.close(outbound(), 1011, "room error"));
    }
    connections.clear();
    release();
  }

  /**
   * After each event: once idle for a while, the room hibernates, or leaves when it has no
   * connections. One timer per room, re-armed only when it fires, so an event costs a field write.
   */
  private void touch() {
    lastEvent = System.currentTimeMillis();
    unused = connections.isEmpty();
    if (idleTimer < 0 && !dropped) idleTimer = rooms.vertx().setTimer(rooms.config().roomIdleMs, t -> idleTimerFired());
  }

  private void idleTimerFired() {
    idleTimer = -1;
    long quietFor = System.currentTimeMillis() - lastEvent;
    if (quietFor < rooms.config().roomIdleMs) {
      idleTimer = rooms.vertx().setTimer(rooms.config().roomIdleMs - quietFor, t -> idleTimerFired());
    } else {
      idle();
    }
  }

  private void idle() {
    if (loading || !waitingForData.isEmpty() || durable != submitted) {
      touch(); // busy with storage: look again later
    } else if (connections.isEmpty()) {
      drop(false);
    } else if (guest != null || store != null) {
      // Hibernate: sockets, their state and tags stay; the next event loads the data and starts anew.
      guest = null;
      store = null;
      LOG.log(Level.DEBUG, "[" + party + "/" + id + "] hibernating with " + connections.size() + " connections");
    }
  }

  /** The host needs space: a room without connections that is still so leaves now. */
  void evict() {
    context.runOnContext(v -> {
      if (connections.isEmpty() && !loading && durable == submitted) {
        drop(false);
        if (dropped) LOG.log(Level.INFO, "[" + party + "/" + id + "] dropped to make space (room limit " + rooms.config().maxRooms + ")");
      }
    });
  }

  /** Leaves the registry; unless forced, only when nothing is on its way in. */
  private void drop(boolean force) {
    if (dropped || !rooms.remove(this, force)) return;
    dropped = true;
    guest = null;
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


  boolean isConnecting(Connection c) {
    return hook == Hook.CONNECT && hookConnection == c;
  }

  @Override
  public boolean isRequesting() {
    return hook == Hook.REQUEST;
  }

  @Override
  public void setResponse(RoomResponse r) {
    response = r;
  }

  /** Queues a message to one connection. */
  void queueSend(Connection c, Message message) {
    outbox.add(() -> c.send(outbound(), message.frame()));
  }

  /** Queues a message to several connections, as one effect. */
  void queueSend(List<Connection> recipients, Message message) {
    outbox.add(() -> {
      Outbound out = outbound();
      for (Connection c : recipients) c.send(out, message.frame());
    });
  }

  /** This room's loop's way out to sockets (created on the loop, on first use). */
  private Outbound outbound() {
    if (outbound == null) outbound = Outbound.current(((ContextInternal) context).nettyEventLoop());
    return outbound;
  }

  /** Counts frame bytes against the hook's output budget; false (nothing counted) when it would pass it. */
  boolean spendOutput(long bytes) {
    if (outputThisHook + bytes > rooms.config().maxHookOutputBytes) return false;
    outputThisHook += bytes;
    return true;
  }

  void queueClose(Connection c, int code, String reason) {
    c.closing = true;
    outbox.add(() -> c.close(outbound(), code, reason));
  }

  /** The room's data, inside a hook. */
  RoomStore store() {
    return store;
  }

  int maxMessageBytes() {
    return limits.maxMessageBytes();
  }

  @Override
  public String configValue(String key) {
    Map<String, String> vars = rooms.config().vars.get(party);
    return vars == null ? null : vars.get(key);
  }

  @Override
  public GuestLog log() {
    return log;
  }

  private boolean isMember(Connection c) {
    return c.handle != 0 && connections.get(c.handle) == c;
  }

}
