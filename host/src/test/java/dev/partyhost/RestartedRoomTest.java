package dev.partyhost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partyhost.support.Poll;
import dev.partyhost.support.TestHost;
import dev.partyhost.support.Ws;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/**
 * A room dropped by a restart ({@code PUT /_admin/parties/NAME?restart=true}) is gone: the events still
 * on their way to it (its sockets' closes, which the restart itself causes) load nothing. Counted with
 * the host's own statistics: {@code loads.count} in {@code GET /_admin/stats}.
 */
class RestartedRoomTest {
  @Test
  void theClosesARestartCausesLoadNoDataForTheDroppedRoom() throws Exception {
    try (TestHost host = TestHost.start()) {
      String path = "/parties/counter/restarted";
      // Created by an HTTP request, the room lives on the event loop of the test's HTTP connection,
      // which the later requests reuse: the dropped room's tasks and the new room's run on one
      // loop, in the order they were queued.
      assertEquals("{\"count\":0}", host.get(path).body());
      try (Ws a = host.ws(path + "?_pk=a");
          Ws b = host.ws(path + "?_pk=b")) {
        a.expectText("{\"count\":0}");
        b.expectText("{\"count\":0}");
        assertEquals(1, loads(host), "the room loaded its data once");

        HttpResponse<String> restarted =
            host.upload(
                "counter",
                Files.readAllBytes(TestHost.wasm("wasm", "counter")),
                TestHost.ADMIN_TOKEN,
                true);
        assertEquals(200, restarted.statusCode(), restarted.body());
        assertTrue(restarted.body().contains("\"restartedRooms\":1"), restarted.body());
        assertEquals(1012, a.awaitClose());
        assertEquals(1012, b.awaitClose());
        // The host has seen both closes: each was handed to the dropped room's loop as it was seen.
        Poll.until(() -> host.stats().get("connections").asInt() == 0, Ws.TIMEOUT_MS);
      }
      // A new room for the id, queued on that loop after the closes: its load is the only new one.
      // (Before the fix, the first close made the dropped room load its data again: 3 loads.)
      assertEquals("{\"count\":0}", host.get(path).body());
      assertEquals(2, loads(host), host.stats().toString());
    }
  }

  private static long loads(TestHost host) {
    return host.stats().get("loads").get("count").asLong();
  }
}
