package dev.partyhost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partyhost.support.LogCapture;
import dev.partyhost.support.TestHost;
import dev.partyhost.support.Ws;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/** Uploading modules: validated before anything is replaced, token required, optional restart. */
class AdminTest {
  private static byte[] module(String name) throws Exception {
    return Files.readAllBytes(TestHost.wasm("wasm", name));
  }

  @Test
  void goodUploadServesNewRoomsAndKeepsLiveOnes() throws Exception {
    try (TestHost host = TestHost.start()) {
      assertEquals(404, host.get("/parties/up/room").statusCode());
      HttpResponse<String> r = host.upload("up", module("relay-c"), TestHost.ADMIN_TOKEN, false);
      assertEquals(200, r.statusCode(), r.body());
      assertTrue(r.body().contains("\"party\":\"up\""), r.body());
      try (Ws a = host.ws("/parties/up/room?_pk=a"); Ws b = host.ws("/parties/up/room?_pk=b")) {
        a.send("v1");
        b.expectText("v1");
        // Replace the relay by the counter without restart: the live room keeps relaying.
        assertEquals(200, host.upload("up", module("counter"), TestHost.ADMIN_TOKEN, false).statusCode());
        a.send("still v1");
        b.expectText("still v1");
        // A new room gets the new version.
        assertEquals("{\"count\":0}", host.get("/parties/up/fresh-room").body());
      }
    }
  }

  @Test
  void badUploadIs400WithTheReasonAndThePreviousVersionKeepsServing() throws Exception {
    try (TestHost host = TestHost.start()) {
      assertEquals(200, host.upload("keep", module("counter"), TestHost.ADMIN_TOKEN, false).statusCode());
      HttpResponse<String> r = host.upload("keep", "not wasm at all".getBytes(), TestHost.ADMIN_TOKEN, false);
      assertEquals(400, r.statusCode());
      assertTrue(r.body().startsWith("Module rejected: not a valid wasm module"), r.body());
      r = host.upload("keep", Files.readAllBytes(TestHost.wasm("conformance/invalid", "unknown-import")), TestHost.ADMIN_TOKEN, false);
      assertEquals(400, r.statusCode());
      assertTrue(r.body().contains("unknown import partyhost.teleport"), r.body());
      assertEquals("{\"count\":0}", host.get("/parties/keep/room").body());
      assertEquals(400, host.upload("bad%21name", module("counter"), TestHost.ADMIN_TOKEN, false).statusCode());
    }
  }

  @Test
  void missingOrWrongTokenIs401AndNoTokenIsLogged() throws Exception {
    try (LogCapture everything = new LogCapture(""); TestHost host = TestHost.start()) {
      assertEquals(401, host.upload("x", module("counter"), null, false).statusCode());
      assertEquals(401, host.upload("x", module("counter"), "wrong-secret", false).statusCode());
      assertEquals(401, host.upload("x", module("counter"), TestHost.ADMIN_TOKEN + "x", false).statusCode());
      assertEquals(404, host.get("/parties/x/room").statusCode());
      assertEquals(200, host.upload("y", module("counter"), TestHost.ADMIN_TOKEN, false).statusCode());
      assertEquals(400, host.upload("z", "junk".getBytes(), TestHost.ADMIN_TOKEN, false).statusCode());
      assertTrue(everything.messages().size() > 0, "the uploads were logged");
      for (String line : everything.messages()) {
        assertFalse(line.contains(TestHost.ADMIN_TOKEN) || line.contains("wrong-secret"), "a token in the log: " + line);
      }
    }
  }

  @Test
  void oversizeModulesAre413AndRefusalsAreLogged() throws Exception {
    try (LogCapture http = new LogCapture("partyhost.http");
         LogCapture admin = new LogCapture("partyhost.admin");
         TestHost host = TestHost.start()) {
      host.host.config().maxModuleBytes = 1000; // after start: the examples loaded at start are larger
      HttpResponse<String> r = host.upload("big", module("relay-c"), TestHost.ADMIN_TOKEN, false);
      assertEquals(413, r.statusCode());
      assertEquals("Request body too large: the limit is 1000 bytes", r.body());
      assertEquals(401, host.upload("big", new byte[10], "wrong", false).statusCode());
      assertEquals(404, host.get("/parties/big/room").statusCode());
      assertTrue(http.messages().contains("request body over 1000 bytes: 413"), http.messages().toString());
      assertTrue(admin.messages().stream().anyMatch(m -> m.startsWith("admin request refused (401)")), admin.messages().toString());
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
    try (TestHost host = TestHost.start()) {
      assertEquals(200, host.upload("swap", module("relay-c"), TestHost.ADMIN_TOKEN, false).statusCode());
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
  }
}
