package dev.partyhost.support;

import dev.partyhost.HostConfig;
import dev.partyhost.PartyHost;
import dev.partyhost.Settings;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;

/** The real host on a free port, serving the real compiled examples, with real HTTP and WebSocket clients. */
public final class TestHost implements AutoCloseable {
  public static final String ADMIN_TOKEN = "test-admin-token";

  /** Where rooms' data lives in a test host. */
  public enum Engine {
    SQLITE,
    POSTGRES
  }

  public final PartyHost host;
  private final Vertx clientVertx = Vertx.vertx();
  private final WebSocketClient wsClient;

  /** A client that offers permessage-deflate in its handshakes. */
  private final WebSocketClient deflateClient;

  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  private TestHost(PartyHost host) {
    this.host = host;
    this.wsClient =
        clientVertx.createWebSocketClient(
            new WebSocketClientOptions()
                .setMaxMessageSize(64 * 1024 * 1024)
                .setMaxFrameSize(64 * 1024 * 1024)
                .setMaxConnections(100_000));
    this.deflateClient =
        clientVertx.createWebSocketClient(
            new WebSocketClientOptions().setTryUsePerMessageCompression(true));
  }

  /** The repository root (the Makefile puts built modules under build/). */
  public static Path root() {
    return Path.of(System.getProperty("partyhost.root", "..")).toAbsolutePath().normalize();
  }

  public static Path wasm(String dir, String name) {
    Path p = root().resolve("build").resolve(dir).resolve(name + ".wasm");
    if (!Files.exists(p))
      throw new IllegalStateException(p + " is missing: run the tests with `make test`");
    return p;
  }

  public static TestHost start() {
    return start(c -> {});
  }

  public static TestHost start(Consumer<Settings> tweak) {
    return start(Engine.SQLITE, tweak);
  }

  /**
   * Starts with the examples (main party: chat) and the host's test guests, on empty storage of the
   * given engine (SQLite in a new folder under host/target, or a new database on the test
   * PostgreSQL) and the suite's one compile cache (host/target/compile-cache: a module is compiled
   * once per suite, not once per host); {@code tweak} adjusts the settings.
   */
  public static TestHost start(Engine engine, Consumer<Settings> tweak) {
    Settings config = Settings.load(new String[0], Map.of("PARTYHOST_ADMIN_TOKEN", ADMIN_TOKEN));
    config.port = 0;
    config.parties = root().resolve("build/wasm").toString();
    config.mainParty = "chat";
    // A data directory of its own either way: with PostgreSQL it holds only the compile cache.
    try {
      Path target = Files.createDirectories(root().resolve("host/target"));
      config.dataDir = Files.createTempDirectory(target, "data-").toString();
      config.compileCacheDir = target.resolve("compile-cache").toString();
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
    if (engine == Engine.POSTGRES) config.postgresUrl = PostgresServer.get().newDatabase();
    tweak.accept(config);
    return start(config.build());
  }

  /** Stops this host and starts a new one on the same port and the same storage. */
  public TestHost restart() {
    close();
    Settings settings = host.config().toSettings();
    settings.port = host.port();
    return start(settings.build());
  }

  private static TestHost start(HostConfig config) {
    try {
      // The test guests load with the examples, before stored alarms are scheduled (StorageTest
      // restarts a host with an alarm already due: loaded later, its party could be missing when it
      // fires).
      Path testWasm = root().resolve("build/test-wasm");
      PartyHost host =
          PartyHost.start(
              config,
              Files.isDirectory(testWasm) ? java.util.List.of(testWasm) : java.util.List.of());
      return new TestHost(host);
    } catch (Exception e) {
      throw new IllegalStateException("host failed to start: " + e.getMessage(), e);
    }
  }

  public int port() {
    return host.port();
  }

  public String url(String path) {
    return "http://127.0.0.1:" + port() + path;
  }

  /** Opens a WebSocket to a path such as {@code /parties/chat/room?_pk=alice}. */
  public Ws ws(String path) {
    WebSocketConnectOptions options =
        new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port()).setURI(path);
    return Ws.connect(wsClient, options);
  }

  /** Opens a WebSocket whose handshake offers permessage-deflate. */
  public Ws wsOfferingDeflate(String path) {
    return Ws.connect(
        deflateClient,
        new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port()).setURI(path));
  }

  public HttpResponse<String> get(String path) {
    return send(HttpRequest.newBuilder(URI.create(url(path))).GET());
  }

  public HttpResponse<String> post(String path, String body) {
    return send(
        HttpRequest.newBuilder(URI.create(url(path)))
            .POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  /** The status of a GET sent byte for byte, for paths that java.net.URI refuses to build. */
  public int rawGetStatus(String path) {
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port())) {
      socket
          .getOutputStream()
          .write(
              ("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                  .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
      String status =
          new java.io.BufferedReader(
                  new java.io.InputStreamReader(
                      socket.getInputStream(), java.nio.charset.StandardCharsets.ISO_8859_1))
              .readLine();
      return Integer.parseInt(status.split(" ")[1]);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  public HttpResponse<String> send(HttpRequest.Builder request) {
    try {
      return http.send(
          request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** GET /_admin/stats (live rooms and connections, load and instantiation timings) as JSON. */
  public com.fasterxml.jackson.databind.JsonNode stats() {
    HttpResponse<String> r =
        send(
            HttpRequest.newBuilder(URI.create(url("/_admin/stats")))
                .header("Authorization", "Bearer " + ADMIN_TOKEN)
                .GET());
    if (r.statusCode() != 200)
      throw new AssertionError("GET /_admin/stats: " + r.statusCode() + " " + r.body());
    try {
      return new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body());
    } catch (java.io.IOException e) {
      throw new AssertionError("not JSON: " + r.body(), e);
    }
  }

  /** PUT /_admin/parties/NAME with the given module and token (null: no Authorization header). */
  public HttpResponse<String> upload(String name, byte[] module, String token, boolean restart) {
    HttpRequest.Builder req =
        HttpRequest.newBuilder(
                URI.create(url("/_admin/parties/" + name + (restart ? "?restart=true" : ""))))
            .PUT(HttpRequest.BodyPublishers.ofByteArray(module));
    if (token != null) req.header("Authorization", "Bearer " + token);
    return send(req);
  }

  /** An admin request with the right token: {@code method} on {@code /_admin/PATH}, with a text body (null: none). */
  public HttpResponse<String> admin(String method, String path, String body) {
    return send(
        HttpRequest.newBuilder(URI.create(url("/_admin/" + path)))
            .header("Authorization", "Bearer " + ADMIN_TOKEN)
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body)));
  }

  @Override
  public void close() {
    clientVertx.close().await();
    host.close();
  }
}
