package dev.partyhost.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.internal.http.WebSocketInternal;
import io.vertx.core.transport.Transport;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The benchmark's ceiling: partyhost's two benchmark parties written directly on Vert.x, with no Wasm,
 * no storage and no limits, and the same threading: rooms are created on demand, each pinned to the
 * event loop of the connection that created it; each room's events run on its loop; each socket is
 * flushed once per batch of its loop's tasks (Vert.x's strict thread mode). Rooms are never dropped
 * (a benchmark needs no more).
 * <ul>
 *   <li>{@code /parties/relay/ROOM}: every message goes to every other connection of the room;</li>
 *   <li>{@code /parties/counter/ROOM}: a connection gets {"count":N} on connect; "inc" counts.</li>
 * </ul>
 * {@code java -cp partyhost-bench.jar dev.partyhost.bench.NativeRelay PORT [epoll|nio]} (the transport,
 * as the host's {@code --transport}: epoll where its library loads, by default)
 */
public final class NativeRelay {
  private static final Map<String, Room> ROOMS = new ConcurrentHashMap<>();

  public static void main(String[] args) {
    int port = Integer.parseInt(args[0]);
    boolean epoll = !(args.length > 1 && args[1].equals("nio")) && Transport.EPOLL.available();
    int loops = VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE;
    Vertx vertx =
        Vertx.builder()
            .with(new VertxOptions().setEventLoopPoolSize(loops))
            .withTransport(epoll ? Transport.EPOLL : Transport.NIO)
            .build();
    vertx
        .deployVerticle(() -> new Listener(port), new DeploymentOptions().setInstances(loops))
        .await();
    System.out.println(
        "native relay listening on " + port + " (" + (epoll ? "epoll" : "nio") + ")");
  }

  /** One HTTP server per event loop (Vert.x spreads connections over them). */
  private static final class Listener extends AbstractVerticle {
    private final int port;

    Listener(int port) {
      this.port = port;
    }

    @Override
    public void start(Promise<Void> started) {
      vertx
          .createHttpServer(
              new HttpServerOptions()
                  .setPerMessageWebSocketCompressionSupported(false)
                  .setStrictThreadMode(true))
          .webSocketHandler(NativeRelay::accept)
          .listen(port)
          .<Void>mapEmpty()
          .onComplete(started);
    }
  }

  private static void accept(ServerWebSocket ws) {
    String[] parts = ws.path().split("/"); // "", "parties", party, room
    if (parts.length != 4
        || !parts[1].equals("parties")
        || !(parts[2].equals("relay") || parts[2].equals("counter"))) {
      ws.close((short) 1008, "unknown party");
      return;
    }
    boolean counter = parts[2].equals("counter");
    // On the loop of the connection that creates it, as partyhost does (Vert.x spreads
    // connections).
    Room room =
        ROOMS.computeIfAbsent(parts[2] + "/" + parts[3], k -> new Room(Vertx.currentContext()));
    Member member = new Member(ws);
    room.on(
        () -> {
          room.members.add(member);
          if (counter) room.send(member, text("{\"count\":" + room.count + "}"));
        });
    ws.frameHandler(
        frame -> { // whole frames only: the load generator does not fragment
          if (!frame.isText() && !frame.isBinary()) return;
          ByteBuf data =
              Unpooled.unreleasableBuffer(((BufferInternal) frame.binaryData()).getByteBuf());
          boolean text = frame.isText();
          room.on(
              () -> {
                if (!counter) {
                  for (Member m : room.members)
                    if (m != member)
                      room.send(
                          m,
                          text
                              ? new TextWebSocketFrame(data.duplicate())
                              : new BinaryWebSocketFrame(data.duplicate()));
                } else if (text && frame.textData().equals("inc")) {
                  room.count++;
                  for (Member m : room.members)
                    room.send(m, text("{\"count\":" + room.count + "}"));
                }
              });
        });
    ws.closeHandler(v -> room.on(() -> room.members.remove(member)));
  }

  private static TextWebSocketFrame text(String s) {
    return new TextWebSocketFrame(s);
  }

  /** A socket, written on its own event loop only (strict thread mode). */
  private static final class Member {
    final ChannelHandlerContext channel;
    final EventLoop loop;
    boolean unflushed;

    Member(ServerWebSocket ws) {
      this.channel = ((WebSocketInternal) ws).channelHandlerContext();
      this.loop = channel.channel().eventLoop();
    }
  }

  /**
   * A room: its members and count, touched only on its event loop. Frames for members on the room's
   * loop are written at once; for members on other loops they go over in one task per loop. Either
   * way each socket is flushed once at the end of its loop's batch of tasks.
   */
  private static final class Room {
    final Context context;
    final EventLoop loop;
    final List<Member> members = new ArrayList<>();
    final Map<EventLoop, List<Object>> handOver = new HashMap<>();
    long count;

    Room(Context context) {
      this.context = context;
      this.loop = ((ContextInternal) context).nettyEventLoop();
    }

    void on(Runnable event) {
      if (Vertx.currentContext() == context) event.run();
      else context.runOnContext(v -> event.run());
    }

    void send(Member m, WebSocketFrame frame) {
      if (m.loop.inEventLoop()) {
        Flusher.current().write(m, frame);
      } else {
        List<Object> items = handOver.computeIfAbsent(m.loop, k -> new ArrayList<>());
        if (items.isEmpty())
          loop.execute(
              () -> { // after the room's current batch
                List<Object> batch = new ArrayList<>(items);
                items.clear();
                m.loop.execute(
                    () -> {
                      Flusher flusher = Flusher.current();
                      for (int i = 0; i < batch.size(); i += 2)
                        flusher.write((Member) batch.get(i), (WebSocketFrame) batch.get(i + 1));
                    });
              });
        items.add(m);
        items.add(frame);
      }
    }
  }

  /** Per event loop: the sockets written to in this batch of tasks, flushed once when it ends. */
  private static final class Flusher {
    private static final ThreadLocal<Flusher> CURRENT = ThreadLocal.withInitial(Flusher::new);
    private final List<Member> unflushed = new ArrayList<>();

    static Flusher current() {
      return CURRENT.get();
    }

    void write(Member m, WebSocketFrame frame) {
      m.channel.write(frame, m.channel.voidPromise());
      if (m.unflushed) return;
      m.unflushed = true;
      if (unflushed.isEmpty()) m.loop.execute(this::flush);
      unflushed.add(m);
    }

    private void flush() {
      for (Member m : unflushed) {
        m.unflushed = false;
        m.channel.flush();
      }
      unflushed.clear();
    }
  }
}
