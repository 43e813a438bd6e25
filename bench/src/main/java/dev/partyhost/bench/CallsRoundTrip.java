package dev.partyhost.bench;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * Room-to-room calls (ABI v1.4): one client asks room A, by a WebSocket message, to call room B
 * ({@code room_call}); B's {@code on_request} responds, A's {@code on_response} sends the answer
 * back. The figure is the time from the client's message to that answer, one call at a time. Side
 * by side, on the same host: a plain HTTP request to room B (its before hook, then its {@code
 * on_request}), and a WebSocket message that room A sends straight back (no call). The party is the
 * host's test guest {@code caller} ({@code host/src/test/wat/caller.wat}, built by {@code make
 * test-wasm}), uploaded through the admin API; partyhost only.
 */
final class CallsRoundTrip extends Scenario {
  private static final Path GUEST = Path.of("build/test-wasm/caller.wasm");
  private final int count;
  private final int warmup;

  CallsRoundTrip(int count, int warmup) {
    this.count = count;
    this.warmup = warmup;
  }

  @Override
  String title() {
    return "room-to-room call: "
        + count
        + " calls one after another (after "
        + warmup
        + " not counted), client message to the answer; beside it a plain HTTP request to a room"
        + " and a WebSocket echo";
  }

  @Override
  boolean higherIsBetter() {
    return false;
  }

  @Override
  Figures run(Server server) throws Exception {
    if (!(server instanceof Server.PartyHost host)) {
      System.out.println("    (partyhost only: calls are its ABI)");
      return null;
    }
    if (!Files.exists(GUEST)) {
      System.out.println("    " + GUEST + " is not built (make test-wasm)");
      return null;
    }
    upload(host);
    Vertx vertx = Vertx.vertx();
    try {
      return measure(vertx, server);
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  private Figures measure(Vertx vertx, Server server) throws Exception {
    {
      WebSocketClient wsClient = vertx.createWebSocketClient();
      LinkedBlockingQueue<byte[]> received = new LinkedBlockingQueue<>();
      WebSocket ws =
          wsClient
              .connect(
                  new WebSocketConnectOptions()
                      .setHost("127.0.0.1")
                      .setPort(server.port())
                      .setURI("/parties/caller/bench-a"))
              .toCompletionStage()
              .toCompletableFuture()
              .get(10, TimeUnit.SECONDS);
      ws.binaryMessageHandler(b -> received.add(b.getBytes()));
      java.net.http.HttpClient http =
          java.net.http.HttpClient.newBuilder()
              .version(java.net.http.HttpClient.Version.HTTP_1_1)
              .build();
      HttpRequest post =
          HttpRequest.newBuilder(
                  URI.create("http://127.0.0.1:" + server.port() + "/parties/caller/bench-b"))
              .POST(HttpRequest.BodyPublishers.ofString("x"))
              .build();

      byte[] call = call("bench-b");
      byte[] echo = {'p'};
      Histogram calls = histogram();
      Histogram requests = histogram();
      Histogram echoes = histogram();
      for (int round = 0; round < 2; round++) { // the first round warms up
        int n = round == 0 ? warmup : count;
        for (int i = 0; i < n; i++) {
          long start = System.nanoTime();
          ws.writeBinaryMessage(Buffer.buffer(call));
          byte[] result = take(received);
          if (result.length != 4) throw new IllegalStateException("expected the call's id");
          byte[] answer = take(received);
          if (answer.length < 12 || status(answer) != 200)
            throw new IllegalStateException("the call was not answered 200");
          if (round == 1) record(calls, System.nanoTime() - start);

          start = System.nanoTime();
          int status = http.send(post, HttpResponse.BodyHandlers.ofByteArray()).statusCode();
          if (status != 200) throw new IllegalStateException("HTTP " + status);
          if (round == 1) record(requests, System.nanoTime() - start);

          start = System.nanoTime();
          ws.writeBinaryMessage(Buffer.buffer(echo));
          if (take(received).length != 1) throw new IllegalStateException("expected the echo");
          if (round == 1) record(echoes, System.nanoTime() - start);
        }
      }
      ws.close();
      return new Figures()
          .primary("call p50 ms", calls.getValueAtPercentile(50) / 1e6, "%.3f")
          .put("call p99 ms", String.format("%.3f", calls.getValueAtPercentile(99) / 1e6))
          .put("HTTP p50 ms", String.format("%.3f", requests.getValueAtPercentile(50) / 1e6))
          .put("HTTP p99 ms", String.format("%.3f", requests.getValueAtPercentile(99) / 1e6))
          .put("echo p50 ms", String.format("%.3f", echoes.getValueAtPercentile(50) / 1e6))
          .put("echo p99 ms", String.format("%.3f", echoes.getValueAtPercentile(99) / 1e6));
    }
  }

  /** PUT /_admin/parties/caller with the test guest. */
  private static void upload(Server.PartyHost host) throws Exception {
    HttpResponse<String> r =
        java.net.http.HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + host.port() + "/_admin/parties/caller"))
                    .header("Authorization", "Bearer " + host.adminToken)
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(Files.readAllBytes(GUEST)))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() / 100 != 2)
      throw new IllegalStateException("upload of caller: " + r.statusCode() + " " + r.body());
  }

  /** The guest's message for room_call("", room, ["POST", "", "x"]). */
  private static byte[] call(String room) {
    ByteArrayOutputStream request = new ByteArrayOutputStream();
    item(request, "POST");
    item(request, "");
    item(request, "x");
    ByteArrayOutputStream args = new ByteArrayOutputStream();
    args.write('r');
    item(args, "");
    item(args, room);
    item(args, request.toByteArray());
    return args.toByteArray();
  }

  private static void item(ByteArrayOutputStream out, String s) {
    item(out, s.getBytes(StandardCharsets.UTF_8));
  }

  private static void item(ByteArrayOutputStream out, byte[] b) {
    int n = b.length;
    out.write(n);
    out.write(n >>> 8);
    out.write(n >>> 16);
    out.write(n >>> 24);
    out.writeBytes(b);
  }

  private static int status(byte[] answer) {
    return (answer[4] & 0xff)
        | (answer[5] & 0xff) << 8
        | (answer[6] & 0xff) << 16
        | (answer[7] & 0xff) << 24;
  }

  private static byte[] take(LinkedBlockingQueue<byte[]> received) throws InterruptedException {
    byte[] m = received.poll(10, TimeUnit.SECONDS);
    if (m == null) throw new IllegalStateException("no message within 10 s");
    return m;
  }
}
