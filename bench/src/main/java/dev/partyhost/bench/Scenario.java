package dev.partyhost.bench;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.HdrHistogram.Histogram;

/** One benchmark scenario: runs against one started server and returns its figures. */
abstract class Scenario {
  /** The figures of one run, in column order; the first is the one ratios are taken of. */
  static final class Figures {
    final Map<String, String> columns = new LinkedHashMap<>();
    double primary = Double.NaN;
    String note = "";

    Figures put(String column, String value) {
      columns.put(column, value);
      return this;
    }

    Figures primary(String column, double value, String format) {
      if (Double.isNaN(primary)) primary = value;
      return put(column, String.format(format, value));
    }

    Figures latency(Histogram h) {
      put("p50 ms", String.format("%.2f", h.getValueAtPercentile(50) / 1e6));
      put("p99 ms", String.format("%.2f", h.getValueAtPercentile(99) / 1e6));
      return put("p99.9 ms", String.format("%.2f", h.getValueAtPercentile(99.9) / 1e6));
    }
  }

  abstract String title();

  /** Higher primary figures are better (throughput), or lower (latency, memory). */
  boolean higherIsBetter() {
    return true;
  }

  abstract Figures run(Server server) throws Exception;

  /** Options each server of this scenario starts with, on top of its own (partyhost only). */
  List<String> serverArgs() {
    return List.of();
  }

  /** The servers this scenario runs against unless {@code --servers} says; null: the bench's. */
  List<String> servers() {
    return null;
  }

  // --- helpers for scenarios ---

  static final int PAYLOAD = 64;

  /** A 64-byte text payload whose first 16 bytes are the send time (System.nanoTime, hex). */
  static void stamp(byte[] payload, long nanos) {
    for (int i = 15; i >= 0; i--) {
      payload[i] = HEX[(int) (nanos & 0xf)];
      nanos >>>= 4;
    }
  }

  /** The send time of a stamped payload, or -1 if it is not one. */
  static long stampOf(byte[] data, int offset, int length) {
    if (length < 16) return -1;
    long t = 0;
    for (int i = 0; i < 16; i++) {
      int c = data[offset + i];
      int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
      if (v < 0) return -1;
      t = (t << 4) | v;
    }
    return t;
  }

  static byte[] payload() {
    byte[] p = new byte[PAYLOAD];
    java.util.Arrays.fill(p, (byte) 'x');
    return p;
  }

  private static final byte[] HEX = "0123456789abcdef".getBytes();

  static void record(Histogram h, long nanos) {
    h.recordValue(Math.max(0, Math.min(nanos, h.getHighestTrackableValue())));
  }

  static Histogram histogram() {
    return new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
  }

  /**
   * Opens {@code count} sockets, at most {@code inFlight} handshakes at a time, from the local
   * addresses {@code local(i)} to {@code server.address(i)}; returns those that opened (fewer if
   * the server or the machine refused).
   */
  static List<LeanWs.Socket> openAll(
      LeanWs ws,
      Server server,
      int count,
      IntFunction<String> path,
      IntFunction<InetSocketAddress> local,
      LeanWs.Listener listener,
      int inFlight,
      Duration timeout)
      throws InterruptedException {
    Semaphore handshakes = new Semaphore(inFlight);
    CountDownLatch done = new CountDownLatch(count);
    List<LeanWs.Socket> sockets = new ArrayList<>(count);
    boolean[] opened = new boolean[count];
    String[] firstError = {null};
    LeanWs.Listener counting =
        new LeanWs.Listener() {
          @Override
          public void opened(LeanWs.Socket s) {
            opened[s.index] = true;
            handshakes.release();
            done.countDown();
            listener.opened(s);
          }

          @Override
          public void message(LeanWs.Socket s, byte[] data, int offset, int length, boolean text) {
            listener.message(s, data, offset, length, text);
          }

          @Override
          public void closed(LeanWs.Socket s, String why) {
            if (!s.open) {
              synchronized (firstError) {
                if (firstError[0] == null) firstError[0] = why;
              }
              handshakes.release();
              done.countDown();
            }
            listener.closed(s, why);
          }
        };
    long deadline = System.nanoTime() + timeout.toNanos();
    for (int i = 0; i < count; i++) {
      if (!handshakes.tryAcquire(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS))
        break;
      LeanWs.Socket s = ws.connect(local.apply(i), server.address(i), path.apply(i), counting);
      s.index = i;
      sockets.add(s);
    }
    done.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    List<LeanWs.Socket> open = new ArrayList<>();
    for (LeanWs.Socket s : sockets) if (opened[s.index]) open.add(s);
    if (open.size() < count && firstError[0] != null) {
      System.out.println(
          "    "
              + (count - open.size())
              + " of "
              + count
              + " sockets did not open; first error: "
              + firstError[0]);
    }
    return open;
  }

  /** CPU use of the server and of this load generator over a window, in cores. */
  static final class CpuWindow {
    private final Server server;
    private final long start = System.nanoTime();
    private final Duration server0;
    private final Duration self0;

    CpuWindow(Server server) {
      this.server = server;
      this.server0 = server.cpu();
      this.self0 = selfCpu();
    }

    private double seconds = -1;
    private double serverCores;
    private double selfCores;

    /** Ends the window; returns its length in seconds. */
    double stop() {
      if (seconds < 0) {
        seconds = (System.nanoTime() - start) / 1e9;
        serverCores = server.cpu().minus(server0).toNanos() / 1e9 / seconds;
        selfCores = selfCpu().minus(self0).toNanos() / 1e9 / seconds;
      }
      return seconds;
    }

    /** Cores the server used over the window (1.0: one core all the time). */
    double serverCores() {
      stop();
      return serverCores;
    }

    /** Cores this load generator used over the window. */
    double selfCores() {
      stop();
      return selfCores;
    }

    void put(Figures f) {
      stop();
      f.put("server cpu", String.format("%.0f%%", serverCores * 100));
      f.put("load cpu", String.format("%.0f%%", selfCores * 100));
    }

    private static Duration selfCpu() {
      return ProcessHandle.current().info().totalCpuDuration().orElse(Duration.ZERO);
    }
  }
}
