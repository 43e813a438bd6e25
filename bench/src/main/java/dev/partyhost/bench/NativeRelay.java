package dev.partyhost.bench;

import io.vertx.core.AbstractVerticle;
import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The benchmark's ceiling: partyhost's two benchmark parties written directly on Vert.x, with no Wasm,
 * no storage and no limits, and the same threading: rooms are created on demand and pinned round-robin
 * to the event loops, and each room's events run on its loop. Rooms are never dropped (a benchmark
 * needs no more).
 * <ul>
 *   <li>{@code /parties/relay/ROOM}: every message goes to every other connection of the room;</li>
 *   <li>{@code /parties/counter/ROOM}: a connection gets {"count":N} on connect; "inc" counts.</li>
 * </ul>
 * {@code java -cp partyhost-bench.jar dev.partyhost.bench.NativeRelay PORT}
 */
public final class NativeRelay {
  private static final List<Context> LOOPS = new CopyOnWriteArrayList<>();
  private static final AtomicInteger NEXT_LOOP = new AtomicInteger();
  private static final Map<String, Room> ROOMS = new ConcurrentHashMap<>();

  public static void main(String[] args) {
    int port = Integer.parseInt(args[0]);
    int loops = VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE;
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(loops));
    vertx.deployVerticle(() -> new Listener(port), new DeploymentOptions().setInstances(loops)).await();
    System.out.println("native relay listening on " + port);
  }

  /** One HTTP server per event loop (Vert.x spreads connections over them). */
  private static final class Listener extends AbstractVerticle {
    private final int port;

    Listener(int port) {
      this.port = port;
    }

    @Override
    public void start(Promise<Void> started) {
      LOOPS.add(context);
      vertx.createHttpServer(new HttpServerOptions().setPerMessageWebSocketCompressionSupported(false))
          .webSocketHandler(NativeRelay::accept).listen(port).<Void>mapEmpty().onComplete(started);
    }
  }

  private static void accept(ServerWebSocket ws) {
    String[] parts = ws.path().split("/"); // "", "parties", party, room
    if (parts.length != 4 || !parts[1].equals("parties") || !(parts[2].equals("relay") || parts[2].equals("counter"))) {
      ws.close((short) 1008, "unknown party");
      return;
    }
    boolean counter = parts[2].equals("counter");
    Room room = ROOMS.computeIfAbsent(parts[2] + "/" + parts[3],
        k -> new Room(LOOPS.get(Math.floorMod(NEXT_LOOP.getAndIncrement(), LOOPS.size()))));
    room.on(() -> {
      room.members.add(ws);
      if (counter) ws.writeTextMessage("{\"count\":" + room.count + "}");
    });
    ws.textMessageHandler(text -> room.on(() -> {
      if (counter && text.equals("inc")) {
        String count = "{\"count\":" + ++room.count + "}";
        for (ServerWebSocket m : room.members) m.writeTextMessage(count);
      } else if (!counter) {
        for (ServerWebSocket m : room.members) if (m != ws) m.writeTextMessage(text);
      }
    }));
    ws.binaryMessageHandler(data -> room.on(() -> {
      if (!counter) for (ServerWebSocket m : room.members) if (m != ws) m.writeBinaryMessage(data);
    }));
    ws.closeHandler(v -> room.on(() -> room.members.remove(ws)));
  }

  /** A room: its members and count, touched only on its event loop. */
  private static final class Room {
    final Context context;
    final List<ServerWebSocket> members = new ArrayList<>();
    long count;

    Room(Context context) {
      this.context = context;
    }

    void on(Runnable event) {
      if (Vertx.currentContext() == context) event.run(); else context.runOnContext(v -> event.run());
    }
  }
}
