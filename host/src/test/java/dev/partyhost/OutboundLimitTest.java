package dev.partyhost;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.partyhost.support.LogCapture;
import dev.partyhost.support.Poll;
import dev.partyhost.support.RawWs;
import dev.partyhost.support.TestHost;
import dev.partyhost.support.Ws;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A client that does not read cannot make the host queue its room's frames without bound (issue 11,
 * items 6 and 7): past maxOutboundBytes queued toward it, whether its room's frames or the pongs to
 * its pings, its connection is dropped, and its room goes on serving the others.
 */
class OutboundLimitTest {
  private static final int LIMIT = 4 * 1024 * 1024;

  @ParameterizedTest
  @ValueSource(strings = {"epoll", "nio"})
  void aClientThatDoesNotReadIsDroppedAndItsRoomGoesOn(String transport) throws Exception {
    try (LogCapture log = new LogCapture("partyhost.room");
        TestHost host =
            TestHost.start(
                c -> {
                  c.maxOutboundBytes = LIMIT;
                  c.transport = transport;
                });
        RawWs stuck = RawWs.open(host, "/parties/relay-c/slow?_pk=stuck");
        Ws other = host.ws("/parties/relay-c/slow?_pk=other");
        Ws sender = host.ws("/parties/relay-c/slow?_pk=sender")) {
      // 80 messages of 256 KiB, relayed to both others: 20 MiB toward a client that reads nothing.
      byte[] message = new byte[256 * 1024];
      for (int i = 0; i < 80; i++) {
        message[0] = (byte) i;
        sender.send(message);
        assertEquals(i, ((byte[]) other.next())[0]); // the one that reads gets every one
      }
      log.awaitLine(
          m ->
              m.equals(
                  "[relay-c/slow] client not reading: over "
                      + LIMIT
                      + " bytes queued toward it, dropping it"));
      Poll.until(() -> host.host.rooms().connections() == 2, Ws.TIMEOUT_MS);
      sender.send("still here");
      other.expectText("still here");
    }
  }

  @org.junit.jupiter.api.Test
  void aPingFloodThatReadsNoPongIsDropped() throws Exception {
    try (LogCapture log = new LogCapture("partyhost.room");
        TestHost host = TestHost.start(c -> c.maxOutboundBytes = LIMIT);
        RawWs flood = RawWs.open(host, "/parties/relay-c/pings?_pk=flood")) {
      byte[] ping = new byte[125];
      try {
        for (int i = 0; i < 400_000; i++) flood.sendRaw(0x89, ping); // 50 MB of pongs, none read
      } catch (java.io.IOException dropped) {
        // the host dropped the connection while the flood was still being sent
      }
      log.awaitLine(m -> m.startsWith("[relay-c/pings] client not reading: over " + LIMIT));
      Poll.until(() -> host.host.rooms().connections() == 0, Ws.TIMEOUT_MS);
    }
  }
}
