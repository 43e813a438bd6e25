package dev.partyhost.http;

import dev.partyhost.HostConfig;
import dev.partyhost.guest.ByteList;
import dev.partyhost.guest.GuestModule;
import dev.partyhost.party.Parties;
import dev.partyhost.room.Gate;
import dev.partyhost.room.Room;
import dev.partyhost.room.RoomResponse;
import dev.partyhost.room.Rooms;
import io.vertx.core.Context;
import io.vertx.core.Future;
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

/** PartyKit's URL scheme: WebSockets and plain HTTP to /parties/PARTY/ROOM and /party/ROOM, into rooms. */
public final class PartyRoutes {
  private static final Logger LOG = System.getLogger("partyhost.http");
  private static final String ROOM_PATHS = "^/part(y|ies)/.*";
  /** Framing headers are the host's business, not the guest's. */
  private static final Set<String> HOST_OWNED_HEADERS = Set.of("content-length", "transfer-encoding", "connection");

  private final HostConfig config;
  private final Parties parties;
  private final Rooms rooms;

  public PartyRoutes(HostConfig config, Parties parties, Rooms rooms) {
    this.config = config;
    this.parties = parties;
    this.rooms = rooms;
  }

  public void mount(Router router) {
    router.routeWithRegex(ROOM_PATHS).handler(this::route);
  }

  /** Resolves the address, then upgrades to a WebSocket or reads the body for the request hook. */
  private void route(RoutingContext ctx) {
    RoomAddress address = address(ctx);
    if (address == null) return;
    HttpServerRequest req = ctx.request();
    if (req.canUpgradeToWebSocket()) {
      upgrade(ctx, address);
    } else {
      Bodies.read(ctx, config.maxRequestBytes, body -> request(ctx, address, body));
    }
  }

  /**
   * A WebSocket joins its room before the handshake completes: the room runs its connect hook first,
   * then the 101 goes out. So when a client's socket opens, the room already counts it, and no
   * message sent by anyone after that can miss it (as with PartyKit).
   */
  private void upgrade(RoutingContext ctx, RoomAddress address) {
    HttpServerRequest req = ctx.request();
    byte[] record = passGate(ctx, address, Buffer.buffer(), true);
    if (record == null) return;
    if (!rooms.admitConnection()) {
      LOG.log(Level.WARNING, "connection limit reached (" + config.maxConnections + "): refusing a WebSocket with 503");
      plain(ctx.response(), 503, "Host at its connection limit; retry later");
      return;
    }
    Room room = acquire(ctx, address);
    if (room == null) {
      rooms.connectionEnded();
      return;
    }
    String uri = absoluteUri(req);
    String connectionId = req.getParam("_pk");
    if (connectionId == null || connectionId.isEmpty()) connectionId = UUID.randomUUID().toString();
    Context here = Vertx.currentContext();
    req.pause(); // the handshake is completed later, once the room has run its connect hook
    room.connect(connectionId, uri, record, connection -> here.runOnContext(v -> {
      Future<ServerWebSocket> upgraded;
      try {
        upgraded = req.toWebSocket();
      } catch (RuntimeException e) { // the client went away while the room ran its connect hook
        upgraded = Future.failedFuture(e);
      }
      req.resume();
      upgraded.onSuccess(socket -> Room.attach(connection, socket)).onFailure(e -> {
        LOG.log(Level.DEBUG, "WebSocket upgrade failed: " + e.getMessage());
        Room.upgradeFailed(connection);
      });
    }));
  }

  private void request(RoutingContext ctx, RoomAddress address, Buffer body) {
    byte[] record = passGate(ctx, address, body, false);
    if (record == null) return;
    Room room = acquire(ctx, address);
    if (room == null) return;
    room.request(record)
        .onComplete(result -> {
          if (result.failed()) {
            ctx.fail(result.cause());
          } else {
            reply(ctx.response(), result.result());
          }
        });
  }

  /** The room address of the request, or null after answering 400/404 for a bad one. */
  private RoomAddress address(RoutingContext ctx) {
    RoomAddress address;
    try {
      address = RoomAddress.parse(ctx.request().path(), config.mainParty);
    } catch (RoomAddress.Invalid e) {
      LOG.log(Level.INFO, "bad room address (" + e.status() + "): " + e.getMessage());
      plain(ctx.response(), e.status(), e.getMessage());
      return null;
    }
    if (address == null) {
      plain(ctx.response(), 404, "Not found");
      return null;
    }
    if (parties.get(address.party()) == null) {
      notFound(ctx, address);
      return null;
    }
    return address;
  }

  private static void notFound(RoutingContext ctx, RoomAddress address) {
    plain(ctx.response(), 404, "Party " + address.party() + " not found");
  }

  /**
   * The request record, after the party's before hook (if it has one) saw it: null when the hook
   * answered the request itself, else the record with the headers the hook set.
   */
  private byte[] passGate(RoutingContext ctx, RoomAddress address, Buffer body, boolean upgrade) {
    HttpServerRequest req = ctx.request();
    String uri = absoluteUri(req);
    byte[] record = record(req, uri, body, Map.of());
    GuestModule module = parties.get(address.party());
    Gate.Verdict verdict = module == null ? null : Gate.before(upgrade, address.party(), module, config, address.room(), record);
    if (verdict == null) return record;
    if (verdict.response() != null) {
      reply(ctx.response(), verdict.response());
      return null;
    }
    return verdict.headers().isEmpty() ? record : record(req, uri, body, verdict.headers());
  }

  /** The room, or null after answering 404 (no such party) or 503 (the host is at its room limit). */
  private Room acquire(RoutingContext ctx, RoomAddress address) {
    try {
      Room room = rooms.acquire(address.party(), address.room());
      if (room == null) notFound(ctx, address);
      return room;
    } catch (Rooms.Full full) {
      plain(ctx.response(), 503, full.getMessage() + "; retry later");
      return null;
    }
  }

  /**
   * The ABI's request record: method, URL, body, then header names (lower case) and values, with the
   * headers a before hook set replacing those of the same name. Netty reads the request line and
   * headers as ISO-8859-1, one char per byte: encoding them back the same way hands the guest the
   * bytes the client sent.
   */
  private static byte[] record(HttpServerRequest req, String uri, Buffer body, Map<String, byte[]> setHeaders) {
    ByteList.Builder record = new ByteList.Builder()
        .add(req.method().name())
        .add(uri.getBytes(StandardCharsets.ISO_8859_1))
        .add(body.getBytes());
    for (Map.Entry<String, String> header : req.headers()) {
      String name = header.getKey().toLowerCase(Locale.ROOT);
      if (!setHeaders.containsKey(name)) record.add(name).add(header.getValue().getBytes(StandardCharsets.ISO_8859_1));
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
        // Vert.x refuses names with separators, controls or non-ASCII, but lets an empty one through,
        // which would go out as the malformed line ": value" (found by fuzzing).
        if (name.isEmpty()) throw new IllegalArgumentException("empty header name");
        if (!HOST_OWNED_HEADERS.contains(name.toLowerCase(Locale.ROOT))) response.headers().add(name, headers.get(i + 1));
      }
      response.end(Buffer.buffer(r.body()));
    } catch (IllegalArgumentException e) {
      response.headers().clear();
      plain(response, 500, "Room sent an invalid response: " + e.getMessage());
    }
  }

  static void plain(HttpServerResponse response, int status, String message) {
    response.setStatusCode(status).putHeader("content-type", "text/plain; charset=utf-8").end(message);
  }
}
