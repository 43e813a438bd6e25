package dev.partyhost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partyhost.support.LogCapture;
import dev.partyhost.support.RawWs;
import dev.partyhost.support.TestHost;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * requestHeaderTimeoutMs: an HTTP connection that has not sent a complete request head within the
 * timeout of opening, or of its last response, is closed (slowloris, idle keep-alive); a WebSocket
 * is never closed by it, however long it stays quiet.
 */
class RequestHeaderTimeoutTest {
  private static final String REQUEST = "GET /parties/counter/x HTTP/1.1\r\nHost: a\r\n\r\n";

  @Test
  void aHeadSentAByteAtATimeIsClosedAfterTheTimeout() throws Exception {
    try (LogCapture log = new LogCapture("partyhost.http");
        TestHost host = TestHost.start(c -> c.requestHeaderTimeoutMs = 500);
        Socket socket = new Socket("127.0.0.1", host.port())) {
      socket.setSoTimeout(100);
      long start = System.nanoTime();
      byte[] head = REQUEST.getBytes(StandardCharsets.ISO_8859_1);
      boolean closed = false;
      // One byte per 100 ms: 4 s for the head, far past the timeout (a read-idle timeout would
      // never
      // fire).
      for (int i = 0; i < head.length - 1 && !closed; i++) {
        closed = !send(socket, head[i]) || closedWithin(socket);
      }
      long ms = (System.nanoTime() - start) / 1_000_000;
      assertTrue(closed, "the slow head was still open after " + ms + " ms");
      assertTrue(ms >= 450, "closed after " + ms + " ms, before the timeout");
      assertTrue(ms < 3000, "closed only after " + ms + " ms");
      log.awaitLine(
          m ->
              m.matches(
                  "closing HTTP connection from .*: no complete request head within 500 ms of opening"));
      assertEquals(200, host.get("/parties/counter/after").statusCode());
    }
  }

  @Test
  void aConnectionThatSendsNothingIsClosed() throws Exception {
    try (TestHost host = TestHost.start(c -> c.requestHeaderTimeoutMs = 500)) {
      List<Socket> sockets = new ArrayList<>();
      try {
        for (int i = 0; i < 50; i++) sockets.add(new Socket("127.0.0.1", host.port()));
        for (Socket socket : sockets) {
          socket.setSoTimeout(5_000);
          assertEquals(-1, socket.getInputStream().read(), "the host sent something");
        }
      } finally {
        for (Socket socket : sockets) socket.close();
      }
    }
  }

  @Test
  void aKeptAliveConnectionGetsTheTimeoutAfterEachResponseThenIsClosedWhenIdle() throws Exception {
    try (LogCapture log = new LogCapture("partyhost.http");
        TestHost host = TestHost.start(c -> c.requestHeaderTimeoutMs = 1500);
        Socket socket = new Socket("127.0.0.1", host.port())) {
      socket.setSoTimeout(5_000);
      // Four requests 500 ms apart: 2 s in all, past the timeout, but each within it of the last
      // response.
      for (int i = 0; i < 4; i++) {
        if (i > 0) Thread.sleep(500);
        socket.getOutputStream().write(REQUEST.getBytes(StandardCharsets.ISO_8859_1));
        assertTrue(readResponse(socket.getInputStream()).startsWith("HTTP/1.1 200"));
      }
      long idleFrom = System.nanoTime();
      assertEquals(-1, socket.getInputStream().read(), "the idle connection got something");
      long ms = (System.nanoTime() - idleFrom) / 1_000_000;
      assertTrue(
          ms >= 1400 && ms < 4500, "an idle kept-alive connection closed after " + ms + " ms");
      log.awaitLine(m -> m.endsWith("within 1500 ms of its last response (keep-alive idle)"));
    }
  }

  @Test
  void aWebSocketQuietForLongerThanTheTimeoutStaysOpen() throws Exception {
    try (TestHost host = TestHost.start(c -> c.requestHeaderTimeoutMs = 300);
        RawWs quiet = RawWs.open(host, "/parties/relay-c/quiet");
        RawWs other = RawWs.open(host, "/parties/relay-c/quiet")) {
      Thread.sleep(1500); // five timeouts, not a byte either way
      other.send(true, RawWs.TEXT, "still there?".getBytes(StandardCharsets.UTF_8));
      RawWs.Frame frame = quiet.read();
      assertEquals(RawWs.TEXT, frame.opcode());
      assertEquals("still there?", new String(frame.payload(), StandardCharsets.UTF_8));
      quiet.send(true, RawWs.TEXT, "yes".getBytes(StandardCharsets.UTF_8));
      assertEquals("yes", new String(other.read().payload(), StandardCharsets.UTF_8));
    }
  }

  @Test
  void aWebSocketUpgradedOnAKeptAliveConnectionStaysOpen() throws Exception {
    try (TestHost host = TestHost.start(c -> c.requestHeaderTimeoutMs = 300);
        Socket socket = new Socket("127.0.0.1", host.port());
        RawWs other = RawWs.open(host, "/parties/relay-c/reused")) {
      socket.setSoTimeout(5_000);
      OutputStream out = socket.getOutputStream();
      out.write(REQUEST.getBytes(StandardCharsets.ISO_8859_1));
      assertTrue(readResponse(socket.getInputStream()).startsWith("HTTP/1.1 200"));
      out.write(
          ("GET /parties/relay-c/reused HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n"
                  + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                  + "Sec-WebSocket-Version: 13\r\n\r\n")
              .getBytes(StandardCharsets.ISO_8859_1));
      assertTrue(readHead(socket.getInputStream()).startsWith("HTTP/1.1 101"));
      Thread.sleep(1200);
      other.send(true, RawWs.TEXT, "hello".getBytes(StandardCharsets.UTF_8));
      // An unmasked text frame of 5 bytes from the host.
      byte[] frame = socket.getInputStream().readNBytes(7);
      assertEquals(0x81, frame[0] & 0xff);
      assertEquals("hello", new String(frame, 2, 5, StandardCharsets.UTF_8));
    }
  }

  // --- helpers ---

  /** Writes one byte; false if the host has closed the connection. */
  private static boolean send(Socket socket, byte b) {
    try {
      socket.getOutputStream().write(b);
      return true;
    } catch (IOException closed) {
      return false;
    }
  }

  /** Reads for the socket's timeout: true if the host closed the connection meanwhile. */
  private static boolean closedWithin(Socket socket) throws IOException {
    try {
      return socket.getInputStream().read() < 0;
    } catch (SocketTimeoutException open) {
      return false;
    } catch (SocketException reset) {
      return true;
    }
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) throw new IOException("closed after " + head);
      head.write(b);
    }
    return head.toString(StandardCharsets.ISO_8859_1);
  }

  /** A response with a Content-Length: its head and body. */
  private static String readResponse(InputStream in) throws IOException {
    String head = readHead(in);
    int length = 0;
    for (String line : head.split("\r\n")) {
      if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:"))
        length = Integer.parseInt(line.substring(15).trim());
    }
    return head + new String(in.readNBytes(length), StandardCharsets.ISO_8859_1);
  }
}
