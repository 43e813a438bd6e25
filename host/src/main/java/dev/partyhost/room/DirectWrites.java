package dev.partyhost.room;

import io.vertx.core.http.ServerWebSocket;
import java.lang.System.Logger.Level;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;

/**
 * Drops the write queue Vert.x 5.0.7 gives every WebSocket. In strict thread mode an HTTP connection
 * writes directly on its event loop, but the WebSocket connection it upgrades to still gets a
 * multi-producer queue whose first chunk (1,025 slots, about 4.1 KiB) is allocated at once: 40% of
 * what an idle WebSocket costs the host. Every write to a socket happens on its own loop here
 * ({@link Outbound}), so the socket gets the direct queue strict mode gives HTTP connections.
 *
 * <p>This reaches into Vert.x internals; if they change, {@link #available()} turns false, the host
 * logs it once and works as before, with the queue (a test fails so that it is noticed).
 */
final class DirectWrites {
  private static final Field CONNECTION;
  private static final Field QUEUE;
  private static final Constructor<?> DIRECT;

  static {
    Field connection = null;
    Field queue = null;
    Constructor<?> direct = null;
    try {
      connection = Class.forName("io.vertx.core.http.impl.WebSocketImplBase").getDeclaredField("conn");
      Class<?> vertxConnection = Class.forName("io.vertx.core.net.impl.VertxConnection");
      queue = vertxConnection.getDeclaredField("outboundMessageQueue");
      direct = Class.forName("io.vertx.core.net.impl.VertxConnection$DirectOutboundMessageQueue")
          .getDeclaredConstructor(vertxConnection);
      connection.setAccessible(true);
      queue.setAccessible(true);
      direct.setAccessible(true);
    } catch (ReflectiveOperationException | RuntimeException e) {
      System.getLogger("partyhost.room").log(Level.WARNING,
          "Vert.x internals changed: WebSockets keep their write queue (about 4 KiB each): " + e);
      connection = null;
    }
    CONNECTION = connection;
    QUEUE = queue;
    DIRECT = direct;
  }

  private DirectWrites() {}

  static boolean available() {
    return CONNECTION != null;
  }

  /** On the socket's loop, right after the handshake, before anything is written to it. */
  static void install(ServerWebSocket socket) {
    if (CONNECTION == null) return;
    try {
      Object connection = CONNECTION.get(socket);
      QUEUE.set(connection, DIRECT.newInstance(connection));
    } catch (ReflectiveOperationException | RuntimeException e) {
      // Not a Vert.x socket (a stand-in): it keeps what it has.
    }
  }
}
