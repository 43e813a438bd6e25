package dev.partyhost.http;

import dev.partyhost.HostConfig;
import dev.partyhost.PartyLimits;
import dev.partyhost.cluster.Forwarder;
import dev.partyhost.party.Parties;
import dev.partyhost.party.Uploads;
import dev.partyhost.room.Rooms;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;

/** One HTTP server on one event loop: the host deploys one per loop, all sharing one listening port. */
public final class HttpVerticle extends VerticleBase {
  private final HostConfig config;
  private final HttpServerOptions options;
  private final Parties parties;
  private final Uploads uploads;
  private final Rooms rooms;
  private final PartyRoutes.OwnerLookup ownerElsewhere;

  /** Closes this server's forwarded clients when the host stops; null when it forwards none. */
  private Runnable stopForwarding;

  public HttpVerticle(
      HostConfig config, HttpServerOptions options, Parties parties, Uploads uploads, Rooms rooms) {
    this(config, options, parties, uploads, rooms, null);
  }

  /**
   * A server that forwards each client whose room {@code ownerElsewhere} places on another node (a
   * future of the host:port of its HTTP server; null: this one). Needs {@link HostConfig#node} for
   * that.
   */
  public HttpVerticle(
      HostConfig config,
      HttpServerOptions options,
      Parties parties,
      Uploads uploads,
      Rooms rooms,
      PartyRoutes.OwnerLookup ownerElsewhere) {
    this.config = config;
    this.options = options;
    this.parties = parties;
    this.uploads = uploads;
    this.rooms = rooms;
    this.ownerElsewhere = ownerElsewhere;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    new HealthRoutes(parties, rooms).mount(router);
    AdminRoutes admin = new AdminRoutes(config, parties, uploads, rooms);
    admin.mount(router);
    new MetricsRoute(config, rooms.metrics(), admin::authorize).mount(router);
    // Held by the routes for as long as this server runs (Vert.x closes a collected client's
    // connections).
    Forwarder forwarder =
        config.node == null
            ? null
            : new Forwarder(
                vertx,
                config.node.secret(),
                PartyLimits.frameCeiling(config.largestMaxMessageBytes()));
    if (forwarder != null) {
      stopForwarding = forwarder::stop;
      rooms.onStop(stopForwarding);
    }
    PartyRoutes partyRoutes = new PartyRoutes(config, parties, rooms, forwarder, ownerElsewhere);
    partyRoutes.mount(router);
    if (config.staticDir != null)
      new StaticRoutes(config.staticDir, config.staticSpa).mount(router);
    router.route().handler(ctx -> PartyRoutes.plain(ctx.response(), 404, "Not found"));
    HttpServer server = vertx.createHttpServer(options);
    boolean deflate = options.getPerMessageWebSocketCompressionSupported();
    if (deflate || config.requestHeaderTimeoutMs > 0) {
      server.connectionHandler(
          connection -> {
            if (config.requestHeaderTimeoutMs > 0)
              RequestHeadTimeout.install(connection, config.requestHeaderTimeoutMs);
            if (deflate) DeflatePerParty.install(connection, config, options);
          });
    }
    return server
        .requestHandler(
            req -> {
              // The router would throw on a malformed escape; answer it here, plainly.
              if (RoomAddress.hasBadEscape(req.path())) {
                PartyRoutes.plain(req.response(), 400, "Bad percent-encoding in path");
              } else if (partyRoutes.isUpgrade(req)) {
                partyRoutes.upgrade(req);
              } else {
                router.handle(req);
              }
            })
        .listen();
  }

  @Override
  public Future<?> stop() {
    if (stopForwarding != null) rooms.removeOnStop(stopForwarding);
    return Future.succeededFuture();
  }
}
