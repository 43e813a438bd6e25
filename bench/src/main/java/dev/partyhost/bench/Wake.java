package dev.partyhost.bench;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * Wake from hibernation: {@code rooms} rooms of the party (a relay, or the chat) with 2 clients each
 * (the relay and the chat send a message to the other connections: the second client hears the
 * reply) hibernate (the host runs with {@code --room-idle-ms 1000}); then, one room after another,
 * the first client sends one message and the next room's goes once the second client heard it.
 * Rounds of that, the first not counted. Figures: the host's {@code wakes} (from the event's arrival
 * to the start of its hook, {@code GET /_admin/stats}) and the client's send-to-reply latency. Run
 * with snapshots on ({@code chat-snapshots}) and off ({@code chat}) side by side.
 */
final class Wake extends Scenario {
  static final long IDLE_MS = 1000;
  private final int rooms;
  private final int rounds;

  Wake(int rooms, int rounds) {
    this.rooms = rooms;
    this.rounds = rounds;
  }

  @Override
  String title() {
    return "wake: "
        + rooms
        + " hibernated rooms x 2 clients, one message per room, one room after another ("
        + rounds
        + " rounds after one not counted); host's wake (event to hook) and send-to-reply";
  }

  @Override
  boolean higherIsBetter() {
    return false;
  }

  @Override
  List<String> serverArgs() {
    return List.of("--room-idle-ms", String.valueOf(IDLE_MS));
  }

  @Override
  List<String> servers() {
    return List.of("relay-c", "relay-c-snapshots", "chat", "chat-snapshots");
  }

  @Override
  Figures run(Server server) throws Exception {
    if (!(server instanceof Server.PartyHost host))
      throw new IllegalArgumentException("the wake scenario measures partyhost only");
    Histogram reply = histogram();
    try (LeanWs ws = new LeanWs(1)) {
      Chain chain = new Chain();
      String run = "wake-" + System.nanoTime() + "-";
      List<LeanWs.Socket> sockets =
          openAll(
              ws,
              server,
              rooms * 2,
              i -> server.path(Server.Party.RELAY, run + i / 2) + "?_pk=c" + i,
              i -> null,
              chain,
              256,
              Duration.ofMinutes(2));
      if (sockets.size() < rooms * 2) throw new IllegalStateException("not every socket opened");
      chain.senders = new LeanWs.Socket[rooms];
      for (LeanWs.Socket s : sockets) if (s.index % 2 == 0) chain.senders[s.index / 2] = s;
      long restoredBefore = 0;
      for (int round = 0; round <= rounds; round++) {
        Thread.sleep(IDLE_MS * 2 + 500); // every room hibernates
        if (round == 1) {
          host.resetStats();
          restoredBefore = host.stats().path("snapshots").path("restored").asLong();
        }
        chain.latency = round == 0 ? histogram() : reply;
        chain.done = new CountDownLatch(1);
        chain.next = 0;
        ws.loops()[0].execute(chain::sendNext);
        if (!chain.done.await(30L * rooms + 30_000, TimeUnit.MILLISECONDS))
          throw new IllegalStateException("the wake round did not finish");
      }
      var stats = host.stats();
      var wakes = stats.path("wakes");
      return new Figures()
          .primary("wake p50 ms", wakes.path("p50Micros").asDouble() / 1000, "%.3f")
          .put("wake p99 ms", String.format("%.3f", wakes.path("p99Micros").asDouble() / 1000))
          .put("wakes", String.valueOf(wakes.path("count").asLong()))
          .put(
              "restored",
              String.valueOf(stats.path("snapshots").path("restored").asLong() - restoredBefore))
          .put("reply p50 ms", String.format("%.3f", reply.getValueAtPercentile(50) / 1e6))
          .put("reply p99 ms", String.format("%.3f", reply.getValueAtPercentile(99) / 1e6));
    }
  }

  /** Sends room {@code next}'s message once the last room's reply came; on the client's loop. */
  private final class Chain implements LeanWs.Listener {
    LeanWs.Socket[] senders;
    Histogram latency;
    CountDownLatch done;
    int next;
    private long sent;
    private int waitingFor = -1;
    private final byte[] text = "wake".getBytes(java.nio.charset.StandardCharsets.UTF_8);

    void sendNext() {
      if (next == rooms) {
        waitingFor = -1;
        done.countDown();
        return;
      }
      waitingFor = next;
      sent = System.nanoTime();
      senders[next++].send(text, true);
    }

    @Override
    public void message(LeanWs.Socket s, byte[] data, int offset, int length, boolean isText) {
      // The receiver of the room waited on; a chat's history on connect comes before any round.
      if (s.index % 2 != 1 || s.index / 2 != waitingFor) return;
      record(latency, System.nanoTime() - sent);
      sendNext();
    }
  }
}
