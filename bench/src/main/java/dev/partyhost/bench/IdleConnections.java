package dev.partyhost.bench;

import java.time.Duration;
import java.util.List;

/**
 * Idle connections: as many WebSockets as both processes' open-file limits allow, up to
 * {@code wanted}, {@code perRoom} to a relay room, from several loopback addresses. Figures: how many
 * the server held, and its memory per connection (heap after GC for JVM servers, and resident memory,
 * each minus what it held before).
 */
final class IdleConnections extends Scenario {
  private final int wanted;
  private final int perRoom;

  IdleConnections(int wanted, int perRoom) {
    this.wanted = wanted;
    this.perRoom = perRoom;
  }

  @Override
  String title() {
    return "idle connections: up to "
        + wanted
        + " WebSockets (open-file limits permitting), "
        + perRoom
        + " per relay room; memory per connection";
  }

  @Override
  boolean higherIsBetter() {
    return false;
  }

  @Override
  Figures run(Server server) throws Exception {
    int count = Math.min(wanted, Limits.sockets(server));
    long heap0 = server.heapAfterGc();
    long rss0 = server.rss();
    try (LeanWs ws = new LeanWs(2)) {
      String run = "idle-" + System.nanoTime() + "-";
      CpuWindow cpu = new CpuWindow(server);
      List<LeanWs.Socket> open =
          openAll(
              ws,
              server,
              count,
              i -> server.path(Server.Party.RELAY, run + i / perRoom),
              Limits::localAddress,
              (s, data, offset, length, text) -> {},
              512,
              Duration.ofMinutes(5));
      double seconds = cpu.stop();
      Thread.sleep(2000);
      long heap = server.heapAfterGc();
      long rss = server.rss();
      if (Boolean.getBoolean("bench.histogram")) System.out.println(server.classHistogram(25));
      int held = (int) open.stream().filter(s -> !s.closed).count(); // still open now
      if (held < open.size())
        System.out.println(
            "    " + (open.size() - held) + " of the sockets that opened were closed since");
      if (held == 0) throw new IllegalStateException("the server held no connection");
      // Ratios are of resident memory, which every server has; the heap is the JVM's live objects
      // alone.
      Figures f =
          new Figures()
              .primary("rss/conn", (rss - rss0) / 1024.0 / held, "%.2f KiB")
              .put(
                  "heap/conn",
                  heap < 0 ? "-" : String.format("%.2f KiB", (heap - heap0) / 1024.0 / held))
              .put("held", String.format("%,d", held))
              .put("of", String.format("%,d", count))
              .put("opened/s", String.format("%,.0f", held / seconds));
      cpu.put(f);
      return f;
    }
  }
}
