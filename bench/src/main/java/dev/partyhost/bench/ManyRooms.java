package dev.partyhost.bench;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * Many rooms: {@code rooms} relay rooms with 2 clients each; each client keeps one message in flight
 * (a message received is answered with a new one), so every room is busy. Figures: deliveries per
 * second, and the server's memory per room (2 connections included) once traffic stops: heap after
 * a full GC and live objects (JVM servers; the second exact, the first within a few KiB per room at
 * 2,000 rooms) and resident memory, each minus what the server held before the rooms.
 */
final class ManyRooms extends Scenario {
  private final int wanted;
  private final Duration warmup;
  private final Duration measure;

  ManyRooms(int rooms, Duration warmup, Duration measure) {
    this.wanted = rooms;
    this.warmup = warmup;
    this.measure = measure;
  }

  @Override
  String title() {
    return "many rooms: "
        + wanted
        + " relay rooms x 2 clients (fewer if file descriptors run out), one message in flight"
        + " per client; memory per room after traffic stops";
  }

  @Override
  Figures run(Server server) throws Exception {
    int rooms = Math.min(wanted, Limits.sockets(server) / 2);
    long heap0 = server.heapAfterGc();
    long rss0 = server.rss();
    // Live objects by class (a class histogram): exact, where the heap in use after a GC also
    // counts what allocation buffers hold at that moment, a few MiB that vary from run to run.
    Map<String, Long> classes0 = server.classBytes();
    try (LeanWs ws = new LeanWs(2)) {
      AtomicLong delivered = new AtomicLong();
      Histogram[] latency = {histogram(), histogram()};
      boolean[] measuring = new boolean[2];
      boolean[] stopping = new boolean[2];
      byte[][] payload = {payload(), payload()};
      LeanWs.Listener listener =
          (s, data, offset, length, text) -> {
            long sent = stampOf(data, offset, length);
            if (sent < 0) return;
            int loop = s.loop.index;
            if (measuring[loop]) {
              record(latency[loop], System.nanoTime() - sent);
              delivered.incrementAndGet();
            }
            if (!stopping[loop]) {
              stamp(payload[loop], System.nanoTime());
              s.send(payload[loop], true);
            }
          };
      String run = "rooms-" + System.nanoTime() + "-";
      List<LeanWs.Socket> sockets =
          openAll(
              ws,
              server,
              rooms * 2,
              i -> server.path(Server.Party.RELAY, run + i / 2) + "?_pk=c" + i,
              Limits::localAddress,
              listener,
              512,
              Duration.ofMinutes(3));
      int live = sockets.size() / 2;
      Thread.sleep(500);
      for (LeanWs.Socket s : sockets) {
        s.loop.execute(
            () -> {
              stamp(payload[s.loop.index], System.nanoTime());
              s.send(payload[s.loop.index], true);
            });
      }
      Thread.sleep(warmup.toMillis());
      onLoops(ws, loop -> measuring[loop] = true);
      CpuWindow cpu = new CpuWindow(server);
      Thread.sleep(measure.toMillis());
      onLoops(
          ws,
          loop -> {
            measuring[loop] = false;
            stopping[loop] = true;
          });
      double seconds = cpu.stop();
      Thread.sleep(1000); // the last messages land
      long heap = server.heapAfterGc();
      long rss = server.rss();
      if (Boolean.getBoolean("bench.histogram")) System.out.println(server.classHistogram(25));
      Map<String, Long> classes = server.classBytes();
      // -Dbench.growth=N: the N classes that grew most, in bytes per room (what a room holds)
      int growth = Integer.getInteger("bench.growth", 0);
      if (growth > 0) System.out.print(Server.classGrowth(classes0, classes, live, growth));
      latency[0].add(latency[1]);
      Figures f =
          new Figures()
              .primary("deliveries/s", delivered.get() / seconds, "%,.0f")
              .put("rooms", String.valueOf(live))
              .latency(latency[0]);
      f.put("heap/room", heap < 0 ? "-" : kib((heap - heap0) / (double) live));
      f.put(
          "live/room",
          classes.isEmpty() ? "-" : kib((Server.total(classes) - Server.total(classes0)) / live));
      f.put("rss/room", kib((rss - rss0) / (double) live));
      f.put("heap MiB", heap < 0 ? "-" : String.valueOf(heap >> 20));
      cpu.put(f);
      if (sockets.size() < rooms * 2)
        f.note = "only " + sockets.size() + " of " + rooms * 2 + " sockets opened";
      return f;
    }
  }

  static String kib(double bytes) {
    return String.format("%.1f KiB", bytes / 1024);
  }

  /** Runs {@code task(loop index)} on every loop and waits for it. */
  static void onLoops(LeanWs ws, java.util.function.IntConsumer task) throws InterruptedException {
    CountDownLatch done = new CountDownLatch(ws.loops().length);
    for (LeanWs.Loop loop : ws.loops()) {
      loop.execute(
          () -> {
            task.accept(loop.index);
            done.countDown();
          });
    }
    done.await();
  }
}
