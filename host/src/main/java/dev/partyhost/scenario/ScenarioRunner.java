package dev.partyhost.scenario;

import dev.partyhost.PartyHost;
import dev.partyhost.Settings;
import dev.partyhost.guest.ModuleRejectedException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * Plays a {@link Scenario} against a module: a host of its own in this process (the real host, on a
 * loopback port of its own), serving the module as the scenario's party, with storage in a fresh
 * folder and guest time that moves only with {@code advance} ({@link ManualTime}). Clients are
 * WebSockets and HTTP requests from this process. The report says, step by step, what happened,
 * and for the step that failed what was expected against what came, where they first differ, and
 * what the party logged.
 */
public final class ScenarioRunner implements AutoCloseable {
  /** The host's loggers' parent, held: a logger nobody holds may be collected with its settings. */
  private static final Logger HOST_LOG = Logger.getLogger("partyhost");

  /** Guest time starts here in every run: 2026-01-01T00:00:00Z. */
  public static final long EPOCH_MS = 1_767_225_600_000L;

  /** What a run found: whether every step passed, and the report. */
  public record Result(boolean passed, String report) {}

  /** A step whose expectation did not hold. */
  private static class Failed extends Exception {
    Failed(String message) {
      super(message, null, false, false);
    }
  }

  /** A WebSocket the host answered with an HTTP status instead of the handshake. */
  private static final class Refused extends Failed {
    final int status;

    Refused(int status) {
      super("the WebSocket was refused: HTTP " + status);
      this.status = status;
    }
  }

  /** What a client saw: a text or binary message, or its close. */
  private sealed interface Seen permits Text, Binary, Closed {}

  private record Text(String text) implements Seen {
    @Override
    public String toString() {
      return "text " + text;
    }
  }

  private record Binary(byte[] bytes) implements Seen {
    @Override
    public String toString() {
      return "binary " + HexFormat.of().formatHex(bytes);
    }
  }

  private record Closed(int code, String reason) implements Seen {
    @Override
    public String toString() {
      return "close " + code + (reason.isEmpty() ? "" : " " + reason);
    }
  }

  private final Path wasm;
  private final Scenario scenario;
  private final long timeoutMs;
  private final Path dir;
  private final ManualTime time = new ManualTime(EPOCH_MS);
  private final HttpClient http = HttpClient.newHttpClient();
  private final Map<String, Client> clients = new LinkedHashMap<>();
  private final List<String> transcript = new ArrayList<>();
  private final List<String> logged = new ArrayList<>();
  private final Handler logCapture =
      new Handler() {
        @Override
        public void publish(LogRecord r) {
          if (r.getLevel().intValue() < Level.INFO.intValue()) return;
          synchronized (logged) {
            logged.add(r.getLevel() + " " + r.getLoggerName() + " " + r.getMessage());
          }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };
  private String party;
  private String room = "room-1";
  private final Map<String, String> vars = new LinkedHashMap<>();
  private PartyHost host;
  private HttpResponse<String> lastResponse;

  private ScenarioRunner(Path wasm, Scenario scenario, long timeoutMs) throws IOException {
    this.wasm = wasm;
    this.scenario = scenario;
    this.timeoutMs = timeoutMs;
    this.dir = Files.createTempDirectory("partyhost-scenario");
    String file = wasm.getFileName().toString();
    this.party = file.endsWith(".wasm") ? file.substring(0, file.length() - 5) : file;
  }

  /** Plays {@code scenario} against the module at {@code wasm}; each expect waits up to {@code timeoutMs}. */
  public static Result run(Path wasm, Scenario scenario, long timeoutMs) {
    try (ScenarioRunner runner = new ScenarioRunner(wasm, scenario, timeoutMs)) {
      return runner.play();
    } catch (IOException e) {
      return new Result(false, "cannot run " + scenario.name() + ": " + e.getMessage() + "\n");
    }
  }

  private Result play() {
    HOST_LOG.addHandler(logCapture);
    Scenario.Step step = null;
    try {
      for (Scenario.Step s : scenario.steps()) {
        step = s;
        String outcome = run(s);
        transcript.add(String.format("%5d  %s%s", s.line(), s.text(), outcome));
      }
      if (host == null) start(); // a scenario of settings only still loads the module
      return new Result(true, report(null, null));
    } catch (Failed e) {
      return new Result(false, report(step, e.getMessage()));
    } catch (IOException | ModuleRejectedException | RuntimeException e) {
      return new Result(false, report(step, "the host failed: " + e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Result(false, report(step, "interrupted"));
    } finally {
      HOST_LOG.removeHandler(logCapture);
    }
  }

  private String report(Scenario.Step failed, String why) {
    StringBuilder out = new StringBuilder();
    out.append(failed == null ? "PASSED " : "FAILED ")
        .append(scenario.name())
        .append(failed == null ? "" : ":" + failed.line())
        .append(" (module ")
        .append(wasm)
        .append(", party ")
        .append(party)
        .append(")\n");
    for (String line : transcript) out.append(line).append('\n');
    if (failed != null) {
      out.append(String.format("%5d  %s%n", failed.line(), failed.text()));
      for (String line : why.split("\n")) out.append("       ").append(line).append('\n');
      synchronized (logged) {
        if (!logged.isEmpty()) {
          out.append("  the host logged:\n");
          for (String line : logged.subList(Math.max(0, logged.size() - 20), logged.size()))
            out.append("    ").append(line).append('\n');
        }
      }
    }
    return out.toString();
  }

  /** Runs one step; what to note after it in the transcript. */
  private String run(Scenario.Step s)
      throws Failed, IOException, ModuleRejectedException, InterruptedException {
    switch (s.verb()) {
      case "party" -> party = s.first();
      case "room" -> room = s.first();
      case "var" -> vars.put(s.first(), s.afterFirst());
      case "connect" -> {
        ensureHost();
        String id = s.first();
        if (clients.containsKey(id) && clients.get(id).open())
          throw new Failed("client " + id + " is connected already");
        clients.put(id, connect(id, s.words().size() > 1 ? s.words().get(1) : ""));
      }
      case "refused" -> {
        ensureHost();
        int want = Integer.parseInt(s.words().get(1));
        String path = s.words().size() > 2 ? s.words().get(2) : "";
        int got = refusal(s.first(), path);
        if (got != want) {
          throw new Failed(
              got == 101
                  ? "expected HTTP " + want + ", but the WebSocket opened"
                  : "expected HTTP " + want + ", got " + got);
        }
      }
      case "send" -> client(s.first()).send(s.afterFirst());
      case "send-binary" -> client(s.first()).send(Scenario.hex(s.afterFirst()));
      case "expect" -> expect(s.first(), new Text(s.afterFirst()));
      case "expect-binary" -> expect(s.first(), new Binary(Scenario.hex(s.afterFirst())));
      case "expect-close" ->
          expect(s.first(), new Closed(Integer.parseInt(s.words().get(1)), s.afterSecond()));
      case "close" -> {
        List<String> w = s.words();
        int code = w.size() > 1 ? Integer.parseInt(w.get(1)) : 1000;
        client(s.first()).close(code, s.afterSecond());
      }
      case "request" -> {
        ensureHost();
        lastResponse = request(s);
        return "   -> " + lastResponse.statusCode();
      }
      case "expect-response" -> expectResponse(s);
      case "advance" -> {
        ensureHost();
        settle();
        time.advance(Scenario.durationMs(s.rest()), this::settle);
      }
      case "hibernate" -> {
        ensureHost();
        settle();
        int asleep = await(host.rooms().hibernateAll());
        return "   -> " + asleep + (asleep == 1 ? " room" : " rooms") + " asleep";
      }
      case "restart" -> {
        ensureHost();
        host.close();
        host = null;
        start();
      }
      default -> throw new IllegalStateException(s.verb());
    }
    return "";
  }

  private void ensureHost() throws IOException, ModuleRejectedException {
    if (host == null) start();
  }

  private void start() throws IOException, ModuleRejectedException {
    Path parties = dir.resolve("parties");
    Files.createDirectories(parties);
    Files.copy(
        wasm, parties.resolve(party + ".wasm"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Settings s = new Settings();
    s.host = "127.0.0.1";
    s.port = 0;
    s.parties = parties.toString();
    s.strict = true; // a module that does not load fails the scenario, with the reason
    s.dataDir = dir.resolve("data").toString();
    s.compileCacheDir = dir.resolve("compiled").toString(); // compiled once, for restarts too
    s.maxConnections = 1000;
    s.transport = "nio";
    s.vars.put(party, new LinkedHashMap<>(vars));
    s.time = time;
    host = PartyHost.start(s.build());
  }

  /** Waits until every room has run what it was sent (an alarm hook may set the next alarm). */
  private void settle() {
    if (host != null) await(host.rooms().whenIdle());
  }

  private <T> T await(io.vertx.core.Future<T> done) {
    try {
      return done.toCompletionStage().toCompletableFuture().get(timeoutMs, TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("the rooms did not answer: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private String roomPath(String path) {
    return "/parties/" + party + "/" + room + path;
  }

  private URI wsUri(String id, String path) {
    String p = roomPath(path);
    return URI.create(
        "ws://127.0.0.1:" + host.port() + p + (p.contains("?") ? "&" : "?") + "_pk=" + id);
  }

  private Client connect(String id, String path) throws Failed {
    Client c = new Client(id);
    try {
      c.socket =
          http.newWebSocketBuilder()
              .connectTimeout(Duration.ofMillis(timeoutMs))
              .buildAsync(wsUri(id, path), c)
              .get(timeoutMs, TimeUnit.MILLISECONDS);
      return c;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof WebSocketHandshakeException h)
        throw new Refused(h.getResponse().statusCode());
      throw new Failed("cannot connect: " + e.getCause());
    } catch (TimeoutException e) {
      throw new Failed("the WebSocket did not open within " + timeoutMs + " ms");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Failed("interrupted");
    }
  }

  /** The HTTP status of a refused handshake; 101 if the socket opened (then closed at once). */
  private int refusal(String id, String path) throws Failed {
    try {
      Client c = connect(id, path);
      c.close(1000, "");
      return 101;
    } catch (Refused r) {
      return r.status;
    }
  }

  private HttpResponse<String> request(Scenario.Step s) throws Failed, InterruptedException {
    List<String> w = s.words();
    String method = s.first().toUpperCase(java.util.Locale.ROOT);
    String path = w.size() > 1 ? w.get(1) : "";
    String body = s.afterSecond();
    HttpRequest req =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + host.port() + roomPath(path)))
            .timeout(Duration.ofMillis(timeoutMs))
            .method(
                method,
                body.isEmpty()
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body))
            .build();
    try {
      return http.send(req, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new Failed("the request failed: " + e);
    }
  }

  private void expectResponse(Scenario.Step s) throws Failed {
    if (lastResponse == null) throw new Failed("no request was made before");
    int want = Integer.parseInt(s.first());
    String body = s.afterFirst();
    String got = lastResponse.body().stripTrailing();
    if (lastResponse.statusCode() != want || (!body.isEmpty() && !got.equals(body))) {
      throw new Failed(
          difference(
              want + (body.isEmpty() ? "" : " " + body),
              lastResponse.statusCode() + (body.isEmpty() ? "" : " " + got)));
    }
  }

  private Client client(String id) throws Failed {
    Client c = clients.get(id);
    if (c == null) throw new Failed("no client " + id + " (connect it first)");
    return c;
  }

  private void expect(String id, Seen want) throws Failed, InterruptedException {
    Client c = client(id);
    Seen got = c.seen.poll(timeoutMs, TimeUnit.MILLISECONDS);
    if (got == null)
      throw new Failed(
          "expected "
              + want
              + "\nreceived nothing within "
              + timeoutMs
              + " ms"
              + (c.open() ? "" : " (the connection is closed)"));
    if (!same(want, got)) throw new Failed(difference(want.toString(), got.toString()));
  }

  /** Whether {@code got} is what {@code want} says (a close without a reason: any reason). */
  private static boolean same(Seen want, Seen got) {
    if (want instanceof Closed w && got instanceof Closed g && w.reason.isEmpty())
      return w.code == g.code;
    return sameMessage(want, got);
  }

  private static boolean sameMessage(Seen a, Seen b) {
    if (a instanceof Binary x && b instanceof Binary y)
      return java.util.Arrays.equals(x.bytes, y.bytes);
    return a.equals(b);
  }

  /** The two lines, and a caret under the first character where they differ. */
  static String difference(String expected, String received) {
    int at = 0;
    while (at < expected.length()
        && at < received.length()
        && expected.charAt(at) == received.charAt(at)) at++;
    return "expected "
        + expected
        + "\nreceived "
        + received
        + "\n"
        + " ".repeat("received ".length() + at)
        + "^ first difference, at character "
        + (at + 1);
  }

  /** One scenario client: a WebSocket whose messages and close are queued for the expects. */
  private static final class Client implements WebSocket.Listener {
    final String id;
    final LinkedBlockingQueue<Seen> seen = new LinkedBlockingQueue<>();
    WebSocket socket;
    private final StringBuilder text = new StringBuilder();
    private final java.io.ByteArrayOutputStream binary = new java.io.ByteArrayOutputStream();
    private volatile boolean closed;

    Client(String id) {
      this.id = id;
    }

    boolean open() {
      return !closed;
    }

    void send(String message) throws Failed {
      if (closed) throw new Failed("client " + id + " is closed");
      socket.sendText(message, true).join();
    }

    void send(byte[] message) throws Failed {
      if (closed) throw new Failed("client " + id + " is closed");
      socket.sendBinary(ByteBuffer.wrap(message), true).join();
    }

    void close(int code, String reason) throws Failed {
      if (closed) throw new Failed("client " + id + " is closed");
      try {
        socket.sendClose(code, reason).join();
      } catch (CompletionException e) {
        // closed meanwhile by the other side
      }
      closed = true;
    }

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      text.append(data);
      if (last) {
        seen.add(new Text(text.toString()));
        text.setLength(0);
      }
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
      byte[] bytes = new byte[data.remaining()];
      data.get(bytes);
      binary.writeBytes(bytes);
      if (last) {
        seen.add(new Binary(binary.toByteArray()));
        binary.reset();
      }
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int code, String reason) {
      closed = true;
      seen.add(new Closed(code, reason));
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
      if (!closed) seen.add(new Closed(1006, ""));
      closed = true;
    }
  }

  @Override
  public void close() {
    for (Client c : clients.values()) if (c.socket != null) c.socket.abort();
    if (host != null) host.close();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * {@code java -jar partyhost.jar test-party MODULE.wasm SCENARIO [--timeout-ms N]}: plays the
   * scenario, prints the report, exits 0 if it passed, 1 if not, 2 for bad arguments.
   */
  public static int play(String[] args) {
    List<String> rest = new ArrayList<>(List.of(args));
    long timeout = 5000;
    int at = rest.indexOf("--timeout-ms");
    if (at >= 0 && at + 1 < rest.size()) {
      timeout = Long.parseLong(rest.get(at + 1));
      rest.subList(at, at + 2).clear();
    }
    if (rest.size() != 2 || rest.contains("--help")) {
      System.err.print(
          "usage: java -jar partyhost.jar test-party MODULE.wasm SCENARIO [--timeout-ms 5000]\n"
              + "Plays the scenario file against the module in a host of its own (see the README,"
              + " \"Testing a party\").\n");
      return rest.contains("--help") ? 0 : 2;
    }
    Scenario scenario;
    try {
      Path file = Path.of(rest.get(1));
      scenario = Scenario.parse(file.toString(), Files.readString(file, StandardCharsets.UTF_8));
    } catch (IOException | Scenario.Invalid e) {
      System.err.println("partyhost test-party: " + e.getMessage());
      return 2;
    }
    HOST_LOG.setUseParentHandlers(false); // the report says what matters
    Result result = run(Path.of(rest.get(0)), scenario, timeout);
    System.out.print(result.report());
    return result.passed() ? 0 : 1;
  }
}
