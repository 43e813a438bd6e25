package dev.partyhost.vertx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.net.impl.VertxHandler;
import java.lang.reflect.Field;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The Vert.x internals the host relies on ({@link VertxInternals}) are still there: a Vert.x upgrade
 * that moves them fails here, not silently in memory use or at a client. A socket whose queue was
 * replaced and whose handshake was let go still writes and closes.
 */
class VertxInternalsTest {
  @Test
  void aNewContextRunsOnItsEventLoop() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      io.vertx.core.Context context = VertxInternals.newEventLoopContext(vertx);
      CompletableFuture<Boolean> onLoop = new CompletableFuture<>();
      context.runOnContext(v -> onLoop.complete(VertxInternals.eventLoop(context).inEventLoop()));
      assertTrue(onLoop.get(10, TimeUnit.SECONDS));
    } finally {
      vertx.close().await();
    }
  }

  @Test
  void aBuffersBytesAreSharedNotCopiedAndAWriteCannotFreeThem() {
    io.vertx.core.buffer.Buffer buffer = io.vertx.core.buffer.Buffer.buffer("héllo");
    io.netty.buffer.ByteBuf bytes = VertxInternals.bytes(buffer);
    assertEquals("héllo", bytes.toString(java.nio.charset.StandardCharsets.UTF_8));
    bytes.release(); // as Netty does once it wrote a frame
    buffer.setByte(0, (byte) 'H'); // the same bytes, still usable
    assertEquals('H', VertxInternals.bytes(buffer).getByte(0));
    assertEquals('H', bytes.getByte(0));
  }

  @Test
  void aWebSocketLosesItsWriteQueueAndHandshakeAndStillWritesAndCloses() throws Exception {
    assertTrue(VertxInternals.canDropWriteQueue(), "Vert.x internals changed: see VertxInternals");
    assertTrue(VertxInternals.canDropHandshake(), "Vert.x internals changed: see VertxInternals");
    Vertx vertx = Vertx.vertx();
    try {
      CompletableFuture<String> queue = new CompletableFuture<>();
      HttpServer server =
          vertx
              .createHttpServer(new HttpServerOptions().setStrictThreadMode(true))
              .requestHandler(
                  req -> {
                    if (VertxInternals.pipeline(req.connection()) == null)
                      queue.completeExceptionally(new AssertionError("no pipeline"));
                    req.toWebSocket()
                        .onSuccess(
                            ws -> { // as the host upgrades
                              try {
                                if (VertxInternals.channel(ws) == null)
                                  throw new AssertionError("no channel");
                                VertxInternals.dropWriteQueue(ws);
                                VertxInternals.dropHandshake(ws);
                                if (factoryOf(ws) != null)
                                  throw new AssertionError("the handshake is still held");
                                if (ws.headers().get("host") == null)
                                  throw new AssertionError("the socket lost its headers");
                                queue.complete(queueOf(ws).getClass().getSimpleName());
                              } catch (Throwable e) {
                                queue.completeExceptionally(e);
                              }
                              ws.textMessageHandler(
                                  text -> {
                                    ws.writeTextMessage("echo " + text);
                                    ws.close((short) 4000, "done");
                                  });
                            });
                  })
              .listen(0, "127.0.0.1")
              .await();
      WebSocketClient clients =
          vertx.createWebSocketClient(); // held: an unreachable client is closed
      WebSocket client =
          clients
              .connect(
                  new WebSocketConnectOptions()
                      .setHost("127.0.0.1")
                      .setPort(server.actualPort())
                      .setURI("/"))
              .await();
      CompletableFuture<String> echo = new CompletableFuture<>();
      CompletableFuture<Short> closed = new CompletableFuture<>();
      client.textMessageHandler(echo::complete);
      client.closeHandler(v -> closed.complete(client.closeStatusCode()));
      client.writeTextMessage("hi");
      assertEquals("DirectOutboundMessageQueue", queue.get(10, TimeUnit.SECONDS));
      assertEquals("echo hi", echo.get(10, TimeUnit.SECONDS));
      assertEquals((short) 4000, closed.get(10, TimeUnit.SECONDS));
      clients.close().await();
    } finally {
      vertx.close().await();
    }
  }

  private static Object factoryOf(io.vertx.core.http.ServerWebSocket socket)
      throws ReflectiveOperationException {
    Field factory = VertxHandler.class.getDeclaredField("connectionFactory");
    factory.setAccessible(true);
    return factory.get(VertxInternals.channel(socket).pipeline().get(VertxHandler.class));
  }

  private static Object queueOf(Object socket) {
    try {
      Field conn =
          Class.forName("io.vertx.core.http.impl.WebSocketImplBase").getDeclaredField("conn");
      conn.setAccessible(true);
      Field queue =
          Class.forName("io.vertx.core.net.impl.VertxConnection")
              .getDeclaredField("outboundMessageQueue");
      queue.setAccessible(true);
      return queue.get(conn.get(socket));
    } catch (ReflectiveOperationException e) {
      throw new LinkageError("Vert.x internals moved: " + e, e);
    }
  }
}
