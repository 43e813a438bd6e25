package dev.partyhost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.partyhost.guest.ModuleRejectedException;
import dev.partyhost.support.LogCapture;
import dev.partyhost.support.Poll;
import dev.partyhost.support.TestHost;
import dev.partyhost.support.TestHost.Engine;
import dev.partyhost.support.Ws;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Uploaded parties are kept with their versions in the host's storage (SQLite and PostgreSQL): a new
 * host on the same storage serves them; the admin API lists versions and the rooms running each, rolls
 * back and deletes. Two modules tell versions apart: counter answers HTTP ({"count":N}), relay-c does
 * not (404 "No onRequest handler").
 */
class PartyVersionsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String COUNTER_REPLY = "{\"count\":0}";

  private static byte[] module(String name) throws Exception {
    return Files.readAllBytes(TestHost.wasm("wasm", name));
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  private static JsonNode json(HttpResponse<String> r, int status) throws Exception {
    assertEquals(status, r.statusCode(), r.body());
    return JSON.readTree(r.body());
  }

  private static void upload(TestHost host, String name, String module) throws Exception {
    HttpResponse<String> r = host.upload(name, module(module), TestHost.ADMIN_TOKEN, false);
    assertEquals(200, r.statusCode(), r.body());
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void uploadsRollbacksAndDeletesSurviveARestart(Engine engine) throws Exception {
    String relay = sha256(module("relay-c")), counter = sha256(module("counter"));
    TestHost host = TestHost.start(engine, c -> {});
    try {
      long before = System.currentTimeMillis();
      upload(host, "up", "relay-c");
      upload(host, "up", "counter");
      upload(host, "back", "counter");
      upload(host, "back", "relay-c");
      assertEquals(
          200,
          host.admin("PUT", "parties/back/current", "{\"sha256\":\"" + counter + "\"}")
              .statusCode());
      upload(host, "gone", "counter");
      assertEquals(200, host.admin("DELETE", "parties/gone", null).statusCode());
      upload(host, "counter", "relay-c"); // overrides the folder's module of that name
      assertEquals(404, host.get("/parties/counter/r").statusCode());

      host = host.restart(); // a new host on the same storage (and the same folder)

      assertEquals(COUNTER_REPLY, host.get("/parties/up/r").body(), "the latest upload serves");
      assertEquals(
          COUNTER_REPLY, host.get("/parties/back/r").body(), "the rolled-back version serves");
      assertEquals(404, host.get("/parties/gone/r").statusCode());
      assertEquals("Party gone not found", host.get("/parties/gone/r").body());
      assertEquals(
          404,
          host.get("/parties/counter/r").statusCode(),
          "the upload still overrides the folder");
      assertEquals("No onRequest handler", host.get("/parties/counter/r").body());

      JsonNode up = json(host.admin("GET", "parties/up", null), 200);
      assertEquals("upload", up.get("source").asText());
      assertEquals(counter, up.get("sha256").asText());
      JsonNode versions = up.get("versions");
      assertEquals(2, versions.size(), up.toString());
      assertEquals(counter, versions.get(0).get("sha256").asText(), "the most recent first");
      assertTrue(versions.get(0).get("current").asBoolean());
      assertEquals(module("counter").length, versions.get(0).get("bytes").asLong());
      assertEquals(relay, versions.get(1).get("sha256").asText());
      assertFalse(versions.get(1).get("current").asBoolean());
      assertEquals(module("relay-c").length, versions.get(1).get("bytes").asLong());
      for (JsonNode v : versions) {
        long at = Instant.parse(v.get("uploadedAt").asText()).toEpochMilli();
        assertTrue(at >= before - 1000 && at <= System.currentTimeMillis(), v.toString());
        assertEquals("upload", v.get("source").asText());
      }

      JsonNode list = json(host.admin("GET", "parties", null), 200);
      assertEquals("upload", list.get("counter").get("source").asText());
      assertEquals(relay, list.get("counter").get("sha256").asText());
      assertEquals("folder", list.get("chat").get("source").asText());
      assertNull(list.get("gone"));

      // Deleting the override: the folder's module serves that name again, now and after a restart.
      JsonNode deleted = json(host.admin("DELETE", "parties/counter", null), 200);
      assertEquals(1, deleted.get("deletedVersions").asInt());
      assertEquals(counter, deleted.get("serving").get("sha256").asText());
      assertEquals(COUNTER_REPLY, host.get("/parties/counter/r").body());
      host = host.restart();
      assertEquals(COUNTER_REPLY, host.get("/parties/counter/r").body());
      assertEquals(
          "folder", json(host.admin("GET", "parties/counter", null), 200).get("source").asText());
      assertEquals(
          409,
          host.admin("DELETE", "parties/counter", null).statusCode(),
          "a party of the folder alone");
    } finally {
      host.close();
    }
  }

  @Test
  void theAdminApiShowsWhichVersionEachLiveRoomRuns() throws Exception {
    String relay = sha256(module("relay-c")), counter = sha256(module("counter"));
    try (TestHost host = TestHost.start()) {
      upload(host, "v", "relay-c");
      try (Ws old = host.ws("/parties/v/old?_pk=a");
          Ws old2 = host.ws("/parties/v/old?_pk=b")) {
        upload(host, "v", "counter"); // without restart: the live room keeps its version
        try (Ws fresh = host.ws("/parties/v/fresh?_pk=c")) {
          fresh.expectText(COUNTER_REPLY);
          JsonNode v = json(host.admin("GET", "parties/v", null), 200);
          assertEquals(2, v.get("rooms").asInt(), v.toString());
          assertEquals(counter, v.get("versions").get(0).get("sha256").asText());
          assertEquals(1, v.get("versions").get(0).get("rooms").asInt(), v.toString());
          assertEquals(relay, v.get("versions").get(1).get("sha256").asText());
          assertEquals(1, v.get("versions").get(1).get("rooms").asInt(), v.toString());

          JsonNode rooms = json(host.admin("GET", "parties/v/rooms", null), 200).get("rooms");
          assertEquals(2, rooms.size(), rooms.toString());
          assertEquals("fresh", rooms.get(0).get("id").asText());
          assertEquals(1, rooms.get(0).get("connections").asInt());
          assertEquals(counter, rooms.get(0).get("sha256").asText());
          assertEquals("old", rooms.get(1).get("id").asText());
          assertEquals(2, rooms.get(1).get("connections").asInt());
          assertEquals(relay, rooms.get(1).get("sha256").asText());
        }
      }
      // A folder party lists its module as its one version.
      JsonNode chat = json(host.admin("GET", "parties/chat", null), 200);
      assertEquals("folder", chat.get("source").asText());
      assertEquals(1, chat.get("versions").size());
      assertEquals("folder", chat.get("versions").get(0).get("source").asText());
      assertTrue(chat.get("versions").get(0).get("current").asBoolean());
      assertEquals(404, host.admin("GET", "parties/nope", null).statusCode());
      assertEquals(404, host.admin("GET", "parties/nope/rooms", null).statusCode());
      assertEquals(
          401,
          host.send(
                  java.net.http.HttpRequest.newBuilder(
                      java.net.URI.create(host.url("/_admin/parties/v"))))
              .statusCode());
    }
  }

  @Test
  void aRoomThatWakesFromHibernationRunsTheCurrentVersion() throws Exception {
    String counter = sha256(module("counter"));
    // Idle for 1 s, not less: the room must not hibernate while the upload below compiles.
    try (TestHost host = TestHost.start(c -> c.roomIdleMs = 1000)) {
      upload(host, "w", "relay-c");
      try (Ws a = host.ws("/parties/w/sleepy?_pk=a");
          Ws b = host.ws("/parties/w/sleepy?_pk=b")) {
        upload(host, "w", "counter"); // without restart: the running instance keeps relaying
        a.send("hi");
        b.expectText("hi");
        Poll.until(
            () -> {
              try {
                return json(host.admin("GET", "parties/w/rooms", null), 200)
                    .get("rooms")
                    .get(0)
                    .get("hibernated")
                    .asBoolean();
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            },
            10_000);
        a.send("inc"); // wakes the room: the counter now, which broadcasts the count to both
        a.expectText("{\"count\":1}");
        b.expectText("{\"count\":1}");
        JsonNode room = json(host.admin("GET", "parties/w/rooms", null), 200).get("rooms").get(0);
        assertEquals(counter, room.get("sha256").asText());
        assertEquals(false, room.get("hibernated").asBoolean());
      }
    }
  }

  @Test
  void rollingBackIsOneRequestAndRestartClosesLiveRoomsWith1012() throws Exception {
    String relay = sha256(module("relay-c"));
    try (TestHost host = TestHost.start()) {
      upload(host, "rb", "relay-c");
      upload(host, "rb", "counter");
      Ws live = host.ws("/parties/rb/room");
      live.expectText(COUNTER_REPLY);
      JsonNode r =
          json(
              host.admin(
                  "PUT", "parties/rb/current?restart=true", "{\"sha256\":\"" + relay + "\"}"),
              200);
      assertEquals(relay, r.get("sha256").asText());
      assertEquals(1, r.get("restartedRooms").asInt());
      assertEquals(1012, live.awaitClose());
      assertEquals(404, host.get("/parties/rb/room").statusCode(), "relay-c again");
      assertTrue(
          json(host.admin("GET", "parties/rb", null), 200)
              .get("versions")
              .get(1)
              .get("current")
              .asBoolean());

      assertEquals(
          404,
          host.admin("PUT", "parties/rb/current", "{\"sha256\":\"" + "0".repeat(64) + "\"}")
              .statusCode());
      assertEquals(
          404,
          host.admin("PUT", "parties/chat/current", "{\"sha256\":\"" + relay + "\"}").statusCode(),
          "a folder party has no uploaded versions");
      assertEquals(400, host.admin("PUT", "parties/rb/current", "not json").statusCode());
      assertEquals(400, host.admin("PUT", "parties/rb/current", "{\"sha\":1}").statusCode());
      assertEquals(404, host.get("/parties/rb/room").statusCode(), "nothing changed");
    }
  }

  @Test
  void deletingClosesLiveRoomsWith1001AndLaterRequestsGet404() throws Exception {
    try (LogCapture admin = new LogCapture("partyhost.admin");
        TestHost host = TestHost.start()) {
      upload(host, "del", "counter");
      Ws a = host.ws("/parties/del/one");
      Ws b = host.ws("/parties/del/two");
      a.expectText(COUNTER_REPLY);
      b.expectText(COUNTER_REPLY);
      JsonNode r = json(host.admin("DELETE", "parties/del", null), 200);
      assertEquals(2, r.get("closedRooms").asInt());
      assertTrue(r.get("serving").isNull());
      assertEquals(1001, a.awaitClose());
      assertEquals(1001, b.awaitClose());
      assertEquals(404, host.get("/parties/del/one").statusCode());
      assertEquals(404, host.admin("GET", "parties/del", null).statusCode());
      assertEquals(404, host.admin("DELETE", "parties/del", null).statusCode());
      HttpResponse<String> folder = host.admin("DELETE", "parties/chat", null);
      assertEquals(409, folder.statusCode());
      assertTrue(folder.body().contains("--parties folder"), folder.body());
      assertEquals(
          "folder",
          json(host.admin("GET", "parties", null), 200).get("chat").get("source").asText());
      assertTrue(
          admin.messages().contains("party del deleted (1 versions), 2 rooms closed"),
          admin.messages().toString());
    }
  }

  @Test
  void mainIsTheAliasOfTheMainPartyAndCannotBeUploaded() throws Exception {
    try (TestHost host = TestHost.start()) {
      HttpResponse<String> r = host.upload("main", module("counter"), TestHost.ADMIN_TOKEN, false);
      assertEquals(400, r.statusCode());
      assertTrue(r.body().contains("alias of the main party"), r.body());
      try (Ws main = host.ws("/parties/main/room")) {
        main.expectText("{\"type\":\"history\",\"messages\":[]}"); // still the main party, chat
      }
      assertFalse(json(host.admin("GET", "parties", null), 200).has("main"));
    }
  }

  /** A module in the folder that cannot serve is logged and skipped; with strict, the host refuses to start. */
  @Test
  void aBadModuleInTheFolderIsSkippedUnlessStrict(@TempDir Path dir) throws Exception {
    Files.write(dir.resolve("good.wasm"), module("counter"));
    Files.writeString(dir.resolve("bad.wasm"), "not wasm at all");
    Files.write(dir.resolve("bad!name.wasm"), module("counter"));
    try (LogCapture log = new LogCapture("partyhost.parties");
        TestHost host = TestHost.start(c -> c.parties = dir.toString())) {
      assertEquals(COUNTER_REPLY, host.get("/parties/good/r").body());
      assertEquals(404, host.get("/parties/bad/r").statusCode());
      assertTrue(
          log.messages().stream()
              .anyMatch(
                  m ->
                      m.startsWith(
                          "module "
                              + dir.resolve("bad.wasm")
                              + " not served: not a valid wasm module")),
          log.messages().toString());
      assertTrue(
          log.messages()
              .contains(
                  "module "
                      + dir.resolve("bad!name.wasm")
                      + " not served: invalid party name bad!name"),
          log.messages().toString());
    }
    IllegalStateException refused =
        assertThrows(
            IllegalStateException.class,
            () ->
                TestHost.start(
                    c -> {
                      c.parties = dir.toString();
                      c.strict = true;
                    }));
    assertTrue(refused.getCause() instanceof ModuleRejectedException, refused.toString());
    assertTrue(
        refused.getMessage().contains(dir.resolve("bad!name.wasm") + ": invalid party name"),
        refused.getMessage());
  }

  /** A stored upload that no longer passes validation at start (the limits changed) is skipped, unless strict. */
  @Test
  void aStoredUploadThatNoLongerPassesIsSkippedUnlessStrict() throws Exception {
    TestHost host = TestHost.start();
    upload(host, "big", "counter");
    host.close();
    Settings config = host.host.config().toSettings();
    config.port = 0;
    config.maxModuleBytes = 1000;
    config.parties = null; // the examples are larger than that too
    List<Path> none = List.of();
    try (LogCapture log = new LogCapture("partyhost.parties")) {
      PartyHost restarted = PartyHost.start(config.build(), none);
      try {
        assertNull(restarted.parties().get("big"));
        assertTrue(
            log.messages().stream()
                .anyMatch(
                    m ->
                        m.startsWith("uploaded party big (version ")
                            && m.contains(") cannot be served: module too large")),
            log.messages().toString());
      } finally {
        restarted.close();
      }
    }
    config.strict = true;
    ModuleRejectedException e =
        assertThrows(ModuleRejectedException.class, () -> PartyHost.start(config.build(), none));
    assertTrue(e.getMessage().startsWith("uploaded party big (version "), e.getMessage());
  }
}
