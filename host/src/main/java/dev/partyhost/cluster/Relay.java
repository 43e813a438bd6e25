package dev.partyhost.cluster;

import dev.partyhost.vertx.VertxInternals;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.VoidChannelPromise;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketBase;
import io.vertx.core.http.WebSocketFrame;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Joins a forwarded client's WebSocket and the internal WebSocket to its room's owner, on their one
 * event loop. Data frames pass one for one, in order and as they came: text stays text, binary
 * stays binary, and a message's fragments stay together (so it arrives whole, with its bytes
 * untouched: text is never decoded here). Pings stay on their hop (Vert.x answers them).
 *
 * <p>Each side is read only while the other can take more: a full write queue pauses the source
 * until the destination drains. So a client that stops reading stops this node reading from the
 * owner; TCP then pushes back to the owner, whose per-connection outbound limit
 * ({@code maxOutboundBytes}) drops the internal socket, and the client is closed with 1012. This
 * node holds at most a write queue toward the client and Vert.x's few paused frames per socket.
 *
 * <p>Closes pass through with their code and reason, after the frames sent before them. An owner
 * that goes away (the internal socket ends without a close frame, or closes with 1001 or 1012)
 * closes the client with 1012, service restart, so that it reconnects and reaches the room's new
 * owner. A client that goes away without a close frame aborts the internal socket: the room sees
 * the abrupt end it would have seen from the client's own socket.
 */
final class Relay {
  private static final Logger LOG = System.getLogger("partyhost.cluster");

  /** Service restart: {@code partysocket} reconnects, and reaches the room wherever it runs now. */
  static final short RESTART = 1012;

  private static final short GOING_AWAY = 1001;

  /** What Vert.x reports for a connection that ended without a close frame. */
  private static final short ABNORMAL = 1006;

  private final ClientWebSocket owner;
  private final Flushes flushes;

  /** Called once the client's connection ended (the forwarder keeps and counts its relays). */
  private final Consumer<Relay> ended;

  /** Null until the client's handshake completed. */
  private ServerWebSocket client;

  /**
   * What the owner sent before the client's handshake completed (its connect hook's frames come
   * right after its 101): held, with the owner paused, until the client is attached.
   */
  private List<WebSocketFrame> early = new ArrayList<>(1);

  /** The internal socket ended before the client was attached. */
  private boolean ownerEnded;

  private Relay(ClientWebSocket owner, Flushes flushes, Consumer<Relay> ended) {
    this.owner = owner;
    this.flushes = flushes;
    this.ended = ended;
  }

  /**
   * A relay for an internal socket that is about to connect: its handlers are set now, since
   * Vert.x resumes a socket as it connects and drops frames that find no handler.
   */
  static Relay forOwner(ClientWebSocket owner, Flushes flushes, Consumer<Relay> ended) {
    Relay relay = new Relay(owner, flushes, ended);
    owner.frameHandler(relay::fromOwner);
    owner.closeHandler(v -> relay.ownerEnded());
    owner.exceptionHandler(e -> LOG.log(Level.DEBUG, "internal socket: " + e.getMessage()));
    return relay;
  }

  /** The client's handshake completed: relaying starts, with what the owner sent meanwhile. */
  void attach(ServerWebSocket client) {
    VertxInternals.dropHandshake(client); // as a room's socket: its upgrade request is done with
    this.client = client;
    client.frameHandler(this::fromClient);
    client.closeHandler(v -> clientEnded());
    client.exceptionHandler(e -> LOG.log(Level.DEBUG, "forwarded client: " + e.getMessage()));
    // Reading resumes on either side once the other drained.
    resumeWhenWritable(client, owner);
    resumeWhenWritable(owner, client);
    List<WebSocketFrame> held = early;
    early = null;
    for (WebSocketFrame frame : held) fromOwner(frame);
    if (client.isClosed() || VertxInternals.channel(client).channel().isWritable()) owner.resume();
    if (ownerEnded) ownerEnded();
  }

  private void fromOwner(WebSocketFrame frame) {
    if (client == null) {
      early.add(frame);
      owner.pause(); // Vert.x holds the rest, and stops reading past a few frames
    } else if (frame.isClose()) {
      short code = frame.closeStatusCode();
      close(client, code == GOING_AWAY ? RESTART : code, frame.closeReason());
    } else {
      pass(frame, owner, client);
    }
  }

  private void fromClient(WebSocketFrame frame) {
    if (frame.isClose()) {
      close(owner, frame.closeStatusCode(), frame.closeReason());
    } else {
      pass(frame, client, owner);
    }
  }

  /**
   * Writes a data frame to {@code to} through Netty, flushed at the end of the loop's batch ({@link
   * Flushes}): Vert.x's own write flushes every frame, a syscall each.
   */
  private void pass(WebSocketFrame frame, WebSocketBase from, WebSocketBase to) {
    if (!(frame.isText() || frame.isBinary() || frame.isContinuation()) || to.isClosed()) return;
    ChannelHandlerContext channel = VertxInternals.channel(to);
    ByteBuf bytes = VertxInternals.bytes(frame.binaryData());
    io.netty.handler.codec.http.websocketx.WebSocketFrame out =
        frame.isText()
            ? new TextWebSocketFrame(frame.isFinal(), 0, bytes)
            : frame.isBinary()
                ? new BinaryWebSocketFrame(frame.isFinal(), 0, bytes)
                : new ContinuationWebSocketFrame(frame.isFinal(), 0, bytes);
    // A failed write closes the connection: the socket's close handler acts, not the promise.
    var unused = channel.write(out, new VoidChannelPromise(channel.channel(), false));
    flushes.later(channel);
    if (!channel.channel().isWritable()) from.pause();
  }

  /**
   * Resumes reading {@code from} whenever {@code to}'s connection can take more again. Netty says
   * so, not Vert.x: frames written past Vert.x's queue never make Vert.x's socket full or drained.
   */
  private static void resumeWhenWritable(WebSocketBase to, WebSocketBase from) {
    ChannelHandlerContext vertx = VertxInternals.channel(to);
    vertx
        .pipeline()
        .addBefore(
            vertx.name(),
            null,
            new ChannelInboundHandlerAdapter() {
              @Override
              public void channelWritabilityChanged(ChannelHandlerContext ctx) {
                if (ctx.channel().isWritable() && !from.isClosed()) from.resume();
                ctx.fireChannelWritabilityChanged();
              }
            });
  }

  /**
   * The client's connection ended. After a close frame, that frame (in order, behind any paused
   * frames) carries the close to the owner; without one, the client went away abruptly.
   */
  private void clientEnded() {
    if (abrupt(client) && !owner.isClosed()) VertxInternals.abort(owner);
    ended.accept(this);
  }

  /**
   * This node is stopping: the client is told to reconnect (1012; it reaches the room through
   * another node), and the room sees it leave (1001, going away).
   */
  void stop() {
    close(client, RESTART, "node stopping");
    close(owner, GOING_AWAY, "forwarding node stopping");
  }

  /**
   * The internal connection ended. Without a close frame the owner went away (died, or dropped the
   * socket), and frames still paused here are lost with it: the client is told to reconnect now.
   */
  private void ownerEnded() {
    if (client == null) {
      ownerEnded = true;
    } else if (abrupt(owner) && !client.isClosed()) {
      LOG.log(Level.DEBUG, "internal socket ended abruptly: closing its client with 1012");
      var unused = client.close(RESTART, "room's node went away");
    }
  }

  /** Whether a socket's connection ended without a close frame (which cannot carry 1006). */
  private static boolean abrupt(WebSocketBase socket) {
    Short code = socket.closeStatusCode();
    return code == null || code == ABNORMAL;
  }

  /**
   * Closes {@code socket} with a code that came in a close frame (1005 is what Vert.x reports for a
   * close frame without one, which a close frame may not carry: a plain close then).
   */
  private static void close(WebSocketBase socket, short code, String reason) {
    if (socket.isClosed()) return;
    var unused = code == 1005 ? socket.close() : socket.close(code, reason);
  }
}
