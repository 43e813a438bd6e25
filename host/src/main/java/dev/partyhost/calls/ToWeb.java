package dev.partyhost.calls;

import dev.partyhost.guest.Abi;
import dev.partyhost.guest.ByteList;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Outgoing HTTP ({@code http_call}) with the host's one Vert.x client. Every hop, the first and each
 * redirect, is checked against the party's allowlist; its host name is resolved here, each address
 * checked, and the client connects to the address checked (a second lookup by the client could
 * answer otherwise: DNS rebinding). The response is counted as it streams and cut off past the
 * limit; the deadline covers every hop.
 */
final class ToWeb {
  /** The host sets these itself (the Host header from the URL, the framing from the body). */
  private static final Set<String> HOST_OWNED =
      Set.of("host", "content-length", "transfer-encoding", "connection");

  /** Credentials of the first host do not go on to another one a redirect names. */
  private static final Set<String> CREDENTIALS =
      Set.of("authorization", "cookie", "proxy-authorization");

  private static final Set<Integer> REDIRECTS = Set.of(301, 302, 303, 307, 308);

  /** Lookups at once at most: a slow resolver ties up these threads, not Vert.x's worker pool. */
  private static final int LOOKUP_THREADS = 4;

  private final Vertx vertx;
  private HttpClient client;
  private WorkerExecutor lookups;

  ToWeb(Vertx vertx) {
    this.vertx = vertx;
  }

  /** The client, made on first use (a host that never calls out has none). */
  private synchronized HttpClient client() {
    if (client == null)
      client =
          vertx.createHttpClient(
              new HttpClientOptions().setKeepAlive(true).setMaxRedirects(0).setVerifyHost(true));
    return client;
  }

  /** The lookups' own threads, made on first use; the call's deadline answers one that hangs. */
  private synchronized WorkerExecutor lookups() {
    if (lookups == null)
      lookups = vertx.createSharedWorkerExecutor("partyhost-http-call-dns", LOOKUP_THREADS);
    return lookups;
  }

  /** One call: its answer, never a failed future. Completes on the calling (room's) context. */
  Future<Answer> call(
      CallRequest request, Allowlist allowlist, long timeoutMs, long maxResponseBytes) {
    Hop first =
        new Hop(
            request.method(),
            CallRequest.webUri(request.url()),
            request.body(),
            headers(request),
            Abi.MAX_CALL_REDIRECTS);
    Promise<Answer> answer = Promise.promise();
    long deadline = System.nanoTime() + timeoutMs * 1_000_000;
    new Exchange(allowlist, deadline, maxResponseBytes, answer).go(first);
    return answer.future();
  }

  private static List<Map.Entry<String, String>> headers(CallRequest request) {
    List<Map.Entry<String, String>> out = new ArrayList<>();
    for (CallRequest.Header h : request.headers())
      if (!HOST_OWNED.contains(h.name())) out.add(Map.entry(h.name(), h.valueText()));
    return out;
  }

  /** One request of a call: the first, or one a redirect asks for. */
  private record Hop(
      String method,
      URI uri,
      byte[] body,
      List<Map.Entry<String, String>> headers,
      int redirectsLeft) {
    String host() {
      String h = uri.getHost();
      return h.startsWith("[") ? h.substring(1, h.length() - 1) : h;
    }

    boolean https() {
      return uri.getScheme().equalsIgnoreCase("https");
    }

    int port() {
      return uri.getPort() >= 0 ? uri.getPort() : https() ? 443 : 80;
    }

    String pathAndQuery() {
      String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
      return uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
    }
  }

  /** The hops of one call, one after the other, on the room's context. */
  private final class Exchange {
    private final Allowlist allowlist;
    private final long deadline;
    private final long maxBytes;
    private final Promise<Answer> answer;

    Exchange(Allowlist allowlist, long deadline, long maxBytes, Promise<Answer> answer) {
      this.allowlist = allowlist;
      this.deadline = deadline;
      this.maxBytes = maxBytes;
      this.answer = answer;
    }

    void go(Hop hop) {
      String host = hop.host();
      int port = hop.port();
      if (!allowlist.allowsHost(host, port)) {
        answer.tryComplete(
            Answer.failed(
                Abi.NOT_ALLOWED, host + ":" + port + " is not on the party's http allowlist"));
        return;
      }
      resolve(host)
          .onComplete(
              resolved -> {
                if (resolved.failed()) {
                  answer.tryComplete(
                      Answer.failed(
                          Abi.FAILED,
                          "cannot resolve " + host + ": " + resolved.cause().getMessage()));
                  return;
                }
                InetAddress[] addresses = resolved.result();
                for (InetAddress a : addresses) {
                  if (!Allowlist.isPublic(a) && !allowlist.namesAddress(a, port)) {
                    answer.tryComplete(
                        Answer.failed(
                            Abi.NOT_ALLOWED,
                            host
                                + " resolves to "
                                + a.getHostAddress()
                                + ", a non-public address the allowlist does not name"));
                    return;
                  }
                }
                send(hop, addresses[0]);
              });
    }

    /** An IP literal stands for itself; a name is looked up off the event loop, every address kept. */
    private Future<InetAddress[]> resolve(String host) {
      if (Allowlist.isIpLiteral(host)) {
        InetAddress a = Allowlist.literal(host);
        return a == null
            ? Future.failedFuture("not an IP address")
            : Future.succeededFuture(new InetAddress[] {a});
      }
      return lookups().executeBlocking(() -> InetAddress.getAllByName(host), false);
    }

    private void send(Hop hop, InetAddress address) {
      long leftMs = (deadline - System.nanoTime()) / 1_000_000;
      if (leftMs <= 0) {
        answer.tryComplete(Answer.failed(Abi.TIMED_OUT, "no answer within the call deadline"));
        return;
      }
      RequestOptions options =
          new RequestOptions()
              .setMethod(HttpMethod.valueOf(hop.method()))
              .setServer(SocketAddress.inetSocketAddress(hop.port(), address.getHostAddress()))
              .setHost(hop.host())
              .setPort(hop.port())
              .setSsl(hop.https())
              .setURI(hop.pathAndQuery())
              .setFollowRedirects(false)
              .setConnectTimeout(leftMs);
      for (Map.Entry<String, String> h : hop.headers()) options.addHeader(h.getKey(), h.getValue());
      client()
          .request(options)
          .onComplete(
              opened -> {
                if (opened.failed()) {
                  failed(opened.cause());
                  return;
                }
                HttpClientRequest req = opened.result();
                long timer =
                    vertx.setTimer(
                        Math.max(1, (deadline - System.nanoTime()) / 1_000_000),
                        t -> {
                          if (answer.tryComplete(
                              Answer.failed(Abi.TIMED_OUT, "no answer within the call deadline"))) {
                            var unused = req.reset();
                          }
                        });
                req.response()
                    .onComplete(
                        response -> {
                          if (response.failed()) {
                            vertx.cancelTimer(timer);
                            failed(response.cause());
                          } else {
                            received(hop, req, response.result(), timer);
                          }
                        });
                req.end(Buffer.buffer(hop.body()))
                    .onFailure(
                        e -> {
                          vertx.cancelTimer(timer);
                          failed(e);
                        });
              });
    }

    private void received(Hop hop, HttpClientRequest req, HttpClientResponse response, long timer) {
      int status = response.statusCode();
      String location = response.getHeader("location");
      if (REDIRECTS.contains(status) && location != null && hop.redirectsLeft() > 0) {
        vertx.cancelTimer(timer);
        response.exceptionHandler(e -> {}); // the reset's own
        var unused = req.reset(); // the redirect's body is not wanted
        Hop next = redirect(hop, status, location);
        if (next == null)
          answer.tryComplete(
              Answer.failed(Abi.FAILED, "redirect to a location that is not http(s): " + location));
        else go(next);
        return;
      }
      List<String> headers = new ArrayList<>();
      long size = 0;
      for (Map.Entry<String, String> h : response.headers()) {
        headers.add(h.getKey().toLowerCase(Locale.ROOT));
        headers.add(h.getValue());
        size += h.getKey().length() + h.getValue().getBytes(StandardCharsets.UTF_8).length;
      }
      long headerBytes = size;
      if (headerBytes > maxBytes) {
        tooLarge(req, headerBytes, timer);
        return;
      }
      Buffer body = Buffer.buffer();
      response.handler(
          chunk -> {
            if (answer.future().isComplete()) return;
            if (headerBytes + body.length() + chunk.length() > maxBytes) {
              tooLarge(req, headerBytes + body.length() + chunk.length(), timer);
              return;
            }
            body.appendBuffer(chunk);
          });
      response.exceptionHandler(
          e -> {
            vertx.cancelTimer(timer);
            failed(e);
          });
      response.endHandler(
          v -> {
            vertx.cancelTimer(timer);
            if (answer.future().isComplete()) return;
            ByteList.Builder record = new ByteList.Builder().add(body.getBytes());
            for (int i = 0; i < headers.size(); i += 2)
              record.add(headers.get(i)).add(headers.get(i + 1));
            answer.tryComplete(new Answer(status, record.build()));
          });
    }

    private void tooLarge(HttpClientRequest req, long size, long timer) {
      vertx.cancelTimer(timer);
      if (answer.tryComplete(Answer.tooLarge(size, maxBytes))) {
        var unused = req.reset();
      }
    }

    private void failed(Throwable cause) {
      answer.tryComplete(
          Answer.failed(
              Abi.FAILED, "the connection failed: " + String.valueOf(cause.getMessage())));
    }

    /**
     * The next hop of a redirect: 303, and 301 or 302 after a POST, go on as a GET without a body;
     * credentials stay behind when the host changes. Null when the location is not http(s).
     */
    private Hop redirect(Hop hop, int status, String location) {
      URI next;
      try {
        next = hop.uri().resolve(location.trim());
      } catch (IllegalArgumentException e) {
        return null;
      }
      if (CallRequest.webUri(next.toString()) == null) return null;
      boolean toGet =
          (status == 303 && !hop.method().equals("HEAD"))
              || ((status == 301 || status == 302) && hop.method().equals("POST"));
      boolean sameHost =
          next.getHost().equalsIgnoreCase(hop.uri().getHost()) && portOf(next) == hop.port();
      List<Map.Entry<String, String>> headers = new ArrayList<>();
      for (Map.Entry<String, String> h : hop.headers()) {
        if (!sameHost && CREDENTIALS.contains(h.getKey())) continue;
        if (toGet && h.getKey().startsWith("content-")) continue;
        headers.add(h);
      }
      return new Hop(
          toGet ? "GET" : hop.method(),
          next,
          toGet ? new byte[0] : hop.body(),
          headers,
          hop.redirectsLeft() - 1);
    }
  }

  private static int portOf(URI uri) {
    return uri.getPort() >= 0
        ? uri.getPort()
        : uri.getScheme().equalsIgnoreCase("https") ? 443 : 80;
  }
}
