package dev.partyhost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.partyhost.support.Poll;
import dev.partyhost.support.TestHost;
import dev.partyhost.support.Ws;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The examples of calls (ABI v1.4) on a real host: {@code lobby} lists the live {@code chat} rooms
 * from their own reports and asks them again when it starts; {@code webhook} posts each message to
 * a loopback server the test runs, allowed by the party's allowlist, and tells its sender.
 */
class CallExamplesTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The lobby's list: room id to connections. */
  private static Map<String, Integer> lobby(TestHost host) throws Exception {
    JsonNode list = JSON.readTree(host.get("/parties/lobby/chat").body());
    assertEquals("chat", list.get("party").asText());
    Map<String, Integer> rooms = new java.util.TreeMap<>();
    list.get("rooms").forEach(r -> rooms.put(r.get("id").asText(), r.get("connections").asInt()));
    return rooms;
  }

  private static void waitForLobby(TestHost host, Map<String, Integer> want) throws Exception {
    Poll.until(
        () -> {
          try {
            return lobby(host).equals(want);
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        },
        10_000);
  }

  @Test
  void theLobbyListsTheChatRoomsThatHavePeopleInThem() throws Exception {
    TestHost host = TestHost.start();
    try {
      waitForLobby(host, Map.of());
      Ws a = host.ws("/parties/chat/general?_pk=a");
      Ws b = host.ws("/parties/chat/general?_pk=b");
      Ws c = host.ws("/parties/chat/alpha?_pk=c");
      waitForLobby(host, Map.of("general", 2, "alpha", 1));
      b.close();
      waitForLobby(host, Map.of("general", 1, "alpha", 1));
      c.close();
      waitForLobby(host, Map.of("general", 1));
      a.close();
      waitForLobby(host, Map.of());
    } finally {
      host.close();
    }
  }

  @Test
  void onlyRoomsCanReportEvenWithTheCallersHeaderForged() throws Exception {
    TestHost host = TestHost.start();
    try {
      String report = "{\"connections\":7}";
      assertEquals(403, host.post("/parties/lobby/chat", report).statusCode());
      var forged =
          host.send(
              HttpRequest.newBuilder(URI.create(host.url("/parties/lobby/chat")))
                  .header("x-partyhost-caller", "chat/fake")
                  .POST(HttpRequest.BodyPublishers.ofString(report)));
      assertEquals(403, forged.statusCode(), "the host removes the header from clients' requests");
      assertEquals(Map.of(), lobby(host));
    } finally {
      host.close();
    }
  }

  @Test
  void aLobbyThatStartsAgainAsksTheRoomsItListsAndForgetsTheEmptyOnes() throws Exception {
    TestHost host = TestHost.start();
    try (Ws a = host.ws("/parties/chat/general?_pk=a")) {
      waitForLobby(host, Map.of("general", 1));
      // Eviction closes the room's sockets without a hook (as a crash would): no report leaves.
      evict(host, "chat", "general");
      Thread.sleep(300);
      assertEquals(Map.of("general", 1), lobby(host), "the lobby has not heard");
      evict(host, "lobby", "chat"); // its next event starts a new instance, which asks again
      lobby(host);
      waitForLobby(host, Map.of());
    } finally {
      host.close();
    }
  }

  private static void evict(TestHost host, String party, String room) {
    var r = host.admin("DELETE", "parties/" + party + "/rooms/" + room, null);
    assertEquals(200, r.statusCode(), r.body());
  }

  /** A loopback webhook: records what it was sent, answers 202. */
  private static HttpServer webhook(Vertx vertx, List<String> received) {
    return vertx
        .createHttpServer()
        .requestHandler(
            req ->
                req.body()
                    .onSuccess(
                        body -> {
                          received.add(req.method() + " " + req.path() + " " + body);
                          req.response().setStatusCode(202).end();
                        }))
        .listen(0, "127.0.0.1")
        .await();
  }

  @Test
  void theWebhookPostsEachMessageAndTellsTheSender() throws Exception {
    Vertx vertx = Vertx.vertx();
    List<String> received = new CopyOnWriteArrayList<>();
    HttpServer server = webhook(vertx, received);
    String url = "http://127.0.0.1:" + server.actualPort() + "/in";
    TestHost host =
        TestHost.start(
            s -> {
              s.vars.put("webhook", Map.of("url", url));
              s.partyLimits.put("webhook", Map.of("httpAllowlist", List.of("127.0.0.1")));
            });
    try (Ws ws = host.ws("/parties/webhook/desk?_pk=ann")) {
      ws.send("hello \"there\"");
      JsonNode told = JSON.readTree(ws.nextText());
      assertEquals("delivered", told.get("type").asText(), told.toString());
      assertEquals(202, told.get("status").asInt());
      assertEquals(
          List.of("POST /in {\"room\":\"desk\",\"from\":\"ann\",\"text\":\"hello \\\"there\\\"\"}"),
          received);
    } finally {
      host.close();
      vertx.close().await();
    }
  }

  @Test
  void withoutTheAllowlistTheWebhookIsNotCalled() throws Exception {
    Vertx vertx = Vertx.vertx();
    List<String> received = new CopyOnWriteArrayList<>();
    HttpServer server = webhook(vertx, received);
    String url = "http://127.0.0.1:" + server.actualPort() + "/in";
    TestHost host = TestHost.start(s -> s.vars.put("webhook", Map.of("url", url)));
    try (Ws ws = host.ws("/parties/webhook/desk?_pk=ann")) {
      ws.send("hello");
      JsonNode told = JSON.readTree(ws.nextText());
      assertEquals("failed", told.get("type").asText(), told.toString());
      assertEquals(-11, told.get("error").asInt(), "NOT_ALLOWED");
      assertTrue(received.isEmpty());
    } finally {
      host.close();
      vertx.close().await();
    }
  }
}
