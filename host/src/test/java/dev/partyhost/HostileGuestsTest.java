package dev.partyhost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.partyhost.support.LogCapture;
import dev.partyhost.support.Poll;
import dev.partyhost.support.TestHost;
import dev.partyhost.support.Ws;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hostile guests against a live host while well-behaved rooms keep serving. The guests are
 * host/src/test/wat/hostile.wat (the room id picks hook and misbehaviour), host/src/test/c/hostile-c.c
 * (message text, room id or request path picks it) and the modules of host/src/test/wat-rejected.
 * Meanwhile 8 relay rooms (relay-c and relay-rust, over every event loop) pass numbered messages;
 * after all tests the class checks that they saw no error and lost nothing, and that no hostile
 * input ever made the host fail ("host failure" in the room log).
 */
class HostileGuestsTest {
  /** Above the default 100 ms so that the guests' legitimate work (growing 16 MiB, a storm) fits on a busy machine. */
  private static final long DEADLINE_MS = 250;

  private static final String DEADLINE = "ran past its CPU deadline of " + DEADLINE_MS + " ms";
  private static TestHost host;
  private static LogCapture roomLog;
  private static LogCapture guestLog;
  private static LogCapture alarmLog;
  private static LogCapture adminLog;
  private static final List<Relay> relays = new ArrayList<>();
  private static final AtomicBoolean traffic = new AtomicBoolean(true);
  private static Thread sender;

  /** The calm sender thread's failure, reported by the tests. */
  private static volatile Throwable senderFailure;

  /** A well-behaved room: one client sends numbered messages, the other must get every one, in order. */
  private record Relay(String path, Ws from, Ws to, int[] sent) {}

  @BeforeAll
  @SuppressWarnings(
      "StaticAssignmentOfThrowable") // the calm sender's failure, kept for the tests to report
  static void start() {
    roomLog = new LogCapture("partyhost.room");
    guestLog = new LogCapture("partyhost.guest");
    alarmLog = new LogCapture("partyhost.alarm");
    adminLog = new LogCapture("partyhost.admin");
    host =
        TestHost.start(
            c -> {
              c.hookDeadlineMs = DEADLINE_MS;
              c.alarmRetries = 1;
              c.alarmRetryMs = 200;
              c.partyLimits.put("hostile-c", Map.of("maxMemoryBytes", 8L * 1024 * 1024));
            });
    // Created first, so that round-robin puts them on every event loop (2 x cores loops; 8 rooms
    // cover up to 8 loops).
    for (int r = 0; r < 8; r++) {
      String path = "/parties/" + (r % 2 == 0 ? "relay-c" : "relay-rust") + "/calm-" + r;
      relays.add(
          new Relay(path, host.ws(path + "?_pk=from"), host.ws(path + "?_pk=to"), new int[1]));
    }
    sender =
        new Thread(
            () -> {
              try {
                while (traffic.get()) {
                  for (Relay relay : relays) relay.from.send(relay.path + " #" + relay.sent[0]++);
                  Thread.sleep(5);
                }
              } catch (Throwable t) {
                senderFailure = t;
              }
            },
            "calm-traffic");
    sender.start();
  }

  /** After every test, whichever ran and in whatever order: the bystanders' check, then the host stops. */
  @AfterAll
  static void stop() throws Exception {
    try {
      wellBehavedRoomsSawNoErrorAndLostNoMessage();
    } finally {
      traffic.set(false);
      for (LogCapture log : List.of(roomLog, guestLog, alarmLog, adminLog)) log.close();
      host.close();
    }
  }

  // --- misbehaviour in every hook: WAT guest ---

  /**
   * Each misbehaviour in each hook of the WAT guest: an endless loop (stopped at the CPU deadline),
   * a trap, recursion until the JVM stack is exhausted, and the same with a storage write at every
   * level (the stack may run out inside a host call). Each resets its room like a trap, never
   * failing the host, and writes made before the trap are undone.
   */
  @ParameterizedTest
  @ValueSource(strings = {"l", "t", "r", "h"})
  void everyHookMisbehavingResetsOnlyItsRoom(String action) throws Exception {
    String expect = action.equals("l") ? DEADLINE : action.equals("t") ? "unreachable" : "";

    // on_start: the room never starts; a WebSocket is closed with 1011, a request gets 500.
    try (Ws ws = host.ws("/parties/hostile/s" + action + "-1")) {
      assertEquals(1011, ws.awaitClose());
    }
    assertEquals(500, host.get("/parties/hostile/s" + action + "-1").statusCode());
    awaitTrap("hostile/s" + action + "-1", "START", expect);

    // on_connect
    try (Ws ws = host.ws("/parties/hostile/c" + action + "-1")) {
      assertEquals(1011, ws.awaitClose());
    }
    awaitTrap("hostile/c" + action + "-1", "CONNECT", expect);
    assertEquals("clean", host.get("/parties/hostile/c" + action + "-1").body());

    // on_message, chosen by the room and by the message
    try (Ws ws = host.ws("/parties/hostile/m" + action + "-1")) {
      ws.send("hello?");
      assertEquals(1011, ws.awaitClose());
    }
    awaitTrap("hostile/m" + action + "-1", "MESSAGE", expect);
    try (Ws ws = host.ws("/parties/hostile/quiet-" + action);
        Ws peer = host.ws("/parties/hostile/quiet-" + action)) {
      ws.send("hello").expectText("hello");
      ws.send(action);
      assertEquals(1011, ws.awaitClose());
      assertEquals(1011, peer.awaitClose());
    }
    awaitTrap("hostile/quiet-" + action, "MESSAGE", expect);
    assertEquals("clean", host.get("/parties/hostile/quiet-" + action).body());
    try (Ws again = host.ws("/parties/hostile/quiet-" + action)) {
      again.send("fresh").expectText("fresh"); // a new instance
    }

    // on_close: the other connection of the room sees the reset.
    try (Ws leaving = host.ws("/parties/hostile/x" + action + "-1");
        Ws staying = host.ws("/parties/hostile/x" + action + "-1")) {
      leaving.send("bye").expectText("bye");
      leaving.close();
      assertEquals(1011, staying.awaitClose());
    }
    awaitTrap("hostile/x" + action + "-1", "CLOSE", expect);

    // on_request
    HttpResponse<String> r = host.get("/parties/hostile/r" + action + "-1");
    assertEquals(500, r.statusCode());
    assertEquals("Room failed while handling the request", r.body());
    awaitTrap("hostile/r" + action + "-1", "REQUEST", expect);

    // partyhost_alloc, called for the connect hook's request record and for a request's
    try (Ws ws = host.ws("/parties/hostile/A" + action + "-1")) {
      assertEquals(1011, ws.awaitClose());
    }
    awaitTrap("hostile/A" + action + "-1", "CONNECT", expect);
    assertEquals(500, host.get("/parties/hostile/A" + action + "-1").statusCode());

    // on_alarm: armed by on_start (the request), due at once, retried once, then given up.
    assertEquals("clean", host.get("/parties/hostile/a" + action + "-1").body());
    awaitTrap("hostile/a" + action + "-1", "ALARM", expect);
    alarmLog.awaitLine(m -> m.contains("hostile/a" + action + "-1") && m.contains("given up"));
    assertEquals("clean", host.get("/parties/hostile/a" + action + "-1").body());
  }

  @Test
  void anAllocatorThatReturnsGarbageResetsTheRoom() {
    for (String room : new String[] {"Az-1", "A0-1"}) {
      try (Ws ws = host.ws("/parties/hostile/" + room)) {
        assertEquals(1011, ws.awaitClose());
      }
      awaitTrap("hostile/" + room, "CONNECT", "partyhost_alloc(");
      assertEquals(500, host.get("/parties/hostile/" + room).statusCode());
    }
  }

  // --- misbehaviour in every hook: C guest ---

  @Test
  void theCGuestMisbehavingInEveryHook() throws Exception {
    for (String what : new String[] {"loop", "trap", "recurse"}) {
      String expect = what.equals("loop") ? DEADLINE : "";
      try (Ws ws = host.ws("/parties/hostile-c/msg-" + what);
          Ws peer = host.ws("/parties/hostile-c/msg-" + what)) {
        ws.send("hi").expectText("hi");
        ws.send(what);
        assertEquals(1011, ws.awaitClose());
        assertEquals(1011, peer.awaitClose());
      }
      awaitTrap("hostile-c/msg-" + what, "MESSAGE", expect);

      try (Ws ws = host.ws("/parties/hostile-c/connect-" + what)) {
        assertEquals(1011, ws.awaitClose());
      }
      awaitTrap("hostile-c/connect-" + what, "CONNECT", expect);

      try (Ws leaving = host.ws("/parties/hostile-c/close-" + what);
          Ws staying = host.ws("/parties/hostile-c/close-" + what)) {
        leaving.close();
        assertEquals(1011, staying.awaitClose());
      }
      awaitTrap("hostile-c/close-" + what, "CLOSE", expect);

      assertEquals(500, host.get("/parties/hostile-c/req-" + what + "/" + what).statusCode());
      awaitTrap("hostile-c/req-" + what, "REQUEST", expect);
      assertEquals(
          "ok", host.get("/parties/hostile-c/req-" + what).body()); // the room serves again

      assertEquals("armed", host.get("/parties/hostile-c/alarm-" + what + "/arm").body());
      awaitTrap("hostile-c/alarm-" + what, "ALARM", expect);
      alarmLog.awaitLine(m -> m.contains("hostile-c/alarm-" + what) && m.contains("given up"));
    }
  }

  // --- memory ---

  @Test
  void memoryGrowsToTheCapAndNoFurther() throws Exception {
    // The WAT guest declares no maximum: the host's 16 MiB (256 pages) applies.
    try (Ws ws = host.ws("/parties/hostile/grow")) {
      ws.send("g").expectText("grew 256");
      ws.send("hello").expectText("hello"); // the room survives
    }
    // The C guest declares 16 MiB; its party's override caps it at 8 MiB.
    try (Ws ws = host.ws("/parties/hostile-c/grow")) {
      ws.send("grow").expectText("grew 128");
      ws.send("hello").expectText("hello");
    }
  }

  @Test
  void modulesThatCannotBeRunSafelyAreRefusedAtUpload() throws Exception {
    String overCap = upload("memory-over-cap");
    assertTrue(overCap.contains("memory too large") && overCap.contains("257 pages"), overCap);
    String loops = upload("abi-loop");
    assertTrue(loops.contains("partyhost_abi_version ran past its CPU deadline"), loops);
    String recurses = upload("abi-recurse");
    assertTrue(recurses.startsWith("Module rejected: module failed to start"), recurses);
    adminLog.awaitLine(
        m -> m.startsWith("upload of party abi-loop rejected: ") && m.contains("CPU deadline"));
    assertEquals(404, host.get("/parties/abi-loop/room").statusCode()); // nothing was installed
  }

  private static String upload(String name) throws Exception {
    byte[] module = Files.readAllBytes(TestHost.wasm("test-wasm-rejected", name));
    HttpResponse<String> r = host.upload(name, module, TestHost.ADMIN_TOKEN, false);
    assertEquals(400, r.statusCode(), r.body());
    return r.body();
  }

  // --- garbage to every host call ---

  @Test
  void garbageArgumentsToEveryHostCallGetAStatus() {
    try (Ws ws = host.ws("/parties/hostile/garbage")) {
      ws.send("b").expectText("bad ok");
    }
    try (Ws ws = host.ws("/parties/hostile-c/garbage")) {
      String reply = ws.send("badptr").nextText();
      assertTrue(reply.startsWith("badptr ok "), reply);
      ws.send("still").expectText("still");
    }
    try (Ws ws = host.ws("/parties/hostile-c/connect-badptr")) {
      String reply = ws.nextText();
      assertTrue(reply.startsWith("badptr ok "), reply);
    }
    HttpResponse<String> r = host.get("/parties/hostile-c/req/badptr");
    assertEquals(200, r.statusCode());
    assertTrue(r.body().startsWith("badptr ok "), r.body());
  }

  // --- output: log lines and broadcast storms ---

  @Test
  void hugeLogLinesAreTruncatedAt16KiB() {
    try (Ws ws = host.ws("/parties/hostile-c/biglog")) {
      ws.send("biglog 100000").expectText("logged 0");
      ws.send("biglog 16384").expectText("logged 0");
    }
    String tag = "[hostile-c/biglog] ";
    String cut = guestLog.awaitLine(m -> m.startsWith(tag + "<") && m.endsWith(" [truncated]"));
    assertEquals(tag.length() + 16 * 1024 + " [truncated]".length(), cut.length());
    String whole = guestLog.awaitLine(m -> m.startsWith(tag + "<") && m.endsWith(">"));
    assertEquals(tag.length() + 16 * 1024, whole.length());
  }

  @Test
  void aBroadcastStormStopsAtTheHookOutputBudget() {
    // 8 connections: each 1 MiB broadcast spends 8 MiB of the hook's 64 MiB.
    List<Ws> room = new ArrayList<>();
    for (int i = 0; i < 8; i++) room.add(host.ws("/parties/hostile-c/storm?_pk=c" + i));
    room.get(0).send("storm");
    for (Ws ws : room) {
      for (int i = 0; i < 8; i++)
        assertEquals(1024 * 1024, ((byte[]) ws.next()).length); // 64 MiB went out
    }
    room.get(0).send("report").expectText("storm 8 -4"); // the 9th broadcast got TOO_LARGE
    for (Ws ws : room) {
      ws.expectNothing(50);
      ws.close();
    }
  }

  // --- transport errors ---

  /** A frame with reserved bits set is a protocol error: it reaches on_error if the transport reports it. */
  @Test
  void aProtocolErrorReachesOnError() throws Exception {
    rawBadFrame("/parties/hostile/el-1");
    awaitTrap("hostile/el-1", "ERROR", DEADLINE);
  }

  private static void rawBadFrame(String path) throws Exception {
    try (Socket socket = new Socket("127.0.0.1", host.port())) {
      socket.setSoTimeout(5000);
      OutputStream out = socket.getOutputStream();
      out.write(
          ("GET "
                  + path
                  + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                  + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
              .getBytes(StandardCharsets.ISO_8859_1));
      InputStream in = socket.getInputStream();
      StringBuilder head = new StringBuilder();
      while (!head.toString().endsWith("\r\n\r\n")) head.append((char) in.read());
      assertTrue(head.toString().startsWith("HTTP/1.1 101"), head.toString());
      out.write(
          new byte[] {(byte) 0xf1, (byte) 0x80, 1, 2, 3, 4}); // FIN, RSV1-3, text; masked, empty
      out.flush();
      in.readAllBytes(); // until the host closes the connection
    }
  }

  // --- the bystanders ---

  /**
   * Checked once all tests ran (from {@link #stop}, so that it depends on no test order): the relay
   * rooms lost nothing and saw no error, and no hostile input made the host fail.
   */
  private static void wellBehavedRoomsSawNoErrorAndLostNoMessage() throws Exception {
    // However few tests ran: some traffic beside them.
    Poll.until(
        () -> senderFailure != null || relays.stream().allMatch(r -> r.sent[0] > 100),
        Ws.TIMEOUT_MS);
    traffic.set(false);
    sender.join(Ws.TIMEOUT_MS);
    if (senderFailure != null) throw new AssertionError("sending failed", senderFailure);
    for (Relay relay : relays) {
      for (int i = 0; i < relay.sent[0]; i++) relay.to.expectText(relay.path + " #" + i);
      relay.to.expectNothing(10);
      relay.from.expectNothing(10);
      assertFalse(relay.from.isClosed() || relay.to.isClosed(), relay.path + " was closed");
      relay.from.close();
      relay.to.close();
    }
    List<String> failures =
        roomLog.messages().stream().filter(m -> m.contains("host failure")).toList();
    assertEquals(List.of(), failures);
    for (LogCapture.Line line : roomLog.lines()) {
      // Its DEBUG lines (each socket opening and closing) are no complaint.
      if (line.level().intValue() >= java.util.logging.Level.INFO.intValue()
          && line.message().contains("calm-"))
        fail("a well-behaved room logged: " + line.message());
    }
  }

  // --- helpers ---

  /** Waits for the room log's line about a trap in {@code hook} of {@code room} containing {@code detail}. */
  private static void awaitTrap(String room, String hook, String detail) {
    roomLog.awaitLine(
        m ->
            m.startsWith("[" + room + "] guest trapped in " + hook + " hook, room reset: ")
                && m.contains(detail));
  }
}
