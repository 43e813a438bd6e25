package dev.partyhost;

import dev.partyhost.cluster.Cluster;
import dev.partyhost.cluster.Membership;
import dev.partyhost.cluster.PartyChanges;
import dev.partyhost.guest.ModuleRejectedException;
import dev.partyhost.http.HttpVerticle;
import dev.partyhost.metrics.HostMetrics;
import dev.partyhost.party.FolderWatch;
import dev.partyhost.party.Parties;
import dev.partyhost.party.Uploads;
import dev.partyhost.room.Rooms;
import dev.partyhost.storage.PostgresEngine;
import dev.partyhost.storage.SqliteEngine;
import dev.partyhost.storage.StorageEngine;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.transport.Transport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** A running partyhost: the module registry, the rooms, and an HTTP server on every event loop. */
public final class PartyHost {
  private final HostConfig config;
  private final Vertx vertx;
  private final StorageEngine engine;

  /** This node's lease and rooms in the cluster; null for a host alone. */
  private final Cluster cluster;

  /** Keeps this node's parties in step with the other nodes' changes; null for a host alone. */
  private final PartyChanges partyChanges;

  private final String deployment;
  private final Parties parties;
  private final Rooms rooms;
  private final HostMetrics metrics;
  private final int port;

  /** How long {@link #close} waits for clients to answer the host's close frames. */
  static final long CLOSE_WAIT_MS = 5_000;

  private PartyHost(
      HostConfig config,
      Vertx vertx,
      StorageEngine engine,
      Cluster cluster,
      PartyChanges partyChanges,
      Parties parties,
      Rooms rooms,
      HostMetrics metrics,
      Listening listening) {
    this.config = config;
    this.vertx = vertx;
    this.engine = engine;
    this.cluster = cluster;
    this.partyChanges = partyChanges;
    this.deployment = listening.deployment;
    this.parties = parties;
    this.rooms = rooms;
    this.metrics = metrics;
    this.port = listening.port;
  }

  /** Loads the parties folder (if any), then listens. Blocks the calling thread until the host serves. */
  public static PartyHost start(HostConfig config) throws IOException, ModuleRejectedException {
    return start(config, List.of());
  }

  /**
   * Loads the parties folder (if any) and then {@code moreParties} (tests add their own guests), then
   * the uploaded parties kept in storage (which override folder modules of the same names), then
   * listens. Every party is loaded before stored alarms are scheduled: an alarm that is already due
   * fires at once, and must find its party.
   */
  public static PartyHost start(HostConfig config, List<Path> moreParties)
      throws IOException, ModuleRejectedException {
    int loops = VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE;
    HostMetrics metrics = HostMetrics.create(config.metrics);
    Vertx vertx = startVertx(config, loops, metrics);
    StorageEngine engine;
    Cluster cluster = null;
    try {
      if (config.cluster != null) {
        cluster = Cluster.join(vertx, config);
        engine = new PostgresEngine(vertx, Cluster.connectOptions(config), cluster.owners());
      } else {
        engine =
            config.postgresUrl != null
                ? new PostgresEngine(vertx, config.postgresUrl)
                : new SqliteEngine(Path.of(config.dataDir));
      }
    } catch (RuntimeException e) {
      if (cluster != null) cluster.close();
      vertx.close().await();
      throw new IOException("cannot open storage: " + e.getMessage(), e);
    }
    Parties parties = new Parties(config);
    Uploads uploads = new Uploads(vertx, parties, engine.parties());
    Rooms rooms;
    HostConfig running;
    PartyChanges partyChanges = null;
    try {
      if (config.parties != null) parties.loadDirectory(Path.of(config.parties), config.strict);
      for (Path dir : moreParties) parties.loadDirectory(dir, config.strict);
      try {
        uploads.restore(config.strict);
      } catch (RuntimeException e) {
        throw new IOException("cannot read stored parties: " + e.getMessage(), e);
      }
      // Measured once storage and the modules are open: what the WebSockets may have is what is
      // left.
      running = OpenFiles.fit(config);
      rooms = new Rooms(vertx, running, parties, engine, cluster, loops, metrics);
      metrics.gauge(
          "partyhost.guest.memory.reserved.bytes",
          "bytes of guest memory reserved by live instances (linear memories and tables)",
          () -> parties.memoryBudget().reserved());
      metrics.gauge(
          "partyhost.guest.memory.budget.bytes",
          "the host-wide budget of guest memory, in bytes",
          () -> parties.memoryBudget().limit());
      try {
        rooms.scheduleStoredAlarms();
      } catch (RuntimeException e) {
        throw new IOException("cannot read stored alarms: " + e.getMessage(), e);
      }
      if (config.watch && config.parties != null)
        FolderWatch.start(vertx, parties, rooms, List.of(Path.of(config.parties)));
      if (cluster != null) {
        partyChanges =
            new PartyChanges(
                vertx, running.node.id(), uploads, rooms, running.cluster.partyReconcileMs());
        partyChanges.start();
      }
    } catch (IOException | ModuleRejectedException | RuntimeException e) {
      engine.close();
      if (cluster != null) cluster.close();
      vertx.close().await();
      throw e;
    }
    HttpServerOptions options =
        new HttpServerOptions()
            .setHost(config.host)
            // Messages over the limit are read whole and refused with 1009 by the room (a clean
            // close); frames over twice the limit are cut off by the decoder without being read.
            .setMaxWebSocketMessageSize(PartyLimits.frameCeiling(config.largestMaxMessageBytes()))
            .setMaxWebSocketFrameSize(PartyLimits.frameCeiling(config.largestMaxMessageBytes()))
            // permessage-deflate only if some party asks for it (off by default: PartyKit does not
            // negotiate it, and it costs ~10x throughput on a relay); then each upgrade decides
            // (DeflatePerParty).
            .setPerMessageWebSocketCompressionSupported(config.anyCompression())
            .setPerFrameWebSocketCompressionSupported(false)
            // Each socket is written on its own event loop only (room.Outbound): Vert.x then needs
            // no write queue per HTTP connection (about 4 KiB each).
            .setStrictThreadMode(true)
            // HTTP/1.1 only. Vert.x's default also serves HTTP/2 over cleartext (h2c), which no
            // browser speaks; it would delay the connection handler until a connection's first
            // bytes (so requestHeaderTimeoutMs could not see one that sends nothing) and its
            // streams would escape that timeout altogether.
            .setHttp2ClearTextEnabled(false);
    Listening listening;
    try {
      listening = listen(vertx, running, options, loops, parties, uploads, rooms);
      // Future.await rethrows the cause as it is: a java.net.BindException for a busy port.
    } catch (Exception e) {
      engine.close();
      if (cluster != null) cluster.close();
      vertx.close().await();
      // NIO says "Address already in use"; epoll says "bind(..) failed with error(-98): Address
      // already in use".
      String why =
          String.valueOf(e.getMessage())
              .replaceFirst("^bind\\(\\.\\.\\) failed with error\\(-?\\d+\\): ", "");
      throw new IOException("cannot listen on " + config.host + ":" + config.port + ": " + why, e);
    }
    return new PartyHost(
        running, vertx, engine, cluster, partyChanges, parties, rooms, metrics, listening);
  }

  /**
   * Vert.x on the configured transport (epoll falls back to NIO where its library cannot load),
   * joined to its cluster in cluster mode.
   */
  private static Vertx startVertx(HostConfig config, int loops, HostMetrics metrics) {
    VertxOptions options = new VertxOptions().setEventLoopPoolSize(loops);
    if (config.cluster != null) options.getEventBusOptions().setHost(config.cluster.host());
    Transport transport = Transport.NIO;
    if (config.transport.equals("epoll")) {
      if (Transport.EPOLL.available()) transport = Transport.EPOLL;
      else
        System.getLogger("partyhost")
            .log(
                System.Logger.Level.WARNING,
                "epoll transport unavailable, using NIO: " + Transport.EPOLL.unavailabilityCause());
    }
    VertxBuilder builder =
        metrics.instrument(Vertx.builder().with(options), options).withTransport(transport);
    return config.cluster == null ? builder.build() : Membership.join(builder, config.cluster);
  }

  /** The transport the host runs on: epoll or nio. */
  public String transport() {
    return vertx.isNativeTransportEnabled() ? "epoll" : "nio";
  }

  /**
   * Deploys one server per event loop, all on one port (Vert.x server sharing). Port 0 means a free
   * port, found by the OS: another process may take it before we bind, so try a few.
   */
  private record Listening(int port, String deployment) {}

  private static Listening listen(
      Vertx vertx,
      HostConfig config,
      HttpServerOptions options,
      int loops,
      Parties parties,
      Uploads uploads,
      Rooms rooms)
      throws Exception {
    for (int attempt = 1; ; attempt++) {
      int port = config.port != 0 ? config.port : freePort();
      HttpServerOptions bound = new HttpServerOptions(options).setPort(port);
      try {
        String deployment =
            vertx
                .deployVerticle(
                    () ->
                        new HttpVerticle(
                            config,
                            bound,
                            parties,
                            uploads,
                            rooms,
                            rooms.cluster() == null
                                ? null
                                : (address, forwarded) ->
                                    rooms
                                        .owner(address.party(), address.room(), forwarded)
                                        .map(owner -> owner.mine() ? null : owner.address())),
                    new DeploymentOptions().setInstances(loops))
                .await();
        return new Listening(port, deployment);
      } catch (Exception e) {
        if (config.port != 0 || attempt == 5) throw e;
      }
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
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

  /** Where rooms' data lives, for humans. */
  public String storage() {
    return engine.describe();
  }

  /** The configuration it runs with: as given, but for a maxConnections lowered by {@link OpenFiles}. */
  public HostConfig config() {
    return config;
  }

  /**
   * Stops: every WebSocket is closed with 1001 (going away) and new requests get 503; waits up to
   * {@link #CLOSE_WAIT_MS} for the clients to answer the close, then stops serving, lets the commits
   * already submitted finish, and closes storage and Vert.x.
   */
  public void close() {
    if (partyChanges != null) partyChanges.stop();
    if (rooms.stop() > 0) {
      try {
        rooms.noConnections().await(CLOSE_WAIT_MS, TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        System.getLogger("partyhost.http")
            .log(
                System.Logger.Level.WARNING,
                rooms.connections()
                    + " WebSockets did not answer the close within "
                    + CLOSE_WAIT_MS
                    + " ms: dropping them");
      }
    }
    vertx.undeploy(deployment).await();
    rooms.commits().drain().await();
    engine.close();
    if (cluster != null) cluster.close(); // after the last commit: its rooms can be taken at once
    vertx.close().await();
    rooms.taps().close(); // after the last room's last hook
    metrics.close();
  }
}
