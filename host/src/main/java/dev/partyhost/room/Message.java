package dev.partyhost.room;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;

/**
 * A message a guest sends, made once for all its recipients: every frame shares its bytes (an
 * unreleasable buffer, so no reference counts to keep; the garbage collector frees it).
 */
record Message(ByteBuf payload, boolean text) {
  static Message of(byte[] bytes, boolean text) {
    return new Message(Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(bytes)), text);
  }

  /** A copy of its bytes (a recording's). */
  byte[] bytes() {
    return ByteBufUtil.getBytes(payload);
  }

  WebSocketFrame frame() {
    ByteBuf view = payload.duplicate(); // its own reader index, the same bytes
    return text ? new TextWebSocketFrame(true, 0, view) : new BinaryWebSocketFrame(true, 0, view);
  }
}
