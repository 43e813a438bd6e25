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
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The host as a process: --help, a busy port, SIGTERM, and an acknowledged upload across SIGKILL. */
class HostProcessTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static String dataDir() throws Exception {
    return Files.createTempDirectory(
            Files.createDirectories(TestHost.root().resolve("host/target")), "proc-")
        .toString();
  }

  private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return HTTP.send(
        request.timeout(java.time.Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> get(int port, String path) throws Exception {
    return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)));
  }

  @Test
  void helpPrintsEverySettingAndExitsZero() throws Exception {
    HostProcess help = HostProcess.run(0, List.of("--port", "1", "--help"), Map.of());
    assertEquals(0, help.awaitExit(30), help.output());
    assertEquals(Settings.usage(), help.output());
  }

  @Test
  void aBusyPortIsRefusedNamingTheAddressAndPort() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
      int port = taken.getLocalPort();
      HostProcess host =
          HostProcess.run(
              port, List.of("--port", String.valueOf(port), "--data-dir", dataDir()), Map.of());
      assertEquals(1, host.awaitExit(60), host.output());
      assertTrue(
          host.output()
              .contains(
                  "partyhost: cannot listen on 127.0.0.1:" + port + ": Address already in use"),
          host.output());
    }
  }

  /**
   * SIGTERM: every client gets close code 1001 (going away), and the host says it stopped. The host
   * runs with --guest-log-level DEBUG: a guest's debug line reaches its console.
   */
  @Test
  void sigtermClosesWebSocketsWith1001AndTheHostSaysItStopped() throws Exception {
    int port = HostProcess.freePort();
    HostProcess host =
        HostProcess.start(
            port, List.of("--data-dir", dataDir(), "--guest-log-level", "DEBUG"), Map.of());
    Vertx vertx = Vertx.vertx();
    try {
      CompletableFuture<Short> closed1 = new CompletableFuture<>(),
          closed2 = new CompletableFuture<>();
      // Held: Vert.x closes the connections of a client that is garbage collected.
      WebSocketClient client = vertx.createWebSocketClient();
      for (CompletableFuture<Short> closed : List.of(closed1, closed2)) {
        WebSocket ws =
            client
                .connect(
                    new WebSocketConnectOptions()
                        .setHost("127.0.0.1")
                        .setPort(port)
                        .setURI("/parties/probe/room-" + closed.hashCode()))
                .await();
        ws.closeHandler(v -> closed.complete(ws.closeStatusCode()));
      }
      assertEquals(
          "none",
          get(port, "/parties/stdio-config/dbg")
              .body()); // its room started (no greeting configured)
      host.process.destroy(); // SIGTERM
      assertEquals((short) 1001, closed1.get(15, TimeUnit.SECONDS));
      assertEquals((short) 1001, closed2.get(15, TimeUnit.SECONDS));
      assertEquals(
          143, host.awaitExit(30), host.output()); // 128 + SIGTERM, after the shutdown hook
      String out = host.output();
      assertTrue(
          out.contains("partyhost stopping: closing 2 WebSockets with 1001 (going away)"), out);
      assertTrue(out.contains("\npartyhost stopped\n"), out);
      assertTrue(
          out.contains("FINE    partyhost.guest.stdio-config [stdio-config/dbg] a debug line"),
          out);
      assertTrue(
          out.contains("WARNING partyhost.guest.stdio-config [stdio-config/dbg] oops on stderr"),
          out);
    } finally {
      vertx.close().await();
      host.process.destroyForcibly();
    }
  }

  /** An upload that was answered 200 is durable: a host killed with SIGKILL right after serves it when it comes back. */
  @ParameterizedTest
  @EnumSource(Engine.class)
  void anAcknowledgedUploadSurvivesSigkill(Engine engine) throws Exception {
    String data = dataDir();
    List<String> storage =
        engine == Engine.POSTGRES
            ? List.of("--postgres-url", PostgresServer.get().newDatabase(), "--data-dir", data)
            : List.of("--data-dir", data);
    Map<String, String> env = Map.of("PARTYHOST_ADMIN_TOKEN", TestHost.ADMIN_TOKEN);
    int port = HostProcess.freePort();
    byte[] counter = Files.readAllBytes(TestHost.wasm("wasm", "counter"));
    HostProcess host = HostProcess.start(port, storage, env);
    try {
      HttpResponse<String> r =
          send(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + port + "/_admin/parties/crash"))
                  .header("Authorization", "Bearer " + TestHost.ADMIN_TOKEN)
                  .PUT(HttpRequest.BodyPublishers.ofByteArray(counter)));
      assertEquals(200, r.statusCode(), r.body());
    } finally {
      host.process.destroyForcibly().waitFor(); // SIGKILL
    }
    HostProcess again = HostProcess.start(port, storage, env);
    try {
      assertEquals("{\"count\":0}", get(port, "/parties/crash/room").body());
    } finally {
      again.process.destroyForcibly().waitFor();
    }
  }
}
