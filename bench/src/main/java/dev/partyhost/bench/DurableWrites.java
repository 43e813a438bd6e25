package dev.partyhost.bench;

import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * Benchmark: acknowledged durable puts per second in one room. Starts the host jar as a child process
 * on empty storage, opens {@code clients} WebSockets to one room of the "kv" test guest, and keeps
 * {@code window} messages "put KEY VALUE" in flight on each; a reply ("put 0") is sent by the host
 * only once the put is durable (the output gate), so replies per second are durable writes per
 * second. The baseline row is one client with one write in flight: one commit per write.
 *
 * <p>{@code java -jar bench/target/partyhost-bench.jar [--seconds 5] [--clients 32] [--window 16]
 * [--postgres-url URL]}, from the repository root after {@code make jar test-wasm}.
 */
public final class DurableWrites {
  private static final String VALUE = "v".repeat(64);

  public static void main(String[] args) throws Exception {
    Map<String, String> flags = flags(args);
    int seconds = Integer.parseInt(flags.getOrDefault("seconds", "5"));
    int clients = Integer.parseInt(flags.getOrDefault("clients", "32"));
    int window = Integer.parseInt(flags.getOrDefault("window", "16"));
    String postgres = flags.get("postgres-url");

    System.out.printf("machine: %d cores, %s %s, %s%n", Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.vm.name"), System.getProperty("java.version"), LocalDate.now());
    System.out.printf("durable writes: kv party, one room, 64-byte values, storage %s, %d s per row%n",
        postgres == null ? "SQLite (WAL, synchronous=FULL)" : "PostgreSQL", seconds);
    System.out.printf("%-28s %12s %10s %10s %10s %10s %10s%n", "run", "puts/s", "p50 ms", "p99 ms", "p99.9 ms",
        "host cpu", "load cpu");
    Result baseline = run(1, 1, seconds, postgres);
    baseline.print("1 client x 1 in flight", baseline);
    Result grouped = run(clients, window, seconds, postgres);
    grouped.print(clients + " clients x " + window + " in flight", baseline);
  }

  record Result(double putsPerSecond, Histogram latency, double hostCpu, double loadCpu) {
    void print(String name, Result baseline) {
      System.out.printf("%-28s %12.0f %10.2f %10.2f %10.2f %9.0f%% %9.0f%%   (%.1fx baseline)%n", name, putsPerSecond,
          latency.getValueAtPercentile(50) / 1e6, latency.getValueAtPercentile(99) / 1e6,
          latency.getValueAtPercentile(99.9) / 1e6, hostCpu * 100, loadCpu * 100, putsPerSecond / baseline.putsPerSecond);
    }
  }

  private static Result run(int clients, int window, int seconds, String postgres) throws Exception {
    int port = freePort();
    Path data = Files.createTempDirectory("partyhost-bench-");
    List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
        "-jar", "host/target/partyhost.jar", "--port", String.valueOf(port), "--parties", "build/test-wasm"));
    command.addAll(List.of("--data-dir", data.toString())); // with PostgreSQL, only the compile cache
    if (postgres != null) command.addAll(List.of("--postgres-url", postgres));
    Process host = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(data.resolve("host.log").toFile()).start();
    Vertx vertx = Vertx.vertx();
    try {
      awaitListening(host, port);
      String room = "/parties/kv/bench-" + System.nanoTime();
      AtomicLong acked = new AtomicLong();
      Histogram latency = new Histogram(60_000_000_000L, 3);
      boolean[] measuring = {false};
      WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(clients));
      List<WebSocket> sockets = new ArrayList<>();
      for (int c = 0; c < clients; c++) {
        WebSocket ws = client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port)
            .setURI(room + "?_pk=c" + c)).await();
        String prefix = "put c" + c + "-";
        ArrayDeque<Long> sentAt = new ArrayDeque<>();
        long[] next = {0};
        Runnable send = () -> {
          sentAt.add(System.nanoTime());
          ws.writeTextMessage(prefix + next[0]++ + " " + VALUE);
        };
        ws.textMessageHandler(reply -> {
          long t = sentAt.poll();
          if (!reply.equals("put 0")) throw new IllegalStateException("unexpected reply " + reply);
          if (measuring[0]) {
            acked.incrementAndGet();
            synchronized (latency) {
              latency.recordValue(Math.min(System.nanoTime() - t, latency.getHighestTrackableValue()));
            }
          }
          send.run();
        });
        sockets.add(ws);
        ws.exceptionHandler(Throwable::printStackTrace);
        vertx.runOnContext(v -> {
          for (int k = 0; k < window; k++) send.run();
        });
      }
      Thread.sleep(3000); // warm-up: JIT and group sizes settle
      Duration hostCpu0 = cpu(host.toHandle()), loadCpu0 = cpu(ProcessHandle.current());
      long t0 = System.nanoTime();
      measuring[0] = true;
      Thread.sleep(seconds * 1000L);
      measuring[0] = false;
      double elapsed = (System.nanoTime() - t0) / 1e9;
      double hostCpu = cpu(host.toHandle()).minus(hostCpu0).toNanos() / 1e9 / elapsed;
      double loadCpu = cpu(ProcessHandle.current()).minus(loadCpu0).toNanos() / 1e9 / elapsed;
      for (WebSocket ws : sockets) ws.close();
      synchronized (latency) {
        return new Result(acked.get() / elapsed, latency.copy(), hostCpu, loadCpu);
      }
    } finally {
      vertx.close().await();
      host.destroy();
      host.waitFor();
      try (var files = Files.walk(data)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static Duration cpu(ProcessHandle process) {
    return process.info().totalCpuDuration().orElse(Duration.ZERO);
  }

  private static void awaitListening(Process host, int port) throws InterruptedException, IOException {
    long deadline = System.currentTimeMillis() + 30_000;
    while (System.currentTimeMillis() < deadline) {
      if (!host.isAlive()) throw new IllegalStateException("the host exited; is host/target/partyhost.jar built?");
      try (Socket s = new Socket("127.0.0.1", port)) {
        return;
      } catch (IOException notYet) {
        Thread.sleep(50);
      }
    }
    throw new IllegalStateException("the host did not listen within 30 s");
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static Map<String, String> flags(String[] args) {
    Map<String, String> flags = new java.util.HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (!args[i].startsWith("--")) throw new IllegalArgumentException("unexpected argument " + args[i]);
      flags.put(args[i].substring(2), args[i + 1]);
    }
    return flags;
  }
}
