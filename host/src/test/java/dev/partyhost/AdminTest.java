package dev.partyhost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.partyhost.support.LogCapture;
import dev.partyhost.support.Poll;
import dev.partyhost.support.TestHost;
import dev.partyhost.support.Ws;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Uploading modules (validated before anything is replaced, optional restart) and statistics; token
 * required. Tests that touch only parties of their own share one host; those that change the host's
 * config or count everything on it start their own.
 */
class AdminTest {
  private static TestHost shared;

  @BeforeAll
  static void start() {
    shared = TestHost.start();
  }

  @AfterAll
  static void stop() {
    shared.close();
  }

  private static byte[] module(String name) throws Exception {
    return Files.readAllBytes(TestHost.wasm("wasm", name));
  }

  @Test
  void goodUploadServesNewRoomsAndKeepsLiveOnes() throws Exception {
    TestHost host = shared; // party "up"
    assertEquals(404, host.get("/parties/up/room").statusCode());
    HttpResponse<String> r = host.upload("up", module("relay-c"), TestHost.ADMIN_TOKEN, false);
    assertEquals(200, r.statusCode(), r.body());
    assertTrue(r.body().contains("\"party\":\"up\""), r.body());
    try (Ws a = host.ws("/parties/up/room?_pk=a");
        Ws b = host.ws("/parties/up/room?_pk=b")) {
      a.send("v1");
      b.expectText("v1");
      // Replace the relay by the counter without restart: the live room keeps relaying.
      assertEquals(
          200, host.upload("up", module("counter"), TestHost.ADMIN_TOKEN, false).statusCode());
      a.send("still v1");
      b.expectText("still v1");
      // A new room gets the new version.
      assertEquals("{\"count\":0}", host.get("/parties/up/fresh-room").body());
    }
  }

  @Test
  void badUploadIs400WithTheReasonAndThePreviousVersionKeepsServing() throws Exception {
    TestHost host = shared; // party "keep"
    assertEquals(
        200, host.upload("keep", module("counter"), TestHost.ADMIN_TOKEN, false).statusCode());
    HttpResponse<String> r =
        host.upload(
            "keep",
            "not wasm at all".getBytes(java.nio.charset.StandardCharsets.US_ASCII),
            TestHost.ADMIN_TOKEN,
            false);
    assertEquals(400, r.statusCode());
    assertTrue(r.body().startsWith("Module rejected: not a valid wasm module"), r.body());
    r =
        host.upload(
            "keep",
            Files.readAllBytes(TestHost.wasm("conformance/invalid", "unknown-import")),
            TestHost.ADMIN_TOKEN,
            false);
    assertEquals(400, r.statusCode());
    assertTrue(r.body().contains("unknown import partyhost.teleport"), r.body());
    assertEquals("{\"count\":0}", host.get("/parties/keep/room").body());
    assertEquals(
        400,
        host.upload("bad%21name", module("counter"), TestHost.ADMIN_TOKEN, false).statusCode());
  }

  @Test
  void missingOrWrongTokenIs401AndNoTokenIsLogged() throws Exception {
    // A host of its own, started under the capture: what it logs at start is checked too.
    try (LogCapture everything = new LogCapture("");
        TestHost host = TestHost.start()) {
      assertEquals(401, host.upload("x", module("counter"), null, false).statusCode());
      assertEquals(401, host.upload("x", module("counter"), "wrong-secret", false).statusCode());
      assertEquals(
          401, host.upload("x", module("counter"), TestHost.ADMIN_TOKEN + "x", false).statusCode());
      assertEquals(404, host.get("/parties/x/room").statusCode());
      assertEquals(
          200, host.upload("y", module("counter"), TestHost.ADMIN_TOKEN, false).statusCode());
      assertEquals(
          400,
          host.upload(
                  "z",
                  "junk".getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                  TestHost.ADMIN_TOKEN,
                  false)
              .statusCode());
      assertTrue(everything.messages().size() > 0, "the uploads were logged");
      for (String line : everything.messages()) {
        assertFalse(
            line.contains(TestHost.ADMIN_TOKEN) || line.contains("wrong-secret"),
            "a token in the log: " + line);
      }
    }
  }

  @Test
  void oversizeModulesAre413AndRefusalsAreLogged() throws Exception {
    try (LogCapture http = new LogCapture("partyhost.http");
        LogCapture admin = new LogCapture("partyhost.admin");
        TestHost host =
            TestHost.start(
                c -> c.maxModuleBytes = 1000)) { // the examples, larger, are skipped at start
      HttpResponse<String> r = host.upload("big", module("relay-c"), TestHost.ADMIN_TOKEN, false);
      assertEquals(413, r.statusCode());
      assertEquals("Request body too large: the limit is 1000 bytes", r.body());
      assertEquals(401, host.upload("big", new byte[10], "wrong", false).statusCode());
      assertEquals(404, host.get("/parties/big/room").statusCode());
      assertTrue(
          http.messages().contains("request body over 1000 bytes: 413"),
          http.messages().toString());
      assertTrue(
          admin.messages().stream().anyMatch(m -> m.startsWith("admin request refused (401)")),
          admin.messages().toString());
    }
  }

  @Test
  void adminIsDisabledWithoutAToken() throws Exception {
    try (TestHost host = TestHost.start(c -> c.adminToken = null)) {
      HttpResponse<String> r = host.upload("x", module("counter"), TestHost.ADMIN_TOKEN, false);
      assertEquals(401, r.statusCode());
      assertTrue(r.body().contains("PARTYHOST_ADMIN_TOKEN"), r.body());
    }
  }

  @Test
  void restartClosesLiveRoomsWith1012AndReconnectsReachTheNewVersion() throws Exception {
    TestHost host = shared; // party "swap"
    assertEquals(
        200, host.upload("swap", module("relay-c"), TestHost.ADMIN_TOKEN, false).statusCode());
    Ws a = host.ws("/parties/swap/room?_pk=a");
    Ws b = host.ws("/parties/swap/other?_pk=b");
    a.send("ping"); // make sure the room is live
    HttpResponse<String> r = host.upload("swap", module("counter"), TestHost.ADMIN_TOKEN, true);
    assertEquals(200, r.statusCode(), r.body());
    assertTrue(r.body().contains("\"restartedRooms\":2"), r.body());
    assertEquals(1012, a.awaitClose());
    assertEquals(1012, b.awaitClose());
    try (Ws again = host.ws("/parties/swap/room?_pk=a")) {
      again.expectText("{\"count\":0}");
    }
  }

  // --- statistics ---

  @Test
  void statsCountRoomsAndConnectionsAndTimeRoomStartsUntilDeleteResetsTheTimings()
      throws Exception {
    int rooms = 5;
    try (TestHost host = TestHost.start()) { // closing the host closes its client sockets
      List<Ws> sockets = new ArrayList<>();
      for (int i = 0; i < rooms; i++) sockets.add(host.ws("/parties/relay-c/stats-" + i));
      sockets.add(
          host.ws("/parties/relay-c/stats-0")); // a second socket in a live room starts nothing
      // A socket is counted, and its room loaded and started, before its handshake completes.
      JsonNode stats = stats(host);
      assertEquals(rooms, stats.get("rooms").asInt(), stats.toString());
      assertEquals(rooms + 1, stats.get("connections").asInt(), stats.toString());
      for (String timing : new String[] {"loads", "instantiations"}) {
        JsonNode t = stats.get(timing);
        assertEquals(rooms, t.get("count").asLong(), timing + ": one per room: " + t);
        double p50 = t.get("p50Micros").asDouble(), p99 = t.get("p99Micros").asDouble();
        double p999 = t.get("p999Micros").asDouble(), max = t.get("maxMicros").asDouble();
        assertTrue(p50 > 0 && p50 <= p99 && p99 <= p999 && p999 <= max, timing + ": " + t);
        assertTrue(max < 10_000_000, timing + " took over 10 s: " + t);
      }

      // Without the token: 401 to both methods, and DELETE resets nothing.
      for (String method : new String[] {"GET", "DELETE"}) {
        assertEquals(
            401,
            host.send(statsRequest(host, null).method(method, HttpRequest.BodyPublishers.noBody()))
                .statusCode());
        assertEquals(
            401,
            host.send(
                    statsRequest(host, "wrong").method(method, HttpRequest.BodyPublishers.noBody()))
                .statusCode());
      }
      assertEquals(rooms, stats(host).get("instantiations").get("count").asLong());

      // DELETE forgets the timings; rooms and connections are live counts and stay.
      HttpResponse<String> reset = host.send(statsRequest(host, TestHost.ADMIN_TOKEN).DELETE());
      assertEquals(204, reset.statusCode());
      stats = stats(host);
      for (String timing : new String[] {"loads", "instantiations"}) {
        assertEquals(0, stats.get(timing).get("count").asLong(), stats.toString());
        assertEquals(0, stats.get(timing).get("maxMicros").asDouble(), stats.toString());
      }
      assertEquals(rooms, stats.get("rooms").asInt());
      assertEquals(rooms + 1, stats.get("connections").asInt());

      // A closed socket leaves the count (once the host has seen the close); a new room is timed
      // afresh.
      sockets.remove(sockets.size() - 1).close();
      Poll.until(() -> stats(host).get("connections").asInt() == rooms, Ws.TIMEOUT_MS);
      host.ws("/parties/relay-c/stats-new");
      stats = stats(host);
      assertEquals(rooms + 1, stats.get("rooms").asInt());
      assertEquals(1, stats.get("loads").get("count").asLong(), stats.toString());
      assertEquals(1, stats.get("instantiations").get("count").asLong(), stats.toString());
      assertTrue(stats.get("instantiations").get("maxMicros").asDouble() > 0, stats.toString());
    }
  }

  private static HttpRequest.Builder statsRequest(TestHost host, String token) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(host.url("/_admin/stats")));
    return token == null ? request : request.header("Authorization", "Bearer " + token);
  }

  private static JsonNode stats(TestHost host) {
    HttpResponse<String> r = host.send(statsRequest(host, TestHost.ADMIN_TOKEN).GET());
    assertEquals(200, r.statusCode(), r.body());
    assertEquals("application/json", r.headers().firstValue("content-type").orElse(""));
    try {
      return new ObjectMapper().readTree(r.body());
    } catch (java.io.IOException e) {
      throw new AssertionError("not JSON: " + r.body(), e);
    }
  }
}
