package dev.partyhost;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.partyhost.support.TestHost;
import dev.partyhost.support.Ws;
import java.net.URI;
import java.net.http.HttpRequest;
import org.junit.jupiter.api.Test;

/** Client limits: oversized WebSocket messages close with 1009, oversized bodies get 413; rooms keep serving. */
class LimitsTest {
  @Test
  void messagesOverTheLimitCloseTheSocketWith1009() {
    try (TestHost host = TestHost.start(c -> c.maxMessageBytes = 64 * 1024);
         Ws big = host.ws("/parties/relay-c/limits?_pk=big");
         Ws peer = host.ws("/parties/relay-c/limits?_pk=peer")) {
      big.send("x".repeat(64 * 1024));
      peer.expectText("x".repeat(64 * 1024));
      big.send("y".repeat(64 * 1024 + 1));
      assertEquals(1009, big.awaitClose());
      peer.expectNothing(100);
      // The room and the other connection are unharmed.
      try (Ws third = host.ws("/parties/relay-c/limits?_pk=third")) {
        third.send("still here");
        peer.expectText("still here");
      }
    }
  }

  @Test
  void requestBodiesOverTheLimitAre413() {
    try (TestHost host = TestHost.start(c -> c.maxRequestBytes = 1000)) {
      assertEquals(200, host.post("/parties/counter/limits", "x".repeat(1000)).statusCode());
      assertEquals(413, host.post("/parties/counter/limits", "x".repeat(1001)).statusCode());
      assertEquals(413, host.send(HttpRequest.newBuilder(URI.create(host.url("/parties/counter/limits")))
          .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(new byte[5000])))).statusCode());
      assertEquals("{\"count\":1}", host.get("/parties/counter/limits").body());
    }
  }
}
