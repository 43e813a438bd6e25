package dev.partyhost.bench;

import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.nio.file.Path;
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
    Map<String, String> flags = Bench.flags(args);
    int seconds = Integer.parseInt(flags.getOrDefault("seconds", "5"));
    int clients = Integer.parseInt(flags.getOrDefault("clients", "32"));
    int window = Integer.parseInt(flags.getOrDefault("window", "16"));
    String postgres = flags.get("postgres-url");

    System.out.printf(
        "machine: %d cores, %s %s, %s%n",
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.vm.name"),
        System.getProperty("java.version"),
        LocalDate.now());
    System.out.printf(
        "durable writes: kv party, one room, 64-byte values, storage %s, %d s per row%n",
        postgres == null ? "SQLite (WAL, synchronous=FULL)" : "PostgreSQL", seconds);
    System.out.printf(
        "%-28s %12s %10s %10s %10s %10s %10s%n",
        "run", "puts/s", "p50 ms", "p99 ms", "p99.9 ms", "host cpu", "load cpu");
    Result baseline = run(1, 1, seconds, postgres);
    baseline.print("1 client x 1 in flight", baseline);
    Result grouped = run(clients, window, seconds, postgres);
    grouped.print(clients + " clients x " + window + " in flight", baseline);
  }

  record Result(double putsPerSecond, Histogram latency, double hostCpu, double loadCpu) {
    void print(String name, Result baseline) {
      System.out.printf(
          "%-28s %12.0f %10.2f %10.2f %10.2f %9.0f%% %9.0f%%   (%.1fx baseline)%n",
          name,
          putsPerSecond,
          latency.getValueAtPercentile(50) / 1e6,
          latency.getValueAtPercentile(99) / 1e6,
          latency.getValueAtPercentile(99.9) / 1e6,
          hostCpu * 100,
          loadCpu * 100,
          putsPerSecond / baseline.putsPerSecond);
    }
  }

  private static Result run(int clients, int window, int seconds, String postgres)
      throws Exception {
    Server host = new KvHost(postgres);
    host.start();
    int port = host.port();
    Vertx vertx = Vertx.vertx();
    try {
      String room = "/parties/kv/bench-" + System.nanoTime();
      AtomicLong acked = new AtomicLong();
      Histogram latency = new Histogram(60_000_000_000L, 3);
      boolean[] measuring = {false};
      WebSocketClient client =
          vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(clients));
      List<WebSocket> sockets = new ArrayList<>();
      for (int c = 0; c < clients; c++) {
        WebSocket ws =
            client
                .connect(
                    new WebSocketConnectOptions()
                        .setHost("127.0.0.1")
                        .setPort(port)
                        .setURI(room + "?_pk=c" + c))
                .await();
        String prefix = "put c" + c + "-";
        ArrayDeque<Long> sentAt = new ArrayDeque<>();
        long[] next = {0};
        Runnable send =
            () -> {
              sentAt.add(System.nanoTime());
              ws.writeTextMessage(prefix + next[0]++ + " " + VALUE);
            };
        ws.textMessageHandler(
            reply -> {
              long t = sentAt.poll();
              if (!reply.equals("put 0"))
                throw new IllegalStateException("unexpected reply " + reply);
              if (measuring[0]) {
                acked.incrementAndGet();
                synchronized (latency) {
                  latency.recordValue(
                      Math.min(System.nanoTime() - t, latency.getHighestTrackableValue()));
                }
              }
              send.run();
            });
        sockets.add(ws);
        ws.exceptionHandler(Throwable::printStackTrace);
        vertx.runOnContext(
            v -> {
              for (int k = 0; k < window; k++) send.run();
            });
      }
      Thread.sleep(3000); // warm-up: JIT and group sizes settle
      Scenario.CpuWindow cpu = new Scenario.CpuWindow(host);
      measuring[0] = true;
      Thread.sleep(seconds * 1000L);
      measuring[0] = false;
      double elapsed = cpu.stop();
      for (WebSocket ws : sockets) ws.close();
      synchronized (latency) {
        return new Result(
            acked.get() / elapsed, latency.copy(), cpu.serverCores(), cpu.selfCores());
      }
    } finally {
      vertx.close().await();
      host.close();
    }
  }

  /** The host jar serving the test guests (the kv party), on SQLite in its own folder or on PostgreSQL. */
  private static final class KvHost extends Server {
    private final String postgres;

    KvHost(String postgres) {
      super("partyhost kv");
      this.postgres = postgres;
    }

    @Override
    List<String> command(int port, Path work) {
      // With PostgreSQL the data folder holds only the compile cache.
      List<String> command =
          new ArrayList<>(
              List.of(
                  java(),
                  "-jar",
                  PartyHost.JAR,
                  "--port",
                  String.valueOf(port),
                  "--parties",
                  "build/test-wasm",
                  "--data-dir",
                  work.resolve("data").toString()));
      if (postgres != null) command.addAll(List.of("--postgres-url", postgres));
      return command;
    }

    @Override
    String party(Party party) {
      return "kv";
    }
  }
}
