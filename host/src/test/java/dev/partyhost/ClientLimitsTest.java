package dev.partyhost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.partyhost.support.LogCapture;
import dev.partyhost.support.Poll;
import dev.partyhost.support.TestHost;
import dev.partyhost.support.Ws;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What a client can do to a host, and what it gets at each limit: connections per room (1013),
 * messages per second (1008), rooms per host (the least recently used idle room leaves, else 503),
 * connections per host (503), per-party overrides, and malformed input (400, 404, 413, 1009, and
 * garbage over a raw socket). Each limit also leaves a log line.
 */
class ClientLimitsTest {
  @Test
  void aFullRoomClosesTheExtraConnectionWith1013() {
    try (LogCapture log = new LogCapture("partyhost.room");
        TestHost host =
            TestHost.start(
                c -> {
                  c.maxConnectionsPerRoom = 2;
                  c.partyLimits.put("relay-rust", Map.of("maxConnectionsPerRoom", 1L));
                });
        Ws a = host.ws("/parties/relay-c/full?_pk=a");
        Ws b = host.ws("/parties/relay-c/full?_pk=b");
        Ws extra = host.ws("/parties/relay-c/full?_pk=c");
        Ws rustA = host.ws("/parties/relay-rust/full?_pk=a");
        Ws rustB = host.ws("/parties/relay-rust/full?_pk=b")) {
      assertEquals(1013, extra.awaitClose());
      assertEquals(1013, rustB.awaitClose()); // the party's own limit: 1
      log.awaitLine(m -> m.equals("[relay-c/full] room full (2 connections), closing with 1013"));
      log.awaitLine(
          m -> m.equals("[relay-rust/full] room full (1 connections), closing with 1013"));
      a.send("still served");
      b.expectText("still served");
      assertFalse(rustA.isClosed());
      try (Ws later = host.ws("/parties/relay-c/other?_pk=c")) { // other rooms are not affected
        later.send("x");
        later.expectNothing(50);
        assertFalse(later.isClosed());
      }
    }
  }

  @Test
  void aConnectionOverTheMessageRateIsClosedWith1008() {
    try (LogCapture log = new LogCapture("partyhost.room");
        TestHost host =
            TestHost.start(c -> c.partyLimits.put("relay-c", Map.of("messagesPerSecond", 20L)));
        Ws fast = host.ws("/parties/relay-c/rate?_pk=fast");
        Ws peer = host.ws("/parties/relay-c/rate?_pk=peer");
        Ws unlimited = host.ws("/parties/relay-rust/rate?_pk=fast");
        Ws unlimitedPeer = host.ws("/parties/relay-rust/rate?_pk=peer")) {
      // Off by default: relay-rust takes 500 messages at once.
      for (int i = 0; i < 500; i++) unlimited.send("m" + i);
      for (int i = 0; i < 500; i++) unlimitedPeer.expectText("m" + i);
      assertFalse(unlimited.isClosed());
      // relay-c allows 20 a second, with a burst of 20: the burst passes, then the socket is
      // closed.
      for (int i = 0; i < 100 && send(fast, "m" + i); i++) {}
      assertEquals(1008, fast.awaitClose());
      for (int i = 0; i < 20; i++) peer.expectText("m" + i);
      log.awaitLine(
          m ->
              m.equals("[relay-c/rate] connection over 20 messages per second, closing with 1008"));
      assertFalse(peer.isClosed());
    }
  }

  /** Sends unless the socket is closed (a send may race with the host's close); false when it was not sent. */
  private static boolean send(Ws ws, String text) {
    try {
      ws.send(text);
      return true;
    } catch (RuntimeException closed) {
      return false;
    }
  }

  @Test
  void theMessageRateIsAHostSettingToo() {
    try (TestHost host = TestHost.start(c -> c.messagesPerSecond = 5);
        Ws fast = host.ws("/parties/relay-c/rate")) {
      for (int i = 0; i < 50 && send(fast, "m" + i); i++) {}
      assertEquals(1008, fast.awaitClose());
    }
  }

  @Test
  void atTheRoomLimitTheLeastRecentlyUsedIdleRoomLeavesElse503() throws Exception {
    try (LogCapture log = new LogCapture("partyhost.room");
        TestHost host = TestHost.start(c -> c.maxRooms = 2)) {
      assertEquals("0", host.get("/parties/probe/lru-a").body());
      try (Ws ws = host.ws("/parties/probe/lru-b")) {
        ws.send("count me").expectText("count me");
      }
      Poll.until(
          () -> host.get("/parties/probe/lru-b").body().equals("1"),
          Ws.TIMEOUT_MS); // b is used after a
      assertEquals(200, host.get("/parties/probe/lru-c").statusCode()); // a leaves to make space
      log.awaitLine(m -> m.equals("[probe/lru-a] dropped to make space (room limit 2)"));
      Poll.until(() -> host.host.rooms().size() == 2, Ws.TIMEOUT_MS);
      assertEquals("1", host.get("/parties/probe/lru-b").body()); // b kept its instance

      // Every room has a connection: a new room gets 503, over HTTP and WebSocket.
      try (Ws b = host.ws("/parties/probe/lru-b");
          Ws c = host.ws("/parties/probe/lru-c")) {
        HttpResponse<String> full = host.get("/parties/probe/lru-d");
        assertEquals(503, full.statusCode());
        assertEquals("Host at its limit of 2 rooms; retry later", full.body());
        assertConnectRefused(host, "/parties/probe/lru-d", "503");
        log.awaitLine(
            m ->
                m.equals(
                    "room limit reached (2 rooms, all with connections): refusing a new room"));
        assertEquals(200, host.get("/parties/probe/lru-b").statusCode()); // live rooms keep serving
        b.close();
        Poll.until(
            () -> host.get("/parties/probe/lru-d").statusCode() == 200,
            Ws.TIMEOUT_MS); // b is idle now: it leaves
        c.send("c is still here").expectText("c is still here");
      }
    }
  }

  @Test
  void atTheConnectionLimitAWebSocketGets503BeforeTheHandshake() throws Exception {
    try (LogCapture log = new LogCapture("partyhost.http");
        TestHost host = TestHost.start(c -> c.maxConnections = 2);
        Ws a = host.ws("/parties/relay-c/conns?_pk=a");
        Ws b = host.ws("/parties/relay-c/other-room?_pk=b")) {
      assertConnectRefused(host, "/parties/relay-c/conns?_pk=c", "503");
      log.awaitLine(m -> m.equals("connection limit reached (2): refusing a WebSocket with 503"));
      assertEquals(
          404, host.get("/parties/relay-c/conns").statusCode()); // plain HTTP is not a connection
      a.close();
      Poll.until(
          () -> { // the slot is freed once the host saw the close
            try (Ws c = host.ws("/parties/relay-c/conns?_pk=c")) {
              return true;
            } catch (IllegalStateException stillFull) {
              return false;
            }
          },
          Ws.TIMEOUT_MS);
    }
  }

  // --- malformed input ---

  @Test
  void badAddressesAre400AndUnknownPartiesAre404() {
    try (LogCapture log = new LogCapture("partyhost.http");
        TestHost host = TestHost.start()) {
      for (String path :
          new String[] {
            "/parties/counter/",
            "/parties//room",
            "/parties/counter/%ff",
            "/parties/counter/%01",
            "/parties/counter/" + "x".repeat(257)
          }) {
        assertEquals(400, host.get(path).statusCode(), path);
      }
      assertEquals(400, host.rawGetStatus("/parties/counter/%zz"));
      assertEquals(400, host.rawGetStatus("/parties/counter/%"));
      log.awaitLine(m -> m.startsWith("bad room address (400): Room id too long"));
      assertEquals(404, host.get("/parties/nope/room").statusCode());
      assertConnectRefused(host, "/parties/nope/room", "404");
    }
  }

  @Test
  void oversizeBodiesAre413AndOversizeMessagesClose1009() {
    try (LogCapture http = new LogCapture("partyhost.http");
        LogCapture room = new LogCapture("partyhost.room");
        TestHost host =
            TestHost.start(
                c -> {
                  c.maxRequestBytes = 100;
                  c.maxMessageBytes = 1000;
                });
        Ws big = host.ws("/parties/relay-c/big")) {
      assertEquals(413, host.post("/parties/counter/big", "x".repeat(101)).statusCode());
      http.awaitLine(m -> m.equals("request body over 100 bytes: 413"));
      big.send("y".repeat(1001));
      assertEquals(1009, big.awaitClose());
      room.awaitLine(m -> m.equals("[relay-c/big] message over 1000 bytes, closing with 1009"));
      assertEquals(200, host.post("/parties/counter/big", "x".repeat(100)).statusCode());
    }
  }

  /** Garbage request lines and headers, byte for byte: always a 4xx, never a 500 or a stack trace. */
  @Test
  void garbageOverARawSocketGetsA4xx() {
    String[] garbage = {
      "GARBAGE\r\n\r\n",
      "GET\r\n\r\n",
      "GET /parties/relay-c/x HTTP/9.9\r\nHost: a\r\n\r\n",
      "GET /parties/relay-c/x HTTP/1.1\r\nHost: a\r\nno colon here\r\n\r\n",
      "GET /parties/relay-c/x HTTP/1.1\r\nHost: a\r\n: empty name\r\n\r\n",
      "GET /parties/relay-c/x HTTP/1.1\r\nHost: a\r\nX-Bad\u0000Name: v\r\n\r\n",
      "GET /parties/relay-c/" + "x".repeat(10_000) + " HTTP/1.1\r\nHost: a\r\n\r\n",
      "GET /parties/relay-c/x HTTP/1.1\r\nHost: a\r\nX-Big: " + "v".repeat(20_000) + "\r\n\r\n",
      "GET /parties/relay-c/x HTTP/1.1\r\nHost: a\r\nContent-Length: -5\r\n\r\n",
      "POST /parties/counter/x HTTP/1.1\r\nHost: a\r\nContent-Length: abc\r\n\r\n",
      "POST /parties/counter/x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
      "GET /parties/relay-c/x HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
      "GET /parties/relay-c/x HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          + "Sec-WebSocket-Key: x\r\nSec-WebSocket-Version: 99\r\n\r\n",
      "GET /parties/relay-c/%c0%80 HTTP/1.1\r\nHost: a\r\n\r\n",
      "CONNECT 127.0.0.1:1 HTTP/1.1\r\nHost: a\r\n\r\n",
      "GET * HTTP/1.1\r\nHost: a\r\n\r\n",
      "GET parties/relay-c/x HTTP/1.1\r\nHost: a\r\n\r\n",
      "GET http://elsewhere/parties/nope/x HTTP/1.1\r\nHost: a\r\n\r\n",
      "GET /parties/relay-c/x\u00ff HTTP/1.1\r\nHost: a\r\n\r\n",
    };
    try (LogCapture errors = new LogCapture("io.vertx");
        TestHost host = TestHost.start()) {
      List<String> bad = new ArrayList<>();
      for (String request : garbage) {
        String response = raw(host, request);
        String shown = request.length() > 60 ? request.substring(0, 60) + "..." : request;
        int status =
            response.startsWith("HTTP/") && response.length() >= 12
                ? Integer.parseInt(response.substring(9, 12))
                : -1;
        // Two answers come from Vert.x before any handler of the host runs: an unknown HTTP version
        // gets 501, and a body whose chunked framing breaks closes the connection without a
        // response (the request head was fine, so nothing has been answered yet when the body
        // fails).
        boolean allowed =
            (status >= 400 && status <= 499)
                || (status == 501 && request.contains("HTTP/9.9"))
                || (status == -1 && response.isEmpty() && request.contains("\r\n\r\nzz\r\n"));
        if (!allowed || response.contains("Exception") || response.contains("\tat ")) {
          bad.add(
              shown.replace("\r\n", "\\r\\n")
                  + " -> "
                  + (response.isEmpty()
                      ? "(closed without a response)"
                      : response.lines().findFirst().orElse("")));
        }
      }
      assertEquals(List.of(), bad);
      assertEquals(200, host.get("/parties/counter/after-garbage").statusCode());
      assertTrue(
          errors.messages().stream().noneMatch(m -> m != null && m.contains("Exception")),
          String.valueOf(errors.messages()));
    }
  }

  /**
   * Sends bytes as they are and reads the response: its head and as much body as its Content-Length
   * says; without one, until the host closes or pauses for 200 ms; at most 2 s.
   */
  private static String raw(TestHost host, String request) {
    try (Socket socket = new Socket("127.0.0.1", host.port())) {
      socket.setSoTimeout(2000);
      socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      socket.getOutputStream().flush();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      InputStream in = socket.getInputStream();
      byte[] buf = new byte[8192];
      try {
        for (int n; (n = in.read(buf)) > 0; ) {
          out.write(buf, 0, n);
          String sofar = out.toString(StandardCharsets.ISO_8859_1);
          int headEnd = sofar.indexOf("\r\n\r\n");
          if (headEnd >= 0 && !sofar.startsWith("HTTP/1.1 101")) {
            long length = contentLength(sofar.substring(0, headEnd));
            if (length >= 0 && out.size() >= headEnd + 4 + length) break; // the whole response
            socket.setSoTimeout(200); // the head is here: take what follows of the body, then stop
          }
        }
      } catch (java.net.SocketTimeoutException | java.net.SocketException enough) {
        // the head (and maybe the body) is in `out`
      }
      return out.toString(StandardCharsets.ISO_8859_1);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  // --- helpers ---

  /** The Content-Length of a response head, or -1 without a valid one. */
  private static long contentLength(String head) {
    for (String line : head.split("\r\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase("content-length")) {
        try {
          return Long.parseLong(line.substring(colon + 1).trim());
        } catch (NumberFormatException e) {
          return -1;
        }
      }
    }
    return -1;
  }

  private static void assertConnectRefused(TestHost host, String path, String status) {
    try {
      host.ws(path).close();
      fail("connected to " + path);
    } catch (IllegalStateException expected) {
      assertTrue(expected.getMessage().contains(status), expected.getMessage());
    }
  }
}
