package dev.partyhost.calls;

import dev.partyhost.cluster.Forwarded;
import dev.partyhost.guest.Abi;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A room call to a room another node of the cluster runs: sent to that node as a forwarded request
 * (with the cluster secret, so its before hooks do not run there), carrying the URL the callee sees
 * and {@code x-partyhost-caller}, which the owner keeps only on such a request. The owner tells a
 * callee that failed (trapped, reset, did not start) from one that answered 500 by {@link Forwarded#CALL_FAILED}.
 */
final class ToOwner {
  private final Vertx vertx;
  private final String secret;
  private HttpClient client;

  ToOwner(Vertx vertx, String secret) {
    this.vertx = vertx;
    this.secret = secret;
  }

  private synchronized HttpClient client() {
    if (client == null) client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true));
    return client;
  }

  /**
   * Sends the call to {@code owner} (host:port of its HTTP server); {@code record} is the callee's
   * request record as {@link ToRooms#record} made it. Completes on the calling context.
   */
  Future<Answer> call(
      String owner,
      String party,
      String roomId,
      CallRequest request,
      String callerParty,
      String callerRoom,
      long maxResponseBytes) {
    if (secret == null)
      return Future.succeededFuture(
          Answer.failed(Abi.FAILED, "room " + roomId + " runs on another node, unreachable"));
    int colon = owner.lastIndexOf(':');
    String path =
        "/parties/" + ToRooms.encode(party) + "/" + ToRooms.encode(roomId) + request.url();
    RequestOptions options =
        new RequestOptions()
            .setMethod(HttpMethod.valueOf(request.method()))
            .setHost(owner.substring(0, colon))
            .setPort(Integer.parseInt(owner.substring(colon + 1)))
            .setURI(path);
    for (CallRequest.Header h : request.headers())
      if (h.reachesCallee()) options.addHeader(h.name(), h.valueText());
    options
        .putHeader(Forwarded.SECRET, secret)
        .putHeader(Forwarded.URI, ToRooms.ORIGIN + path)
        .putHeader(Forwarded.CALLER, callerParty + "/" + callerRoom);
    return client()
        .request(options)
        .compose(req -> req.send(Buffer.buffer(request.body())))
        .compose(response -> response.body().map(body -> answer(response, body, maxResponseBytes)))
        .recover(
            e ->
                Future.succeededFuture(
                    Answer.failed(
                        Abi.FAILED, "the node that runs the room failed: " + e.getMessage())));
  }

  private static Answer answer(HttpClientResponse response, Buffer body, long maxBytes) {
    String failed = response.getHeader(Forwarded.CALL_FAILED);
    if (failed != null) return Answer.failed(Abi.FAILED, failed);
    List<String> headers = new ArrayList<>();
    for (Map.Entry<String, String> h : response.headers()) {
      String name = h.getKey().toLowerCase(Locale.ROOT);
      if (name.startsWith(Forwarded.PREFIX)) continue; // the nodes' own
      headers.add(name);
      headers.add(h.getValue());
    }
    return Answer.response(response.statusCode(), headers, body.getBytes(), maxBytes);
  }
}
