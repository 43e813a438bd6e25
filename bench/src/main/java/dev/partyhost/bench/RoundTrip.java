package dev.partyhost.bench;

import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.runtime.WasmFunctionHandle;
import dev.partyhost.HostConfig;
import dev.partyhost.guest.Abi;
import dev.partyhost.guest.ByteList;
import dev.partyhost.guest.ExecutionMode;
import dev.partyhost.guest.Guest;
import dev.partyhost.guest.GuestModule;
import dev.partyhost.guest.Utf8;
import dev.partyhost.party.Parties;
import dev.partyhost.room.Connection;
import dev.partyhost.room.HostCalls;
import dev.partyhost.room.Room;
import dev.partyhost.room.Rooms;
import dev.partyhost.storage.SqliteEngine;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.ServerWebSocket;
import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
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
 *   <li>{@code room}: the whole room-side path of a text frame, {@code Room.message} (what the
 *       socket's text handler posts to the room's event loop): the watchdog's deadline, the real
 *       {@code Guest.onMessage} (partyhost_alloc, memory write, the hook), the real
 *       {@code HostCalls.broadcast} (checks, UTF-8 decode, recipients, output budget, outbox), the
 *       commit check, the outbox release to the recipient's socket and the idle bookkeeping. A room of
 *       two connections, so the message goes to one recipient. Not included: the Vert.x hop onto the
 *       event loop, the socket handler's String to bytes, and the socket write (the sockets are
 *       stand-ins that count frames: a java.lang.reflect.Proxy, some 5% of the row).</li>
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
  static final byte[] MESSAGE = "{\"type\":\"cursor\",\"x\":1024,\"y\":768,\"id\":\"7f3a9c2e\",\"t\":171234567}"
      .getBytes(StandardCharsets.UTF_8);

  static {
    if (MESSAGE.length != 64) throw new AssertionError("message of " + MESSAGE.length + " bytes");
  }

  /** The room's event-loop handler of a frame: private, so reached the way a debugger would. */
  private static final MethodHandle ROOM_MESSAGE;

  static {
    try {
      ROOM_MESSAGE = MethodHandles.privateLookupIn(Room.class, MethodHandles.lookup()).findVirtual(Room.class,
          "message", MethodType.methodType(void.class, Connection.class, byte[].class, int.class));
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** Which guest, how it runs: loaded as the host loads a party (Parties.compile). */
  @State(Scope.Thread)
  public abstract static class Party {
    @Param({"relay-c", "relay-rust"})
    public String guest;

    @Param({"compiled", "interpreted"})
    public String mode;

    HostConfig config() {
      HostConfig config = new HostConfig();
      config.mode = ExecutionMode.valueOf(mode.toUpperCase(Locale.ROOT));
      return config;
    }

    GuestModule load(Parties parties) throws Exception {
      return parties.compile(guest, Files.readAllBytes(Path.of("build/wasm", guest + ".wasm")));
    }
  }

  @State(Scope.Thread)
  public static class RoomState extends Party {
    Room room;
    Connection sender;
    Recorder senderSocket = new Recorder();
    Recorder recipientSocket = new Recorder();
    byte[] message = MESSAGE;
    /** Messages the benchmark sent, setup's check included. */
    long sent;
    private Vertx vertx;
    private SqliteEngine engine;
    private Path dataDir;

    @Setup
    public void setUp() throws Throwable {
      dataDir = Files.createTempDirectory("partyhost-jmh-");
      HostConfig config = config();
      config.dataDir = dataDir.toString();
      config.roomIdleMs = TimeUnit.DAYS.toMillis(1); // the room must not hibernate under the benchmark
      Parties parties = new Parties(config);
      parties.put(guest, load(parties));
      vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
      engine = new SqliteEngine(dataDir);
      Rooms rooms = new Rooms(vertx, config, parties, engine, 1);
      sender = join(rooms, "sender", senderSocket);
      join(rooms, "recipient", recipientSocket);
      // Everything above ran on the room's event loop, which is idle from here on: the benchmark
      // thread is the only one in the room.
      ROOM_MESSAGE.invokeExact(room, sender, message, Abi.TEXT);
      sent++;
      if (!relayedAll()) throw new IllegalStateException("relay did not relay: " + recipientSocket + ", " + senderSocket);
    }

    /** Joins the room as the host does (its connect hook runs) and attaches a stand-in socket. */
    private Connection join(Rooms rooms, String id, Recorder socket) throws Exception {
      CompletableFuture<Connection> joined = new CompletableFuture<>();
      byte[] request = new ByteList.Builder().add("GET")
          .add("http://127.0.0.1/parties/" + guest + "/bench?_pk=" + id).add(new byte[0])
          .add("host").add("127.0.0.1").build();
      room = rooms.acquire(guest, "bench");
      room.connect(id, "http://127.0.0.1/parties/" + guest + "/bench?_pk=" + id, request,
          c -> {
            Room.attach(c, socket.socket);
            // Queued after the attach that Room.attach queued on this same context.
            Vertx.currentContext().runOnContext(v -> joined.complete(c));
          });
      return joined.get(30, TimeUnit.SECONDS);
    }

    /** Every message reached the recipient once, none came back to the sender, no socket was closed. */
    private boolean relayedAll() {
      return recipientSocket.text == sent && senderSocket.text == 0 && senderSocket.closes + recipientSocket.closes == 0;
    }

    @TearDown
    public void tearDown() throws IOException {
      String check = relayedAll() ? null
          : "the room did not relay every message: " + sent + " sent; recipient " + recipientSocket + ", sender " + senderSocket;
      vertx.close().await();
      engine.close();
      try (Stream<Path> files = Files.walk(dataDir)) {
        for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
      }
      if (check != null) throw new IllegalStateException(check);
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
      WasmFunctionHandle call = broadcast.equals("noop") ? (instance, args) -> {
        calls++;
        return new long[] {1};
      } : (instance, args) -> {
        Memory m = instance.memory();
        int ptr = (int) args[0], len = (int) args[1], kind = (int) args[2], excludePtr = (int) args[3];
        int excludeCount = (int) args[4];
        long size = (long) m.pages() * Memory.PAGE_SIZE;
        if (Integer.toUnsignedLong(ptr) + len > size || Integer.toUnsignedLong(excludePtr) + 4L * excludeCount > size) {
          return new long[] {Abi.BAD_POINTER};
        }
        lastText = kind == Abi.TEXT ? Utf8.decode(m.readBytes(ptr, len)) : null;
        int excluded = excludeCount > 0 ? m.readInt(excludePtr) : 0;
        if (excluded != 1) wrongExclusions++; // the sender's handle, as the benchmark passes it
        calls++;
        return new long[] {1};
      };
      List<HostFunction> functions = new ArrayList<>();
      HostCalls.SIGNATURES.forEach((name, type) -> functions.add(new HostFunction(Abi.IMPORT_MODULE, name, type,
          name.equals("broadcast") ? call : (instance, args) -> new long[] {Abi.NOT_IMPLEMENTED})));
      guest = new Guest(module.instantiate(functions, List.of()));
      guest.start();
      guest.onMessage(1, message, Abi.TEXT);
      check(1);
    }

    private void check(long atLeast) {
      if (calls < atLeast || wrongExclusions != 0
          || (broadcast.equals("copy") && !new String(MESSAGE, StandardCharsets.UTF_8).equals(lastText))) {
        throw new IllegalStateException("relay did not broadcast the message: " + calls + " calls, "
            + wrongExclusions + " without the sender excluded, last text " + lastText);
      }
    }

    @TearDown
    public void tearDown() {
      check(2);
    }
  }

  @Benchmark
  public void room(RoomState s) throws Throwable {
    ROOM_MESSAGE.invokeExact(s.room, s.sender, s.message, Abi.TEXT);
    s.sent++;
  }

  @Benchmark
  public int guest(GuestState s) {
    return s.guest.onMessage(1, s.message, Abi.TEXT);
  }

  /** A stand-in WebSocket that counts what the room writes to it. */
  static final class Recorder implements InvocationHandler {
    final ServerWebSocket socket = (ServerWebSocket) Proxy.newProxyInstance(ServerWebSocket.class.getClassLoader(),
        new Class<?>[] {ServerWebSocket.class}, this);
    long text;
    long binary;
    long closes;

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) {
      switch (method.getName()) {
        case "writeTextMessage" -> text++;
        case "writeBinaryMessage" -> binary++;
        case "close" -> closes++;
        case "hashCode" -> { return System.identityHashCode(proxy); }
        case "equals" -> { return proxy == args[0]; }
        case "toString" -> { return toString(); }
        default -> { }
      }
      Class<?> type = method.getReturnType();
      if (type == boolean.class) return false;
      if (type.isPrimitive() && type != void.class) return 0;
      return type.isInstance(proxy) ? proxy : null; // fluent setters return the socket; writes, a null future
    }

    @Override
    public String toString() {
      return text + " text, " + binary + " binary, " + closes + " closes";
    }
  }
}
