package dev.partyhost.bench;

import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.runtime.WasmFunctionHandle;
import dev.partyhost.HostConfig;
import dev.partyhost.Settings;
import dev.partyhost.guest.Abi;
import dev.partyhost.guest.ByteList;
import dev.partyhost.guest.ExecutionMode;
import dev.partyhost.guest.Guest;
import dev.partyhost.guest.GuestModule;
import dev.partyhost.guest.Utf8;
import dev.partyhost.party.Parties;
import dev.partyhost.room.Connection;
import dev.partyhost.room.Room;
import dev.partyhost.room.Rooms;
import dev.partyhost.storage.SqliteEngine;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.AbstractScheduledEventExecutor;
import io.netty.util.concurrent.DefaultPromise;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.internal.PlatformDependent;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.internal.http.WebSocketInternal;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One relay message host → guest → host, in process: the guest's {@code partyhost_on_message} and
 * its {@code broadcast} host call, for the relay example guests, compiled and interpreted.
 *
 * <ul>
 *   <li>{@code room}: the whole room-side path of a text frame, from {@code Room.received} (what the
 *       socket's frame handler calls: the hop onto the room's event loop, a task on the same thread
 *       here) to the frame flushed to the
 *       recipient's Netty channel: the watchdog's deadline, the real {@code Guest.onMessage}
 *       (partyhost_alloc, memory write, the hook), the real {@code RoomCalls.broadcast} (checks, UTF-8
 *       decode, recipients, output budget, outbox), the commit check, the outbox release through the
 *       real {@code Outbound} (the frame written to the recipient's channel handler context) and the
 *       idle bookkeeping, then the rest of the loop's batch: Outbound's end-of-batch task, which
 *       flushes that channel. A room of two connections whose sockets are on the room's loop (as when
 *       they arrived on it), so the message goes to one recipient, written directly. The benchmark
 *       thread is that loop: the room's Vert.x context runs on a {@link Loop} whose tasks the
 *       benchmark runs after each message. Not included: the socket's frame handler ({@code
 *       room.Inbound}: bytes out of the frame, UTF-8 check, rate limit), and
 *       everything below the channel handler context: the sockets are stand-ins, a
 *       java.lang.reflect.Proxy ({@code ServerWebSocket} and {@code WebSocketInternal}) over a Netty
 *       {@code EmbeddedChannel} whose one outbound handler counts the frames and flushes and drops them
 *       (no WebSocket encoding, no write to a socket).</li>
 *   <li>{@code guest}: {@code Guest.onMessage} alone, on an instance whose imports are stand-ins:
 *       {@code broadcast=noop} returns at once (alloc, write, hook, one host call trampoline);
 *       {@code broadcast=copy} also bounds-checks, reads the message out of guest memory and decodes it
 *       to a String, as the real call does before the room's bookkeeping.</li>
 * </ul>
 *
 * <p>{@code java -cp bench/target/partyhost-bench.jar org.openjdk.jmh.Main RoundTrip}, from the
 * repository root after {@code make examples} (the guests are read from build/wasm).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class RoundTrip {
  /** 64 bytes of text, a typical small relay message. */
  static final byte[] MESSAGE =
      "{\"type\":\"cursor\",\"x\":1024,\"y\":768,\"id\":\"7f3a9c2e\",\"t\":171234567}"
          .getBytes(StandardCharsets.UTF_8);

  static {
    if (MESSAGE.length != 64) throw new AssertionError("message of " + MESSAGE.length + " bytes");
  }

  /** Which guest, how it runs: loaded as the host loads a party (Parties.compile). */
  @State(Scope.Thread)
  public abstract static class Party {
    @Param({"relay-c", "relay-rust"})
    public String guest;

    @Param({"compiled", "interpreted"})
    public String mode;

    Settings settings() {
      Settings settings = new Settings();
      settings.mode = ExecutionMode.valueOf(mode.toUpperCase(Locale.ROOT));
      return settings;
    }

    HostConfig config() {
      return settings().build();
    }

    GuestModule load(Parties parties) throws Exception {
      return parties.compile(guest, Files.readAllBytes(Path.of("build/wasm", guest + ".wasm")));
    }
  }

  @State(Scope.Thread)
  public static class RoomState extends Party {
    Room room;
    Connection sender;

    /** The room's event loop and its sockets': the benchmark thread. */
    Loop loop;

    Socket senderSocket;
    Socket recipientSocket;
    byte[] message = MESSAGE;

    /** Messages the benchmark sent, setup's check included. */
    long sent;

    private Vertx vertx;
    private SqliteEngine engine;
    private Path dataDir;

    @Setup
    public void setUp() throws Throwable {
      try {
        start();
      } catch (Throwable failed) {
        stop(); // JMH does not tear down after a failed setup: Vert.x's loop thread would keep the
        // fork alive
        throw failed;
      }
    }

    private void start() throws Throwable {
      dataDir = Files.createTempDirectory("partyhost-jmh-");
      Settings settings = settings();
      settings.dataDir = dataDir.toString();
      settings.roomIdleMs =
          TimeUnit.DAYS.toMillis(1); // the room must not hibernate under the benchmark
      HostConfig config = settings.build();
      Parties parties = new Parties(config);
      parties.put(guest, load(parties));
      vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
      engine = new SqliteEngine(dataDir);
      // The room's context: an event-loop context whose loop is this thread (the storage engine's
      // thread queues the loaded data to it), in place of one on Vert.x's loop.
      loop = new Loop();
      Context roomLoop =
          ((VertxInternal) vertx)
              .contextBuilder()
              .withEventLoop(loop)
              .withThreadingModel(ThreadingModel.EVENT_LOOP)
              .build();
      Rooms rooms = new Rooms(vertx, config, parties, engine, List.of(roomLoop));
      senderSocket = new Socket();
      recipientSocket = new Socket();
      sender = join(rooms, "sender", senderSocket);
      join(rooms, "recipient", recipientSocket);
      // The room's loop is idle from here on: tasks run only when the benchmark thread runs them.
      room.received(sender, message, Abi.TEXT);
      loop.runTasks();
      sent++;
      if (!relayedAll())
        throw new IllegalStateException(
            "relay did not relay: " + recipientSocket + ", " + senderSocket);
    }

    /** Joins the room as the host does (its connect hook runs) and attaches a stand-in socket. */
    private Connection join(Rooms rooms, String id, Socket socket) throws Throwable {
      CompletableFuture<Connection> joined = new CompletableFuture<>();
      byte[] request =
          new ByteList.Builder()
              .add("GET")
              .add("http://127.0.0.1/parties/" + guest + "/bench?_pk=" + id)
              .add(new byte[0])
              .add("host")
              .add("127.0.0.1")
              .build();
      room = rooms.acquire(guest, "bench");
      // Room.attach binds a socket to the Outbound of the calling context's loop: here the room's
      // (the upgrade callback runs on it), so Outbound's end-of-batch task lands on `loop`. On a
      // server, the room's loop and the loop of a socket that arrived on it are one.
      room.connect(
          id,
          "http://127.0.0.1/parties/" + guest + "/bench?_pk=" + id,
          request,
          c -> {
            Room.attach(c, socket.socket);
            // Queued after the attach that Room.attach queued on this same context.
            Vertx.currentContext().runOnContext(v -> joined.complete(c));
          });
      loop.runUntil(joined::isDone);
      return joined.get();
    }

    /**
     * Every message reached the recipient once and was flushed, one flush per message (each is its
     * own batch); none came back to the sender; no socket was closed.
     */
    private boolean relayedAll() {
      Frames to = recipientSocket.frames, back = senderSocket.frames;
      return to.text == sent
          && to.flushed == sent
          && to.flushes == sent
          && to.binary + to.other == 0
          && back.text + back.binary + back.other + back.flushes == 0
          && senderSocket.closes + recipientSocket.closes == 0
          && senderSocket.channel.isOpen()
          && recipientSocket.channel.isOpen();
    }

    @TearDown
    public void tearDown() throws Exception {
      String check =
          relayedAll()
              ? null
              : "the room did not relay every message: "
                  + sent
                  + " sent; recipient "
                  + recipientSocket
                  + ", sender "
                  + senderSocket;
      stop();
      if (check != null) throw new IllegalStateException(check);
    }

    private void stop() throws Exception {
      if (vertx != null) {
        Future<Void> closed = vertx.close();
        if (loop != null) loop.runUntil(closed::isComplete);
        else closed.await();
      }
      if (engine != null) engine.close();
      for (Socket socket : new Socket[] {senderSocket, recipientSocket}) {
        if (socket != null) socket.channel.finishAndReleaseAll();
      }
      if (dataDir != null) {
        try (Stream<Path> files = Files.walk(dataDir)) {
          for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
      }
    }
  }

  @State(Scope.Thread)
  public static class GuestState extends Party {
    /** The broadcast host call: returns at once, or reads and decodes the message first. */
    @Param({"noop", "copy"})
    public String broadcast;

    Guest guest;
    byte[] message = MESSAGE;
    String lastText;
    long calls;
    long wrongExclusions;

    @Setup
    public void setUp() throws Exception {
      GuestModule module = load(new Parties(config()));
      WasmFunctionHandle call =
          broadcast.equals("noop")
              ? (instance, args) -> {
                calls++;
                return new long[] {1};
              }
              : (instance, args) -> {
                Memory m = instance.memory();
                int ptr = (int) args[0],
                    len = (int) args[1],
                    kind = (int) args[2],
                    excludePtr = (int) args[3];
                int excludeCount = (int) args[4];
                long size = (long) m.pages() * Memory.PAGE_SIZE;
                if (Integer.toUnsignedLong(ptr) + len > size
                    || Integer.toUnsignedLong(excludePtr) + 4L * excludeCount > size) {
                  return new long[] {Abi.BAD_POINTER};
                }
                lastText = kind == Abi.TEXT ? Utf8.decode(m.readBytes(ptr, len)) : null;
                int excluded = excludeCount > 0 ? m.readInt(excludePtr) : 0;
                if (excluded != 1)
                  wrongExclusions++; // the sender's handle, as the benchmark passes it
                calls++;
                return new long[] {1};
              };
      List<HostFunction> functions = new ArrayList<>();
      Abi.IMPORTS.forEach(
          (name, type) ->
              functions.add(
                  new HostFunction(
                      Abi.IMPORT_MODULE,
                      name,
                      type,
                      name.equals("broadcast")
                          ? call
                          : (instance, args) -> new long[] {Abi.NOT_IMPLEMENTED})));
      guest = new Guest(module, module.instantiate(functions, List.of()));
      guest.start();
      guest.onMessage(1, message, Abi.TEXT);
      check(1);
    }

    private void check(long atLeast) {
      if (calls < atLeast
          || wrongExclusions != 0
          || (broadcast.equals("copy")
              && !new String(MESSAGE, StandardCharsets.UTF_8).equals(lastText))) {
        throw new IllegalStateException(
            "relay did not broadcast the message: "
                + calls
                + " calls, "
                + wrongExclusions
                + " without the sender excluded, last text "
                + lastText);
      }
    }

    @TearDown
    public void tearDown() {
      check(2);
    }
  }

  @Benchmark
  public void room(RoomState s) throws Throwable {
    s.room.received(s.sender, s.message, Abi.TEXT);
    s.loop
        .runTasks(); // the rest of the loop's batch: Outbound's end of batch flushes the recipient
    s.sent++;
  }

  @Benchmark
  public int guest(GuestState s) {
    return s.guest.onMessage(1, s.message, Abi.TEXT);
  }

  /**
   * A stand-in WebSocket over a real Netty channel: what Connection needs of a Vert.x server socket
   * (its channel handler context, {@code isClosed}, {@code close}); the handlers Room.attach sets are
   * ignored. Frames written to the context reach {@link Frames}.
   */
  static final class Socket implements InvocationHandler {
    final Frames frames = new Frames();

    /** Frames, then where Vert.x's own handler sits: writes from its context go to Frames. */
    final EmbeddedChannel channel = new EmbeddedChannel(frames, new ChannelInboundHandlerAdapter());

    final ChannelHandlerContext context = channel.pipeline().lastContext();
    final ServerWebSocket socket =
        (ServerWebSocket)
            Proxy.newProxyInstance(
                ServerWebSocket.class.getClassLoader(),
                new Class<?>[] {ServerWebSocket.class, WebSocketInternal.class},
                this);
    long closes;

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) {
      switch (method.getName()) {
        case "isClosed" -> {
          return false;
        }
        case "channelHandlerContext" -> {
          return context;
        }
        case "close" -> closes++;
        case "hashCode" -> {
          return System.identityHashCode(proxy);
        }
        case "equals" -> {
          return proxy == args[0];
        }
        case "toString" -> {
          return toString();
        }
        default -> {}
      }
      Class<?> type = method.getReturnType();
      if (type == boolean.class) return false;
      if (type.isPrimitive() && type != void.class) return 0;
      return type.isInstance(proxy)
          ? proxy
          : null; // fluent setters return the socket; writes, a null future
    }

    @Override
    public String toString() {
      return frames + ", " + closes + " closes" + (channel.isOpen() ? "" : ", channel closed");
    }
  }

  /** The end of a stand-in socket's channel: counts the frames written to it and its flushes, drops the frames. */
  static final class Frames extends ChannelOutboundHandlerAdapter {
    long text;
    long binary;
    long other;
    long flushes;

    /** Frames written before the last flush. */
    long flushed;

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
      if (msg instanceof TextWebSocketFrame) text++;
      else if (msg instanceof BinaryWebSocketFrame) binary++;
      else other++;
      ReferenceCountUtil.release(
          msg); // the room's frames share an unreleasable buffer: nothing freed
      promise.trySuccess();
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
      flushes++;
      flushed = text + binary + other;
    }

    @Override
    public String toString() {
      return text
          + " text, "
          + binary
          + " binary, "
          + other
          + " other frames, "
          + flushes
          + " flushes ("
          + flushed
          + " frames flushed)";
    }
  }

  /**
   * An event loop that is the benchmark thread: tasks queued to it (from any thread, in a Netty
   * loop's own kind of queue) run when that thread calls {@link #runTasks}. Timers are kept, never run
   * (the room's idle timer is a day away).
   */
  static final class Loop extends AbstractScheduledEventExecutor implements EventLoop {
    private final Thread owner = Thread.currentThread();
    private final Queue<Runnable> tasks = PlatformDependent.newMpscQueue();
    private final DefaultPromise<Void> terminated =
        new DefaultPromise<>(GlobalEventExecutor.INSTANCE);

    /** Runs the tasks queued so far and those they queue; on the owner thread. */
    void runTasks() {
      for (Runnable task; (task = tasks.poll()) != null; ) task.run();
    }

    /** Runs tasks until {@code done}, waiting for other threads' tasks meanwhile; at most 30 s. */
    void runUntil(java.util.function.BooleanSupplier done) throws TimeoutException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (true) {
        runTasks();
        if (done.getAsBoolean()) return;
        if (System.nanoTime() > deadline) throw new TimeoutException("the room's loop waited 30 s");
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
      }
    }

    @Override
    public void execute(Runnable task) {
      tasks.add(task);
      if (Thread.currentThread() != owner) LockSupport.unpark(owner);
    }

    @Override
    public boolean inEventLoop(Thread thread) {
      return thread == owner;
    }

    @Override
    public EventLoopGroup parent() {
      return this;
    }

    @Override
    public EventLoop next() {
      return this;
    }

    @Override
    public ChannelFuture register(Channel channel) {
      throw new UnsupportedOperationException();
    }

    @Override
    public ChannelFuture register(ChannelPromise promise) {
      throw new UnsupportedOperationException();
    }

    @Override
    public ChannelFuture register(Channel channel, ChannelPromise promise) {
      throw new UnsupportedOperationException();
    }

    @Override
    public boolean isShuttingDown() {
      return false;
    }

    @Override
    public io.netty.util.concurrent.Future<?> shutdownGracefully(
        long quietPeriod, long timeout, TimeUnit unit) {
      return terminated;
    }

    @Override
    public io.netty.util.concurrent.Future<?> terminationFuture() {
      return terminated;
    }

    @Override
    @Deprecated
    public void shutdown() {}

    @Override
    public boolean isShutdown() {
      return false;
    }

    @Override
    public boolean isTerminated() {
      return false;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
      return false;
    }
  }
}
