package dev.partyhost.support;

import dev.partyhost.HostConfig;
import dev.partyhost.PartyLimits;
import dev.partyhost.http.HttpVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The node that receives a forwarded client: a second HTTP server (the host's own {@link
 * HttpVerticle}) for a test host's parties, on a Vert.x of its own, that places every room on one
 * owner (host:port) and so forwards every client there, after the party's before hook ran here. What
 * cluster routing will do when a room's owner is another node, without a cluster.
 */
public final class Front implements AutoCloseable {
  private final Vertx vertx = Vertx.vertx();
  private final Vertx clientVertx = Vertx.vertx();
  private final WebSocketClient wsClient;
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private final int port;

  private Front(TestHost host, String owner) throws IOException {
    HostConfig config = host.host.config();
    this.port = HostProcess.freePort();
    int ceiling = PartyLimits.frameCeiling(config.largestMaxMessageBytes());
    // As PartyHost sets up its servers.
    HttpServerOptions options =
        new HttpServerOptions()
            .setHost("127.0.0.1")
            .setPort(port)
            .setMaxWebSocketMessageSize(ceiling)
            .setMaxWebSocketFrameSize(ceiling)
            .setStrictThreadMode(true);
    // No uploads: the admin API is not what this server is for.
    vertx
        .deployVerticle(
            () ->
                new HttpVerticle(
                    config,
                    options,
                    host.host.parties(),
                    null,
                    host.host.rooms(),
                    (address, forwarded) -> io.vertx.core.Future.succeededFuture(owner)),
            new DeploymentOptions().setInstances(2))
        .await();
    this.wsClient =
        clientVertx.createWebSocketClient(
            new WebSocketClientOptions()
                .setMaxMessageSize(64 * 1024 * 1024)
                .setMaxFrameSize(64 * 1024 * 1024)
                .setMaxConnections(100_000));
  }

  /** Starts a front for {@code host}'s parties that forwards every room to {@code owner}. */
  public static Front start(TestHost host, String owner) {
    try {
      return new Front(host, owner);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public int port() {
    return port;
  }

  public String url(String path) {
    return "http://127.0.0.1:" + port + path;
  }

  /** Opens a WebSocket through this front. */
  public Ws ws(String path) {
    return Ws.connect(
        wsClient, new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI(path));
  }

  public HttpResponse<String> send(HttpRequest.Builder request) {
    try {
      return http.send(
          request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public HttpResponse<String> get(String path) {
    return send(HttpRequest.newBuilder(URI.create(url(path))).GET());
  }

  @Override
  public void close() {
    clientVertx.close().await();
    vertx.close().await();
  }
}
