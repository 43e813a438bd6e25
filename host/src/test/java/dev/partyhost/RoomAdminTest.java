package dev.partyhost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.partyhost.support.Poll;
import dev.partyhost.support.TestHost;
import dev.partyhost.support.TestHost.Engine;
import dev.partyhost.support.Ws;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The admin API's rooms of a party (paged, with rooms that only storage has), one room with its
 * connections, evicting a room, the per-party counts in /_admin/stats, and /healthz and /readyz.
 */
class RoomAdminTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode json(HttpResponse<String> r, int status) throws Exception {
    assertEquals(status, r.statusCode(), r.body());
    return JSON.readTree(r.body());
  }

  /**
   * Counter rooms that stored a count and left (idle, no connections) are listed from storage; a room
   * with a WebSocket is live, then hibernated; pages of 2 walk them all in order, with a cursor.
   */
  @ParameterizedTest
  @EnumSource(Engine.class)
  void listingPagesLiveAndStoredRoomsInIdOrder(Engine engine) throws Exception {
    try (TestHost host = TestHost.start(engine, c -> c.roomIdleMs = 300)) {
      List<String> stored = List.of("a1", "a2", "b\u00e9", "c3", "z-9");
      for (String id : stored)
        host.post(
            "/parties/counter/"
                + java.net.URLEncoder.encode(id, java.nio.charset.StandardCharsets.UTF_8),
            "");
      try (Ws ws = host.ws("/parties/counter/m-live?_pk=alice")) {
        JsonNode first = json(host.admin("GET", "parties/counter/rooms?limit=100", null), 200);
        JsonNode live = find(first.get("rooms"), "m-live");
        assertEquals("live", live.get("state").asText(), first.toString());
        assertEquals(1, live.get("connections").asInt());
        assertEquals(host.host.parties().get("counter").sha256(), live.get("sha256").asText());
        assertNotNull(live.get("lastActivity").textValue());
        // The rooms without connections leave; the one with a socket hibernates.
        Poll.until(
            () -> {
              JsonNode all = listing(host);
              for (JsonNode room : all.get("rooms"))
                if (room.get("state").asText().equals("live")) return false;
              return find(all.get("rooms"), "m-live").get("state").asText().equals("hibernated");
            },
            Ws.TIMEOUT_MS);
        List<String> seen = new ArrayList<>();
        String after = null;
        int pages = 0;
        do {
          JsonNode page =
              json(
                  host.admin(
                      "GET",
                      "parties/counter/rooms?limit=2"
                          + (after == null
                              ? ""
                              : "&after="
                                  + java.net.URLEncoder.encode(
                                      after, java.nio.charset.StandardCharsets.UTF_8)),
                      null),
                  200);
          assertTrue(page.get("rooms").size() <= 2, page.toString());
          for (JsonNode room : page.get("rooms")) {
            seen.add(room.get("id").asText());
            if (!room.get("id").asText().equals("m-live")) {
              assertEquals("stored", room.get("state").asText(), room.toString());
              assertEquals(0, room.get("connections").asInt());
              assertTrue(room.get("storedBytes").asLong() > 0, room.toString());
            }
          }
          after = page.get("next").textValue();
          pages++;
        } while (after != null);
        assertEquals(List.of("a1", "a2", "b\u00e9", "c3", "m-live", "z-9"), seen);
        assertEquals(3, pages);
        assertEquals(400, host.admin("GET", "parties/counter/rooms?limit=1001", null).statusCode());
        assertEquals(400, host.admin("GET", "parties/counter/rooms?limit=0", null).statusCode());
        assertEquals(404, host.admin("GET", "parties/nope/rooms", null).statusCode());
        assertEquals(401, host.get("/_admin/parties/counter/rooms").statusCode());
      }
    }
  }

  private static JsonNode listing(TestHost host) {
    try {
      return json(host.admin("GET", "parties/counter/rooms", null), 200);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static JsonNode find(JsonNode rooms, String id) {
    for (JsonNode room : rooms) if (room.get("id").asText().equals(id)) return room;
    throw new AssertionError("no room " + id + " in " + rooms);
  }

  @Test
  void oneRoomShowsItsConnections() throws Exception {
    try (TestHost host = TestHost.start();
        Ws alice = host.ws("/parties/relay-c/detail?_pk=alice");
        Ws bob = host.ws("/parties/relay-c/detail?_pk=bob&x=1")) {
      JsonNode room = json(host.admin("GET", "parties/relay-c/rooms/detail", null), 200);
      assertEquals("live", room.get("state").asText(), room.toString());
      assertEquals(2, room.get("connections").asInt());
      JsonNode list = room.get("connectionList");
      assertEquals("alice", list.get(0).get("id").asText());
      assertEquals("bob", list.get(1).get("id").asText());
      assertTrue(list.get(1).get("uri").asText().endsWith("/parties/relay-c/detail?_pk=bob&x=1"));
      assertEquals(0, list.get(0).get("stateBytes").asInt());
      assertEquals(0, list.get(0).get("tags").size());
      assertNotNull(
          java.time.Instant.parse(list.get(0).get("connectedSince").asText()), room.toString());
      assertEquals(404, host.admin("GET", "parties/relay-c/rooms/none", null).statusCode());
    }
  }

  /**
   * Eviction closes the room's sockets with 1012 and keeps its data (the count goes on); with
   * ?data=delete the data is gone too (the count starts again), even for a room not live.
   */
  @ParameterizedTest
  @EnumSource(Engine.class)
  void evictionClosesWith1012AndDeletesDataOnlyWhenAsked(Engine engine) throws Exception {
    try (TestHost host = TestHost.start(engine, c -> {})) {
      assertEquals("{\"count\":1}", host.post("/parties/counter/ev", "").body());
      try (Ws ws = host.ws("/parties/counter/ev?_pk=a")) {
        JsonNode r = json(host.admin("DELETE", "parties/counter/rooms/ev", null), 200);
        assertEquals(1, r.get("closedConnections").asInt(), r.toString());
        assertEquals(false, r.get("dataDeleted").asBoolean());
        assertEquals(1012, ws.awaitClose());
      }
      assertEquals("{\"count\":2}", host.post("/parties/counter/ev", "").body());
      assertEquals(
          400, host.admin("DELETE", "parties/counter/rooms/ev?data=maybe", null).statusCode());
      JsonNode r = json(host.admin("DELETE", "parties/counter/rooms/ev?data=delete", null), 200);
      assertEquals(true, r.get("dataDeleted").asBoolean(), r.toString());
      assertEquals(404, host.admin("GET", "parties/counter/rooms/ev", null).statusCode());
      assertEquals("{\"count\":1}", host.post("/parties/counter/ev", "").body());
      // Not live (evicted above), data stored: deleted all the same.
      json(host.admin("DELETE", "parties/counter/rooms/ev", null), 200);
      assertEquals(404, host.admin("DELETE", "parties/counter/rooms/ev", null).statusCode());
      json(host.admin("DELETE", "parties/counter/rooms/ev?data=delete", null), 200);
      assertEquals(404, host.admin("GET", "parties/counter/rooms/ev", null).statusCode());
      assertEquals("{\"count\":1}", host.post("/parties/counter/ev", "").body());
    }
  }

  @Test
  void statsCountRoomsAndConnectionsPerParty() throws Exception {
    try (TestHost host = TestHost.start();
        Ws a = host.ws("/parties/relay-c/s1?_pk=a");
        Ws b = host.ws("/parties/relay-c/s1?_pk=b");
        Ws c = host.ws("/parties/relay-rust/s2?_pk=c")) {
      JsonNode parties = host.stats().get("parties");
      assertEquals(1, parties.get("relay-c").get("rooms").asInt(), parties.toString());
      assertEquals(2, parties.get("relay-c").get("connections").asInt());
      assertEquals(1, parties.get("relay-c").get("live").asInt());
      assertEquals(0, parties.get("relay-c").get("hibernated").asInt());
      assertEquals(1, parties.get("relay-rust").get("connections").asInt());
    }
  }

  /** Plain, without a token; /readyz says 503 with its reason once the host is stopping. */
  @Test
  void healthAndReadiness() throws Exception {
    try (TestHost host = TestHost.start()) {
      HttpResponse<String> health = host.get("/healthz");
      assertEquals(200, health.statusCode());
      assertEquals("ok", health.body());
      HttpResponse<String> ready = host.get("/readyz");
      assertEquals(200, ready.statusCode(), ready.body());
      assertTrue(ready.body().startsWith("ready: "), ready.body());
      // Room paths are still rooms' (a room called healthz), and the admin API still wants its
      // token.
      assertEquals("{\"count\":1}", host.post("/parties/counter/healthz", "").body());
      assertEquals(401, host.get("/_admin/stats").statusCode());
      host.host.rooms().stop();
      ready = host.get("/readyz");
      assertEquals(503, ready.statusCode());
      assertEquals("not ready: the host is stopping", ready.body());
      assertEquals("ok", host.get("/healthz").body());
    }
  }
}
