package dev.partyhost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.partyhost.support.TestHost;
import dev.partyhost.support.Ws;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** PartyKit's URL scheme over real HTTP and WebSockets: both forms, the main alias, sub-paths, 404, 400, _pk. */
class RoutingTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static TestHost host;

  @BeforeAll
  static void start() {
    host = TestHost.start();
  }

  @AfterAll
  static void stop() {
    host.close();
  }

  private static JsonNode json(String s) throws Exception {
    return JSON.readTree(s);
  }

  @Test
  void allThreeMainPartyFormsReachOneRoom() throws Exception {
    try (Ws a = host.ws("/party/routing-1?_pk=a");
        Ws b = host.ws("/parties/main/routing-1?_pk=b");
        Ws c = host.ws("/parties/chat/routing-1?_pk=c")) {
      for (Ws ws : new Ws[] {a, b, c})
        assertEquals("history", json(ws.nextText()).get("type").asText());
      a.send("hello");
      for (Ws ws : new Ws[] {b, c}) {
        JsonNode m = json(ws.nextText());
        assertEquals("message", m.get("type").asText());
        assertEquals("a", m.get("from").asText());
        assertEquals("hello", m.get("text").asText());
      }
      a.expectNothing(200);
    }
  }

  @Test
  void httpReachesTheRoomWithAndWithoutSubPaths() throws Exception {
    assertEquals("{\"count\":0}", host.get("/parties/counter/routing-http").body());
    assertEquals(
        "{\"count\":1}", host.post("/parties/counter/routing-http/some/sub/path?x=1", "").body());
    HttpResponse<String> r = host.get("/parties/counter/routing-http/other");
    assertEquals(200, r.statusCode());
    assertEquals("application/json", r.headers().firstValue("content-type").orElse(""));
    assertEquals("{\"count\":1}", r.body());
  }

  @Test
  void unknownPartyIs404() {
    HttpResponse<String> r = host.get("/parties/nope/room");
    assertEquals(404, r.statusCode());
    assertEquals("Party nope not found", r.body());
    assertEquals(404, host.get("/elsewhere").statusCode());
  }

  @Test
  void unknownPartyWebSocketIsRefused() {
    assertThrowsOnConnect("/parties/nope/room");
  }

  @Test
  void badRoomIdsAre400() {
    for (String path :
        new String[] {
          "/parties/counter/", "/parties/counter/%ff", "/parties/counter/" + "x".repeat(257)
        }) {
      HttpResponse<String> r = host.get(path);
      assertEquals(400, r.statusCode(), path);
      assertTrue(r.body().toLowerCase(java.util.Locale.ROOT).contains("room id"), r.body());
    }
    assertEquals(400, host.rawGetStatus("/parties/counter/%zz"));
    assertEquals(400, host.rawGetStatus("/parties/counter/%e9t%e9"));
    assertEquals(200, host.get("/parties/counter/" + "x".repeat(256)).statusCode());
  }

  @Test
  void percentEncodedRoomIdsAreDistinctRooms() {
    host.post("/parties/counter/a%2Fb", "");
    assertEquals("{\"count\":1}", host.get("/parties/counter/a%2Fb").body());
    assertEquals("{\"count\":0}", host.get("/parties/counter/a").body());
  }

  @Test
  void connectionIdIsPkOrAUuid() throws Exception {
    try (Ws named = host.ws("/parties/chat/routing-ids?_pk=alice&token=x");
        Ws anonymous = host.ws("/parties/chat/routing-ids")) {
      named.nextText();
      anonymous.nextText();
      anonymous.send("hi");
      String from = json(named.nextText()).get("from").asText();
      assertTrue(
          from.matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"), from);
      named.send("yo");
      assertEquals("alice", json(anonymous.nextText()).get("from").asText());
    }
  }

  private static void assertThrowsOnConnect(String path) {
    try {
      Ws ws = host.ws(path);
      ws.close();
      throw new AssertionError("connected to " + path);
    } catch (IllegalStateException expected) {
      assertTrue(expected.getMessage().contains("404"), expected.getMessage());
    }
  }
}
