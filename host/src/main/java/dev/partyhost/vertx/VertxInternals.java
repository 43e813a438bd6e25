package dev.partyhost.vertx;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketBase;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.internal.http.WebSocketInternal;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.core.net.impl.VertxHandler;
import java.lang.System.Logger.Level;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;

/**
 * Every place where the host reaches past Vert.x 5.0.7's public API, with the reason. A Vert.x upgrade
 * that moves one of them fails {@code VertxInternalsTest} (and, for the reflective ones, logs a warning
 * and works as before, only costlier).
 *
 * <ul>
 *   <li>{@link #eventLoop}, {@link #newEventLoopContext}: a room is pinned to an event-loop context and
 *       its frames go out through its loop's Netty {@link EventLoop} ({@code room.Outbound}, one flush
 *       per socket per batch), which the public API does not expose.</li>
 *   <li>{@link #channel}: frames are written to the socket's Netty channel without a flush, then flushed
 *       once per batch; the public API flushes every write.</li>
 *   <li>{@link #bytes}: a forwarding node writes a relayed frame's bytes as Vert.x read them, with no
 *       copy; the public API has only a copy.</li>
 *   <li>{@link #pipeline}: permessage-deflate is chosen per party ({@code http.DeflatePerParty}) by
 *       replacing the connection's extension handler; Vert.x decides it per server.</li>
 *   <li>{@link #abort}: Vert.x closes a connection gracefully, after its queued writes drain; for a
 *       client that does not read they never do, so the host closes its Netty channel directly. A
 *       forwarding node aborts the internal socket of a client that went away the same way, so that
 *       the room sees the abrupt end the client's own socket would have shown.</li>
 *   <li>{@link #dropWriteQueue}: Vert.x gives every WebSocket a multi-producer write queue whose first
 *       chunk (1,025 slots, about 4.1 KiB) is allocated at once, 40% of an idle WebSocket. Every write
 *       to a socket happens on its own loop here, so the socket gets the direct queue that strict
 *       thread mode gives HTTP connections (reflection: there is no API for it at all).</li>
 *   <li>{@link #dropHandshake}: the Netty handler of a WebSocket's connection keeps the function that
 *       made the connection, which holds the handshake and through it the whole upgrade request (its
 *       headers, parameters, response and metrics: about 1.8 KiB per socket) for the socket's life; it
 *       is used once, when the handler is added (reflection, as above).</li>
 * </ul>
 */
public final class VertxInternals {
  private static final Field CONNECTION;
  private static final Field QUEUE;
  private static final Constructor<?> DIRECT;
  private static final Field FACTORY;

  static {
    Field connection = null;
    Field queue = null;
    Constructor<?> direct = null;
    try {
      connection =
          Class.forName("io.vertx.core.http.impl.WebSocketImplBase").getDeclaredField("conn");
      Class<?> vertxConnection = Class.forName("io.vertx.core.net.impl.VertxConnection");
      queue = vertxConnection.getDeclaredField("outboundMessageQueue");
      direct =
          Class.forName("io.vertx.core.net.impl.VertxConnection$DirectOutboundMessageQueue")
              .getDeclaredConstructor(vertxConnection);
      connection.setAccessible(true);
      queue.setAccessible(true);
      direct.setAccessible(true);
    } catch (ReflectiveOperationException | RuntimeException e) {
      System.getLogger("partyhost.vertx")
          .log(
              Level.WARNING,
              "Vert.x internals changed: WebSockets keep their write queue (about 4 KiB each): "
                  + e);
      connection = null;
    }
    CONNECTION = connection;
    QUEUE = queue;
    DIRECT = direct;
    Field factory = null;
    try {
      factory = VertxHandler.class.getDeclaredField("connectionFactory");
      factory.setAccessible(true);
    } catch (ReflectiveOperationException | RuntimeException e) {
      System.getLogger("partyhost.vertx")
          .log(
              Level.WARNING,
              "Vert.x internals changed: WebSockets keep their upgrade request (about 1.8 KiB each): "
                  + e);
    }
    FACTORY = factory;
  }

  private VertxInternals() {}

  /** The Netty event loop that runs an event-loop context's tasks. */
  public static EventLoop eventLoop(Context context) {
    return ((ContextInternal) context).nettyEventLoop();
  }

  /** A new event-loop context; Netty assigns new contexts to the loops round-robin. */
  public static Context newEventLoopContext(Vertx vertx) {
    return ((VertxInternal) vertx).createEventLoopContext();
  }

  /** The Netty channel context of a WebSocket, for writes that are flushed later. */
  public static ChannelHandlerContext channel(WebSocketBase socket) {
    return ((WebSocketInternal) socket).channelHandlerContext();
  }

  /**
   * A buffer's bytes as a Netty buffer, not copied (a slice that writing releases harmlessly: Vert.x's
   * own heap buffers ignore releases, others come unreleasable).
   */
  public static io.netty.buffer.ByteBuf bytes(Buffer buffer) {
    return ((BufferInternal) buffer).getByteBuf();
  }

  /** The Netty pipeline of an HTTP/1 connection; null for HTTP/2 (no WebSocket upgrade there). */
  public static ChannelPipeline pipeline(HttpConnection connection) {
    return connection instanceof ConnectionBase base ? base.channel().pipeline() : null;
  }

  /**
   * Drops a WebSocket's connection at once, with whatever is queued toward it (Netty's transport-level
   * close, past Vert.x's pipeline); Vert.x then reports it closed, and the peer sees the connection
   * end without a close frame. On the socket's event loop.
   */
  public static void abort(WebSocketBase socket) {
    var channel = channel(socket).channel();
    channel.unsafe().close(channel.voidPromise());
  }

  /** {@link #dropWriteQueue} works with this Vert.x. */
  public static boolean canDropWriteQueue() {
    return CONNECTION != null;
  }

  /** On the socket's loop, right after the handshake, before anything is written to it. */
  public static void dropWriteQueue(ServerWebSocket socket) {
    if (CONNECTION == null) return;
    try {
      Object connection = CONNECTION.get(socket);
      QUEUE.set(connection, DIRECT.newInstance(connection));
    } catch (ReflectiveOperationException | RuntimeException e) {
      // Not a Vert.x socket (a stand-in): it keeps what it has.
    }
  }

  /** {@link #dropHandshake} works with this Vert.x. */
  public static boolean canDropHandshake() {
    return FACTORY != null;
  }

  /**
   * Lets the upgrade request of a WebSocket go (what the socket itself answers, its headers and
   * address among them, stays). On the socket's loop, once the handshake completed.
   */
  public static void dropHandshake(ServerWebSocket socket) {
    if (FACTORY == null) return;
    try {
      VertxHandler<?> handler = channel(socket).pipeline().get(VertxHandler.class);
      // Made its connection already (it has no other use for the function).
      if (handler != null && handler.getConnection() != null) FACTORY.set(handler, null);
    } catch (ReflectiveOperationException | RuntimeException e) {
      // Not a Vert.x socket (a stand-in): it keeps what it has.
    }
  }
}
