package dev.partyhost.room;

import dev.partyhost.guest.Abi;
import dev.partyhost.guest.Utf8;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrame;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;

/**
 * The socket side of a connection, on the socket's event loop (made there, on attach): whole messages from its frames, the
 * bytes as they came (never decoded to a String and back), checked for size, UTF-8 and rate before they
 * go to the room. Text is checked for UTF-8 here, on the whole message: neither Netty's decoder nor
 * Vert.x checks data frames (Netty's Utf8FrameValidator is not in Vert.x's pipeline).
 */
final class Inbound implements Handler<WebSocketFrame>, Inbox.Sender {
  private static final Logger LOG = System.getLogger("partyhost.room");

  private final Connection c;
  private final ServerWebSocket socket;
  private final Context context;
  private final String tag;
  private final int limit;
  private final int messagesPerSecond;
  private final RateLimit rate;

  /** The frames so far of a fragmented message, else null. */
  private Buffer fragments;

  private boolean fragmentsText;

  /** The host closed the socket over a message: what the client sent after it is not heard. */
  private boolean refused;

  /** Not reading: its room's inbox is full. */
  private boolean paused;

  Inbound(
      Connection c,
      ServerWebSocket socket,
      String tag,
      int maxMessageBytes,
      int messagesPerSecond) {
    this.c = c;
    this.socket = socket;
    this.context = Vertx.currentContext();
    this.tag = tag;
    this.limit = maxMessageBytes;
    this.messagesPerSecond = messagesPerSecond;
    this.rate = RateLimit.perSecond(messagesPerSecond);
  }

  @Override
  public void handle(WebSocketFrame frame) {
    if (refused) return;
    if (frame.isText() || frame.isBinary()) {
      fragments = null;
      if (frame.isFinal()) message(frame.binaryData(), frame.isText());
      else start(frame);
    } else if (frame.isContinuation() && fragments != null) {
      if (fragments.length() + frame.binaryData().length() > limit) {
        fragments = null;
        tooBig();
        return;
      }
      fragments.appendBuffer(frame.binaryData());
      if (frame.isFinal()) {
        Buffer whole = fragments;
        fragments = null;
        message(whole, fragmentsText);
      }
    } else if (frame.isPing()) {
      // Vert.x answers each ping with a pong: a client that sends pings and reads nothing fills its
      // outbound buffer with them (the same limit as its room's frames), and pings count as
      // messages.
      if (!c.acceptsMore()) {
        refused = true;
      } else if (!rate.allows()) {
        rateLimited();
      }
    } // closes: Vert.x handles them
  }

  private void start(WebSocketFrame frame) {
    if (frame.binaryData().length() > limit) {
      tooBig();
      return;
    }
    fragments = Buffer.buffer().appendBuffer(frame.binaryData());
    fragmentsText = frame.isText();
  }

  private void message(Buffer data, boolean text) {
    if (data.length() > limit) {
      tooBig();
      return;
    }
    byte[] bytes = data.getBytes();
    if (text && !Utf8.isValid(bytes, 0, bytes.length)) {
      refuse(1007, "Invalid UTF-8", "text message that is not UTF-8");
    } else if (rate.allows()) {
      c.room.received(c, bytes, text ? Abi.TEXT : Abi.BINARY, this);
    } else {
      rateLimited();
    }
  }

  @Override
  public void pause() {
    paused = true;
    socket.pause(); // Vert.x holds a few frames, then stops reading: TCP pushes back on the client
  }

  @Override
  public void resume() {
    context.runOnContext(
        v -> {
          if (!paused) return;
          paused = false;
          socket.resume();
        });
  }

  private void tooBig() {
    c.room.meters.limitHit("maxMessageBytes");
    refuse(1009, "Message too big", "message over " + limit + " bytes");
  }

  private void rateLimited() {
    c.room.meters.limitHit("messagesPerSecond");
    refuse(
        1008,
        "Rate limit exceeded",
        "connection over " + messagesPerSecond + " messages per second");
  }

  /** Closes the socket over this message; nothing it sends after it is heard. */
  private void refuse(int code, String reason, String why) {
    refused = true;
    if (socket.isClosed()) return;
    LOG.log(Level.INFO, tag + why + ", closing with " + code);
    socket.close((short) code, reason);
  }
}
