package dev.partyhost.cluster;

import dev.partyhost.vertx.VertxInternals;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.net.SocketAddress;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Hands a client to the node that runs its room (its owner), from the node that received it: a
 * WebSocket through an internal WebSocket of its own to the owner ({@link Relay} joins the two), an
 * HTTP request as a proxied request. Both go to the same path and query on the owner, with the
 * client's headers (not the hop-by-hop ones), the headers the party's before hook set here (the
 * owner does not run it again), the client's address in {@code x-forwarded-for}, and the headers
 * of {@link Forwarded}: the cluster secret and the URL the client used.
 *
 * <p>One per event loop, used on it: its clients' connections run on the loop that opened them,
 * the client's own, so a relay needs no locks. Held for as long as it forwards: Vert.x closes the
 * connections of a client that was garbage-collected.
 */
public final class Forwarder {
  private static final Logger LOG = System.getLogger("partyhost.cluster");

  /** How long reaching the owner may take. */
  static final long CONNECT_TIMEOUT_MS = 5_000;

  /** How long the owner may take to answer: it may load the room and run a hook first. */
  static final long ANSWER_TIMEOUT_MS = 30_000;

  /** Most HTTP connections to one owner per event loop; more requests wait for one. */
  private static final int HTTP_CONNECTIONS = 32;

  /**
   * Headers each hop has its own of: connection-level ones (RFC 9110, section 7.6.1), and the
   * framing and expectations of a body this node has read whole.
   */
  private static final Set<String> HOP_BY_HOP =
      Set.of(
          "connection",
          "keep-alive",
          "proxy-connection",
          "proxy-authenticate",
          "proxy-authorization",
          "te",
          "trailer",
          "transfer-encoding",
          "upgrade",
          "http2-settings",
          "expect",
          "content-length");

  private final String secret;
  private final Context context;
  private final Flushes flushes;

  /** The clients this forwarder relays now (on its event loop). */
  private final Set<Relay> relays = new HashSet<>();

  private final WebSocketClient webSockets;
  private final HttpClient http;

  /**
   * @param secret the cluster secret the owner checks
   * @param maxFrameBytes the largest frame or message an owner may send a client (the servers'
   *     ceiling): the internal socket must not refuse what the client's own would take
   */
  public Forwarder(Vertx vertx, String secret, int maxFrameBytes) {
    if (secret == null || secret.isEmpty()) throw new IllegalArgumentException("no cluster secret");
    this.secret = secret;
    this.context = vertx.getOrCreateContext();
    this.flushes = new Flushes(VertxInternals.eventLoop(context));
    this.webSockets =
        vertx.createWebSocketClient(
            new WebSocketClientOptions()
                .setConnectTimeout((int) CONNECT_TIMEOUT_MS)
                .setMaxFrameSize(maxFrameBytes)
                .setMaxMessageSize(maxFrameBytes)
                .setMaxConnections(
                    Integer.MAX_VALUE)); // one per forwarded client: none waits (-1 would make all
    // wait, in Vert.x 5.0.7)
    this.http =
        vertx.createHttpClient(
            new HttpClientOptions().setConnectTimeout((int) CONNECT_TIMEOUT_MS),
            new PoolOptions().setHttp1MaxSize(HTTP_CONNECTIONS));
  }

  /**
   * Forwards a WebSocket upgrade to the owner at {@code owner} (host:port of its HTTP server). The
   * client's handshake completes only once the owner accepted (the room ran its connect hook), with
   * the owner's {@code x-partyhost-node}; if the owner refuses, the client gets its status, headers
   * and body instead, and 503 if it cannot be reached.
   *
   * @param uri the absolute URL the client used
   * @param beforeHeaders the headers the party's before hook set (name in lower case → value)
   * @param ended called once when the client is gone: refused, failed, or its connection ended
   */
  public void webSocket(
      HttpServerRequest client,
      String owner,
      String uri,
      Map<String, byte[]> beforeHeaders,
      Runnable ended) {
    WebSocketConnectOptions options;
    try {
      SocketAddress at = address(owner);
      options =
          new WebSocketConnectOptions()
              .setHost(at.host())
              .setPort(at.port())
              .setURI(client.uri())
              .setHeaders(headers(client, uri, beforeHeaders, true))
              // Vert.x makes an Origin up, or removes the client's: keep the client's, if any.
              .setAllowOriginHeader(client.headers().contains("origin"))
              .setTimeout(ANSWER_TIMEOUT_MS);
    } catch (IllegalArgumentException e) {
      cannotForward(client.response(), e);
      ended.run();
      return;
    }
    client.pause(); // the handshake completes later, once the owner accepted
    ClientWebSocket internal = webSockets.webSocket();
    Relay relay =
        Relay.forOwner(
            internal,
            flushes,
            attached -> {
              relays.remove(attached);
              ended.run();
            });
    internal
        .connect(options)
        .onComplete(
            connected -> {
              if (connected.failed()) {
                client.resume();
                refused(client, owner, connected.cause());
                ended.run();
                return;
              }
              String node = internal.headers().get(Forwarded.NODE);
              if (node != null) client.response().headers().set(Forwarded.NODE, node);
              Future<ServerWebSocket> upgraded;
              try {
                upgraded = client.toWebSocket();
                // The client went away while the owner accepted.
              } catch (RuntimeException e) {
                upgraded = Future.failedFuture(e);
              }
              client.resume();
              upgraded
                  .onSuccess(
                      socket -> {
                        relays.add(relay);
                        relay.attach(socket);
                      })
                  .onFailure(
                      e -> {
                        LOG.log(Level.DEBUG, "forwarded upgrade failed: " + e.getMessage());
                        VertxInternals.abort(internal); // the room sees the client go, as 1006
                        ended.run();
                      });
            });
  }

  /**
   * This node is stopping: every client it relays is closed with 1012, so that it reconnects through
   * another node (its room goes on at its owner).
   */
  public void stop() {
    context.runOnContext(v -> new ArrayList<>(relays).forEach(Relay::stop));
  }

  /**
   * Forwards an HTTP request whose body was read, to the owner at {@code owner}, and answers the
   * client with the owner's status, headers (its {@code x-partyhost-node} among them) and body;
   * 503 if the owner cannot be reached or does not answer in time.
   *
   * @param uri the absolute URL the client used
   * @param beforeHeaders the headers the party's before hook set (name in lower case → value)
   */
  public void request(
      HttpServerRequest client,
      Buffer body,
      String owner,
      String uri,
      Map<String, byte[]> beforeHeaders) {
    RequestOptions options;
    try {
      SocketAddress at = address(owner);
      options =
          new RequestOptions()
              .setMethod(client.method())
              .setHost(at.host())
              .setPort(at.port())
              .setURI(client.uri())
              .setHeaders(headers(client, uri, beforeHeaders, false))
              .setIdleTimeout(ANSWER_TIMEOUT_MS);
    } catch (IllegalArgumentException e) {
      cannotForward(client.response(), e);
      return;
    }
    HttpServerResponse response = client.response();
    http.request(options)
        .compose(request -> request.send(body))
        .compose(
            answer ->
                answer
                    .body()
                    .map(
                        content -> {
                          answer(response, answer.statusCode(), answer.headers(), content);
                          return content;
                        }))
        .onFailure(
            e -> {
              if (response.headWritten()) return;
              LOG.log(
                  Level.WARNING,
                  "cannot forward "
                      + client.method()
                      + " "
                      + client.path()
                      + " to "
                      + owner
                      + ": "
                      + e.getMessage());
              plain(response, 503, "The node that runs this room cannot be reached; retry later");
            });
  }

  /**
   * The headers the owner gets: the client's, without hop-by-hop ones, those Vert.x makes for the
   * internal handshake, any of this scheme's (a client cannot pose as a node), or those the before
   * hook replaced; then the before hook's, the client's address and the forwarding headers.
   */
  private MultiMap headers(
      HttpServerRequest client, String uri, Map<String, byte[]> beforeHeaders, boolean upgrade) {
    Set<String> dropped = new HashSet<>(HOP_BY_HOP);
    for (String listed : client.headers().getAll("connection"))
      for (String name : listed.split(",")) dropped.add(name.trim().toLowerCase(Locale.ROOT));
    MultiMap headers = HttpHeaders.headers();
    for (Map.Entry<String, String> header : client.headers()) {
      String name = header.getKey().toLowerCase(Locale.ROOT);
      if (dropped.contains(name)
          || name.startsWith(Forwarded.PREFIX)
          || beforeHeaders.containsKey(name)
          || (upgrade && name.startsWith("sec-websocket-"))) continue;
      headers.add(name, header.getValue());
    }
    // Latin-1, as Netty read the client's: each char is the byte the client sent.
    beforeHeaders.forEach(
        (name, value) -> headers.add(name, new String(value, StandardCharsets.ISO_8859_1)));
    SocketAddress from = client.remoteAddress();
    if (from != null) {
      String address = from.hostAddress() != null ? from.hostAddress() : from.host();
      String before = headers.get("x-forwarded-for");
      headers.set("x-forwarded-for", before == null ? address : before + ", " + address);
    }
    headers.set(Forwarded.SECRET, secret);
    headers.set(Forwarded.URI, uri);
    return headers;
  }

  /** The owner refused the upgrade (its answer goes to the client) or could not be reached (503). */
  private static void refused(HttpServerRequest client, String owner, Throwable cause) {
    if (cause instanceof UpgradeRejectedException rejected) {
      answer(client.response(), rejected.getStatus(), rejected.getHeaders(), rejected.getBody());
      return;
    }
    LOG.log(
        Level.WARNING,
        "cannot forward a WebSocket for " + client.path() + " to " + owner + ": " + cause);
    plain(client.response(), 503, "The node that runs this room cannot be reached; retry later");
  }

  private static void answer(
      HttpServerResponse response, int status, MultiMap headers, Buffer body) {
    if (response.headWritten()) return;
    response.setStatusCode(status);
    if (headers != null)
      for (Map.Entry<String, String> header : headers)
        if (!HOP_BY_HOP.contains(header.getKey().toLowerCase(Locale.ROOT)))
          response.headers().add(header.getKey(), header.getValue());
    var unused = response.end(body == null ? Buffer.buffer() : body);
  }

  /** A header this node cannot send on (it came from the before hook), or a bad owner address. */
  private static void cannotForward(HttpServerResponse response, IllegalArgumentException e) {
    LOG.log(Level.WARNING, "cannot forward a request: " + e.getMessage());
    plain(response, 500, "Cannot forward the request: " + e.getMessage());
  }

  private static void plain(HttpServerResponse response, int status, String message) {
    var unused =
        response
            .setStatusCode(status)
            .putHeader("content-type", "text/plain; charset=utf-8")
            .end(message);
  }

  /** host:port (an IPv6 host in brackets). */
  static SocketAddress address(String owner) {
    int colon = owner.lastIndexOf(':');
    if (colon <= 0)
      throw new IllegalArgumentException("owner address " + owner + " is not host:port");
    String host = owner.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
    try {
      return SocketAddress.inetSocketAddress(Integer.parseInt(owner.substring(colon + 1)), host);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("owner address " + owner + " is not host:port", e);
    }
  }
}
