package dev.partyhost.bench;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * Fan-out: one relay room, {@code clients} sockets. Unpaced, in rounds: every client sends
 * {@code perRound} 64-byte messages at once; when every copy has arrived the next round starts.
 * Paced: the clients together send {@code rate} messages per second, spread evenly. Figures:
 * deliveries (copies received) per second and the latency from send to receipt.
 */
final class FanOut extends Scenario {
  private final int clients;
  private final int perRound;
  private final int rate;
  private final Duration warmup;
  private final Duration measure;

  FanOut(int clients, int perRound, int rate, Duration warmup, Duration measure) {
    this.clients = clients;
    this.perRound = perRound;
    this.rate = rate;
    this.warmup = warmup;
    this.measure = measure;
  }

  @Override
  String title() {
    return rate == 0
        ? "fan-out: 1 room, "
            + clients
            + " clients, rounds of "
            + perRound
            + " messages of "
            + PAYLOAD
            + " B each, as fast as they go"
        : "fan-out paced: 1 room, "
            + clients
            + " clients, "
            + rate
            + " messages/s offered ("
            + rate * (clients - 1)
            + " deliveries/s), "
            + PAYLOAD
            + " B";
  }

  @Override
  Figures run(Server server) throws Exception {
    try (LeanWs ws = new LeanWs(1)) {
      LeanWs.Loop loop = ws.loops()[0];
      Histogram latency = histogram();
      AtomicLong delivered = new AtomicLong();
      long perRoundDeliveries = (long) clients * perRound * (clients - 1);
      long[] inRound = {0};
      boolean[] measuring = {false};
      boolean[] stopping = {false};
      byte[] payload = payload();
      List<LeanWs.Socket>[] sockets = new List[1];
      Runnable round =
          () -> {
            for (LeanWs.Socket s : sockets[0]) {
              for (int k = 0; k < perRound; k++) {
                stamp(payload, System.nanoTime());
                s.send(payload, true);
              }
            }
          };
      LeanWs.Listener listener =
          (s, data, offset, length, text) -> {
            long sent = stampOf(data, offset, length);
            if (sent < 0) return;
            if (measuring[0]) {
              record(latency, System.nanoTime() - sent);
              delivered.incrementAndGet();
            }
            if (rate == 0 && ++inRound[0] == perRoundDeliveries) {
              inRound[0] = 0;
              if (!stopping[0]) round.run();
            }
          };
      String room = "fanout-" + System.nanoTime();
      sockets[0] =
          openAll(
              ws,
              server,
              clients,
              i -> server.path(Server.Party.RELAY, room) + "?_pk=c" + i,
              i -> null,
              listener,
              clients,
              Duration.ofSeconds(20));
      if (sockets[0].size() < clients)
        throw new IllegalStateException("only " + sockets[0].size() + " clients connected");
      Thread.sleep(200);

      ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor();
      try {
        if (rate == 0) {
          loop.execute(round);
        } else {
          long start = System.nanoTime();
          long[] sentSoFar = {0};
          int[] next = {0};
          pacer.scheduleAtFixedRate(
              () ->
                  loop.execute(
                      () -> {
                        long due = (System.nanoTime() - start) * rate / 1_000_000_000L;
                        while (sentSoFar[0] < due && !stopping[0]) {
                          stamp(payload, System.nanoTime());
                          sockets[0].get(next[0]++ % clients).send(payload, true);
                          sentSoFar[0]++;
                        }
                      }),
              0,
              1,
              TimeUnit.MILLISECONDS);
        }
        Thread.sleep(warmup.toMillis());
        CountDownLatch started = new CountDownLatch(1);
        loop.execute(
            () -> {
              measuring[0] = true;
              started.countDown();
            });
        started.await();
        CpuWindow cpu = new CpuWindow(server);
        Thread.sleep(measure.toMillis());
        CountDownLatch stopped = new CountDownLatch(1);
        loop.execute(
            () -> {
              measuring[0] = false;
              stopping[0] = true;
              stopped.countDown();
            });
        stopped.await();
        double seconds = cpu.stop();
        Figures f =
            new Figures()
                .primary("deliveries/s", delivered.get() / seconds, "%,.0f")
                .latency(latency);
        cpu.put(f);
        return f;
      } finally {
        pacer.shutdownNow();
      }
    }
  }
}
