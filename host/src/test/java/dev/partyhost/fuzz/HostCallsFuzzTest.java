package dev.partyhost.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.ValType;
import dev.partyhost.guest.Abi;
import dev.partyhost.guest.ExecutionMode;
import dev.partyhost.support.TestHost;
import dev.partyhost.support.Ws;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The real host calls, with arbitrary arguments, made by a real guest in a real room of a real host.
 * The guest ({@code host/src/test/wat/fuzz-calls.wat}) makes whichever call a command names with the
 * command's arguments; commands come in HTTP request bodies (on_request, where respond is allowed)
 * or WebSocket URLs (on_connect, where conn_set_tags is allowed). Each input is a few commands in a
 * fresh room, with a payload of bytes in guest memory for pointers to point at.
 *
 * <p>The property: every call returns (a status, any i32); since the guest never traps on its own,
 * a trap, a "host failure", any other warning or error in the host's log, an HTTP response that is
 * missing or malformed, or a WebSocket that cannot connect, is a host bug. The room keeps serving:
 * every input ends with a request that must be answered 200.
 */
class HostCallsFuzzTest {
  /** The guest's imports, in its order (abi.json's), which commands index. */
  static final List<String> CALLS =
      List.of(
          "conn_send",
          "broadcast",
          "conn_close",
          "conn_id",
          "conn_uri",
          "conn_find",
          "conn_state_get",
          "conn_state_set",
          "conn_set_tags",
          "conn_tags",
          "conn_list",
          "room_id",
          "party_name",
          "respond",
          "config_get",
          "log",
          "now_ms",
          "random_fill",
          "storage_get",
          "storage_put",
          "storage_put_many",
          "storage_delete",
          "storage_delete_many",
          "storage_list",
          "storage_delete_all",
          "alarm_set",
          "alarm_get",
          "alarm_delete",
          "request_set_header",
          "room_call",
          "http_call");

  /**
   * What each parameter of each call is, so that arguments are often meaningful: H a connection
   * handle, P a pointer, L a length or capacity, N a count of i32s, K a code, kind, level, status,
   * limit or flag, T an i64 time.
   */
  static final List<String> KINDS =
      List.of(
          "HPLK",
          "PLKPN",
          "HKPL",
          "HPL",
          "HPL",
          "PL",
          "HPL",
          "HPL",
          "HPL",
          "HPL",
          "PLPL",
          "PL",
          "PL",
          "KPLPL",
          "PLPL",
          "KPL",
          "",
          "PL",
          "PLPL",
          "PLPL",
          "PL",
          "PL",
          "PL",
          "PLPLPLKKPL",
          "",
          "T",
          "P",
          "",
          "PLPL",
          "PLPLPL",
          "PL");

  /** Codes, kinds, levels and statuses, on and around the edges of what the ABI allows. */
  private static final int[] CODES = {
    0, 1, 2, 3, 4, -1, 999, 1000, 1001, 2999, 3000, 4999, 5000, 101, 199, 200, 204, 304, 418, 599,
    600
  };

  /** Lengths on and around the ABI's limits. */
  private static final int[] LIMITS = {
    123, 124, 256, 257, 2048, 2049, 4096, 4097, 16384, 16385, 65536, 65537
  };

  static final int CLEANUP = 200;
  static final int NOP = 201;
  static final String PARTY = "fuzz-calls";
  static final int PAGE = 65536;
  static final int COMMAND_BYTES = 81;

  /** Where on_connect decodes a command from its URL. */
  static final int CONNECT_COMMAND = 0x100;

  /** Where the guest's allocator puts the request record. */
  static final int RECORD = 0x8000;

  private static TestHost host;
  private static RawHttp http;
  private static Problems problems;
  private static Logger guestLogger;
  private static Path ramDisk;
  private static final AtomicInteger ROOMS = new AtomicInteger();

  /**
   * Starts the host on first use, not in a {@code @BeforeAll}: when fuzzing, Jazzer's agent is attached
   * after those run, and attaching it to a JVM with a running host costs far more. Interpreted: host
   * calls are the same in both modes, and a host that compiles no modules starts in a fraction of the time.
   */
  private static synchronized void start() {
    if (host != null) return;
    problems = Problems.install();
    // Guest log lines are the guest's business (and would flood the console): kept out of the
    // console.
    guestLogger = Logger.getLogger("partyhost.guest");
    guestLogger.setUseParentHandlers(false);
    host =
        TestHost.start(
            c -> {
              c.storageQuotaBytes = 16 * 1024; // reachable with one page of memory
              c.maxMessageBytes = 4096;
              c.roomIdleMs = 1000;
              c.mode = ExecutionMode.INTERPRETED;
              // Every input ends with a commit, each one an fsync: on a RAM disk where there is
              // one.
              Path shm = Path.of("/dev/shm");
              if (Files.isDirectory(shm) && Files.isWritable(shm)) {
                try {
                  ramDisk = Files.createTempDirectory(shm, "partyhost-fuzz-");
                  c.dataDir = ramDisk.toString();
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              }
              c.vars = Map.of(PARTY, Map.of("greeting", "hello", "k", "v"));
            });
    http = new RawHttp(host.port());
    problems.drain(); // whatever starting the host said is not a finding
  }

  @AfterAll
  static void stop() throws IOException {
    if (http != null) http.close();
    if (host != null) host.close();
    if (guestLogger != null) guestLogger.setUseParentHandlers(true);
    if (problems != null) problems.uninstall();
    if (ramDisk != null) {
      try (var files = Files.walk(ramDisk)) {
        for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList())
          Files.deleteIfExists(p);
      }
    }
  }

  /**
   * An input is a few steps, read front to back by {@link Input} (0 once it runs out): a flags byte
   * (connect or request; the last step), for a connect a connection id of 0-3 ASCII bytes, the call's
   * index, the payload (a length byte, times 2), then each argument (see {@link #argument}).
   */
  @FuzzTest
  void hostCalls(byte[] bytes) {
    start();
    Input data = new Input(bytes);
    String room = "room-" + ROOMS.incrementAndGet();
    List<Ws> sockets = new ArrayList<>();
    List<String> done = new ArrayList<>();
    try {
      for (int s = 0; s < 8; s++) {
        int flags = data.u8();
        boolean connect = (flags & 1) != 0;
        String id = connect ? data.ascii(flags >> 1 & 3) : null;
        int call = data.u8() % CALLS.size();
        byte[] payload = data.bytes(2 * data.u8());
        int payloadAt = (connect ? CONNECT_COMMAND : bodyAddress(room)) + COMMAND_BYTES;
        String kinds = KINDS.get(call);
        long[] args = new long[10];
        for (int k = 0; k < kinds.length(); k++)
          args[k] = argument(kinds.charAt(k), data, payloadAt, payload.length, sockets.size());
        byte[] command = command(call, args, payload);
        // Printable only, for readable failure messages.
        String step =
            (connect
                    ? "connect(_pk=" + URLEncoder.encode(id, StandardCharsets.UTF_8) + ") "
                    : "request ")
                + describe(call, args, payload);
        done.add(step);
        if (connect) {
          try {
            sockets.add(host.ws(connectPath(room, id, command)));
          } catch (IllegalStateException e) {
            fail(
                "WebSocket did not connect: "
                    + e.getMessage()
                    + "\nsteps:\n"
                    + String.join("\n", done));
          }
        } else {
          Response r = request(room, command, done);
          if (r.status == 200 && r.body.length != 8 && call != 13)
            fail("unexpected reply " + r + "\nsteps:\n" + String.join("\n", done));
        }
        expectNoProblems(done);
        if ((flags & 0x80) != 0 || data.exhausted()) break;
      }
      // The room still serves; then it is emptied for the next input.
      done.add("request cleanup");
      Response last = request(room, command(CLEANUP, new long[10], new byte[0]), done);
      assertEquals(
          200, last.status, "the room stopped serving\nsteps:\n" + String.join("\n", done));
      assertEquals(0, result(last));
      expectNoProblems(done);
    } finally {
      sockets.forEach(Ws::close);
    }
  }

  /** Checks the harness reaches what it means to: real calls with real results, in both hooks. */
  @Test
  void harnessReachesTheCalls() {
    start();
    assertEquals(
        List.copyOf(Abi.IMPORTS.keySet()), CALLS, "update fuzz-calls.wat, CALLS and KINDS");
    for (int c = 0; c < CALLS.size(); c++) {
      FunctionType type = Abi.IMPORTS.get(CALLS.get(c));
      String kinds = KINDS.get(c);
      assertEquals(type.params().size(), kinds.length(), CALLS.get(c));
      for (int k = 0; k < kinds.length(); k++)
        assertEquals(
            kinds.charAt(k) == 'T', type.params().get(k).equals(ValType.I64), CALLS.get(c));
    }
    String room = "harness-" + ROOMS.incrementAndGet();
    List<String> steps = new ArrayList<>();
    int payload = bodyAddress(room) + COMMAND_BYTES;
    byte[] kv = "keyvalue".getBytes(StandardCharsets.US_ASCII);
    assertEquals(
        0, result(request(room, command(19, new long[] {payload, 3, payload + 3, 5}, kv), steps)));
    assertEquals(
        5, result(request(room, command(18, new long[] {payload, 3, 0x20, 0}, kv), steps)));
    assertEquals(
        room.length(), result(request(room, command(11, new long[] {0x20, 0}, kv), steps)));
    assertEquals(
        Abi.BAD_HANDLE, result(request(room, command(0, new long[] {99, 0, 0, 1}, kv), steps)));
    assertEquals(
        Abi.BAD_POINTER, result(request(room, command(17, new long[] {PAGE - 2, 4}, kv), steps)));
    assertEquals(-1000, result(request(room, command(100, new long[10], kv), steps)));
    assertEquals(0, result(request(room, command(NOP, new long[10], kv), steps)));
    assertEquals(0, result(request(room, command(CLEANUP, new long[10], kv), steps)));
    assertEquals(
        Abi.NOT_FOUND,
        result(request(room, command(18, new long[] {payload, 3, 0x20, 0}, kv), steps)));
    // respond's response stands: 418 with a header and a body from the payload.
    byte[] headers = new ByteBuffer_().item("x-fuzz").item("yes").bytes();
    byte[] body = "teapot".getBytes(StandardCharsets.US_ASCII);
    byte[] respondPayload = concat(headers, body);
    Response teapot =
        request(
            room,
            command(
                13,
                new long[] {418, payload, headers.length, payload + headers.length, body.length},
                respondPayload),
            steps);
    assertEquals(418, teapot.status);
    assertEquals("yes", teapot.headers.get("x-fuzz"));
    assertArrayEquals(body, teapot.body);
    // A header with an empty name is refused (it would go out as ": value"): respond answers
    // INVALID (ABI v1.3).
    byte[] emptyName = new ByteBuffer_().item("").item("x").bytes();
    assertEquals(
        Abi.INVALID,
        result(
            request(
                room,
                command(13, new long[] {200, payload, emptyName.length, payload, 0}, emptyName),
                steps)));
    // In on_connect, conn_set_tags works on the new connection (handle 1 in a fresh room), and the
    // result comes to it.
    byte[] tags = new ByteBuffer_().item("red").bytes();
    try (Ws ws =
        host.ws(
            connectPath(
                room,
                "alice",
                command(8, new long[] {1, CONNECT_COMMAND + COMMAND_BYTES, tags.length}, tags)))) {
      assertArrayEquals(new byte[8], (byte[]) ws.next());
      byte[] tag = "red".getBytes(StandardCharsets.US_ASCII);
      assertEquals(
          4, result(request(room, command(10, new long[] {payload, 3, 0x20, 4}, tag), steps)));
      assertEquals(
          1,
          result(
              request(
                  room,
                  command(5, new long[] {payload, 5}, "alice".getBytes(StandardCharsets.US_ASCII)),
                  steps)));
      assertEquals(
          Abi.WRONG_HOOK, result(request(room, command(8, new long[] {1, 0, 0}, kv), steps)));
    }
    expectNoProblems(steps);
  }

  // --- commands ---

  /**
   * An argument of the given kind (see {@link #KINDS}): a byte picks how, then what it needs follows.
   * Mostly plausible (a handle of a connection made earlier in the input, a pointer into the payload and a length within it, a code on an
   * edge of what the ABI allows), sometimes anything.
   */
  private static long argument(
      char kind, Input data, int payloadAt, int payloadLength, int connections) {
    int pick = data.u8() & 7;
    if (pick == 7) return kind == 'T' ? data.i64() : data.i32(); // anything
    switch (kind) {
      case 'H': // in a fresh room, connections get handles 1, 2, ...; a connecting one the next
        return data.u8() % (connections + 2);
      case 'N':
        return data.u8() & 7;
      case 'K':
        return pick < 5 ? CODES[data.u8() % CODES.length] : data.u16() - 2;
      case 'T':
        return System.currentTimeMillis() + (short) data.u16() * 10L;
      case 'P':
        if (pick < 5)
          return (long) payloadAt + data.u16() % (payloadLength + 1); // into the payload
        return pick == 5 ? PAGE - (data.u8() & 15) : data.u8(); // the end of memory; scratch space
      case 'L':
        if (pick < 4) return data.u16() % (payloadLength + 1);
        return pick == 4 ? data.u8() & 15 : pick == 5 ? LIMITS[data.u8() % LIMITS.length] : PAGE;
      default:
        throw new IllegalArgumentException("kind " + kind);
    }
  }

  /** Reads an input front to back, little-endian; past its end, every read is 0. */
  static final class Input {
    private final byte[] bytes;
    private int at;

    Input(byte[] bytes) {
      this.bytes = bytes;
    }

    boolean exhausted() {
      return at >= bytes.length;
    }

    int u8() {
      return at < bytes.length ? bytes[at++] & 0xff : 0;
    }

    int u16() {
      return u8() | u8() << 8;
    }

    int i32() {
      return u16() | u16() << 16;
    }

    long i64() {
      return (i32() & 0xffffffffL) | (long) i32() << 32;
    }

    byte[] bytes(int n) {
      int take = Math.max(0, Math.min(n, bytes.length - at));
      byte[] out = java.util.Arrays.copyOfRange(bytes, at, at + take);
      at += take;
      return out;
    }

    String ascii(int n) {
      StringBuilder s = new StringBuilder();
      for (byte b : bytes(n)) s.append((char) (b & 0x7f));
      return s.toString();
    }
  }

  static byte[] command(int call, long[] args, byte[] payload) {
    ByteBuffer b =
        ByteBuffer.allocate(COMMAND_BYTES + payload.length).order(ByteOrder.LITTLE_ENDIAN);
    b.put((byte) call);
    for (int k = 0; k < 10; k++) b.putLong(k < args.length ? args[k] : 0);
    b.put(payload);
    return b.array();
  }

  private static String describe(int call, long[] args, byte[] payload) {
    StringBuilder s =
        new StringBuilder(call < CALLS.size() ? CALLS.get(call) : "#" + call).append('(');
    int n = call < CALLS.size() ? Abi.IMPORTS.get(CALLS.get(call)).params().size() : 0;
    for (int k = 0; k < n; k++) s.append(k > 0 ? ", " : "").append(args[k]);
    return s.append(") payload=").append(HexFormat.of().formatHex(payload)).toString();
  }

  /** Where the request body (the command) lands in guest memory: after the record's method and URL. */
  private static int bodyAddress(String room) {
    return RECORD + 4 + "POST".length() + 4 + absoluteUrl(room).length() + 4;
  }

  private static String absoluteUrl(String room) {
    return "http://127.0.0.1:" + host.port() + "/parties/" + PARTY + "/" + room;
  }

  private static String connectPath(String room, String id, byte[] command) {
    return "/parties/"
        + PARTY
        + "/"
        + room
        + "?_pk="
        + URLEncoder.encode(id, StandardCharsets.UTF_8)
        + "&c="
        + HexFormat.of().formatHex(command);
  }

  private static Response request(String room, byte[] command, List<String> steps) {
    try {
      return http.post("/parties/" + PARTY + "/" + room, command);
    } catch (IOException e) {
      http.close();
      throw new AssertionError(
          "HTTP request failed: " + e + "\nsteps:\n" + String.join("\n", steps), e);
    }
  }

  private static long result(Response r) {
    assertEquals(200, r.status, r.toString());
    assertEquals(8, r.body.length, r.toString());
    return ByteBuffer.wrap(r.body).order(ByteOrder.LITTLE_ENDIAN).getLong();
  }

  private static void expectNoProblems(List<String> steps) {
    List<String> found = problems.drain();
    if (!found.isEmpty())
      fail(
          "the host logged:\n"
              + String.join("\n", found)
              + "\nsteps:\n"
              + String.join("\n", steps));
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  /** A byte-string list, built by hand (independent of the host's encoder). */
  private static final class ByteBuffer_ {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    ByteBuffer_ item(String s) {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      out.writeBytes(
          ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(b.length).array());
      out.writeBytes(b);
      return this;
    }

    byte[] bytes() {
      return out.toByteArray();
    }
  }

  // --- what the host logs ---

  /** Every warning and error the host logs (guest log lines aside), with its stack trace. */
  static final class Problems extends Handler {
    private final Logger root = Logger.getLogger("");
    private final List<String> seen = new ArrayList<>();

    static Problems install() {
      Problems p = new Problems();
      p.root.addHandler(p);
      return p;
    }

    void uninstall() {
      root.removeHandler(this);
    }

    @Override
    public synchronized void publish(LogRecord r) {
      if (r.getLevel().intValue() < Level.WARNING.intValue()
          || "partyhost.guest".equals(r.getLoggerName())) return;
      String line = r.getLevel() + " " + r.getLoggerName() + ": " + r.getMessage();
      if (r.getThrown() != null) {
        StringWriter trace = new StringWriter();
        r.getThrown().printStackTrace(new PrintWriter(trace));
        line += "\n" + trace;
      }
      seen.add(line);
    }

    synchronized List<String> drain() {
      List<String> out = new ArrayList<>(seen);
      seen.clear();
      return out;
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  }

  // --- a strict HTTP/1.1 client: it notices a malformed response, or bytes after one ---

  record Response(int status, Map<String, String> headers, byte[] body) {
    @Override
    public String toString() {
      return status + " " + headers + " " + HexFormat.of().formatHex(body);
    }
  }

  static final class RawHttp implements AutoCloseable {
    private final int port;
    private Socket socket;
    private InputStream in;
    private OutputStream out;

    RawHttp(int port) {
      this.port = port;
    }

    Response post(String path, byte[] body) throws IOException {
      if (socket == null) {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(10_000);
        socket.setTcpNoDelay(true);
        in = new java.io.BufferedInputStream(socket.getInputStream());
        out = socket.getOutputStream();
      }
      out.write(
          ("POST "
                  + path
                  + " HTTP/1.1\r\nHost: 127.0.0.1:"
                  + port
                  + "\r\nContent-Length: "
                  + body.length
                  + "\r\n\r\n")
              .getBytes(StandardCharsets.ISO_8859_1));
      out.write(body);
      out.flush();
      String statusLine = line();
      if (!statusLine.matches("HTTP/1\\.1 [1-5][0-9][0-9]( .*)?"))
        throw new IOException("malformed status line: " + statusLine);
      int status = Integer.parseInt(statusLine.substring(9, 12));
      Map<String, String> headers = new java.util.LinkedHashMap<>();
      for (String h = line(); !h.isEmpty(); h = line()) {
        int colon = h.indexOf(':');
        if (colon <= 0 || !h.substring(0, colon).matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+"))
          throw new IOException("malformed header line: " + h);
        headers.merge(
            h.substring(0, colon).toLowerCase(Locale.ROOT),
            h.substring(colon + 1).strip(),
            (a, b) -> a + ", " + b);
      }
      byte[] content;
      if (status == 204 || status == 304 || status < 200) {
        content = new byte[0];
      } else if (headers.containsKey("content-length")) {
        content = in.readNBytes(Integer.parseInt(headers.get("content-length")));
      } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
        ByteArrayOutputStream chunks = new ByteArrayOutputStream();
        for (int size = Integer.parseInt(line().split(";")[0].strip(), 16);
            size > 0;
            size = Integer.parseInt(line().split(";")[0].strip(), 16)) {
          chunks.writeBytes(in.readNBytes(size));
          if (!line().isEmpty()) throw new IOException("malformed chunk");
        }
        while (!line().isEmpty()) {} // trailers
        content = chunks.toByteArray();
      } else {
        throw new IOException("response without a length: " + statusLine + " " + headers);
      }
      if ("close".equalsIgnoreCase(headers.get("connection"))) {
        close();
      } else if (in.available() > 0) {
        byte[] extra = in.readNBytes(in.available());
        close();
        throw new IOException(
            "bytes after the response ("
                + statusLine
                + " "
                + headers
                + "): "
                + new String(extra, StandardCharsets.ISO_8859_1));
      }
      return new Response(status, headers, content);
    }

    private String line() throws IOException {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      for (int c = in.read(); ; c = in.read()) {
        if (c < 0) throw new IOException("connection closed mid-response");
        if (c == '\n') break;
        b.write(c);
        if (b.size() > 65536) throw new IOException("line too long");
      }
      byte[] bytes = b.toByteArray();
      if (bytes.length == 0 || bytes[bytes.length - 1] != '\r')
        throw new IOException("bare LF in response");
      return new String(bytes, 0, bytes.length - 1, StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() {
      try {
        if (socket != null) socket.close();
      } catch (IOException ignored) {
        // closing anyway
      }
      socket = null;
    }
  }
}
