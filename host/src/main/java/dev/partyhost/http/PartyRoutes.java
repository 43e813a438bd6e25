package dev.partyhost.http;

import dev.partyhost.HostConfig;
import dev.partyhost.cluster.Forwarded;
import dev.partyhost.cluster.Forwarder;
import dev.partyhost.guest.ByteList;
import dev.partyhost.guest.GuestModule;
import dev.partyhost.party.Parties;
import dev.partyhost.room.Gate;
import dev.partyhost.room.Room;
import dev.partyhost.room.RoomResponse;
import dev.partyhost.room.Rooms;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * PartyKit's URL scheme: WebSockets and plain HTTP to /parties/PARTY/ROOM and /party/ROOM, into rooms
 * here, or forwarded to the node that runs the room. A request forwarded by another node (with the
 * cluster secret, {@link Forwarded}) is served as its client's own, without the before hook, which
 * ran on that node.
 */
public final class PartyRoutes {
  private static final Logger LOG = System.getLogger("partyhost.http");
  private static final String ROOM_PATHS = "^/part(y|ies)/.*";

  /** Framing headers are the host's business, not the guest's. */
  private static final Set<String> HOST_OWNED_HEADERS =
      Set.of("content-length", "transfer-encoding", "connection");

  private final HostConfig config;
  private final Parties parties;
  private final Rooms rooms;

  /** This host as a node of a cluster (or a forwarding test's owner), else null. */
  private final HostConfig.Node node;

  /** Forwards clients whose room runs on another node; null when none does. */
  private final Forwarder forwarder;

  /**
   * Where a room runs: a future of the host:port of the node that runs it when that is not this one
   * (null: here), failed when this node cannot say (it has no lease); null for a host alone.
   */
  private final OwnerLookup ownerElsewhere;

  /** Where a client's room runs. */
  @FunctionalInterface
  public interface OwnerLookup {
    /**
     * The host:port of the node that runs the room, or null when it runs here. A client another
     * node forwarded here ({@code forwarded}) has its room claimed here if nobody holds it.
     */
    Future<String> elsewhere(RoomAddress address, boolean forwarded);
  }

  public PartyRoutes(HostConfig config, Parties parties, Rooms rooms) {
    this(config, parties, rooms, null, null);
  }

  /**
   * Routes that forward a client to {@code ownerElsewhere}'s answer for its room, if any, through
   * {@code forwarder} (after the before hook ran here).
   */
  public PartyRoutes(
      HostConfig config,
      Parties parties,
      Rooms rooms,
      Forwarder forwarder,
      OwnerLookup ownerElsewhere) {
    this.config = config;
    this.parties = parties;
    this.rooms = rooms;
    this.node = config.node;
    this.forwarder = forwarder;
    this.ownerElsewhere = ownerElsewhere;
  }

  public void mount(Router router) {
    router.routeWithRegex(ROOM_PATHS).handler(this::route);
  }

  /** WebSocket upgrades to rooms are taken before the router: a socket must not be Vert.x Web's wrapper. */
  public boolean isUpgrade(HttpServerRequest req) {
    String path = req.path();
    return (path.startsWith("/parties/") || path.startsWith("/party/"))
        && req.canUpgradeToWebSocket();
  }

  /** Upgrades a request for which {@link #isUpgrade} holds. */
  public void upgrade(HttpServerRequest req) {
    if (refusedAsForwarded(req)) return;
    RoomAddress address = address(req);
    if (address != null) upgrade(req, address);
  }

  /** Resolves the address, then reads the body for the request hook. */
  private void route(RoutingContext ctx) {
    if (LOG.isLoggable(Level.DEBUG)) logWhenAnswered(ctx);
    if (refusedAsForwarded(ctx.request())) return;
    RoomAddress address = address(ctx.request());
    if (address == null) return;
    Bodies.read(ctx, config.maxRequestBytes, body -> request(ctx.request(), address, body));
  }

  /** The DEBUG line of an HTTP request to a room: method, path, status and time taken. */
  private static void logWhenAnswered(RoutingContext ctx) {
    long start = System.nanoTime();
    ctx.addEndHandler(
        ended ->
            LOG.log(
                Level.DEBUG,
                "HTTP "
                    + ctx.request().method()
                    + " "
                    + ctx.request().path()
                    + " "
                    + ctx.response().getStatusCode()
                    + " in "
                    + (System.nanoTime() - start) / 1_000_000
                    + " ms"
                    + (ended.failed() ? " (connection closed first)" : "")));
  }

  /**
   * A WebSocket joins its room before the handshake completes: the room runs its connect hook first,
   * then the 101 goes out. So when a client's socket opens, the room already counts it, and no
   * message sent by anyone after that can miss it (as with PartyKit).
   */
  private void upgrade(HttpServerRequest req, RoomAddress address) {
    Admitted admitted = admit(req, address, Buffer.buffer(), true);
    if (admitted == null) return;
    whereItRuns(
        req,
        address,
        owner -> {
          if (!admitConnection(req, address, owner)) return;
          if (owner == null) connect(req, address, admitted);
          else
            forwarder.webSocket(
                req, owner, admitted.uri(), admitted.beforeHeaders(), rooms::connectionEnded);
        });
  }

  /**
   * Runs {@code then} on the request's context with the host:port of the node that runs the room, or
   * null when it runs here (always, for a host alone: at once). A forwarded request whose room runs
   * elsewhere now (it moved meanwhile), or a node without a lease, answers 503: the client retries.
   */
  private void whereItRuns(HttpServerRequest req, RoomAddress address, Handler<String> then) {
    if (ownerElsewhere == null || forwarder == null) {
      then.handle(null);
      return;
    }
    Future<String> owner = ownerElsewhere.elsewhere(address, Forwarded.claimed(req));
    if (owner.isComplete()) {
      placed(req, owner, then);
      return;
    }
    Context here = Vertx.currentContext();
    req.pause();
    owner.onComplete(
        v ->
            here.runOnContext(
                x -> {
                  req.resume();
                  placed(req, owner, then);
                }));
  }

  private void placed(HttpServerRequest req, Future<String> owner, Handler<String> then) {
    if (owner.failed()) {
      LOG.log(Level.WARNING, "cannot place a room: " + owner.cause().getMessage());
      plain(req.response(), 503, "This node cannot reach its rooms now; retry later");
    } else if (owner.result() != null && Forwarded.claimed(req)) {
      plain(req.response(), 503, "The room moved to another node; retry later"); // no loops
    } else {
      then.handle(owner.result());
    }
  }

  /**
   * Counts a WebSocket against {@code maxConnections}, whether its room runs here or at {@code
   * owner} (a forwarded client holds a socket here and one to its owner); answers 503 when the host
   * is at its limit, or, for one to forward, stopping (it would be closed at once).
   */
  private boolean admitConnection(HttpServerRequest req, RoomAddress address, String owner) {
    if (owner != null && rooms.stopping()) {
      plain(req.response(), 503, "This node is stopping; retry later");
      return false;
    }
    if (rooms.admitConnection()) return true;
    if (owner == null) rooms.unclaim(address.party(), address.room()); // if claimed for this client
    rooms.metrics().party(address.party()).limitHit("maxConnections"); // admitted: a served party
    LOG.log(
        Level.WARNING,
        "connection limit reached (" + config.maxConnections + "): refusing a WebSocket with 503");
    plain(req.response(), 503, "Host at its connection limit; retry later");
    return false;
  }

  private void connect(HttpServerRequest req, RoomAddress address, Admitted admitted) {
    Room room = acquire(req, address);
    if (room == null) {
      rooms.connectionEnded();
      return;
    }
    String connectionId = req.getParam("_pk");
    if (connectionId == null || connectionId.isEmpty()) connectionId = UUID.randomUUID().toString();
    Context here = Vertx.currentContext();
    req.pause(); // the handshake is completed later, once the room has run its connect hook
    room.connect(
        connectionId,
        admitted.uri(),
        admitted.record(),
        connection ->
            here.runOnContext(
                v -> {
                  Future<ServerWebSocket> upgraded;
                  try {
                    if (node != null) req.response().headers().set(Forwarded.NODE, node.id());
                    upgraded = req.toWebSocket();
                    // The client went away while the room ran its connect hook.
                  } catch (RuntimeException e) {
                    upgraded = Future.failedFuture(e);
                  }
                  req.resume();
                  upgraded
                      .onSuccess(socket -> Room.attach(connection, socket))
                      .onFailure(
                          e -> {
                            LOG.log(Level.DEBUG, "WebSocket upgrade failed: " + e.getMessage());
                            Room.upgradeFailed(connection);
                          });
                }));
  }

  private void request(HttpServerRequest req, RoomAddress address, Buffer body) {
    Admitted admitted = admit(req, address, body, false);
    if (admitted == null) return;
    whereItRuns(
        req,
        address,
        owner -> {
          if (owner == null) request(req, address, admitted);
          else forwarder.request(req, body, owner, admitted.uri(), admitted.beforeHeaders());
        });
  }

  private void request(HttpServerRequest req, RoomAddress address, Admitted admitted) {
    Room room = acquire(req, address);
    if (room == null) return;
    if (Forwarded.claimed(req) && req.headers().contains(Forwarded.CALLER)) {
      answerCall(req, room, admitted);
      return;
    }
    room.request(admitted.record())
        .onComplete(
            result -> {
              if (node != null) req.response().headers().set(Forwarded.NODE, node.id());
              if (result.failed()) {
                LOG.log(
                    Level.ERROR,
                    "request to room " + address.party() + "/" + address.room() + " failed",
                    result.cause());
                plain(req.response(), 500, "Internal Server Error");
              } else {
                reply(req.response(), result.result());
              }
            });
  }

  /**
   * A room call another node forwarded here: the callee's response, without headers of the nodes'
   * own; if it failed (trapped, reset, did not start), 500 with {@link Forwarded#CALL_FAILED}.
   */
  private void answerCall(HttpServerRequest req, Room room, Admitted admitted) {
    room.call(admitted.record())
        .onComplete(
            result -> {
              if (node != null) req.response().headers().set(Forwarded.NODE, node.id());
              if (result.failed()) {
                req.response().headers().set(Forwarded.CALL_FAILED, result.cause().getMessage());
                plain(req.response(), 500, "Room failed while handling the call");
                return;
              }
              RoomResponse r = result.result();
              List<String> headers = new java.util.ArrayList<>(r.headers().size());
              for (int i = 0; i + 1 < r.headers().size(); i += 2) {
                if (r.headers().get(i).toLowerCase(Locale.ROOT).startsWith(Forwarded.PREFIX))
                  continue;
                headers.add(r.headers().get(i));
                headers.add(r.headers().get(i + 1));
              }
              reply(req.response(), new RoomResponse(r.status(), headers, r.body()));
            });
  }

  /** The room address of the request, or null after answering 400/404 for a bad one. */
  private RoomAddress address(HttpServerRequest req) {
    RoomAddress address;
    try {
      address = RoomAddress.parse(req.path(), config.mainParty);
    } catch (RoomAddress.Invalid e) {
      LOG.log(Level.INFO, "bad room address (" + e.status() + "): " + e.getMessage());
      plain(req.response(), e.status(), e.getMessage());
      return null;
    }
    if (address == null) {
      plain(req.response(), 404, "Not found");
      return null;
    }
    if (parties.get(address.party()) == null) {
      notFound(req, address);
      return null;
    }
    return address;
  }

  private static void notFound(HttpServerRequest req, RoomAddress address) {
    plain(req.response(), 404, "Party " + address.party() + " not found");
  }

  /**
   * A request the room may have: the URL its client used, its request record, and the headers the
   * party's before hook set (for a node that forwards it).
   */
  private record Admitted(String uri, byte[] record, Map<String, byte[]> beforeHeaders) {}

  /**
   * A request forwarded by another node (already checked by {@link #refusedAsForwarded}) as its
   * client sent it: its before hook ran there. Any other after the party's before hook.
   */
  private Admitted admit(HttpServerRequest req, RoomAddress address, Buffer body, boolean upgrade) {
    if (Forwarded.claimed(req)) {
      String uri = Forwarded.clientUri(req);
      if (uri == null) uri = absoluteUri(req);
      return new Admitted(uri, record(req, uri, body, Map.of(), true), Map.of());
    }
    return passGate(req, address, body, upgrade);
  }

  /**
   * A request that says it was forwarded by another node but lacks the cluster secret (or this host
   * takes no forwarded requests): answered 401, logged without the secret.
   */
  private boolean refusedAsForwarded(HttpServerRequest req) {
    if (!Forwarded.claimed(req) || Forwarded.authentic(req, node == null ? null : node.secret()))
      return false;
    LOG.log(
        Level.WARNING,
        "forwarded request refused (401): "
            + (req.getHeader(Forwarded.SECRET) == null ? "no" : "wrong")
            + " cluster secret, "
            + req.method()
            + " "
            + req.path()
            + " from "
            + req.remoteAddress());
    plain(req.response(), 401, "Missing or wrong cluster secret");
    return true;
  }

  /**
   * After the party's before hook (if it has one) saw the request: null when the hook answered the
   * request itself, else the record with the headers the hook set.
   */
  private Admitted passGate(
      HttpServerRequest req, RoomAddress address, Buffer body, boolean upgrade) {
    String uri = absoluteUri(req);
    byte[] record = record(req, uri, body, Map.of(), false);
    GuestModule module = parties.get(address.party());
    Gate.Verdict verdict =
        module == null
            ? null
            : Gate.before(upgrade, address.party(), module, config, address.room(), record);
    if (verdict == null) return new Admitted(uri, record, Map.of());
    if (verdict.response() != null) {
      reply(req.response(), verdict.response());
      return null;
    }
    return verdict.headers().isEmpty()
        ? new Admitted(uri, record, Map.of())
        : new Admitted(uri, record(req, uri, body, verdict.headers(), false), verdict.headers());
  }

  /** The room, or null after answering 404 (no such party) or 503 (the host is at its room limit). */
  private Room acquire(HttpServerRequest req, RoomAddress address) {
    try {
      Room room = rooms.acquire(address.party(), address.room());
      if (room == null) notFound(req, address);
      return room;
    } catch (Rooms.Full full) {
      plain(req.response(), 503, full.getMessage() + "; retry later");
      return null;
    }
  }

  /**
   * The ABI's request record: method, URL, body, then header names (lower case) and values, with the
   * headers a before hook set replacing those of the same name, and without the nodes' own headers
   * of a forwarded request (but for the caller of a room call another node forwarded). Netty reads the request line and headers as ISO-8859-1, one char per
   * byte: encoding them back the same way hands the guest the bytes the client sent.
   */
  private static byte[] record(
      HttpServerRequest req,
      String uri,
      Buffer body,
      Map<String, byte[]> setHeaders,
      boolean forwarded) {
    ByteList.Builder record =
        new ByteList.Builder()
            .add(req.method().name())
            .add(uri.getBytes(StandardCharsets.ISO_8859_1))
            .add(body.getBytes());
    for (Map.Entry<String, String> header : req.headers()) {
      String name = header.getKey().toLowerCase(Locale.ROOT);
      // The caller's name passes only on a room call another node forwarded (its secret checked).
      boolean caller = forwarded && name.equals(Forwarded.CALLER);
      if (!setHeaders.containsKey(name) && (caller || !Forwarded.internal(name)))
        record.add(name).add(header.getValue().getBytes(StandardCharsets.ISO_8859_1));
    }
    setHeaders.forEach((name, value) -> record.add(name).add(value));
    return record.build();
  }

  private static String absoluteUri(HttpServerRequest req) {
    String uri = req.absoluteURI();
    return uri != null ? uri : "http://" + req.authority() + req.uri();
  }

  private static void reply(HttpServerResponse response, RoomResponse r) {
    try {
      response.setStatusCode(r.status());
      List<String> headers = r.headers();
      for (int i = 0; i + 1 < headers.size(); i += 2) {
        String name = headers.get(i);
        // Vert.x refuses names with separators, controls or non-ASCII, but lets an empty one
        // through, which would go out as the malformed line ": value" (found by fuzzing).
        if (name.isEmpty()) throw new IllegalArgumentException("empty header name");
        if (!HOST_OWNED_HEADERS.contains(name.toLowerCase(Locale.ROOT)))
          response.headers().add(name, headers.get(i + 1));
      }
      response.end(Buffer.buffer(r.body()));
    } catch (IllegalArgumentException e) {
      response.headers().clear();
      plain(response, 500, "Room sent an invalid response: " + e.getMessage());
    }
  }

  static void plain(HttpServerResponse response, int status, String message) {
    reply(response, RoomResponse.plain(status, message));
  }
}
