package dev.partyhost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partyhost.support.TestHost;
import dev.partyhost.support.Ws;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The before hooks (ABI v1.2) on a live host: the auth example checks a token before a request
 * reaches its room, and the gate-probe test guest misbehaves in its gate instance.
 */
class AuthHooksTest {
  private static TestHost host;

  @BeforeAll
  static void start() {
    host =
        TestHost.start(
            c -> {
              c.vars.put("auth", Map.of("token", "s3cret"));
              c.hookDeadlineMs = 100;
              // Rooms never leave while the class runs: the tests count rooms, and a room an
              // earlier test made must not leave in the middle of a later test's count, whatever
              // the order.
              c.roomIdleMs = TimeUnit.DAYS.toMillis(1);
            });
  }

  @AfterAll
  static void stop() {
    host.close();
  }

  @Test
  void aWebSocketWithoutTheTokenGets401InsteadOfTheHandshakeAndCreatesNoRoom() {
    int rooms = host.host.rooms().size();
    for (String query : new String[] {"", "?token=wrong", "?token=s3cre"}) {
      CompletionException e =
          org.junit.jupiter.api.Assertions.assertThrows(
              CompletionException.class,
              () ->
                  HttpClient.newHttpClient()
                      .newWebSocketBuilder()
                      .buildAsync(
                          URI.create(
                              "ws://127.0.0.1:" + host.port() + "/parties/auth/locked" + query),
                          new WebSocket.Listener() {})
                      .join());
      WebSocketHandshakeException refused =
          assertInstanceOf(WebSocketHandshakeException.class, e.getCause());
      assertEquals(401, refused.getResponse().statusCode(), query);
    }
    assertEquals(rooms, host.host.rooms().size());
  }

  @Test
  void theRightTokenReachesTheRoomWithTheUserTheGateSet() {
    try (Ws ann = host.ws("/parties/auth/open?token=s3cret&user=ann");
        Ws bob = host.ws("/parties/auth/open?token=s3cret")) {
      ann.expectText("{\"type\":\"welcome\",\"user\":\"ann\"}");
      bob.expectText("{\"type\":\"welcome\",\"user\":\"anonymous\"}");
      ann.send("hi");
      bob.expectText("{\"type\":\"message\",\"user\":\"ann\",\"text\":\"hi\"}");
    }
  }

  @Test
  void httpRequestsPassTheGateWithABearerToken() {
    assertEquals(401, host.get("/parties/auth/open").statusCode());
    HttpResponse<String> r =
        host.send(
            HttpRequest.newBuilder(URI.create(host.url("/parties/auth/open?user=cy")))
                .header("Authorization", "Bearer s3cret")
                .GET());
    assertEquals(200, r.statusCode());
    assertEquals("{\"user\":\"cy\"}", r.body());
  }

  @Test
  void aGateThatTrapsLoopsOrFailsAnswers500AndStartsAfresh() {
    int rooms = host.host.rooms().size();
    assertTrue(host.get("/parties/gate-probe/r/ok").body().matches("calls \\d"));
    HttpResponse<String> trapped = host.get("/parties/gate-probe/r/trap");
    assertEquals(500, trapped.statusCode());
    assertEquals("Party failed while checking the request", trapped.body());
    assertEquals("calls 1", host.get("/parties/gate-probe/r/ok").body()); // a new gate instance
    long start = System.nanoTime();
    assertEquals(500, host.get("/parties/gate-probe/r/spin").statusCode());
    // Wall time, so with room for a busy machine (the deadline counts 100 ms of CPU time); an
    // endless gate that nothing stopped would run into the client's 10 s timeout instead.
    long ms = (System.nanoTime() - start) / 1_000_000;
    assertTrue(ms < 5000, "the endless gate was stopped by its deadline, after " + ms + " ms");
    assertEquals(500, host.get("/parties/gate-probe/r/fail").statusCode());
    assertEquals(200, host.get("/parties/gate-probe/r/ok").statusCode());
    assertEquals(rooms, host.host.rooms().size()); // answered by the gate: no room was created
  }
}
