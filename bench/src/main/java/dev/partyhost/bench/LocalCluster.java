package dev.partyhost.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
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
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A partyhost cluster on this machine: a PostgreSQL server of its own and {@code n} nodes, each a
 * host process with the examples on fixed ports (HTTP and Hazelcast, which the other nodes are told
 * of), sharing one compile cache. Signals go to the node's own pid, the JVM this class started.
 * {@link #close} (also run on Ctrl-C) leaves no process or directory behind.
 */
final class LocalCluster implements AutoCloseable {
  private static final String SECRET = "bench-cluster-" + System.nanoTime();
  private static final String ADMIN_TOKEN = "bench-admin-" + System.nanoTime();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final Postgres postgres;
  private final Path shared;
  private final Node[] nodes;
  private final Thread onExit = new Thread(this::close, "bench-cluster-cleanup");
  private boolean closed;

  private LocalCluster(Postgres postgres, Path shared, int n) {
    this.postgres = postgres;
    this.shared = shared;
    this.nodes = new Node[n];
  }

  /** Starts PostgreSQL and {@code n} nodes; returns once every node sees every lease live. */
  static LocalCluster start(int n, List<String> jvm) throws Exception {
    LocalCluster cluster =
        new LocalCluster(
            Postgres.start(), Files.createTempDirectory("partyhost-bench-cluster-"), n);
    Runtime.getRuntime().addShutdownHook(cluster.onExit);
    try {
      int[] ports = new int[n];
      List<String> members = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        ports[i] = Server.freePort();
        members.add("127.0.0.1:" + Server.freePort());
      }
      for (int i = 0; i < n; i++)
        cluster.nodes[i] = cluster.new Node(i, ports[i], members.get(i), members, jvm);
      String why = cluster.nodes[0].unavailable();
      if (why != null) throw new IllegalStateException(why);
      for (Node node : cluster.nodes) node.start();
      cluster.awaitLive(n);
      return cluster;
    } catch (Exception e) {
      cluster.close();
      throw e;
    }
  }

  int size() {
    return nodes.length;
  }

  Node node(int i) {
    return nodes[i];
  }

  /** Sends {@code signal} (KILL, STOP, CONT, TERM) to node {@code i}'s process. */
  void signal(int i, String signal) throws IOException, InterruptedException {
    Process kill =
        new ProcessBuilder("kill", "-" + signal, String.valueOf(nodes[i].process.pid()))
            .inheritIO()
            .start();
    if (kill.waitFor() != 0) throw new IOException("kill -" + signal + " failed");
  }

  /**
   * Starts node {@code i} again (after a kill or a drain) as the same node on the same ports; not
   * once the cluster is closed (on Ctrl-C the bench's own thread goes on while it is).
   */
  synchronized void restart(int i) throws Exception {
    if (closed) throw new IllegalStateException("the cluster is closed");
    stop(nodes[i]);
    nodes[i].start();
  }

  /**
   * Stops a node (SIGTERM, then SIGKILL after 10 s) and deletes its folder; with
   * -Dbench.logs=DIR its log is kept there first, as NODE-N.log.
   */
  private static void stop(Node node) throws IOException, InterruptedException {
    String logs = System.getProperty("bench.logs");
    if (node.process != null && logs != null) {
      Path dir = Files.createDirectories(Path.of(logs));
      int n = 0;
      while (Files.exists(dir.resolve(node.id() + "-" + n + ".log"))) n++;
      Files.copy(node.work.resolve("server.log"), dir.resolve(node.id() + "-" + n + ".log"));
    }
    node.close();
  }

  /** Waits (up to 30 s) until every running node finds {@code count} nodes live in PostgreSQL. */
  void awaitLive(int count) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    int live = -1;
    while (System.nanoTime() < deadline) {
      live = Integer.MAX_VALUE;
      for (Node node : nodes) if (node.running()) live = Math.min(live, node.liveMembers());
      if (live == count) return;
      Thread.sleep(100);
    }
    throw new IllegalStateException("nodes see " + live + " of " + count + " members live");
  }

  /** Stops every node (SIGCONT first: one may be paused), then PostgreSQL; deletes their files. */
  @Override
  public synchronized void close() {
    if (closed) return;
    closed = true;
    for (Node node : nodes) {
      if (node == null || node.process == null) continue;
      try {
        new ProcessBuilder("kill", "-CONT", String.valueOf(node.process.pid())).start().waitFor();
        stop(node);
      } catch (IOException | InterruptedException | RuntimeException e) {
        node.process.destroyForcibly();
      }
    }
    postgres.close();
    try (Stream<Path> files = Files.walk(shared)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      System.err.println("cannot delete " + shared + ": " + e);
    }
    try {
      Runtime.getRuntime().removeShutdownHook(onExit);
    } catch (IllegalStateException exiting) {
      // this is the hook
    }
  }

  /** One node: the host jar in cluster mode, on PostgreSQL, serving the examples. */
  final class Node extends Server {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final int fixedPort;
    private final String clusterMember;
    private final List<String> members;
    private final List<String> jvm;

    Node(int index, int port, String clusterMember, List<String> members, List<String> jvm) {
      super("node" + index);
      this.fixedPort = port;
      this.clusterMember = clusterMember;
      this.members = members;
      this.jvm = jvm;
    }

    boolean running() {
      return process != null && process.isAlive();
    }

    /** Its name in the cluster, and in {@code x-partyhost-node}. */
    String id() {
      return name;
    }

    @Override
    int listenPort() {
      return fixedPort;
    }

    @Override
    String unavailable() {
      if (!Files.exists(Path.of(PartyHost.JAR))) return PartyHost.JAR + " is not built (make jar)";
      if (!Files.exists(Path.of("build/wasm/relay-c.wasm")))
        return "build/wasm is not built (make examples)";
      return null;
    }

    @Override
    List<String> command(int port, Path work) {
      List<String> command = new ArrayList<>(List.of(java()));
      command.addAll(jvm);
      command.addAll(
          List.of(
              "-jar",
              PartyHost.JAR,
              "--port",
              String.valueOf(port),
              "--parties",
              "build/wasm",
              "--data-dir",
              work.resolve("data").toString(),
              "--compile-cache-dir",
              shared.resolve("compile-cache").toString(),
              "--postgres-url",
              postgres.url(),
              "--cluster",
              "--cluster-port",
              clusterMember.substring(clusterMember.lastIndexOf(':') + 1),
              "--cluster-members",
              String.join(",", members),
              "--node-id",
              id()));
      return command;
    }

    @Override
    Map<String, String> environment() {
      return Map.of("PARTYHOST_CLUSTER_SECRET", SECRET, "PARTYHOST_ADMIN_TOKEN", ADMIN_TOKEN);
    }

    @Override
    String party(Party party) {
      return party == Party.RELAY ? "relay-c" : "counter";
    }

    /** Live members in the cluster's record ({@code GET /_admin/cluster}); -1 if it cannot say. */
    int liveMembers() throws InterruptedException {
      try {
        HttpResponse<String> r =
            HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/_admin/cluster"))
                    .header("Authorization", "Bearer " + ADMIN_TOKEN)
                    .timeout(Duration.ofSeconds(2))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) return -1;
        int live = 0;
        for (JsonNode m : JSON.readTree(r.body()).get("members"))
          if (m.get("live").asBoolean()) live++;
        return live;
      } catch (IOException | RuntimeException e) {
        return -1;
      }
    }
  }
}
