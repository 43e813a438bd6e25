package dev.partyhost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partyhost.support.HostProcess;
import dev.partyhost.support.PostgresServer;
import dev.partyhost.support.TestHost;
import dev.partyhost.support.TestHost.Engine;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Crash safety: a host in a child process is killed with SIGKILL while clients write; a new host on
 * the same storage must hold every write a client saw acknowledged, and no hook half-applied. Each
 * write is one hook that puts two keys (a:N and b:N, the kv guest's "w N").
 */
class DurabilityTest {
  private static final int CLIENTS = 8;
  private static final int WINDOW = 16; // writes in flight per client

  @ParameterizedTest
  @EnumSource(Engine.class)
  void noAcknowledgedWriteIsLostAndNoHookIsHalfApplied(Engine engine) throws Exception {
    // With PostgreSQL the data directory holds only the compile cache (which the restart reads).
    String data =
        Files.createTempDirectory(
                Files.createDirectories(TestHost.root().resolve("host/target")), "crash-")
            .toString();
    List<String> storage =
        engine == Engine.POSTGRES
            ? List.of("--postgres-url", PostgresServer.get().newDatabase(), "--data-dir", data)
            : List.of("--data-dir", data);
    int port = HostProcess.freePort();
    Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    AtomicInteger sent = new AtomicInteger();

    Process host = HostProcess.start(port, storage, Map.of()).process;
    Vertx vertx = Vertx.vertx();
    try {
      WebSocketClient client = vertx.createWebSocketClient();
      @SuppressWarnings(
          "ModifiedButNotUsed") // held, so that no client socket is collected while the host runs
      List<WebSocket> sockets = new ArrayList<>();
      for (int c = 0; c < CLIENTS; c++) {
        String prefix = "c" + c + "-";
        AtomicInteger next = new AtomicInteger();
        WebSocket ws =
            client
                .connect(
                    new WebSocketConnectOptions()
                        .setHost("127.0.0.1")
                        .setPort(port)
                        .setURI("/parties/kv/ledger?_pk=" + prefix))
                .await();
        ws.textMessageHandler(
            reply -> {
              if (!reply.startsWith("ok ")) throw new AssertionError("unexpected reply " + reply);
              acknowledged.add(reply.substring(3));
              ws.writeTextMessage("w " + prefix + next.getAndIncrement()); // keep the window full
              sent.incrementAndGet();
            });
        for (int k = 0; k < WINDOW; k++)
          ws.writeTextMessage("w " + prefix + next.getAndIncrement());
        sent.addAndGet(WINDOW);
        sockets.add(ws);
      }
      long deadline = System.currentTimeMillis() + 20_000;
      while (acknowledged.size() < 2000 && System.currentTimeMillis() < deadline) Thread.sleep(10);
      host.destroyForcibly(); // SIGKILL, mid-stream
      assertTrue(host.waitFor(10, TimeUnit.SECONDS));
    } finally {
      vertx.close().await();
    }
    Set<String> acked = new HashSet<>(acknowledged); // nothing can be acknowledged after the kill

    Process restarted = HostProcess.start(port, storage, Map.of()).process;
    try {
      String body =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + port + "/parties/kv/ledger"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      Set<String> a = new HashSet<>(), b = new HashSet<>();
      for (String line : body.split("\n")) {
        if (line.startsWith("a:")) a.add(line.substring(2, line.indexOf('=')));
        if (line.startsWith("b:")) b.add(line.substring(2, line.indexOf('=')));
      }
      assertTrue(
          acked.size() >= 100,
          "only " + acked.size() + " writes were acknowledged before the kill");
      Set<String> lost = new HashSet<>(acked);
      lost.removeAll(a);
      assertEquals(
          0,
          lost.size(),
          lost.size()
              + " of "
              + acked.size()
              + " acknowledged writes lost, such as "
              + lost.stream().limit(5).toList());
      assertEquals(a, b, "a hook's two writes must land together");
      System.out.printf(
          "%s: %d writes sent, %d acknowledged, %d durable after SIGKILL, 0 lost%n",
          engine, sent.get(), acked.size(), a.size());
    } finally {
      restarted.destroyForcibly().waitFor();
    }
  }
}
