package dev.partyhost.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.IntUnaryOperator;

/**
 * One writer per counter room: a POST (an increment, answered 200 only once it is durable: an
 * acknowledged write) every {@link #EVERY_MS} ms through the port {@code portOf(room)}, whether the
 * earlier ones answered or not, each given up after {@link #TIMEOUT}: while a paused node holds
 * writes up, new ones still go every 50 ms, so a failover time is the cluster's, to 50 ms, not a
 * retry policy's (at most {@link #IN_FLIGHT} per room, which that allows). Records each room's
 * owner (the {@code x-partyhost-node} of its last acknowledged write) and, after {@link #mark},
 * when the first write sent after the mark was acknowledged by another node than the one struck.
 */
final class Writers implements AutoCloseable {
  static final long EVERY_MS = 50;
  static final Duration TIMEOUT = Duration.ofSeconds(1);
  static final int IN_FLIGHT = (int) (TIMEOUT.toMillis() / EVERY_MS);

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
  private final ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor();
  private final AtomicIntegerArray inFlight;
  private final AtomicReferenceArray<String> owners;
  private final AtomicLongArray firstAck;
  private volatile long mark = Long.MAX_VALUE;
  private volatile String struck;

  /** Starts writing to each room, a path such as /parties/counter/NAME. */
  Writers(List<String> rooms, IntUnaryOperator portOf) {
    this.inFlight = new AtomicIntegerArray(rooms.size());
    this.owners = new AtomicReferenceArray<>(rooms.size());
    this.firstAck = new AtomicLongArray(rooms.size());
    for (int r = 0; r < rooms.size(); r++) {
      int room = r;
      URI uri = URI.create("http://127.0.0.1:" + portOf.applyAsInt(r) + rooms.get(r));
      var unused =
          clock.scheduleAtFixedRate(
              () -> write(room, uri), r * EVERY_MS / rooms.size(), EVERY_MS, TimeUnit.MILLISECONDS);
    }
  }

  private void write(int room, URI uri) {
    if (inFlight.get(room) >= IN_FLIGHT) return;
    inFlight.incrementAndGet(room);
    long sent = System.nanoTime();
    var unused =
        http.sendAsync(post(uri, TIMEOUT), HttpResponse.BodyHandlers.discarding())
            .whenComplete(
                (r, e) -> {
                  inFlight.decrementAndGet(room);
                  // Not 200: refused, 503 (the owner is gone) or timed out; the next one retries.
                  if (e != null || r.statusCode() != 200) return;
                  String node = r.headers().firstValue("x-partyhost-node").orElse("?");
                  owners.set(room, node);
                  if (sent >= mark && !node.equals(struck))
                    firstAck.compareAndSet(room, 0, System.nanoTime());
                });
  }

  private static HttpRequest post(URI uri, Duration timeout) {
    return HttpRequest.newBuilder(uri)
        .POST(HttpRequest.BodyPublishers.noBody())
        .timeout(timeout)
        .build();
  }

  /**
   * One acknowledged write to {@code room} through {@code port}, which then owns it if it is new;
   * returns the node that answered.
   */
  static String place(int port, String room) throws IOException, InterruptedException {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                post(URI.create("http://127.0.0.1:" + port + room), Duration.ofSeconds(10)),
                HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200)
      throw new IOException("POST " + room + ": " + r.statusCode() + " " + r.body());
    return r.headers().firstValue("x-partyhost-node").orElse("?");
  }

  /**
   * From now on, the first write acknowledged per room counts, if a node other than {@code struck}
   * acknowledged it (a draining node still answers for a moment).
   */
  void mark(String struck) {
    this.struck = struck;
    mark = System.nanoTime();
  }

  long markNanos() {
    return mark;
  }

  /**
   * When the first write sent after the mark was acknowledged by a node other than the struck one
   * (System.nanoTime), or 0.
   */
  long firstAck(int room) {
    return firstAck.get(room);
  }

  /** The node that acknowledged the room's last write. */
  String owner(int room) {
    return owners.get(room);
  }

  @Override
  public void close() {
    clock.shutdownNow();
  }
}
