package dev.partyhost.bench;

import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * Cold start: one socket after another to a fresh room id of the counter party, which sends a frame
 * on connect; the figure is the time from starting the connection (TCP connect and upgrade request)
 * to that first frame. partyhost also reports its own side: the time to instantiate the guest and run
 * its start hook, and to load the room's data. The first {@code warmup} rooms are not counted.
 */
final class ColdStart extends Scenario {
  private final int rooms;
  private final int warmup;

  ColdStart(int rooms, int warmup) {
    this.rooms = rooms;
    this.warmup = warmup;
  }

  @Override
  String title() {
    return "cold start: "
        + rooms
        + " fresh rooms of a party that sends a frame on connect, one after another"
        + " (after "
        + warmup
        + " not counted); upgrade request to first frame";
  }

  @Override
  boolean higherIsBetter() {
    return false;
  }

  @Override
  Figures run(Server server) throws Exception {
    Histogram latency = histogram();
    try (LeanWs ws = new LeanWs(1)) {
      String run = "cold-" + System.nanoTime() + "-";
      open(ws, server, run + "w", warmup, histogram());
      if (server instanceof Server.PartyHost host) host.resetStats();
      CpuWindow cpu = new CpuWindow(server);
      open(ws, server, run, rooms, latency);
      cpu.stop();
      Figures f =
          new Figures()
              .primary("p50 ms", latency.getValueAtPercentile(50) / 1e6, "%.3f")
              .put("p99 ms", String.format("%.3f", latency.getValueAtPercentile(99) / 1e6))
              .put("rooms/s", String.format("%,.0f", rooms / cpu.stop()));
      if (server instanceof Server.PartyHost host) {
        var stats = host.stats();
        var inst = stats.path("instantiations");
        var load = stats.path("loads");
        f.put("inst p50 ms", String.format("%.3f", inst.path("p50Micros").asDouble() / 1000))
            .put("inst p99 ms", String.format("%.3f", inst.path("p99Micros").asDouble() / 1000))
            .put("load p50 ms", String.format("%.3f", load.path("p50Micros").asDouble() / 1000));
      }
      cpu.put(f);
      return f;
    }
  }

  /** Opens {@code count} rooms one after another, each socket closed once its first frame came. */
  private static void open(LeanWs ws, Server server, String prefix, int count, Histogram latency)
      throws InterruptedException {
    Chain chain = new Chain(ws, server, prefix, count, latency);
    ws.loops()[0].execute(chain::next);
    if (!chain.done.await(10L * count + 30_000, TimeUnit.MILLISECONDS))
      throw new IllegalStateException("cold starts did not finish");
    if (chain.failures > 0)
      System.out.println("    " + chain.failures + " of " + count + " connections failed");
  }

  /** Connects to the next room once the last one answered (or failed); runs on the client's loop. */
  private static final class Chain implements LeanWs.Listener {
    private final LeanWs ws;
    private final Server server;
    private final InetSocketAddress remote;
    private final String prefix;
    private final int count;
    private final Histogram latency;
    final CountDownLatch done = new CountDownLatch(1);
    volatile int failures;
    private long started;
    private int opened;

    Chain(LeanWs ws, Server server, String prefix, int count, Histogram latency) {
      this.ws = ws;
      this.server = server;
      this.remote = new InetSocketAddress("127.0.0.1", server.port());
      this.prefix = prefix;
      this.count = count;
      this.latency = latency;
    }

    void next() {
      if (opened == count) {
        done.countDown();
        return;
      }
      started = System.nanoTime();
      ws.connect(null, remote, server.path(Server.Party.COUNTER, prefix + opened++), this);
    }

    @Override
    public void message(LeanWs.Socket s, byte[] data, int offset, int length, boolean text) {
      if (s.attachment != null) return;
      s.attachment = Boolean.TRUE;
      record(latency, System.nanoTime() - started);
      s.close();
      next();
    }

    @Override
    public void closed(LeanWs.Socket s, String why) {
      if (s.attachment == null) {
        s.attachment = Boolean.FALSE;
        failures++;
        next();
      }
    }
  }
}
