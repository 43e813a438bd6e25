package dev.partyhost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partyhost.support.LogCapture;
import dev.partyhost.support.TestHost;
import dev.partyhost.support.Ws;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * permessage-deflate per party: relay-rust compresses, relay-c keeps the default (off). Checked on the
 * wire with a raw socket (the 101's Sec-WebSocket-Extensions, RSV1 on frames, deflated payloads) and
 * with Vert.x's client offering deflate.
 */
class CompressionTest {
  private static final String OFFER = "permessage-deflate; client_max_window_bits";
  private static TestHost host;

  @BeforeAll
  static void start() {
    host = TestHost.start(c -> c.partyLimits.put("relay-rust", Map.of("compression", true, "maxMessageBytes", 4096L)));
  }

  @AfterAll
  static void stop() {
    host.close();
  }

  @Test
  void aPartyWithCompressionNegotiatesDeflateAndMessagesFlowCompressedBothWays() throws Exception {
    try (Raw raw = Raw.open(host, "/parties/relay-rust/deflate?_pk=raw", OFFER);
         Ws vertx = host.wsOfferingDeflate("/parties/relay-rust/deflate?_pk=vertx")) {
      assertTrue(raw.extensions().startsWith("permessage-deflate"), raw.head);
      assertTrue(vertx.handshakeHeaders().get("sec-websocket-extensions").startsWith("permessage-deflate"));

      vertx.send("hello from vertx ".repeat(20));
      Frame out = raw.read();
      assertTrue(out.rsv1(), "the host sent an uncompressed frame");
      assertTrue(out.payload.length < 100, "not compressed: " + out.payload.length + " bytes");
      assertEquals("hello from vertx ".repeat(20), new String(inflate(out.payload), StandardCharsets.UTF_8));

      raw.send(0x1, true, deflate("hello from raw ".repeat(20).getBytes(StandardCharsets.UTF_8)));
      vertx.expectText("hello from raw ".repeat(20));
    }
  }

  @Test
  void byDefaultDeflateIsNotNegotiatedEvenWhenTheClientOffersIt() throws Exception {
    try (TestHost plain = TestHost.start()) {
      for (TestHost h : new TestHost[] {host, plain}) { // beside a party that compresses, and on a host where none does
        try (Raw raw = Raw.open(h, "/parties/relay-c/plain?_pk=raw", OFFER);
             Ws vertx = h.wsOfferingDeflate("/parties/relay-c/plain?_pk=vertx")) {
          assertNull(raw.extensions(), raw.head);
          assertNull(vertx.handshakeHeaders().get("sec-websocket-extensions"));
          vertx.send("hello from vertx");
          Frame out = raw.read();
          assertFalse(out.rsv1());
          assertEquals("hello from vertx", new String(out.payload, StandardCharsets.UTF_8));
          raw.send(0x1, false, "hello from raw".getBytes(StandardCharsets.UTF_8));
          vertx.expectText("hello from raw");
        }
      }
    }
  }

  /**
   * With deflate supported, Netty's decoder lets reserved bits through: the host still refuses them,
   * and the room's error hook hears of it (hostile's, in room el-1, then loops and is stopped).
   */
  @Test
  void reservedBitsThatDeflateDoesNotUseAreAProtocolError() throws Exception {
    try (LogCapture roomLog = new LogCapture("partyhost.room");
         Raw raw = Raw.open(host, "/parties/hostile/el-1?_pk=raw", OFFER)) { // no extension: RSV1 is an error
      raw.send(0x1, true, "x".getBytes(StandardCharsets.UTF_8));
      assertEquals(1002, raw.awaitCloseCode());
      roomLog.awaitLine(m -> m.startsWith("[hostile/el-1] guest trapped in ERROR hook, room reset: "));
    }
    try (Raw raw = Raw.open(host, "/parties/relay-rust/rsv?_pk=raw", OFFER)) { // deflate: RSV2 is an error
      raw.sendRaw(0x80 | 0x20 | 0x1, "x".getBytes(StandardCharsets.UTF_8));
      assertEquals(1002, raw.awaitCloseCode());
    }
    try (Ws a = host.ws("/parties/relay-c/rsv-after?_pk=a"); Ws b = host.ws("/parties/relay-c/rsv-after?_pk=b")) {
      a.send("the host carries on");
      b.expectText("the host carries on");
    }
  }

  /** A small frame that inflates past twice the party's message limit is cut off while inflating. */
  @Test
  void aDeflateBombIsStoppedWhileInflating() throws Exception {
    try (Raw raw = Raw.open(host, "/parties/relay-rust/bomb?_pk=raw", OFFER);
         Ws other = host.ws("/parties/relay-rust/bomb?_pk=other")) {
      byte[] bomb = deflate(new byte[64 * 1024 * 1024]); // 64 MiB of zeros
      assertTrue(bomb.length < 128 * 1024, bomb.length + " bytes");
      raw.send(0x2, true, bomb);
      raw.awaitClosed();
      other.expectNothing(200);
    }
  }

  // --- a raw WebSocket client ---

  record Frame(int first, byte[] payload) {
    boolean rsv1() {
      return (first & 0x40) != 0;
    }
  }

  private static final class Raw implements AutoCloseable {
    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    final String head;

    private Raw(Socket socket, String head) throws IOException {
      this.socket = socket;
      this.in = new DataInputStream(socket.getInputStream());
      this.out = socket.getOutputStream();
      this.head = head;
    }

    static Raw open(TestHost host, String path, String extensions) throws IOException {
      Socket socket = new Socket("127.0.0.1", host.port());
      socket.setSoTimeout((int) Ws.TIMEOUT_MS);
      socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
          + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
          + "Sec-WebSocket-Extensions: " + extensions + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
      InputStream in = socket.getInputStream();
      StringBuilder head = new StringBuilder();
      while (!head.toString().endsWith("\r\n\r\n")) {
        int b = in.read();
        if (b < 0) throw new EOFException("closed during the handshake: " + head);
        head.append((char) b);
      }
      assertTrue(head.toString().startsWith("HTTP/1.1 101"), head.toString());
      return new Raw(socket, head.toString());
    }

    /** The 101's Sec-WebSocket-Extensions, or null. */
    String extensions() {
      for (String line : head.split("\r\n")) {
        if (line.toLowerCase(Locale.ROOT).startsWith("sec-websocket-extensions:")) return line.substring(25).trim();
      }
      return null;
    }

    void send(int opcode, boolean rsv1, byte[] payload) throws IOException {
      sendRaw(0x80 | (rsv1 ? 0x40 : 0) | opcode, payload);
    }

    /** One masked frame with the given first byte. */
    void sendRaw(int first, byte[] payload) throws IOException {
      ByteArrayOutputStream frame = new ByteArrayOutputStream();
      frame.write(first);
      if (payload.length < 126) {
        frame.write(0x80 | payload.length);
      } else if (payload.length < 65536) {
        frame.write(0x80 | 126);
        frame.write(payload.length >> 8);
        frame.write(payload.length);
      } else {
        frame.write(0x80 | 127);
        for (int shift = 56; shift >= 0; shift -= 8) frame.write((int) ((long) payload.length >> shift));
      }
      byte[] mask = {1, 2, 3, 4};
      frame.write(mask);
      for (int i = 0; i < payload.length; i++) frame.write(payload[i] ^ mask[i % 4]);
      out.write(frame.toByteArray());
      out.flush();
    }

    Frame read() throws IOException {
      int first = in.readUnsignedByte();
      int len = in.readUnsignedByte() & 0x7f; // the server does not mask
      long length = len == 126 ? in.readUnsignedShort() : len == 127 ? in.readLong() : len;
      byte[] payload = new byte[(int) length];
      in.readFully(payload);
      return new Frame(first, payload);
    }

    /** Reads until a close frame and returns its code. */
    int awaitCloseCode() throws IOException {
      while (true) {
        Frame f = read();
        if ((f.first & 0x0f) == 0x8) return ((f.payload[0] & 0xff) << 8) | (f.payload[1] & 0xff);
      }
    }

    /** Reads until the host closes the connection. */
    void awaitClosed() throws IOException {
      while (in.read() >= 0) {
        // whatever the host says on the way out
      }
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  /** permessage-deflate's encoding: raw deflate, flushed, without the final 00 00 ff ff. */
  private static byte[] deflate(byte[] data) {
    Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
    deflater.setInput(data);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[64 * 1024];
    int n;
    while ((n = deflater.deflate(buffer, 0, buffer.length, Deflater.SYNC_FLUSH)) > 0) out.write(buffer, 0, n);
    deflater.end();
    byte[] bytes = out.toByteArray();
    return Arrays.copyOf(bytes, bytes.length - 4);
  }

  private static byte[] inflate(byte[] payload) throws DataFormatException {
    Inflater inflater = new Inflater(true);
    byte[] tail = {0, 0, (byte) 0xff, (byte) 0xff};
    byte[] input = Arrays.copyOf(payload, payload.length + 4);
    System.arraycopy(tail, 0, input, payload.length, 4);
    inflater.setInput(input);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[4096];
    while (!inflater.needsInput()) out.write(buffer, 0, inflater.inflate(buffer));
    inflater.end();
    return out.toByteArray();
  }
}
