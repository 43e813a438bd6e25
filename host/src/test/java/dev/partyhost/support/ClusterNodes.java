package dev.partyhost.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Nodes of a cluster, each a host process (small heap) on loopback, with the examples, one
 * PostgreSQL database of the test server, and Hazelcast members listed explicitly; for the tests that
 * kill, pause and restart nodes.
 */
public final class ClusterNodes implements AutoCloseable {
  public static final String SECRET = "test-cluster-secret";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  public final String postgresUrl;
  private final int[] ports;
  private final int[] clusterPorts;
  private final HostProcess[] nodes;
  private final List<String> extraArgs;

  private ClusterNodes(int n, List<String> extraArgs) throws IOException {
    this.postgresUrl = PostgresServer.get().newDatabase();
    this.ports = new int[n];
    this.clusterPorts = new int[n];
    this.nodes = new HostProcess[n];
    this.extraArgs = extraArgs;
    for (int i = 0; i < n; i++) {
      ports[i] = HostProcess.freePort();
      clusterPorts[i] = HostProcess.freePort();
    }
  }

  /** Starts {@code n} nodes at once and returns once each listens and sees all the others' leases. */
  public static ClusterNodes start(int n, String... extraArgs) throws Exception {
    ClusterNodes cluster = new ClusterNodes(n, List.of(extraArgs));
    try {
      for (int i = 0; i < n; i++) cluster.nodes[i] = cluster.launch(i);
      for (int i = 0; i < n; i++) cluster.awaitListening(i);
      for (int i = 0; i < n; i++) {
        int node = i;
        Poll.until(() -> cluster.liveMembers(node) == n, 60_000);
      }
      return cluster;
    } catch (Exception | AssertionError e) {
      cluster.close();
      throw e;
    }
  }

  private HostProcess launch(int i) throws IOException {
    List<String> members = new ArrayList<>();
    for (int p : clusterPorts) members.add("127.0.0.1:" + p);
    List<String> args =
        new ArrayList<>(
            List.of(
                "--port",
                String.valueOf(ports[i]),
                "--parties",
                TestHost.root().resolve("build/wasm").toString(),
                "--main-party",
                "chat",
                "--compile-cache-dir",
                TestHost.root().resolve("host/target/compile-cache").toString(),
                "--postgres-url",
                postgresUrl,
                "--cluster",
                "--cluster-port",
                String.valueOf(clusterPorts[i]),
                "--cluster-members",
                String.join(",", members)));
    args.addAll(extraArgs);
    return HostProcess.run(
        ports[i],
        args,
        Map.of("PARTYHOST_CLUSTER_SECRET", SECRET, "PARTYHOST_ADMIN_TOKEN", TestHost.ADMIN_TOKEN));
  }

  private void awaitListening(int i) throws InterruptedException {
    HostProcess node = nodes[i];
    // Generous: on a loaded 2-core machine a node's JVM and Hazelcast once took over a minute.
    long deadline = System.currentTimeMillis() + 120_000;
    while (System.currentTimeMillis() < deadline) {
      if (!node.process.isAlive())
        throw new IllegalStateException("node " + i + " exited: " + node.output());
      if (node.output().contains("partyhost listening on")) return;
      Thread.sleep(100);
    }
    throw new IllegalStateException("node " + i + " did not listen within 120 s: " + node.output());
  }

  public int size() {
    return nodes.length;
  }

  public HostProcess node(int i) {
    return nodes[i];
  }

  public int port(int i) {
    return ports[i];
  }

  /** The node's name in the cluster. */
  public String nodeId(int i) {
    return "node-" + ports[i];
  }

  /** kill -9. */
  public void kill(int i) throws InterruptedException {
    nodes[i].process.destroyForcibly().waitFor();
  }

  /** SIGTERM, and waits for the node to exit. */
  public int stop(int i) throws InterruptedException {
    nodes[i].process.destroy();
    return nodes[i].awaitExit(30);
  }

  /** SIGSTOP: the node freezes, its sockets open, its lease no longer renewed. */
  public void pause(int i) throws IOException, InterruptedException {
    signal(i, "STOP");
  }

  /** SIGCONT. */
  public void resume(int i) throws IOException, InterruptedException {
    signal(i, "CONT");
  }

  private void signal(int i, String signal) throws IOException, InterruptedException {
    new ProcessBuilder("kill", "-" + signal, String.valueOf(nodes[i].process.pid()))
        .start()
        .waitFor();
  }

  /** Starts node {@code i} again (after a kill or a stop), as the same node id on the same ports. */
  public void restart(int i) throws Exception {
    nodes[i] = launch(i);
    awaitListening(i);
  }

  /** The one number a query of the cluster's database returns. */
  public long sql(String query) throws IOException, InterruptedException {
    return PostgresServer.get().queryLong(postgresUrl, query);
  }

  /** {@code GET /_admin/cluster} on node {@code i}. */
  public JsonNode cluster(int i) throws IOException, InterruptedException {
    return admin(i, "cluster");
  }

  /** {@code GET /_admin/PATH} on node {@code i}, as JSON. */
  public JsonNode admin(int i, String path) throws IOException, InterruptedException {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ports[i] + "/_admin/" + path))
                .header("Authorization", "Bearer " + TestHost.ADMIN_TOKEN)
                .timeout(Duration.ofSeconds(5))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200)
      throw new IllegalStateException("/_admin/" + path + ": " + r.statusCode() + " " + r.body());
    return JSON.readTree(r.body());
  }

  /** How many members node {@code i} finds live in PostgreSQL; -1 if it cannot say. */
  public int liveMembers(int i) {
    try {
      int live = 0;
      for (JsonNode m : cluster(i).get("members")) if (m.get("live").asBoolean()) live++;
      return live;
    } catch (IOException | RuntimeException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  @Override
  public void close() {
    for (HostProcess node : nodes) {
      if (node != null && node.process.isAlive()) {
        node.process.destroyForcibly();
        try {
          node.process.waitFor();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }
}
