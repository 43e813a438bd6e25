package dev.partyhost;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partyhost.room.Rooms;
import dev.partyhost.support.Front;
import dev.partyhost.support.HostProcess;
import dev.partyhost.support.LogCapture;
import dev.partyhost.support.Poll;
import dev.partyhost.support.RawWs;
import dev.partyhost.support.TestHost;
import dev.partyhost.support.Ws;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Forwarding (issue 12), without a cluster: host B owns the rooms; a front on host A (its own
 * server, {@link Front}) places every room on B and so forwards every client there, as a node does
 * for a room another node owns. Real hosts, real rooms, real sockets.
 */
class ForwardingTest {
  private static final String SECRET = "forwarding-test-secret";
  private static final int OUTBOUND_LIMIT = 4 * 1024 * 1024;

  private static TestHost a;
  private static TestHost b;
  private static Front front;

  @BeforeAll
  static void start() {
    // The auth party's token differs: a client the front lets in would be refused by B's own gate.
    a =
        TestHost.start(
            c -> {
              c.clusterSecret = SECRET;
              c.nodeId = "node-a";
              c.vars.put("auth", Map.of("token", "a-token"));
            });
    b =
        TestHost.start(
            c -> {
              c.clusterSecret = SECRET;
              c.nodeId = "node-b";
              c.vars.put("auth", Map.of("token", "b-token"));
              c.maxOutboundBytes = OUTBOUND_LIMIT;
            });
    front = Front.start(a, "127.0.0.1:" + b.port());
  }

  @AfterAll
  static void stop() {
    if (front != null) front.close();
    if (a != null) a.close();
    if (b != null) b.close();
  }

  @Test
  void messagesPassInOrderBothWaysAsTheyWereSent() {
    try (Ws alice = front.ws("/parties/relay-c/order?_pk=alice");
        Ws bob = b.ws("/parties/relay-c/order?_pk=bob")) {
      assertEquals("node-b", alice.handshakeHeaders().get("x-partyhost-node"));
      List<Object> messages = new java.util.ArrayList<>();
      for (int i = 0; i < 300; i++) {
        if (i % 3 == 0) {
          messages.add("message " + i + " héllo ✓");
        } else {
          // Up to 200 KiB: past the write queues' high-water marks, so the relay pauses too.
          byte[] data = new byte[(i * 7919) % (200 * 1024)];
          for (int j = 0; j < data.length; j++) data[j] = (byte) (i + j);
          messages.add(data);
        }
      }
      messages.add("");
      messages.add(new byte[0]);
      for (Object m : messages) send(alice, m);
      for (Object m : messages) expect(m, bob.next());
      for (Object m : messages) send(bob, m);
      for (Object m : messages) expect(m, alice.next());
    }
  }

  @Test
  void theOwnerServesTheClientsOwnRequestWithoutRunningTheBeforeHookAgain() throws Exception {
    // The URL the client gave (RawWs sends "Host: 127.0.0.1"), as a direct connection to B shows
    // it.
    String path = "/parties/forward-probe/who?_pk=alice";
    String url;
    try (RawWs direct = RawWs.open(b, path)) {
      assertEquals("id alice", text(direct.read()));
      url = text(direct.read()).substring("uri ".length());
    }
    assertTrue(url.startsWith("http://127.0.0.1") && url.endsWith(path), url);
    try (RawWs alice =
        RawWs.open(front.port(), path, "X-Custom: one", "Origin: http://example.test")) {
      assertEquals("node-b", alice.header("x-partyhost-node"));
      assertEquals("id alice", text(alice.read()));
      assertEquals("uri " + url, text(alice.read()));
      String request = text(alice.read());
      assertTrue(request.startsWith("request " + url + "\n"), request);
      for (String line :
          List.of(
              "host: 127.0.0.1",
              "x-custom: one",
              "origin: http://example.test",
              "x-forwarded-for: 127.0.0.1"))
        assertTrue(request.contains("\n" + line + "\n"), line + " missing from\n" + request);
      assertFalse(request.contains("x-partyhost"), request);
    }
    // B's own gate would refuse a-token: the front's gate let it in and set x-user.
    try (Ws alice = front.ws("/parties/auth/r?token=a-token&user=alice")) {
      alice.expectText("{\"type\":\"welcome\",\"user\":\"alice\"}");
    }
    HttpResponse<String> r = front.get("/parties/auth/r?token=a-token&user=bob");
    assertEquals(200, r.statusCode());
    assertEquals("{\"user\":\"bob\"}", r.body());
    assertEquals(401, front.get("/parties/auth/r?token=b-token&user=bob").statusCode());
    IOException refused =
        assertThrows(
            IOException.class,
            () -> RawWs.open(front.port(), "/parties/auth/r?token=b-token&user=bob").close());
    assertTrue(refused.getMessage().startsWith("no 101: HTTP/1.1 401"), refused.getMessage());
  }

  @Test
  void closesPassThroughWithTheirCodeAndReason() throws Exception {
    try (Ws bob = b.ws("/parties/forward-probe/closes?_pk=bob");
        RawWs alice = RawWs.open(front.port(), "/parties/forward-probe/closes?_pk=alice");
        RawWs carol = RawWs.open(front.port(), "/parties/forward-probe/closes?_pk=carol")) {
      for (int i = 0; i < 3; i++) bob.next(); // its id, URL and request
      // The room closes a forwarded client.
      alice.send(true, RawWs.TEXT, "close 4002 room says bye".getBytes(StandardCharsets.UTF_8));
      RawWs.Frame close = skipToClose(alice);
      assertEquals(4002, close.closeCode());
      assertEquals("room says bye", close.closeReason());
      bob.expectText("closed alice 4002 room says bye");
      // A forwarded client closes.
      byte[] reason = "client bye".getBytes(StandardCharsets.UTF_8);
      byte[] payload = new byte[2 + reason.length];
      payload[0] = (byte) (4001 >> 8);
      payload[1] = (byte) 4001;
      System.arraycopy(reason, 0, payload, 2, reason.length);
      carol.send(true, RawWs.CLOSE, payload);
      bob.expectText("closed carol 4001 client bye");
      assertEquals(4001, skipToClose(carol).closeCode()); // the echo
    }
    // A close comes after the frames sent before it.
    try (Ws alice = front.ws("/parties/send-close/order")) {
      alice.send("go");
      for (int i = 0; i < 200; i++) {
        byte[] frame = (byte[]) alice.next();
        assertEquals(i, (frame[0] & 0xff) | (frame[1] & 0xff) << 8);
      }
      assertEquals(4000, alice.awaitClose());
    }
  }

  @Test
  void httpIsProxiedWithStatusHeadersAndBody() {
    HttpResponse<String> inc = post("/parties/counter/http", "");
    assertEquals(200, inc.statusCode());
    assertEquals("{\"count\":1}", inc.body());
    assertEquals("node-b", inc.headers().firstValue("x-partyhost-node").orElse(null));
    HttpResponse<String> direct = b.get("/parties/counter/http");
    assertEquals("{\"count\":1}", direct.body()); // it ran on B
    assertEquals("node-b", direct.headers().firstValue("x-partyhost-node").orElse(null));
    assertEquals(
        405,
        front
            .send(
                HttpRequest.newBuilder(URI.create(front.url("/parties/counter/http")))
                    .PUT(HttpRequest.BodyPublishers.ofString("x")))
            .statusCode());

    HttpResponse<String> probe =
        front.send(
            HttpRequest.newBuilder(URI.create(front.url("/parties/forward-probe/r?x=1")))
                .header("X-Custom", "two")
                .POST(HttpRequest.BodyPublishers.ofString("hello")));
    assertEquals(200, probe.statusCode());
    assertEquals("yes", probe.headers().firstValue("x-probe").orElse(null));
    assertEquals("node-b", probe.headers().firstValue("x-partyhost-node").orElse(null));
    String body = probe.body();
    assertTrue(body.startsWith("POST " + front.url("/parties/forward-probe/r?x=1") + "\n"), body);
    assertTrue(body.contains("\nx-custom: two\n"), body);
    assertTrue(body.contains("\nx-forwarded-for: 127.0.0.1\n"), body);
    assertTrue(body.contains("\nhost: 127.0.0.1:" + front.port() + "\n"), body);
    assertTrue(body.endsWith("\n\nhello"), body);
    assertFalse(body.contains("x-partyhost"), body);
    assertEquals(418, front.get("/parties/forward-probe/teapot").statusCode());
  }

  @Test
  void theOwnersRefusalReachesTheClientAndAnUnreachableOwnerIs503() throws Exception {
    // A party only the front's host has: B answers 404, before any upgrade.
    byte[] module = Files.readAllBytes(TestHost.wasm("test-wasm", "forward-probe"));
    assertEquals(200, a.upload("only-a", module, TestHost.ADMIN_TOKEN, false).statusCode());
    HttpResponse<String> missing = front.get("/parties/only-a/r");
    assertEquals(404, missing.statusCode());
    assertEquals("Party only-a not found", missing.body());
    IOException refused =
        assertThrows(IOException.class, () -> RawWs.open(front.port(), "/parties/only-a/r"));
    assertTrue(refused.getMessage().startsWith("no 101: HTTP/1.1 404"), refused.getMessage());

    try (Front nowhere = Front.start(a, "127.0.0.1:" + HostProcess.freePort())) {
      HttpResponse<String> r = nowhere.get("/parties/counter/x");
      assertEquals(503, r.statusCode());
      assertEquals("The node that runs this room cannot be reached; retry later", r.body());
      IOException unreachable =
          assertThrows(IOException.class, () -> RawWs.open(nowhere.port(), "/parties/counter/x"));
      assertTrue(
          unreachable.getMessage().startsWith("no 101: HTTP/1.1 503"), unreachable.getMessage());
    }
  }

  @Test
  void aRequestThatClaimsToBeForwardedWithoutTheSecretIs401() throws Exception {
    try (LogCapture log = new LogCapture("partyhost.http")) {
      HttpResponse<String> wrong =
          b.send(
              HttpRequest.newBuilder(URI.create(b.url("/parties/counter/x")))
                  .header("x-partyhost-secret", "a-guessed-secret")
                  .GET());
      assertEquals(401, wrong.statusCode());
      assertEquals("Missing or wrong cluster secret", wrong.body());
      HttpResponse<String> none =
          b.send(
              HttpRequest.newBuilder(URI.create(b.url("/parties/counter/x")))
                  .header("x-partyhost-forwarded-uri", "http://elsewhere/parties/counter/x")
                  .GET());
      assertEquals(401, none.statusCode());
      IOException refused =
          assertThrows(
              IOException.class,
              () -> RawWs.open(b, "/parties/counter/x", "X-Partyhost-Secret: " + "a-guess"));
      assertTrue(refused.getMessage().startsWith("no 101: HTTP/1.1 401"), refused.getMessage());
      // A client cannot pose as a node at the front either.
      HttpResponse<String> atFront =
          front.send(
              HttpRequest.newBuilder(URI.create(front.url("/parties/counter/x")))
                  .header("x-partyhost-secret", "a-guessed-secret")
                  .GET());
      assertEquals(401, atFront.statusCode());
      log.awaitLine(
          m ->
              m.startsWith(
                  "forwarded request refused (401): wrong cluster secret, GET /parties/counter/x"
                      + " from "));
      log.awaitLine(
          m -> m.startsWith("forwarded request refused (401): no cluster secret, GET /parties/"));
      assertFalse(log.messages().stream().anyMatch(m -> m.contains("guess")));
    }
    // A node with another secret: the owner refuses what it forwards.
    try (TestHost other =
            TestHost.start(
                c -> {
                  c.clusterSecret = "another-secret";
                  c.nodeId = "node-other";
                });
        Front misconfigured = Front.start(other, "127.0.0.1:" + b.port())) {
      assertEquals(401, misconfigured.get("/parties/counter/x").statusCode());
      IOException refused =
          assertThrows(
              IOException.class, () -> RawWs.open(misconfigured.port(), "/parties/counter/x"));
      assertTrue(refused.getMessage().startsWith("no 101: HTTP/1.1 401"), refused.getMessage());
    }
  }

  @Test
  void aStoppingOwnerClosesItsForwardedClientsWith1012() {
    TestHost owner =
        TestHost.start(
            c -> {
              c.clusterSecret = SECRET;
              c.nodeId = "node-c";
            });
    try (Front toOwner = Front.start(a, "127.0.0.1:" + owner.port());
        Ws alice = toOwner.ws("/parties/relay-c/stop?_pk=alice")) {
      owner.close(); // closes its sockets with 1001, going away
      assertEquals(1012, alice.awaitClose());
    }
  }

  /** A forwarded client holds a socket on the node it came through: it counts there. */
  @Test
  void aForwardedClientCountsAgainstTheForwardingNodesConnections() throws Exception {
    int before = a.host.rooms().connections();
    try (Ws alice = front.ws("/parties/relay-c/counted?_pk=alice")) {
      alice.send("hello");
      assertEquals(before + 1, a.host.rooms().connections());
    }
    Poll.until(() -> a.host.rooms().connections() == before, 5_000);
  }

  /**
   * Drain of the node a client came through: it is closed with 1012 (it reconnects through another
   * node) and the room, on its owner, sees it leave.
   */
  @Test
  void aStoppingForwardingNodeClosesItsForwardedClientsWith1012() throws Exception {
    TestHost node =
        TestHost.start(
            c -> {
              c.clusterSecret = SECRET;
              c.nodeId = "node-d";
            });
    boolean closed = false;
    try (Front through = Front.start(node, "127.0.0.1:" + b.port());
        Ws alice = through.ws("/parties/relay-c/drain?_pk=alice")) {
      Poll.until(() -> connectionsOnB("drain") == 1, 5_000);
      closed = true;
      node.close();
      assertEquals(1012, alice.awaitClose());
      Poll.until(() -> connectionsOnB("drain") == 0, 5_000);
    } finally {
      if (!closed) node.close();
    }
  }

  /** The connections of live room relay-c/ROOM on B (0 if it is not live). */
  private static int connectionsOnB(String room) {
    return b.host.rooms().live("relay-c").await().stream()
        .filter(r -> r.id().equals(room))
        .mapToInt(Rooms.LiveRoom::connections)
        .sum();
  }

  @Test
  void aKilledOwnerClosesItsForwardedClientsWith1012() throws Exception {
    int port = HostProcess.freePort();
    String data =
        Files.createTempDirectory(
                Files.createDirectories(TestHost.root().resolve("host/target")), "killed-")
            .toString();
    HostProcess owner =
        HostProcess.start(
            port,
            List.of("--node-id", "node-p", "--data-dir", data),
            Map.of("PARTYHOST_CLUSTER_SECRET", SECRET));
    try (Front toOwner = Front.start(a, "127.0.0.1:" + port);
        Ws alice = toOwner.ws("/parties/forward-probe/killed?_pk=alice")) {
      assertEquals("node-p", alice.handshakeHeaders().get("x-partyhost-node"));
      alice.expectText("id alice");
      owner.process.destroyForcibly(); // SIGKILL: no close frame, the connection just ends
      assertEquals(1012, alice.awaitClose());
    } finally {
      owner.process.destroyForcibly().waitFor();
    }
  }

  /**
   * A forwarded client that reads nothing: the front stops reading from the owner, TCP pushes back,
   * and the owner's outbound limit drops the internal socket (which it could not do if the front
   * kept reading into its memory); the client is closed with 1012. What reaches the client in the
   * end is what the front and the sockets' buffers held: far less than what the room sent it.
   */
  @Test
  void aForwardedClientThatDoesNotReadStaysBounded() throws Exception {
    int messages = 1024;
    int size = 64 * 1024; // 64 MiB in all
    try (LogCapture log = new LogCapture("partyhost.room");
        RawWs stuck = RawWs.open(front.port(), "/parties/relay-c/slow?_pk=stuck");
        Ws other = b.ws("/parties/relay-c/slow?_pk=other");
        Ws sender = b.ws("/parties/relay-c/slow?_pk=sender")) {
      byte[] message = new byte[size];
      for (int i = 0; i < messages; i++) {
        message[0] = (byte) i;
        sender.send(message);
        assertEquals((byte) i, ((byte[]) other.next())[0]);
      }
      log.awaitLine(
          m ->
              m.equals(
                  "[relay-c/slow] client not reading: over "
                      + OUTBOUND_LIMIT
                      + " bytes queued toward it, dropping it"));
      long received = 0;
      RawWs.Frame frame = stuck.read();
      while (frame.opcode() != RawWs.CLOSE) {
        received += frame.payload().length;
        frame = stuck.read();
      }
      assertEquals(1012, frame.closeCode());
      // About 12 MiB here: mostly the kernel's socket buffers on the way (a few MiB each).
      assertTrue(
          received < (long) messages * size / 2,
          received + " bytes reached the client of " + (long) messages * size);
      sender.send("still here");
      other.expectText("still here");
    }
  }

  private static HttpResponse<String> post(String path, String body) {
    return front.send(
        HttpRequest.newBuilder(URI.create(front.url(path)))
            .POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  private static void send(Ws ws, Object message) {
    if (message instanceof String text) ws.send(text);
    else ws.send((byte[]) message);
  }

  private static void expect(Object expected, Object actual) {
    if (expected instanceof String text) {
      assertEquals(text, actual);
    } else {
      assertTrue(actual instanceof byte[], "expected binary, got text");
      assertArrayEquals((byte[]) expected, (byte[]) actual);
    }
  }

  private static String text(RawWs.Frame frame) {
    assertEquals(RawWs.TEXT, frame.opcode());
    return new String(frame.payload(), StandardCharsets.UTF_8);
  }

  /** Reads past the frames sent before a close; the close frame. */
  private static RawWs.Frame skipToClose(RawWs ws) throws IOException {
    RawWs.Frame frame = ws.read();
    while (frame.opcode() != RawWs.CLOSE) frame = ws.read();
    return frame;
  }
}
