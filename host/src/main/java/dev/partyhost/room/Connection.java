package dev.partyhost.room;

import dev.partyhost.vertx.VertxInternals;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.VoidChannelPromise;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.vertx.core.http.ServerWebSocket;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;

/**
 * One WebSocket of a room, as the host keeps it. Its room's fields are touched only on the room's
 * event loop, its socket's only on the socket's loop ({@link Outbound} carries frames between them).
 * It joins the room (and its connect hook runs) before the handshake completes; what the room sends
 * it until then is held and sent, in order, once the socket is attached.
 */
public final class Connection {
  private static final Logger LOG = System.getLogger("partyhost.room");

  static final byte[] NO_STATE = new byte[0];

  /** A close the room asked for. */
  record Close(int code, String reason) {}

  final String id;
  final String uri;

  /** When it arrived (epoch ms), for the admin API. */
  final long connectedAt = System.currentTimeMillis();

  /** The room that holds it (another than the first only if that one was dropped meanwhile). */
  volatile Room room;

  /** The ABI handle; 0 until the room accepted the connection. */
  int handle;

  byte[] state = NO_STATE;
  List<String> tags = List.of();

  /** The guest or the peer has closed it: sends are refused. */
  boolean closing;

  /** The broadcast (by its number in the room) whose exclusion list named this connection last. */
  long excludedFrom;

  // Room side: until the socket is attached, what the room sends it waits here (a close comes
  // last).
  private boolean attached;
  private List<WebSocketFrame> early = new ArrayList<>(0);
  private Close earlyClose;

  // Socket side, set once on attach.
  private ServerWebSocket socket;
  private ChannelHandlerContext channel;
  private ChannelPromise ignoreFailures;

  /** The socket's loop: frames to it go through this. */
  Outbound outbound;

  private int maxOutboundBytes = Integer.MAX_VALUE;

  /** Dropped for not reading: nothing more is written to it. */
  private boolean dropped;

  /** Written to but not flushed yet (by {@link #outbound}). */
  boolean unflushed;

  Connection(String id, String uri, Room room) {
    this.id = id;
    this.uri = uri;
    this.room = room;
  }

  /** On the socket's context, as soon as the handshake completed. */
  void socket(ServerWebSocket socket) {
    // The loop of the calling context (the socket's own, where the host attaches it; a benchmark's
    // stand-in elsewhere).
    socket(
        socket, Outbound.current(VertxInternals.eventLoop(io.vertx.core.Vertx.currentContext())));
  }

  /** Attaches the socket to the given loop's way out (a seam: OutboundTest attaches stand-ins to stand-in loops). */
  void socket(ServerWebSocket socket, Outbound outbound) {
    VertxInternals.dropWriteQueue(socket);
    VertxInternals.dropHandshake(socket);
    this.socket = socket;
    this.channel = VertxInternals.channel(socket);
    // A write to a socket that closed meanwhile fails quietly: its close handler tells the room.
    this.ignoreFailures = new VoidChannelPromise(channel.channel(), false);
    this.outbound = outbound;
  }

  // --- on the room's loop ---

  void send(Outbound from, WebSocketFrame frame) {
    if (attached) from.send(this, frame);
    else if (early != null) early.add(frame);
  }

  void close(Outbound from, int code, String reason) {
    Close close = new Close(code, reason);
    if (attached) from.close(this, close);
    else if (earlyClose == null) earlyClose = close;
  }

  /** The handshake completed (and {@link #socket} was set): what was held goes out, in order. */
  void attached(Outbound from) {
    attached = true;
    for (WebSocketFrame frame : early) from.send(this, frame);
    early = null;
    if (earlyClose != null) from.close(this, earlyClose);
  }

  // --- on the socket's loop (called by Outbound) ---

  /**
   * Bounds the bytes queued toward this socket: past {@code mark.high()} its channel turns unwritable,
   * and the next frame drops the connection instead of queueing behind what the client does not read.
   */
  void limitOutbound(WriteBufferWaterMark mark) {
    channel.channel().config().setWriteBufferWaterMark(mark);
    this.maxOutboundBytes = mark.high();
  }

  /** Writes without flushing; false if the socket is closed (or dropped for not reading). */
  boolean writeNow(WebSocketFrame frame) {
    if (socket.isClosed() || !acceptsMore()) return false;
    // The void promise: failures are not reported to it, the close handler tells the room instead.
    var unused = channel.write(frame, ignoreFailures);
    return true;
  }

  /**
   * On the socket's loop: false once more than the outbound limit is queued toward the socket, which
   * is then dropped (once).
   */
  boolean acceptsMore() {
    if (dropped) return false;
    if (!channel.channel().isWritable()) {
      dropped = true;
      room.meters.limitHit("maxOutboundBytes");
      LOG.log(
          Level.INFO,
          room.tag
              + "client not reading: over "
              + maxOutboundBytes
              + " bytes queued toward it, dropping it");
      // Not from inside the write or read in progress: after the loop's current task.
      channel.channel().eventLoop().execute(() -> VertxInternals.abort(socket));
      return false;
    }
    return true;
  }

  void flushNow() {
    channel.flush();
  }

  void closeNow(Close close) {
    socket.close((short) close.code(), close.reason());
  }
}
