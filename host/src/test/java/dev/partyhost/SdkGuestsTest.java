package dev.partyhost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partyhost.support.LogCapture;
import dev.partyhost.support.RawWs;
import dev.partyhost.support.TestHost;
import dev.partyhost.support.Ws;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The SDKs' own behaviour inside the real host, through their test guests: rust-probe
 * (host/src/test/rust) and c-probe (host/src/test/c).
 */
class SdkGuestsTest {
  private static TestHost host;

  @BeforeAll
  static void start() {
    host = TestHost.start();
  }

  @AfterAll
  static void stop() {
    host.close();
  }

  /** "file:line" of the first line of a test guest's source that contains {@code text}. */
  private static String place(String source, String text) throws Exception {
    List<String> lines = Files.readAllLines(TestHost.root().resolve(source));
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).contains(text)) return Path.of(source).getFileName() + ":" + (i + 1);
    }
    throw new AssertionError(text + " is not in " + source);
  }

  /** The guest's ERROR line for {@code room} that contains every one of {@code parts}. */
  private static void assertErrorLogged(
      LogCapture log, String party, String room, String... parts) {
    String tag = "[" + party + "/" + room + "] ";
    String line =
        log.awaitLine(m -> m.startsWith(tag) && List.of(parts).stream().allMatch(m::contains));
    assertTrue(
        log.lines().stream()
            .anyMatch(l -> l.message().equals(line) && Level.SEVERE.equals(l.level())),
        "not logged at ERROR: " + line);
  }

  @Test
  void aRustPanicInAHookLogsItsMessageAndPlaceBeforeTheTrap() throws Exception {
    String at = place("host/src/test/rust/src/lib.rs", "panic!(\"asked to panic");
    try (LogCapture log = new LogCapture("partyhost.guest");
        Ws ws = host.ws("/parties/rust-probe/message?_pk=a")) {
      ws.send("hello").expectText("hello");
      ws.send("panic on purpose");
      assertEquals(1011, ws.awaitClose());
      assertErrorLogged(
          log,
          "rust-probe",
          "message",
          "panicked at src/lib.rs:",
          "asked to panic: on purpose",
          at);
    }
    // The room starts afresh.
    try (Ws ws = host.ws("/parties/rust-probe/message?_pk=b")) {
      ws.send("again").expectText("again");
    }
  }

  @Test
  void aRustPanicInPartyNewIsLoggedToo() throws Exception {
    String at = place("host/src/test/rust/src/lib.rs", "panic!(\"no room may be called");
    try (LogCapture log = new LogCapture("partyhost.guest")) {
      assertEquals(500, host.get("/parties/rust-probe/panic-in-new").statusCode());
      assertErrorLogged(
          log, "rust-probe", "panic-in-new", "no room may be called panic-in-new", at);
    }
  }

  @Test
  void aRustPanicInABeforeHookIsLoggedToo() throws Exception {
    String at = place("host/src/test/rust/src/lib.rs", "panic!(\"the gate panics");
    try (LogCapture log = new LogCapture("partyhost.guest")) {
      assertEquals(500, host.get("/parties/rust-probe/gate?panic").statusCode());
      assertErrorLogged(log, "rust-probe", "gate", "the gate panics", at);
      assertEquals("ok", host.get("/parties/rust-probe/gate").body());
    }
  }

  /** The same JSON texts to both SDKs' parsers and writers, compiled to Wasm: the same answers. */
  @ParameterizedTest
  @ValueSource(strings = {"rust-probe", "c-probe"})
  void bothSdksReadAndWriteJson(String party) {
    String deep = "[".repeat(128) + "]".repeat(128);
    String[][] cases = {
      {
        "{\"a\": [1, -2.5, \"x\\u00e9\\ud83d\\ude00\\n\\/\", true, null], \"b\": {},\n \"c\": \"é😀\"}",
        "ok {\"a\":[1,-2.5,\"xé😀\\n/\",true,null],\"b\":{},\"c\":\"é😀\"}"
      },
      {"\"\\u0001\\\"\"", "ok \"\\u0001\\\"\""},
      {deep, "ok " + deep},
      {"[" + deep + "]", "error nested too deeply at byte 128"},
      {"", "error unexpected end, expected a value at byte 0"},
      {"[1,]", "error expected a value at byte 3"},
      {"{\"a\":1", "error expected , or } at byte 6"},
      {"{\"a\" 1}", "error expected : at byte 5"},
      {"01", "error leading zero at byte 1"},
      {"[1] x", "error text after the value at byte 4"},
      {"\"\\ud83d\"", "error lone surrogate at byte 1"},
      {"\"a\tb\"", "error control character in string at byte 2"},
      {"NaN", "error expected a value at byte 0"},
    };
    try (Ws ws = host.ws("/parties/" + party + "/json")) {
      for (String[] c : cases) {
        ws.send("json " + c[0]);
        assertEquals(c[1], ws.nextText(), c[0]);
      }
    }
  }

  /** What Party::on_close gets, as ABI section 6 says: the peer's code, 1000 when its close frame has
   * none, 1006 when the connection ends without a close frame. */
  @Test
  void onCloseGetsThePeersCodeOr1000OrWithoutACloseFrame1006() throws Exception {
    try (LogCapture log = new LogCapture("partyhost.guest")) {
      try (RawWs ws = RawWs.open(host, "/parties/rust-probe/closing?_pk=a")) {
        ws.send(true, RawWs.CLOSE, new byte[] {0x0f, (byte) 0xa0, 'b', 'y', 'e'}); // 4000 "bye"
        log.awaitLine(m -> m.equals("[rust-probe/closing] on_close 4000 bye"));
      }
      try (RawWs ws = RawWs.open(host, "/parties/rust-probe/closing?_pk=b")) {
        ws.send(true, RawWs.CLOSE, new byte[0]);
        log.awaitLine(m -> m.equals("[rust-probe/closing] on_close 1000 "));
      }
      RawWs.open(host, "/parties/rust-probe/closing?_pk=c").close(); // no close frame
      log.awaitLine(m -> m.equals("[rust-probe/closing] on_close 1006 "));
    }
  }

  @Test
  void aFailedCAssertionLogsItsConditionAndPlaceBeforeTheTrap() throws Exception {
    String at = place("host/src/test/c/c-probe.c", "PH_ASSERT(n < 10)");
    try (LogCapture log = new LogCapture("partyhost.guest");
        Ws ws = host.ws("/parties/c-probe/assert?_pk=a")) {
      ws.send("assert 9").expectText("assert 9");
      ws.send("assert 10");
      assertEquals(1011, ws.awaitClose());
      assertErrorLogged(
          log, "c-probe", "assert", "assertion failed: n < 10 at host/src/test/c/" + at);
    }
  }
}
