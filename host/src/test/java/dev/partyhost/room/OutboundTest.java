package dev.partyhost.room;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partyhost.support.DrivenLoop;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.internal.http.WebSocketInternal;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The way out from rooms to sockets (Outbound), on loops the test drives: frames to sockets on the
 * sending loop are written at once and flushed once per socket at the end of the loop's batch; frames
 * to sockets on other loops go over in one task per loop; a close follows the frames sent before it.
 * The sockets are stand-ins over real Netty channels, as in bench's RoundTrip: a ServerWebSocket proxy
 * for what Connection asks of a socket, and an EmbeddedChannel whose outbound end records each frame
 * written and each flush, in order.
 */
class OutboundTest {
  private final DrivenLoop loopA = new DrivenLoop("A");
  private final DrivenLoop loopB = new DrivenLoop("B");
  private final DrivenLoop loopC = new DrivenLoop("C");
  private final Outbound outA = new Outbound(loopA);
  private final Outbound outB = new Outbound(loopB);
  private final Outbound outC = new Outbound(loopC);
  private final IdentityHashMap<Connection, Socket> sockets = new IdentityHashMap<>();

  /** A stand-in WebSocket: what reaches its channel ("text:...", "flush") and its closes ("close:CODE REASON"). */
  private static final class Socket extends ChannelOutboundHandlerAdapter
      implements InvocationHandler {
    final List<String> events = new ArrayList<>();
    final EmbeddedChannel channel = new EmbeddedChannel(this, new ChannelInboundHandlerAdapter());
    final ServerWebSocket socket =
        (ServerWebSocket)
            Proxy.newProxyInstance(
                ServerWebSocket.class.getClassLoader(),
                new Class<?>[] {ServerWebSocket.class, WebSocketInternal.class},
                this);
    boolean closed;

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
      events.add(msg instanceof TextWebSocketFrame t ? "text:" + t.text() : "other:" + msg);
      ReferenceCountUtil.release(msg);
      promise.trySuccess();
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
      events.add("flush");
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) {
      switch (method.getName()) {
        case "isClosed":
          return closed;
        case "channelHandlerContext":
          return channel.pipeline().lastContext(); // writes from here pass this recorder
        case "close":
          if (args != null && args.length == 2) events.add("close:" + args[0] + " " + args[1]);
          else events.add("close");
          closed = true;
          return null;
        case "hashCode":
          return System.identityHashCode(proxy);
        case "equals":
          return proxy == args[0];
        case "toString":
          return "socket " + events;
        default:
          throw new UnsupportedOperationException("the stand-in socket has no " + method.getName());
      }
    }
  }

  /** A connection of a room, its stand-in socket attached to {@code out}'s loop. */
  private Connection on(String id, Outbound out) {
    Socket s = new Socket();
    Connection c = new Connection(id, "/parties/p/r?_pk=" + id, null);
    c.socket(s.socket, out);
    sockets.put(c, s);
    return c;
  }

  private Socket socket(Connection c) {
    return sockets.get(c);
  }

  private static WebSocketFrame text(String s) {
    return new TextWebSocketFrame(Unpooled.copiedBuffer(s, StandardCharsets.UTF_8));
  }

  @AfterEach
  void releaseChannels() {
    for (Socket s : sockets.values()) s.channel.finishAndReleaseAll();
  }

  @Test
  void framesToSocketsOnTheSameLoopAreWrittenAtOnceAndFlushedOncePerSocketPerBatch() {
    Connection c1 = on("c1", outA), c2 = on("c2", outA);
    outA.send(c1, text("1"));
    outA.send(c2, text("x"));
    outA.send(c1, text("2"));
    assertEquals(List.of("text:1", "text:2"), socket(c1).events, "written at once, not flushed");
    assertEquals(List.of("text:x"), socket(c2).events);
    assertEquals(1, loopA.queued(), "one end-of-batch task for the whole batch");

    assertEquals(1, loopA.runTasks());
    assertEquals(List.of("text:1", "text:2", "flush"), socket(c1).events);
    assertEquals(List.of("text:x", "flush"), socket(c2).events);

    // The next batch gets its own flush.
    outA.send(c1, text("3"));
    loopA.runTasks();
    assertEquals(List.of("text:1", "text:2", "flush", "text:3", "flush"), socket(c1).events);
    assertEquals(List.of("text:x", "flush"), socket(c2).events, "no frame, no flush");
  }

  @Test
  void theFlushWaitsForTheTasksAlreadyQueuedOnTheLoop() {
    Connection c1 = on("c1", outA);
    loopA.execute(() -> outA.send(c1, text("from a task queued earlier")));
    outA.send(c1, text("now"));
    loopA.runTasks();
    assertEquals(
        List.of("text:now", "text:from a task queued earlier", "flush"),
        socket(c1).events,
        "the earlier task belongs to the same batch: one flush after both");
  }

  @Test
  void framesToSocketsOnOtherLoopsAreHandedOverInOneTaskPerLoop() {
    Connection b1 = on("b1", outB), b2 = on("b2", outB), c1 = on("c1", outC);
    outA.send(b1, text("1"));
    outA.send(b2, text("2"));
    outA.send(c1, text("3"));
    outA.send(b1, text("4"));
    for (Connection c : List.of(b1, b2, c1))
      assertEquals(List.of(), socket(c).events, "never written from loop A");
    assertEquals(0, loopB.queued());
    assertEquals(1, loopA.queued());

    loopA.runTasks(); // A's batch ends: what it has for each other loop goes over
    assertEquals(1, loopB.queued(), "one task for both of B's sockets");
    assertEquals(1, loopC.queued(), "one task for C's socket");
    assertEquals(List.of(), socket(b1).events);

    assertEquals(2, loopB.runTasks(), "the hand-over, then B's own end of batch");
    assertEquals(List.of("text:1", "text:4", "flush"), socket(b1).events);
    assertEquals(List.of("text:2", "flush"), socket(b2).events);
    loopC.runTasks();
    assertEquals(List.of("text:3", "flush"), socket(c1).events);
    assertEquals(0, loopA.queued() + loopB.queued() + loopC.queued());
  }

  @Test
  void aCloseComesAfterTheFramesSentBeforeItOnEitherPath() {
    Connection local = on("local", outA), remote = on("remote", outB);
    outA.send(local, text("1"));
    outA.send(remote, text("1"));
    outA.close(local, new Connection.Close(4000, "bye"));
    outA.close(remote, new Connection.Close(4001, "later"));
    assertEquals(
        List.of("text:1", "close:4000 bye"),
        socket(local).events,
        "on its own loop a close is at once, after the frames written (the real socket's close flushes them)");

    loopA.runTasks();
    assertEquals(List.of(), socket(remote).events, "the close waits for its frames' hand-over");
    loopB.runTasks();
    assertEquals(
        List.of("text:1", "close:4001 later", "flush"), socket(remote).events, "in the order sent");
  }

  @Test
  void aFrameToAClosedSocketIsDroppedAndSchedulesNothing() {
    Connection c1 = on("c1", outA);
    socket(c1).closed = true; // the peer went away; its close handler tells the room later
    outA.send(c1, text("lost"));
    assertEquals(List.of(), socket(c1).events);
    assertEquals(0, loopA.queued());
  }

  @Test
  void aLoopsOutboundIsTheCallingThreadsAndOnlyOnThatLoop() throws Exception {
    // On a thread of its own (the instance is per thread, and this test thread's is left alone).
    CompletableFuture<Throwable> elsewhere = new CompletableFuture<>();
    Thread t =
        new Thread(
            () -> {
              try {
                Outbound.current(loopA); // loopA belongs to the test's thread
                elsewhere.complete(null);
              } catch (Throwable e) {
                elsewhere.complete(e);
              }
            });
    t.start();
    t.join();
    assertEquals(
        IllegalStateException.class, elsewhere.get() == null ? null : elsewhere.get().getClass());

    CompletableFuture<Boolean> same = new CompletableFuture<>();
    Thread owner =
        new Thread(
            () -> {
              DrivenLoop own = new DrivenLoop("own");
              Outbound first = Outbound.current(own);
              same.complete(
                  first
                      == Outbound.current(
                          own)); // the thread's one instance, not a new one per call
            });
    owner.start();
    owner.join();
    assertTrue(same.get());
  }
}
