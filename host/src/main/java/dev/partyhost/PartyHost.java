package dev.partyhost;

import dev.partyhost.guest.ModuleRejectedException;
import dev.partyhost.http.AdminRoutes;
import dev.partyhost.http.PartyRoutes;
import dev.partyhost.http.RoomAddress;
import dev.partyhost.party.Parties;
import dev.partyhost.room.Rooms;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;

/** A running partyhost: the module registry, the rooms, and an HTTP server on every event loop. */
public final class PartyHost {
  private final HostConfig config;
  private final Vertx vertx;
  private final Parties parties;
  private final Rooms rooms;
  private final int port;

  private PartyHost(HostConfig config, Vertx vertx, Parties parties, Rooms rooms, int port) {
    this.config = config;
    this.vertx = vertx;
    this.parties = parties;
    this.rooms = rooms;
    this.port = port;
  }

  /** Loads the parties folder (if any), then listens. Blocks the calling thread until the host serves. */
  public static PartyHost start(HostConfig config) throws IOException, ModuleRejectedException {
    Parties parties = new Parties(config);
    if (config.parties != null) parties.loadDirectory(Path.of(config.parties));
    int loops = VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE;
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(loops));
    Rooms rooms = new Rooms(vertx, config, parties, loops);
    int port = config.port != 0 ? config.port : freePort();
    HttpServerOptions options = new HttpServerOptions()
        .setHost(config.host)
        .setPort(port)
        // Messages over the limit are read whole and refused with 1009 by the room (a clean close);
        // frames over twice the limit are cut off by the decoder without being read.
        .setMaxWebSocketMessageSize(frameCeiling(config.maxMessageBytes))
        .setMaxWebSocketFrameSize(frameCeiling(config.maxMessageBytes))
        // PartyKit does not negotiate permessage-deflate; it costs ~10x throughput on a relay.
        .setPerMessageWebSocketCompressionSupported(false)
        .setPerFrameWebSocketCompressionSupported(false);
    DeploymentOptions deployment = new DeploymentOptions().setInstances(loops);
    try {
      vertx.deployVerticle(() -> new VerticleBase() {
        @Override
        public Future<?> start() {
          Router router = Router.router(vertx);
          new AdminRoutes(vertx, config, parties, rooms).mount(router);
          new PartyRoutes(config, parties, rooms).mount(router);
          router.route().handler(ctx -> ctx.response().setStatusCode(404)
              .putHeader("content-type", "text/plain; charset=utf-8").end("Not found"));
          return vertx.createHttpServer(options).requestHandler(req -> {
            // The router would throw on a malformed escape; answer it here, plainly.
            if (RoomAddress.hasBadEscape(req.path())) {
              req.response().setStatusCode(400).putHeader("content-type", "text/plain; charset=utf-8")
                  .end("Bad percent-encoding in path");
            } else {
              router.handle(req);
            }
          }).listen();
        }
      }, deployment).await();
    } catch (RuntimeException e) {
      vertx.close();
      throw new IOException("cannot listen on " + config.host + ":" + port + ": " + e.getMessage(), e);
    }
    return new PartyHost(config, vertx, parties, rooms, port);
  }

  private static int frameCeiling(int maxMessageBytes) {
    return (int) Math.min(Integer.MAX_VALUE - 1024, 2L * maxMessageBytes);
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  public int port() {
    return port;
  }

  public Parties parties() {
    return parties;
  }

  public Rooms rooms() {
    return rooms;
  }

  public HostConfig config() {
    return config;
  }

  public void close() {
    vertx.close().await();
  }
}
