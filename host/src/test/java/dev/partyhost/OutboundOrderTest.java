package dev.partyhost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.partyhost.support.TestHost;
import dev.partyhost.support.Ws;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The way out from a room to its sockets (room.Outbound): a room runs on one event loop, its sockets
 * on all of them (the host accepts connections round-robin over its loops, so several sockets of one
 * room are on other loops than the room's). Frames to a socket keep the order the room sent them in,
 * none is lost or doubled, and a close goes out after the frames sent before it.
 */
class OutboundOrderTest {
  private static TestHost host;

  @BeforeAll
  static void start() {
    host = TestHost.start();
  }

  @AfterAll
  static void stop() {
    host.close(); // closes every client socket too
  }

  @ParameterizedTest
  @ValueSource(strings = {"relay-c", "relay-rust"})
  void everyClientGetsEveryOtherClientsMessagesOnceAndInTheirOrder(String party) throws Exception {
    int clients = 8;
    int messages = 200;
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    List<Ws> ws = new ArrayList<>();
    try {
      for (int k = 0; k < clients; k++) ws.add(host.ws("/parties/" + party + "/order?_pk=c" + k));
      // All clients send at once, each as fast as its socket takes the messages.
      CountDownLatch go = new CountDownLatch(1);
      List<CompletableFuture<Void>> sending = new ArrayList<>();
      for (int k = 0; k < clients; k++) {
        int sender = k;
        sending.add(
            CompletableFuture.runAsync(
                () -> {
                  try {
                    go.await();
                  } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                  }
                  for (int i = 0; i < messages; i++) ws.get(sender).send(sender + " " + i);
                },
                pool));
      }
      go.countDown();
      CompletableFuture.allOf(sending.toArray(CompletableFuture[]::new))
          .get(Ws.TIMEOUT_MS, TimeUnit.MILLISECONDS);

      for (int receiver = 0; receiver < clients; receiver++) {
        int[] next = new int[clients]; // per sender, the number of the message expected next
        for (int n = 0; n < (clients - 1) * messages; n++) {
          String[] m = ws.get(receiver).nextText().split(" ");
          int sender = Integer.parseInt(m[0]);
          assertNotEquals(receiver, sender, "a client got its own message back");
          assertEquals(
              next[sender]++,
              Integer.parseInt(m[1]),
              "client " + receiver + ", from client " + sender);
        }
        ws.get(receiver).expectNothing(receiver == 0 ? 100 : 0); // nothing doubled
      }
    } finally {
      pool.shutdownNow();
      ws.forEach(Ws::close);
    }
  }

  /**
   * The test guest send-close answers any message with 200 frames, then closes the sender in the
   * same hook. Eight sockets of one room ask at once: each gets all its frames, in order, then 4000.
   * A close that overtook frames would leave the socket closed before they were written (lost).
   */
  @Test
  void framesAGuestSendsBeforeClosingAConnectionArriveBeforeTheClose() {
    int clients = 8;
    List<Ws> ws = new ArrayList<>();
    for (int k = 0; k < clients; k++) ws.add(host.ws("/parties/send-close/room?_pk=c" + k));
    for (Ws w : ws) w.send("go");
    for (Ws w : ws) {
      assertEquals(4000, w.awaitClose());
      assertEquals(
          200,
          w.pending(),
          "frames that arrived before the close"); // the client keeps the wire's order
      for (int i = 0; i < 200; i++) {
        byte[] frame = (byte[]) w.next();
        assertEquals(1024, frame.length);
        assertEquals(
            i, ByteBuffer.wrap(frame).order(ByteOrder.LITTLE_ENDIAN).getInt(), "frame order");
      }
      w.expectNothing(0);
    }
  }
}
