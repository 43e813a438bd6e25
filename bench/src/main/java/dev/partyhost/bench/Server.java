package dev.partyhost.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A server under test, run as a child process (so that its CPU and memory are its own): partyhost
 * with a relay guest, the native Vert.x relay, or PartyKit's dev server. Each offers two parties:
 * a relay (every message to every other connection of the room) and a counter (sends a frame on
 * connect).
 */
abstract class Server implements AutoCloseable {
  enum Party {
    RELAY,
    COUNTER
  }

  String name;
  protected Process process;
  protected int port;
  protected Path work;

  Server(String name) {
    this.name = name;
  }

  /** The command line that starts the server on {@code port}, with {@code work} as its scratch folder. */
  abstract List<String> command(int port, Path work);

  abstract String party(Party party);

  /** The folder the server runs in (null: this one). */
  Path directory() {
    return null;
  }

  /** Environment variables the server gets on top of ours. */
  Map<String, String> environment() {
    return Map.of();
  }

  /** Why this server cannot run here (a missing build or tool), or null. */
  String unavailable() {
    return null;
  }

  String path(Party party, String room) {
    return "/parties/" + party(party) + "/" + room;
  }

  int port() {
    return port;
  }

  /** Where client {@code i} connects: this server (a cluster spreads clients over its nodes). */
  InetSocketAddress address(int client) {
    return new InetSocketAddress("127.0.0.1", port());
  }

  /** The port to listen on: a free one (a cluster node keeps its own, which the others know). */
  int listenPort() throws IOException {
    return freePort();
  }

  boolean isJvm() {
    return true;
  }

  void start() throws IOException, InterruptedException {
    port = listenPort();
    work = Files.createTempDirectory("partyhost-bench-");
    ProcessBuilder builder =
        new ProcessBuilder(command(port, work))
            .redirectErrorStream(true)
            .redirectOutput(work.resolve("server.log").toFile());
    if (directory() != null) {
      builder.directory(directory().toFile());
      builder.environment().put("PWD", directory().toAbsolutePath().toString());
    }
    builder.environment().putAll(environment());
    process = builder.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive())
        throw new IllegalStateException(name + " exited at start:\n" + logTail());
      try (Socket s = new Socket("127.0.0.1", port)) {
        return;
      } catch (IOException notYet) {
        Thread.sleep(50);
      }
    }
    throw new IllegalStateException(name + " did not listen within 60 s:\n" + logTail());
  }

  /** The last lines the server printed. */
  String logTail() throws IOException {
    List<String> lines = Files.readAllLines(work.resolve("server.log"));
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
  }

  /**
   * Starts this server, runs {@code use} against it and closes it. A failure is printed with the
   * server's last lines, and gives null. If the bench is interrupted (Ctrl-C), a shutdown hook kills
   * the server's processes: none is left behind.
   */
  <T> T run(Callable<T> use) throws IOException, InterruptedException {
    Thread killer =
        new Thread(
            () -> {
              Process p = process;
              if (p == null) return;
              p.descendants().forEach(ProcessHandle::destroyForcibly);
              p.destroyForcibly();
            });
    Runtime.getRuntime().addShutdownHook(killer);
    try {
      start();
      return use.call();
    } catch (Exception e) {
      System.out.println("  " + name + " failed: " + e);
      if (process != null) System.out.println("  its last lines:\n" + logTail().indent(4));
      return null;
    } finally {
      try {
        close();
      } finally {
        try {
          Runtime.getRuntime().removeShutdownHook(killer);
        } catch (IllegalStateException exiting) {
          // the JVM is exiting: the hook runs
        }
      }
    }
  }

  @Override
  public void close() throws IOException, InterruptedException {
    if (process == null) return;
    List<ProcessHandle> tree = tree();
    for (ProcessHandle p : tree) p.destroy();
    for (ProcessHandle p : tree) {
      try {
        p.onExit().get(10, TimeUnit.SECONDS);
      } catch (Exception stuck) {
        p.destroyForcibly();
      }
    }
    stopped();
    try (Stream<Path> files = Files.walk(work)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
    process = null;
  }

  /** The server has stopped; its scratch folder is still there. */
  void stopped() throws IOException {}

  /** The process and its descendants (PartyKit's node starts workerd). */
  List<ProcessHandle> tree() {
    List<ProcessHandle> all = new ArrayList<>();
    all.add(process.toHandle());
    process.descendants().forEach(all::add);
    return all;
  }

  /** CPU time used so far by the whole process tree. */
  Duration cpu() {
    Duration total = Duration.ZERO;
    for (ProcessHandle p : tree())
      total = total.plus(p.info().totalCpuDuration().orElse(Duration.ZERO));
    return total;
  }

  /** Resident memory of the whole process tree, in bytes (Linux /proc). */
  long rss() {
    long total = 0;
    for (ProcessHandle p : tree()) {
      try {
        for (String line : Files.readAllLines(Path.of("/proc/" + p.pid() + "/status"))) {
          if (line.startsWith("VmRSS:"))
            total += Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      } catch (IOException | NumberFormatException gone) {
        // exited meanwhile
      }
    }
    return total;
  }

  private static final Pattern HEAP_USED =
      Pattern.compile("garbage-first heap\\s+total \\d+K, used (\\d+)K");

  /** The JVM's heap in use after a full collection, in bytes (jcmd); -1 for a server that is not a JVM. */
  long heapAfterGc() throws IOException, InterruptedException {
    if (!isJvm()) return -1;
    jcmd("GC.run");
    Matcher m = HEAP_USED.matcher(jcmd("GC.heap_info"));
    return m.find() ? Long.parseLong(m.group(1)) * 1024 : -1;
  }

  /** The JVM's largest classes by heap use (jcmd GC.class_histogram), for a look at where memory goes. */
  String classHistogram(int top) throws IOException, InterruptedException {
    if (!isJvm()) return "";
    List<String> lines = jcmd("GC.class_histogram").lines().toList();
    return String.join("\n", lines.subList(0, Math.min(lines.size(), top + 3)));
  }

  private static final Pattern HISTOGRAM_ROW =
      Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)", Pattern.MULTILINE);

  /**
   * Bytes held per class after a full collection (jcmd GC.class_histogram, which collects first);
   * empty for a server that is not a JVM.
   */
  Map<String, Long> classBytes() throws IOException, InterruptedException {
    Map<String, Long> bytes = new java.util.HashMap<>();
    if (!isJvm()) return bytes;
    Matcher m = HISTOGRAM_ROW.matcher(jcmd("GC.class_histogram"));
    while (m.find()) bytes.merge(m.group(3), Long.parseLong(m.group(2)), Long::sum);
    return bytes;
  }

  static double total(Map<String, Long> classBytes) {
    return classBytes.values().stream().mapToLong(Long::longValue).sum();
  }

  /**
   * The classes whose bytes grew most from {@code before} to {@code after}, per unit ({@code per}
   * units were added): where each room or connection's memory goes.
   */
  static String classGrowth(Map<String, Long> before, Map<String, Long> after, int per, int top) {
    StringBuilder out = new StringBuilder("    bytes per unit, by class (" + per + " units):\n");
    after.entrySet().stream()
        .map(e -> Map.entry(e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), 0L)))
        .sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
        .limit(top)
        .forEach(
            e ->
                out.append(
                    String.format("    %10.1f  %s%n", e.getValue() / (double) per, e.getKey())));
    return out.toString();
  }

  private String jcmd(String command) throws IOException, InterruptedException {
    String java = ProcessHandle.current().info().command().orElse("java");
    String jcmd = Path.of(java).resolveSibling("jcmd").toString();
    Process p =
        new ProcessBuilder(jcmd, String.valueOf(process.pid()), command)
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes());
    p.waitFor(60, TimeUnit.SECONDS);
    return out;
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  static String java() {
    return ProcessHandle.current().info().command().orElse("java");
  }

  /** partyhost from its jar, serving the example guests. */
  static final class PartyHost extends Server {
    static final String JAR = "host/target/partyhost.jar";
    private final String relay;
    private final String mode;
    private final String jar;
    private final List<String> jvmOptions;
    final String adminToken = "bench-" + System.nanoTime();

    private final String transport;

    /** Whether the host keeps metrics (its default) or runs with {@code --metrics false}. */
    private final boolean metrics;

    /** Whether the host records every room for replay ({@code --record true}). */
    private final boolean recording;

    private boolean snapshots;
    private final List<String> moreArgs = new ArrayList<>();

    /** Runs with {@code --snapshots true}. */
    void snapshotsOn() {
      snapshots = true;
      name = name.substring(0, name.length() - 1) + ", snapshots)";
    }

    /** Options on top of the server's own (a scenario's). */
    void moreArgs(List<String> args) {
      moreArgs.addAll(args);
    }

    /**
     * @param jar the host's jar: this build's, or another (an older build, side by side)
     * @param transport epoll or nio; null: the host's default
     */
    PartyHost(
        String relay,
        String mode,
        String transport,
        String jar,
        List<String> jvmOptions,
        boolean metrics,
        boolean recording) {
      super(
          "partyhost "
              + relay
              + " ("
              + mode
              + (transport == null ? "" : ", " + transport)
              + (metrics ? "" : ", metrics off")
              + (recording ? ", recording" : "")
              + (jar.equals(JAR) ? "" : ", " + Path.of(jar).getFileName())
              + ")");
      this.metrics = metrics;
      this.recording = recording;
      this.relay = relay;
      this.mode = mode;
      this.transport = transport;
      this.jar = jar;
      this.jvmOptions = jvmOptions;
    }

    @Override
    String unavailable() {
      if (!Files.exists(Path.of(jar))) return jar + " is not built (make jar)";
      if (!Files.exists(Path.of("build/wasm/" + relay + ".wasm")))
        return "build/wasm/" + relay + ".wasm is not built (make examples)";
      return null;
    }

    @Override
    List<String> command(int port, Path work) {
      List<String> command = new ArrayList<>(List.of(java()));
      command.addAll(jvmOptions);
      command.addAll(
          List.of(
              "-jar",
              jar,
              "--port",
              String.valueOf(port),
              "--parties",
              "build/wasm",
              "--mode",
              mode,
              "--data-dir",
              work.resolve("data").toString()));
      if (transport != null) command.addAll(List.of("--transport", transport));
      if (!metrics) command.addAll(List.of("--metrics", "false"));
      // The whole run recorded: past the default 64 MiB a recording stops.
      if (recording)
        command.addAll(
            List.of("--record", "true", "--max-recording-bytes", String.valueOf(1L << 32)));
      if (snapshots) command.addAll(List.of("--snapshots", "true"));
      command.addAll(moreArgs);
      return command;
    }

    @Override
    Map<String, String> environment() {
      return Map.of("PARTYHOST_ADMIN_TOKEN", adminToken);
    }

    @Override
    void stopped() throws IOException {
      if (recording)
        System.out.println(
            "  " + name + ": " + dev.partyhost.replay.RecordingSizes.of(work.resolve("data")));
    }

    /** The host's own figures ({@code GET /_admin/stats}). */
    JsonNode stats() throws IOException, InterruptedException {
      return new ObjectMapper().readTree(admin("GET").body());
    }

    /** Forgets the host's timings so far ({@code DELETE /_admin/stats}). */
    void resetStats() throws IOException, InterruptedException {
      admin("DELETE");
    }

    private HttpResponse<String> admin(String method) throws IOException, InterruptedException {
      HttpRequest request =
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/_admin/stats"))
              .header("Authorization", "Bearer " + adminToken)
              .method(method, HttpRequest.BodyPublishers.noBody())
              .build();
      HttpResponse<String> response =
          HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() / 100 != 2)
        throw new IOException(method + " /_admin/stats: " + response.statusCode());
      return response;
    }

    @Override
    String party(Party party) {
      return party == Party.RELAY ? relay : "counter";
    }
  }

  /** The same parties written directly on Vert.x, no Wasm: the ceiling. */
  static final class Native extends Server {
    private final List<String> jvmOptions;
    private final String transport;

    /** @param transport epoll or nio; null: epoll where it loads, as the host */
    Native(String transport, List<String> jvmOptions) {
      super("native Vert.x relay" + (transport == null ? "" : " (" + transport + ")"));
      this.jvmOptions = jvmOptions;
      this.transport = transport;
    }

    @Override
    List<String> command(int port, Path work) {
      String jar =
          Path.of(Native.class.getProtectionDomain().getCodeSource().getLocation().getPath())
              .toString();
      List<String> command = new ArrayList<>(List.of(java()));
      command.addAll(jvmOptions);
      command.addAll(List.of("-cp", jar, NativeRelay.class.getName(), String.valueOf(port)));
      if (transport != null) command.add(transport);
      return command;
    }

    @Override
    String party(Party party) {
      return party == Party.RELAY ? "relay" : "counter";
    }
  }

  /** PartyKit's own dev server (workerd) with the same parties in TypeScript, from bench/partykit. */
  static final class PartyKit extends Server {
    private static final Path DIR = Path.of("bench/partykit");

    PartyKit() {
      super("PartyKit dev");
    }

    @Override
    boolean isJvm() {
      return false;
    }

    @Override
    String unavailable() {
      if (!Files.exists(DIR.resolve("node_modules/partykit/dist/bin.mjs"))) {
        return "bench/partykit/node_modules is not installed (make bench installs it; needs Node.js and npm)";
      }
      return null;
    }

    @Override
    List<String> command(int port, Path work) {
      // Its state (persisted by default) in this run's folder: a run never sees another's rooms.
      return List.of(
          "node",
          "node_modules/partykit/dist/bin.mjs",
          "dev",
          "--port",
          String.valueOf(port),
          "--disable-request-cf-fetch",
          "--no-hotkeys",
          "--persist",
          work.resolve("state").toAbsolutePath().toString());
    }

    @Override
    Path directory() {
      return DIR;
    }

    @Override
    Map<String, String> environment() {
      return Map.of("NO_UPDATE_NOTIFIER", "1");
    }

    @Override
    String party(Party party) {
      return party == Party.RELAY ? "relay" : "counter";
    }
  }
}
