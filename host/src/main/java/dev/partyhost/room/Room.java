package dev.partyhost.room;

import dev.partyhost.guest.Abi;
import dev.partyhost.guest.Guest;
import dev.partyhost.guest.GuestModule;
import dev.partyhost.guest.GuestTrap;
import dev.partyhost.guest.Wasi;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

/**
 * One room: a party's instance for one room id, with its connections. A room is owned by one
 * event-loop context; every method below runs there, so the guest sees one thread and one hook at a
 * time. Events from other threads come in through {@link #execute}.
 */
public final class Room {
  private static final Logger LOG = System.getLogger("partyhost.room");
  private static final List<String> TEXT_PLAIN = List.of("content-type", "text/plain; charset=utf-8");

  private enum Hook { START, CONNECT, MESSAGE, CLOSE, ERROR, REQUEST, ALARM }

  final String party;
  final String id;
  private final Rooms rooms;
  private final Context context;
  private final GuestModule module;
  private final GuestLog log;
  private final Map<Integer, Connection> connections = new LinkedHashMap<>();
  private int nextHandle = 1;
  private Guest guest;
  /** Connects and requests on their way to this room; it is not dropped while any are. */
  final AtomicInteger arriving = new AtomicInteger();
  private boolean dropped;
  private long idleTimer = -1;

  // The hook in progress and what it produced, released when it returns.
  private Hook hook;
  private Connection hookConnection;
  private RoomResponse response;
  private final List<Runnable> outbox = new ArrayList<>();

  Room(Rooms rooms, String party, String id, GuestModule module, Context context) {
    this.rooms = rooms;
    this.party = party;
    this.id = id;
    this.module = module;
    this.context = context;
    this.log = new GuestLog(party, id);
  }

  public String party() {
    return party;
  }

  public String id() {
    return id;
  }

  /**
   * Runs an arrival (a connect or a request, counted in {@link #arriving}) on the room's context. A
   * room dropped meanwhile (by a restart) hands it to its successor, and with it the connection.
   */
  private void arrive(Connection c, Handler<Room> task) {
    context.runOnContext(v -> {
      if (!dropped) {
        task.handle(this);
        return;
      }
      arrived();
      Room next = rooms.acquire(party, id);
      if (next == null) {
        task.handle(this); // the party is gone: this room answers (its guest is gone too)
        return;
      }
      if (c != null) c.room = next;
      next.arrive(c, task);
    });
  }

  /** Runs an event of connection {@code c} on the context of the room that holds it. */
  private void deliver(Connection c, Handler<Room> task) {
    context.runOnContext(v -> {
      if (!dropped) {
        task.handle(this);
      } else if (c.room != this) {
        c.room.deliver(c, task); // its connect was handed on; its events follow
      }
    });
  }

  // --- events (called from any thread) ---

  /**
   * Accepts an upgraded WebSocket into the room (acquired from {@link Rooms#acquire}); call it on the
   * socket's thread right after the upgrade, so that no frame arrives before the handlers are set.
   */
  public void accept(ServerWebSocket socket, String connectionId, String uri, byte[] request) {
    Connection c = new Connection(connectionId, uri, socket, this);
    int limit = rooms.config().maxMessageBytes;
    socket.textMessageHandler(text -> {
      byte[] data = text.getBytes(StandardCharsets.UTF_8);
      if (data.length > limit) tooBig(socket, limit); else c.room.deliver(c, r -> r.message(c, data, Abi.TEXT));
    });
    socket.binaryMessageHandler(data -> {
      if (data.length() > limit) tooBig(socket, limit); else c.room.deliver(c, r -> r.message(c, data.getBytes(), Abi.BINARY));
    });
    socket.exceptionHandler(error -> c.room.deliver(c, r -> r.error(c, String.valueOf(error.getMessage()))));
    socket.closeHandler(v -> c.room.deliver(c, r -> r.closed(c, socket.closeStatusCode(), socket.closeReason())));
    arrive(c, r -> r.connect(c, request));
  }

  private void tooBig(ServerWebSocket socket, int limit) {
    LOG.log(Level.INFO, "[" + party + "/" + id + "] message over " + limit + " bytes, closing with 1009");
    socket.close((short) 1009, "Message too big");
  }

  /**
   * Delivers an HTTP request to the room's request hook (the room acquired from {@link Rooms#acquire});
   * the future completes on the caller's context.
   */
  public Future<RoomResponse> request(byte[] request) {
    Context caller = Vertx.currentContext();
    Promise<RoomResponse> promise = Promise.promise();
    arrive(null, r -> {
      RoomResponse response = r.handleRequest(request);
      if (caller == null) promise.complete(response); else caller.runOnContext(v -> promise.complete(response));
    });
    return promise.future();
  }

  /** Closes every connection with 1012 and drops the room, so that the next request gets a fresh one. */
  void restart() {
    context.runOnContext(v -> {
      for (Connection c : new ArrayList<>(connections.values())) c.socket.close((short) 1012, "party restarted");
      connections.clear();
      drop(true);
    });
  }

  // --- event handlers (on the room's context) ---

  private void arrived() {
    arriving.decrementAndGet();
  }

  private void connect(Connection c, byte[] request) {
    arrived();
    if (dropped || c.socket.isClosed() || !ensureGuest()) {
      c.socket.close((short) 1011, "room failed to start");
      touch();
      return;
    }
    c.handle = nextHandle++;
    connections.put(c.handle, c);
    Integer rc = runHook(Hook.CONNECT, c, () -> guest.onConnect(c.handle, request));
    if (rc != null && rc != 0 && connections.get(c.handle) == c && !c.closing) {
      c.closing = true;
      c.socket.close((short) 1011, "connection rejected");
    }
    touch();
  }

  private void message(Connection c, byte[] data, int kind) {
    if (!isMember(c) || c.closing || !ensureGuest()) return; // a closing connection is heard no more
    runHook(Hook.MESSAGE, c, () -> guest.onMessage(c.handle, data, kind));
    touch();
  }

  private void error(Connection c, String message) {
    if (!isMember(c) || !ensureGuest()) return;
    runHook(Hook.ERROR, c, () -> guest.onError(c.handle, message.getBytes(StandardCharsets.UTF_8)));
    touch();
  }

  private void closed(Connection c, Short code, String reason) {
    if (!isMember(c)) return;
    c.closing = true;
    if (ensureGuest()) {
      byte[] why = reason == null ? new byte[0] : reason.getBytes(StandardCharsets.UTF_8);
      runHook(Hook.CLOSE, c, () -> guest.onClose(c.handle, code == null ? 1006 : code, why));
    }
    connections.remove(c.handle, c);
    touch();
  }

  private RoomResponse handleRequest(byte[] request) {
    arrived();
    try {
      if (dropped) return plain(404, "Party " + party + " not found");
      if (!ensureGuest()) return plain(500, "Room failed to start");
      if (!guest.hasOnRequest()) return plain(404, "No onRequest handler");
      response = null;
      Integer rc = runHook(Hook.REQUEST, null, () -> guest.onRequest(request));
      if (rc == null) return plain(500, "Room failed while handling the request");
      if (response == null) return plain(500, "Room did not respond");
      return response;
    } finally {
      response = null;
      touch();
    }
  }

  // --- guest lifecycle ---

  /** Creates the instance if the room has none; false if it failed to start. */
  private boolean ensureGuest() {
    if (guest != null) return true;
    try {
      HostCalls calls = new HostCalls(this);
      guest = new Guest(module.instantiate(calls.functions(), module.usesWasi() ? Wasi.functions(log) : List.of()));
    } catch (RuntimeException | StackOverflowError e) {
      LOG.log(Level.WARNING, "[" + party + "/" + id + "] instantiation failed: " + e);
      return false;
    }
    return runHook(Hook.START, null, guest::start) != null;
  }

  /**
   * Runs one hook and releases what it produced. Returns the hook's result, or null when the guest
   * trapped: then its output is discarded and the room is reset.
   */
  private Integer runHook(Hook kind, Connection c, IntSupplier call) {
    hook = kind;
    hookConnection = c;
    try {
      int rc = call.getAsInt();
      if (rc != 0) LOG.log(Level.INFO, "[" + party + "/" + id + "] " + kind + " hook returned " + rc);
      flush();
      return rc;
    } catch (GuestTrap trap) {
      outbox.clear();
      reset(kind, trap.getMessage());
      return null;
    } catch (Throwable bug) {
      // Not the guest's doing (a host bug, or the JVM out of memory): handled like a trap all the same.
      LOG.log(Level.ERROR, "[" + party + "/" + id + "] host failure in " + kind + " hook", bug);
      outbox.clear();
      reset(kind, bug.toString());
      return null;
    } finally {
      hook = null;
      hookConnection = null;
    }
  }

  private void flush() {
    for (Runnable effect : outbox) effect.run();
    outbox.clear();
  }

  /** A trap: discard the instance and close every connection with 1011; the next event starts afresh. */
  private void reset(Hook kind, String why) {
    LOG.log(Level.WARNING, "[" + party + "/" + id + "] guest trapped in " + kind + " hook, room reset: " + why);
    guest = null;
    for (Connection c : new ArrayList<>(connections.values())) c.socket.close((short) 1011, "room error");
    connections.clear();
  }

  /** After each event: a room without connections is dropped once it has been idle for a while. */
  private void touch() {
    if (idleTimer >= 0) {
      rooms.vertx().cancelTimer(idleTimer);
      idleTimer = -1;
    }
    if (connections.isEmpty() && !dropped) {
      idleTimer = rooms.vertx().setTimer(rooms.config().roomIdleMs, t -> {
        idleTimer = -1;
        if (connections.isEmpty()) drop(false);
      });
    }
  }

  /** Leaves the registry; unless forced, only when nothing is on its way in. */
  private void drop(boolean force) {
    if (dropped || !rooms.remove(this, force)) return;
    dropped = true;
    guest = null;
    if (idleTimer >= 0) rooms.vertx().cancelTimer(idleTimer);
  }

  // --- what host calls see (on the room's context, inside a hook) ---

  Connection connection(int handle) {
    return connections.get(handle);
  }

  List<Connection> openConnections() {
    List<Connection> open = new ArrayList<>(connections.size());
    for (Connection c : connections.values()) if (!c.closing) open.add(c);
    return open;
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

  void queueSend(Connection c, Object message) {
    if (message instanceof String text) {
      outbox.add(() -> c.socket.writeTextMessage(text));
    } else {
      Buffer data = Buffer.buffer((byte[]) message);
      outbox.add(() -> c.socket.writeBinaryMessage(data));
    }
  }

  void queueClose(Connection c, int code, String reason) {
    c.closing = true;
    outbox.add(() -> c.socket.close((short) code, reason));
  }

  int maxMessageBytes() {
    return rooms.config().maxMessageBytes;
  }

  String configValue(String key) {
    Map<String, String> vars = rooms.config().vars.get(party);
    return vars == null ? null : vars.get(key);
  }

  GuestLog log() {
    return log;
  }

  private boolean isMember(Connection c) {
    return c.handle != 0 && connections.get(c.handle) == c;
  }

  private static RoomResponse plain(int status, String body) {
    return new RoomResponse(status, TEXT_PLAIN, body.getBytes(StandardCharsets.UTF_8));
  }
}
