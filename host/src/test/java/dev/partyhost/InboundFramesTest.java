package dev.partyhost;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.partyhost.support.LogCapture;
import dev.partyhost.support.RawWs;
import dev.partyhost.support.TestHost;
import dev.partyhost.support.Ws;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketFrame;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * How the host reads WebSocket frames into messages: fragmented messages are put together before the
 * room sees them, the message limit counts fragments as they come, and text that is not UTF-8 is
 * refused with 1007 (the ABI promises guests valid UTF-8 in text messages).
 */
class InboundFramesTest {
  private static final int LIMIT = 1000;
  private static TestHost host;

  @BeforeAll
  static void start() {
    host = TestHost.start(c -> c.maxMessageBytes = LIMIT);
  }

  @AfterAll
  static void stop() {
    host.close();
  }

  private static Buffer bytes(int... values) {
    Buffer b = Buffer.buffer();
    for (int v : values) b.appendByte((byte) v);
    return b;
  }

  @ParameterizedTest
  @ValueSource(strings = {"relay-c", "relay-rust"})
  void aFragmentedTextMessageReachesTheRoomOnceAndWhole(String party) {
    try (Ws a = host.ws("/parties/" + party + "/fragments-text?_pk=a");
        Ws b = host.ws("/parties/" + party + "/fragments-text?_pk=b")) {
      a.sendFrame(WebSocketFrame.textFrame("par", false));
      a.sendFrame(
          WebSocketFrame.pingFrame(Buffer.buffer("control frames may come between fragments")));
      a.sendFrame(WebSocketFrame.continuationFrame(Buffer.buffer("ti"), false));
      a.sendFrame(
          WebSocketFrame.continuationFrame(Buffer.buffer(), false)); // empty fragments are allowed
      // "é" is C3 A9: split between two fragments, neither of which is UTF-8 on its own.
      a.sendFrame(
          WebSocketFrame.continuationFrame(Buffer.buffer("al ").appendBuffer(bytes(0xc3)), false));
      a.sendFrame(WebSocketFrame.continuationFrame(bytes(0xa9), true));
      b.expectText("partial é");
      a.send("next"); // whatever came before "next" is what the fragments made
      b.expectText("next");
      b.expectNothing(50);
      a.expectNothing(0);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"relay-c", "relay-rust"})
  void aFragmentedBinaryMessageReachesTheRoomOnceAndWhole(String party) {
    try (Ws a = host.ws("/parties/" + party + "/fragments-binary?_pk=a");
        Ws b = host.ws("/parties/" + party + "/fragments-binary?_pk=b")) {
      a.sendFrame(WebSocketFrame.binaryFrame(bytes(0, 1), false));
      a.sendFrame(
          WebSocketFrame.continuationFrame(bytes(0xc3, 0x28, 0xff), false)); // binary: any bytes
      a.sendFrame(WebSocketFrame.continuationFrame(bytes(2), true));
      assertArrayEquals(new byte[] {0, 1, (byte) 0xc3, 0x28, (byte) 0xff, 2}, (byte[]) b.next());
      a.send(new byte[] {9});
      assertArrayEquals(new byte[] {9}, (byte[]) b.next());
      b.expectNothing(50);
    }
  }

  @Test
  void aFragmentedMessageOfExactlyTheLimitPasses() {
    try (Ws a = host.ws("/parties/relay-c/fragments-limit?_pk=a");
        Ws b = host.ws("/parties/relay-c/fragments-limit?_pk=b")) {
      a.sendFrame(WebSocketFrame.textFrame("x".repeat(400), false));
      a.sendFrame(WebSocketFrame.continuationFrame(Buffer.buffer("y".repeat(400)), false));
      a.sendFrame(WebSocketFrame.continuationFrame(Buffer.buffer("z".repeat(LIMIT - 800)), true));
      b.expectText("x".repeat(400) + "y".repeat(400) + "z".repeat(LIMIT - 800));
      assertFalse(a.isClosed());
    }
  }

  @Test
  void aFragmentedMessageIsClosedWith1009AsSoonAsItsFragmentsPassTheLimit() {
    try (LogCapture log = new LogCapture("partyhost.room");
        Ws big = host.ws("/parties/relay-c/fragments-over?_pk=big");
        Ws peer = host.ws("/parties/relay-c/fragments-over?_pk=peer")) {
      big.sendFrame(WebSocketFrame.textFrame("x".repeat(400), false));
      big.sendFrame(WebSocketFrame.continuationFrame(Buffer.buffer("x".repeat(400)), false));
      big.sendFrame(
          WebSocketFrame.continuationFrame(
              Buffer.buffer("x".repeat(400)), false)); // 1200, not the end
      assertEquals(1009, big.awaitClose());
      log.awaitLine(
          m ->
              m.equals(
                  "[relay-c/fragments-over] message over " + LIMIT + " bytes, closing with 1009"));
      peer.expectNothing(100);
      assertFalse(peer.isClosed());
    }
  }

  @Test
  void aFirstFragmentOverTheLimitIsClosedWith1009AtOnce() {
    try (Ws big = host.ws("/parties/relay-c/first-fragment-over?_pk=big");
        Ws peer = host.ws("/parties/relay-c/first-fragment-over?_pk=peer")) {
      big.sendFrame(
          WebSocketFrame.binaryFrame(
              Buffer.buffer(new byte[LIMIT + 1]), false)); // no continuation follows
      assertEquals(1009, big.awaitClose());
      peer.expectNothing(100);
    }
  }

  // --- text that is not UTF-8 ---

  @Test
  void aTextFrameThatIsNotUtf8IsClosedWith1007AndNeverReachesTheRoom() throws Exception {
    try (LogCapture log = new LogCapture("partyhost.room");
        Ws peer = host.ws("/parties/relay-c/bad-utf8?_pk=peer");
        RawWs raw = RawWs.open(host, "/parties/relay-c/bad-utf8?_pk=raw")) {
      raw.send(
          true,
          RawWs.TEXT,
          new byte[] {'o', 'k', (byte) 0xc3, 0x28}); // C3 must be followed by 80..BF
      RawWs.Frame close = raw.awaitCloseFrame();
      assertEquals(1007, close.closeCode());
      assertEquals("Invalid UTF-8", close.closeReason());
      log.awaitLine(
          m -> m.equals("[relay-c/bad-utf8] text message that is not UTF-8, closing with 1007"));
      peer.expectNothing(100);
      try (Ws other = host.ws("/parties/relay-c/bad-utf8?_pk=other")) { // the room carries on
        other.send("still fine");
        peer.expectText("still fine");
      }
    }
  }

  /** The probe guest counts the messages it was given: the refused one is not among them. */
  @Test
  void theGuestIsNeverCalledWithTextThatIsNotUtf8() throws Exception {
    String[] invalid = {
      "c328",
      "ff",
      "c0af" /* overlong "/" */,
      "eda080" /* a surrogate */,
      "f4908080" /* over U+10FFFF */,
      "e282" /* cut short */
    };
    for (int i = 0; i < invalid.length; i++) {
      try (RawWs raw = RawWs.open(host, "/parties/probe/utf8-count?_pk=raw" + i)) {
        raw.send(true, RawWs.TEXT, HexFormat.of().parseHex(invalid[i]));
        assertEquals(1007, raw.awaitCloseFrame().closeCode(), invalid[i]);
      }
    }
    // Split across fragments, the bytes are judged as one message: bad once put together.
    try (RawWs raw = RawWs.open(host, "/parties/probe/utf8-count?_pk=fragments")) {
      raw.send(false, RawWs.TEXT, "abc".getBytes(StandardCharsets.UTF_8));
      raw.send(true, RawWs.CONTINUATION, new byte[] {(byte) 0xc3});
      assertEquals(1007, raw.awaitCloseFrame().closeCode());
    }
    try (Ws ws = host.ws("/parties/probe/utf8-count?_pk=good")) {
      ws.send("é"); // valid: echoed; it runs after every refused message would have
      ws.expectText("é");
    }
    assertEquals("1", host.get("/parties/probe/utf8-count").body());
  }

  @Test
  void binaryFramesMayHoldAnyBytes() throws Exception {
    try (Ws peer = host.ws("/parties/relay-c/binary-any?_pk=peer");
        RawWs raw = RawWs.open(host, "/parties/relay-c/binary-any?_pk=raw")) {
      raw.send(true, RawWs.BINARY, new byte[] {(byte) 0xc3, 0x28});
      assertArrayEquals(new byte[] {(byte) 0xc3, 0x28}, (byte[]) peer.next());
    }
  }
}
