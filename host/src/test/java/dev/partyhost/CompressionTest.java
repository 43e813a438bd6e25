package dev.partyhost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partyhost.support.LogCapture;
import dev.partyhost.support.RawWs;
import dev.partyhost.support.TestHost;
import dev.partyhost.support.Ws;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
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
  private static final String OFFER =
      "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits";
  private static TestHost host;

  @BeforeAll
  static void start() {
    host =
        TestHost.start(
            c ->
                c.partyLimits.put(
                    "relay-rust", Map.of("compression", true, "maxMessageBytes", 4096L)));
  }

  @AfterAll
  static void stop() {
    host.close();
  }

  @Test
  void aPartyWithCompressionNegotiatesDeflateAndMessagesFlowCompressedBothWays() throws Exception {
    try (RawWs raw = RawWs.open(host, "/parties/relay-rust/deflate?_pk=raw", OFFER);
        Ws vertx = host.wsOfferingDeflate("/parties/relay-rust/deflate?_pk=vertx")) {
      assertTrue(
          raw.header("sec-websocket-extensions").startsWith("permessage-deflate"), raw.head());
      assertTrue(
          vertx
              .handshakeHeaders()
              .get("sec-websocket-extensions")
              .startsWith("permessage-deflate"));

      vertx.send("hello from vertx ".repeat(20));
      RawWs.Frame out = raw.read();
      assertTrue(out.rsv1(), "the host sent an uncompressed frame");
      assertTrue(out.payload().length < 100, "not compressed: " + out.payload().length + " bytes");
      assertEquals(
          "hello from vertx ".repeat(20),
          new String(inflate(out.payload()), StandardCharsets.UTF_8));

      raw.sendRaw(
          0x80 | 0x40 | RawWs.TEXT,
          deflate("hello from raw ".repeat(20).getBytes(StandardCharsets.UTF_8)));
      vertx.expectText("hello from raw ".repeat(20));
    }
  }

  @Test
  void byDefaultDeflateIsNotNegotiatedEvenWhenTheClientOffersIt() throws Exception {
    try (TestHost plain = TestHost.start()) {
      for (TestHost h :
          new TestHost[] {
            host, plain
          }) { // beside a party that compresses, and on a host where none does
        try (RawWs raw = RawWs.open(h, "/parties/relay-c/plain?_pk=raw", OFFER);
            Ws vertx = h.wsOfferingDeflate("/parties/relay-c/plain?_pk=vertx")) {
          assertNull(raw.header("sec-websocket-extensions"), raw.head());
          assertNull(vertx.handshakeHeaders().get("sec-websocket-extensions"));
          vertx.send("hello from vertx");
          RawWs.Frame out = raw.read();
          assertFalse(out.rsv1());
          assertEquals("hello from vertx", new String(out.payload(), StandardCharsets.UTF_8));
          raw.send(true, RawWs.TEXT, "hello from raw".getBytes(StandardCharsets.UTF_8));
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
        RawWs raw =
            RawWs.open(
                host, "/parties/hostile/el-1?_pk=raw", OFFER)) { // no extension: RSV1 is an error
      raw.sendRaw(0x80 | 0x40 | RawWs.TEXT, "x".getBytes(StandardCharsets.UTF_8));
      assertEquals(1002, raw.skipToCloseCode());
      roomLog.awaitLine(
          m -> m.startsWith("[hostile/el-1] guest trapped in ERROR hook, room reset: "));
    }
    try (RawWs raw =
        RawWs.open(host, "/parties/relay-rust/rsv?_pk=raw", OFFER)) { // deflate: RSV2 is an error
      raw.sendRaw(0x80 | 0x20 | RawWs.TEXT, "x".getBytes(StandardCharsets.UTF_8));
      assertEquals(1002, raw.skipToCloseCode());
    }
    try (Ws a = host.ws("/parties/relay-c/rsv-after?_pk=a");
        Ws b = host.ws("/parties/relay-c/rsv-after?_pk=b")) {
      a.send("the host carries on");
      b.expectText("the host carries on");
    }
  }

  /** A small frame that inflates past twice the party's message limit is cut off while inflating. */
  @Test
  void aDeflateBombIsStoppedWhileInflating() throws Exception {
    try (RawWs raw = RawWs.open(host, "/parties/relay-rust/bomb?_pk=raw", OFFER);
        Ws other = host.ws("/parties/relay-rust/bomb?_pk=other")) {
      byte[] bomb = deflate(new byte[64 * 1024 * 1024]); // 64 MiB of zeros
      assertTrue(bomb.length < 128 * 1024, bomb.length + " bytes");
      raw.sendRaw(0x80 | 0x40 | RawWs.BINARY, bomb);
      raw.awaitClosed();
      other.expectNothing(200);
    }
  }

  /** permessage-deflate's encoding: raw deflate, flushed, without the final 00 00 ff ff. */
  private static byte[] deflate(byte[] data) {
    Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
    deflater.setInput(data);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[64 * 1024];
    int n;
    while ((n = deflater.deflate(buffer, 0, buffer.length, Deflater.SYNC_FLUSH)) > 0)
      out.write(buffer, 0, n);
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
