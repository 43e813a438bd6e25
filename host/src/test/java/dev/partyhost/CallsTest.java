package dev.partyhost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partyhost.guest.Abi;
import dev.partyhost.guest.ByteList;
import dev.partyhost.support.TestHost;
import dev.partyhost.support.Ws;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Calls (ABI v1.4) on a live host: the test guest "caller" makes room_call and http_call when its
 * clients ask and reports the answers it gets in on_response; http calls go to a server on loopback
 * that the test starts. A second host has tight call limits (deadline, calls in flight) and an
 * allowlist that names loopback by name only.
 */
class CallsTest {
  private static final Vertx VERTX = Vertx.vertx();
  private static final Map<String, AtomicInteger> HITS = new ConcurrentHashMap<>();
  private static int serverPort;
  private static TestHost host;
  private static TestHost tight;

  @BeforeAll
  static void start() throws Exception {
    HttpServer server =
        VERTX
            .createHttpServer()
            .requestHandler(
                req -> {
                  HITS.computeIfAbsent(req.path(), p -> new AtomicInteger()).incrementAndGet();
                  switch (req.path()) {
                    case "/hello" -> req.response().putHeader("x-test", "1").end("hi");
                    case "/slow" ->
                        VERTX.setTimer(
                            Long.parseLong(req.getParam("ms")), t -> req.response().end("slow"));
                    case "/never" -> {} // no answer at all
                    case "/big" -> req.response().end("b".repeat(10_000));
                    case "/redirect" ->
                        req.response()
                            .setStatusCode(Integer.parseInt(req.getParam("code")))
                            .putHeader("location", req.getParam("to"))
                            .end();
                    case "/echo" ->
                        req.body()
                            .onSuccess(b -> req.response().end(req.method().name() + " " + b));
                    default -> req.response().setStatusCode(404).end();
                  }
                })
            .listen(0, "127.0.0.1")
            .await();
    serverPort = server.actualPort();
    host =
        TestHost.start(
            c -> {
              c.partyLimits.put("caller", Map.of("httpAllowlist", List.of("127.0.0.1")));
              c.maxCallResponseBytes = 4096;
              c.roomIdleMs = TimeUnit.DAYS.toMillis(1);
            });
    tight =
        TestHost.start(
            c -> {
              c.partyLimits.put(
                  "caller",
                  Map.of(
                      "callTimeoutMs",
                      2000,
                      "maxCallsInFlight",
                      2,
                      "httpAllowlist",
                      List.of("localhost:" + (serverPort + 1), "127.0.0.1:" + serverPort)));
              c.roomIdleMs = 300; // rooms hibernate soon, unless a call is away
            });
  }

  @AfterAll
  static void stop() {
    host.close();
    tight.close();
    VERTX.close().await();
  }

  // --- room to room ---

  @Test
  void aRoomCallReachesTheCalleesOnRequestWithTheCallerHeaderAndItsAnswerComesBack() {
    try (Ws a = host.ws("/parties/caller/head-a")) {
      byte[] req =
          request("POST", "/sub?x=1", "hello", "X-Custom", "v", "x-partyhost-caller", "me");
      int call = result(a.send(roomCall('r', "", "head-b", req)));
      assertTrue(call > 0, "call id " + call);
      Answer answer = answer(a);
      assertEquals(call, answer.call);
      assertEquals(200, answer.status);
      List<byte[]> seen = ByteList.decode(answer.record.get(0)); // the callee's request record
      assertEquals("POST", text(seen.get(0)));
      assertEquals("http://partyhost.internal/parties/caller/head-b/sub?x=1", text(seen.get(1)));
      assertEquals("hello", text(seen.get(2)));
      Map<String, List<String>> headers = headers(seen, 3);
      assertEquals(List.of("v"), headers.get("x-custom"));
      // Only the host names the caller: the one the guest gave is gone.
      assertEquals(List.of("caller/head-a"), headers.get("x-partyhost-caller"));
    }
  }

  @Test
  void aClientCannotSetTheCallerHeader() throws Exception {
    HttpResponse<byte[]> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(host.url("/parties/caller/forged")))
                    .header("x-partyhost-caller", "caller/admin")
                    .POST(HttpRequest.BodyPublishers.ofString("x"))
                    .build(),
                HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, r.statusCode());
    Map<String, List<String>> headers = headers(ByteList.decode(r.body()), 3);
    assertFalse(headers.containsKey("x-partyhost-caller"), headers.toString());
  }

  @Test
  void aCallLeavesOnlyWithItsHooksCommitAndATrapCancelsIt() {
    try (Ws callee = host.ws("/parties/caller/order-b");
        Ws trapping = host.ws("/parties/caller/order-a")) {
      trapping.send(roomCall('R', "", "order-b", request("POST", "", "from a trap")));
      assertEquals(1011, trapping.awaitClose());
      int before = hits("/hello");
      try (Ws httpTrap = host.ws("/parties/caller/order-h")) {
        httpTrap.send(httpCall('H', request("GET", url("/hello"), "")));
        assertEquals(1011, httpTrap.awaitClose());
      }
      callee.expectNothing(500); // the call of the trapping hook never reached the callee
      assertEquals(before, hits("/hello"), "the trapping hook's http call left");
      try (Ws a = host.ws("/parties/caller/order-a")) {
        int call = result(a.send(roomCall('r', "", "order-b", request("POST", "", "committed"))));
        assertEquals("committed", callee.nextText());
        assertEquals(call, answer(a).call);
      }
    }
  }

  @Test
  void aRoomCallingItselfAndTwoRoomsCallingEachOtherComplete() {
    try (Ws self = host.ws("/parties/caller/self")) {
      int call = result(self.send(roomCall('r', "", "self", request("GET", "", "me"))));
      assertEquals("me", self.nextText()); // its own on_request ran, as an event of its own
      Answer answer = answer(self);
      assertEquals(call, answer.call);
      assertEquals(200, answer.status);
    }
    try (Ws a = host.ws("/parties/caller/cycle-a");
        Ws b = host.ws("/parties/caller/cycle-b")) {
      // a calls b; b's on_request calls a back before it answers.
      byte[] back = roomCall('F', "", "cycle-a", request("GET", "", "back"));
      int call = result(a.send(roomCall('r', "", "cycle-b", request("POST", "", back))));
      assertEquals(200, nextAnswerSkippingText(a).status); // "back" reached a meanwhile
      Answer bGot = nextAnswerSkippingText(b);
      assertEquals(200, bGot.status);
      assertTrue(call > 0);
    }
  }

  @Test
  void errorsAreAnswers() {
    try (Ws a = host.ws("/parties/caller/errors")) {
      result(a.send(roomCall('r', "nope", "x", request("GET", "", ""))));
      Answer unknown = answer(a);
      assertEquals(Abi.NOT_FOUND, unknown.status);
      assertEquals("party nope not found", text(unknown.record.get(0)));

      result(a.send(roomCall('r', "", "errors-callee", request("POST", "", "T"))));
      assertEquals(Abi.FAILED, answer(a).status); // the callee trapped

      result(a.send(roomCall('r', "", "errors-callee", request("POST", "", "N"))));
      assertEquals(500, answer(a).status); // it answered nothing

      result(a.send(roomCall('r', "", "errors-callee", request("POST", "", "a".repeat(5000)))));
      assertEquals(Abi.TOO_LARGE, answer(a).status); // its echo is over 4096 bytes

      // Refused at once, nothing sent.
      assertEquals(Abi.INVALID, result(a.send(roomCall('r', "", "", request("GET", "", "")))));
      assertEquals(
          Abi.INVALID, result(a.send(roomCall('r', "", "x", request("GET", "no-slash", "")))));
      assertEquals(Abi.INVALID, result(a.send(roomCall('r', "", "x", request("G T", "", "")))));
      assertEquals(
          Abi.INVALID,
          result(a.send(roomCall('r', "", "x", request("GET", "", "", "x-a", "b\r\nc")))));
      assertEquals(
          Abi.TOO_LARGE,
          result(a.send(roomCall('r', "", "r".repeat(257), request("GET", "", "")))));
      a.expectNothing(200);
    }
  }

  @Test
  void theBeforeHooksGetWrongHook() throws Exception {
    HttpResponse<byte[]> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(host.url("/parties/caller/gate")))
                    .PUT(HttpRequest.BodyPublishers.noBody())
                    .build(),
                HttpResponse.BodyHandlers.ofByteArray());
    ByteBuffer results = ByteBuffer.wrap(r.body()).order(ByteOrder.LITTLE_ENDIAN);
    assertEquals(Abi.WRONG_HOOK, results.getInt()); // room_call
    assertEquals(Abi.WRONG_HOOK, results.getInt()); // http_call
  }

  // --- to the web ---

  @Test
  void anHttpCallGetsTheResponseWhileTheRoomKeepsServing() {
    try (Ws a = host.ws("/parties/caller/web")) {
      int call = result(a.send(httpCall('h', request("GET", url("/slow?ms=700"), ""))));
      long sent = System.nanoTime();
      a.send(new byte[] {'p'});
      assertEquals("p", new String((byte[]) a.next(), StandardCharsets.UTF_8));
      assertTrue(System.nanoTime() - sent < 600_000_000L, "the room waited for its call");
      Answer slow = answer(a);
      assertEquals(call, slow.call);
      assertEquals(200, slow.status);
      assertEquals("slow", text(slow.record.get(0)));

      result(a.send(httpCall('h', request("GET", url("/hello"), ""))));
      Answer hello = answer(a);
      assertEquals(200, hello.status);
      assertEquals("hi", text(hello.record.get(0)));
      assertEquals(List.of("1"), headers(hello.record, 1).get("x-test"));

      result(a.send(httpCall('h', request("GET", url("/big"), ""))));
      assertEquals(Abi.TOO_LARGE, answer(a).status);
    }
  }

  @Test
  void onlyAllowlistedHostsAndListedPrivateAddressesMayBeCalled() {
    try (Ws a = host.ws("/parties/caller/allow")) {
      // Not on the list: refused at once.
      String localhost = "http://localhost:" + serverPort + "/hello";
      assertEquals(Abi.NOT_ALLOWED, result(a.send(httpCall('h', request("GET", localhost, "")))));
      assertEquals(
          Abi.NOT_ALLOWED, result(a.send(httpCall('h', request("GET", "http://10.0.0.1/", "")))));
      assertEquals(
          Abi.INVALID, result(a.send(httpCall('h', request("GET", "ftp://127.0.0.1/", "")))));
      a.expectNothing(200);
    }
    // localhost on that port is on the tight host's list, but it resolves to loopback, which is
    // not (127.0.0.1 is listed for another port): refused when resolved, not a failed connection.
    try (Ws a = tight.ws("/parties/caller/private")) {
      String localhost = "http://localhost:" + (serverPort + 1) + "/hello";
      int call = result(a.send(httpCall('h', request("GET", localhost, ""))));
      Answer refused = answer(a);
      assertEquals(call, refused.call);
      assertEquals(Abi.NOT_ALLOWED, refused.status);
    }
  }

  @Test
  void redirectsAreFollowedAndEachHopIsChecked() {
    try (Ws a = host.ws("/parties/caller/redirects")) {
      String toHello = url("/redirect?code=302&to=" + url("/hello"));
      result(a.send(httpCall('h', request("GET", toHello, ""))));
      Answer followed = answer(a);
      assertEquals(200, followed.status);
      assertEquals("hi", text(followed.record.get(0)));

      // 303 after a POST goes on as a GET without a body.
      String toEcho = url("/redirect?code=303&to=/echo");
      result(a.send(httpCall('h', request("POST", toEcho, "payload"))));
      assertEquals("GET ", text(answer(a).record.get(0)));

      // 307 keeps the method and body.
      result(a.send(httpCall('h', request("POST", url("/redirect?code=307&to=/echo"), "kept"))));
      assertEquals("POST kept", text(answer(a).record.get(0)));

      String away = url("/redirect?code=302&to=http://localhost:" + serverPort + "/hello");
      result(a.send(httpCall('h', request("GET", away, ""))));
      assertEquals(Abi.NOT_ALLOWED, answer(a).status);
    }
  }

  // --- limits ---

  @Test
  void aCallWithoutAnAnswerTimesOutAndTheRoomHasAtMostItsLimitInFlight() {
    try (Ws a = tight.ws("/parties/caller/deadline")) {
      String never = "http://127.0.0.1:" + serverPort + "/never";
      long start = System.nanoTime();
      int first = result(a.send(httpCall('h', request("GET", never, ""))));
      int second = result(a.send(httpCall('h', request("GET", never, ""))));
      assertEquals(Abi.BUSY, result(a.send(httpCall('h', request("GET", never, "")))));
      Answer one = answer(a);
      Answer two = answer(a);
      assertEquals(Abi.TIMED_OUT, one.status);
      assertEquals(Abi.TIMED_OUT, two.status);
      assertEquals(List.of(first, second), List.of(one.call, two.call));
      assertTrue(System.nanoTime() - start >= 2_000_000_000L, "timed out before the deadline");
      int third = result(a.send(httpCall('h', request("GET", never, ""))));
      assertTrue(third > second, "ids are never reused: " + third);
    }
  }

  @Test
  void aRoomWithACallInFlightDoesNotHibernate() throws Exception {
    try (Ws waiting = tight.ws("/parties/caller/waiting");
        Ws idle = tight.ws("/parties/caller/idle")) {
      String slow = "http://127.0.0.1:" + serverPort + "/slow?ms=1500";
      int call = result(waiting.send(httpCall('h', request("GET", slow, ""))));
      idle.send(new byte[] {'p'});
      idle.next();
      Thread.sleep(1000); // over three idle periods
      String rooms = tight.admin("GET", "parties/caller/rooms", null).body();
      com.fasterxml.jackson.databind.JsonNode list =
          new com.fasterxml.jackson.databind.ObjectMapper().readTree(rooms).get("rooms");
      Map<String, String> state = new java.util.TreeMap<>();
      list.forEach(r -> state.put(r.get("id").asText(), r.get("state").asText()));
      assertEquals("hibernated", state.get("idle"), rooms);
      assertEquals("live", state.get("waiting"), rooms);
      Answer answer = answer(waiting);
      assertEquals(call, answer.call);
      assertEquals(200, answer.status);
    }
  }

  @Test
  void answersToTheCallsOfATrappedInstanceAreDropped() {
    int before = hits("/slow");
    try (Ws a = host.ws("/parties/caller/reset")) {
      result(a.send(httpCall('h', request("GET", url("/slow?ms=600"), ""))));
      a.send(new byte[] {'t'});
      assertEquals(1011, a.awaitClose());
    }
    try (Ws again = host.ws("/parties/caller/reset")) {
      again.expectNothing(1200); // the answer came to a new instance, which never called
    }
    assertEquals(before + 1, hits("/slow"), "the call left before the trap");
  }

  // --- helpers ---

  record Answer(int call, int status, List<byte[]> record) {}

  private static String url(String path) {
    return "http://127.0.0.1:" + serverPort + path;
  }

  private static int hits(String path) {
    return HITS.computeIfAbsent(path, p -> new AtomicInteger()).get();
  }

  static byte[] request(String method, String url, Object body, String... headers) {
    ByteList.Builder b =
        new ByteList.Builder()
            .add(method)
            .add(url)
            .add(
                body instanceof byte[] bytes
                    ? bytes
                    : ((String) body).getBytes(StandardCharsets.UTF_8));
    for (String h : headers) b.add(h);
    return b.build();
  }

  static byte[] roomCall(char op, String party, String room, byte[] request) {
    return op(op, new ByteList.Builder().add(party).add(room).add(request).build());
  }

  private static byte[] httpCall(char op, byte[] request) {
    return op(op, request);
  }

  private static byte[] op(char op, byte[] args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(op);
    out.writeBytes(args);
    return out.toByteArray();
  }

  /** The 4-byte result of the call the last message asked for. */
  private static int result(Ws ws) {
    Object m = ws.next();
    assertTrue(m instanceof byte[] b && b.length == 4, "expected a call's result");
    return ByteBuffer.wrap((byte[]) m).order(ByteOrder.LITTLE_ENDIAN).getInt();
  }

  private static Answer answer(Ws ws) {
    Object m = ws.next();
    assertTrue(m instanceof byte[] b && b.length >= 12, "expected an answer, got " + m);
    return decode((byte[]) m);
  }

  /** The next answer, past the request bodies the room's on_request reported (text). */
  private static Answer nextAnswerSkippingText(Ws ws) {
    while (true) {
      Object m = ws.next();
      if (m instanceof byte[] b && b.length >= 12) return decode(b);
    }
  }

  static Answer decode(byte[] b) {
    ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    int call = buf.getInt();
    int status = buf.getInt();
    byte[] record = new byte[b.length - 8];
    buf.get(record);
    return new Answer(call, status, ByteList.decode(record));
  }

  static Map<String, List<String>> headers(List<byte[]> items, int from) {
    Map<String, List<String>> out = new java.util.TreeMap<>();
    for (int i = from; i + 1 < items.size(); i += 2)
      out.computeIfAbsent(text(items.get(i)), k -> new ArrayList<>()).add(text(items.get(i + 1)));
    return out;
  }

  static String text(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }
}
