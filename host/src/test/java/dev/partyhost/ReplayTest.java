package dev.partyhost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partyhost.replay.ReplayCommand;
import dev.partyhost.scenario.ManualTime;
import dev.partyhost.scenario.ScenarioRunner;
import dev.partyhost.support.TestHost;
import dev.partyhost.support.Ws;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Deterministic replay (README, "Replaying a room"): rooms of real modules (chat and poll in Rust,
 * relay-c and the "dice" test guest in C) recorded on the real host over real WebSockets and HTTP,
 * then replayed offline with {@code replay}: the same outputs, a divergence caught and reported, the
 * state at an event, a trap reproduced with the guest's stack. A host that does not record writes
 * nothing.
 */
class ReplayTest {
  private static final ManualTime TIME = new ManualTime(ScenarioRunner.EPOCH_MS);
  private static Path data;

  /** What a replay printed, and its exit code. */
  record Replay(int code, String out) {}

  /** One host, recording, serves every room the tests replay; they are recorded once. */
  @BeforeAll
  static void recordRooms() throws Exception {
    try (TestHost host =
        TestHost.start(
            s -> {
              s.record = true;
              s.time = TIME;
            })) {
      data = Path.of(host.host.config().dataDir);
      Runnable settle = () -> host.host.rooms().whenIdle().await();

      // chat (Rust): history, messages to the others, a close, an HTTP request.
      try (Ws ann = host.ws("/parties/chat/r1?_pk=ann");
          Ws bob = host.ws("/parties/chat/r1?_pk=bob")) {
        ann.nextText();
        bob.nextText();
        ann.send("hello, bob");
        assertTrue(bob.nextText().contains("hello, bob"));
        bob.send("hi, ann");
        assertTrue(ann.nextText().contains("hi, ann"));
      }
      assertEquals(200, host.get("/parties/chat/r1").statusCode());

      // relay-c (C): every message to every other connection.
      try (Ws a = host.ws("/parties/relay-c/r2?_pk=a");
          Ws b = host.ws("/parties/relay-c/r2?_pk=b")) {
        a.send("one");
        assertEquals("one", b.nextText());
        b.send(new byte[] {1, 2, 3});
        a.next();
      }

      // poll (Rust): its clock decides when the poll closes, and its alarm closes it.
      try (Ws ann = host.ws("/parties/poll/lunch?_pk=ann")) {
        ann.nextText();
        assertEquals(
            200, host.post("/parties/poll/lunch?seconds=60", "Tea or coffee?").statusCode());
        ann.nextText();
        ann.send("vote:tea");
        ann.nextText();
        TIME.advance(61_000, settle);
        assertTrue(ann.nextText().contains("closed"));
      }

      // dice (C): random bytes, the clock, an alarm, a response, a close by the guest.
      try (Ws a = host.ws("/parties/dice/d1?_pk=a");
          Ws b = host.ws("/parties/dice/d1?_pk=b")) {
        assertEquals("hello 1", a.nextText());
        assertEquals("hello 2", b.nextText());
        a.send("roll");
        String rolled = a.nextText();
        assertTrue(rolled.startsWith("rolled "), rolled);
        assertEquals(rolled, b.nextText());
        a.send("time");
        assertEquals("now " + TIME.nowMs(), a.nextText());
        a.send("alarm 5000");
        settle.run();
        TIME.advance(5000, settle);
        assertEquals("ding 1", a.nextText());
        assertEquals(200, host.post("/parties/dice/d1", "").statusCode());
        b.send("bye");
        assertEquals(4000, b.awaitClose());
      }

      // dice again: a hook that traps (the room resets, its sockets close with 1011).
      try (Ws c = host.ws("/parties/dice/d2?_pk=c")) {
        c.nextText();
        c.send("roll");
        c.nextText();
        c.send("boom");
        assertEquals(1011, c.awaitClose());
      }
      // dice after a hibernation: the new instance's recording starts with the room's connections.
      try (Ws a = host.ws("/parties/dice/d3?_pk=a");
          Ws b = host.ws("/parties/dice/d3?_pk=b")) {
        a.nextText();
        b.nextText();
        assertEquals(1, host.host.rooms().hibernateAll().await());
        b.send("time");
        assertTrue(b.nextText().startsWith("now "));
        a.send("roll");
        a.nextText();
        b.nextText();
      }

      // wasi-calls (WAT): WASI's clock and random.
      try (Ws w = host.ws("/parties/wasi-calls/w1?_pk=w")) {
        w.send("clock");
        w.nextText();
        w.send("random");
        w.nextText();
      }
      settle.run();
    } // the host stops: every recording is written out
  }

  @Test
  void recordedRoomsReplayWithTheSameOutputs() throws IOException {
    for (String[] room :
        List.of(
            new String[] {"chat", "r1", "wasm"},
            new String[] {"relay-c", "r2", "wasm"},
            new String[] {"poll", "lunch", "wasm"},
            new String[] {"dice", "d1", "test-wasm"},
            new String[] {"wasi-calls", "w1", "test-wasm"})) {
      Path recording = firstRecording(room[0], room[1]);
      Replay r = replay(TestHost.wasm(room[2], room[0]), recording);
      assertEquals(0, r.code(), room[0] + ": " + r.out());
      assertTrue(r.out().contains("SAME: "), r.out());
      assertTrue(r.out().contains("every output is as recorded"), r.out());
    }
  }

  @Test
  void theDiceRecordingHasItsClockRandomAlarmAndResponse() throws IOException {
    Replay r =
        replay(TestHost.wasm("test-wasm", "dice"), firstRecording("dice", "d1"), "--verbose");
    assertEquals(0, r.code(), r.out());
    assertTrue(r.out().contains("answer random_fill -> 0 wrote "), r.out());
    assertTrue(r.out().contains("answer now_ms -> 17672"), r.out()); // 2026, the test's clock
    assertTrue(r.out().contains("hook alarm()"), r.out());
    assertTrue(r.out().contains("response status 200"), r.out());
    assertTrue(r.out().contains("close connection 2 code 4000 reason \"bye\""), r.out());
  }

  /**
   * chat calls the lobby on each join and leave (ABI v1.4): a call's id is an answer of the
   * recording, and the call's answer an event of it, replayed without the call leaving.
   */
  @Test
  void theChatRecordingHasItsCallsToTheLobbyAndTheirAnswers() throws IOException {
    Replay r = replay(TestHost.wasm("wasm", "chat"), firstRecording("chat", "r1"), "--verbose");
    assertEquals(0, r.code(), r.out());
    assertTrue(r.out().contains("answer room_call -> 1"), r.out());
    assertTrue(r.out().contains("hook response(1, 204"), r.out());
  }

  @Test
  void wasiClockAndRandomAreAnsweredFromTheRecording() throws IOException {
    Replay r =
        replay(
            TestHost.wasm("test-wasm", "wasi-calls"),
            firstRecording("wasi-calls", "w1"),
            "--verbose");
    assertEquals(0, r.code(), r.out());
    assertTrue(r.out().contains("answer clock_time_get -> 0 wrote "), r.out());
    assertTrue(r.out().contains("answer random_get -> 0 wrote "), r.out());
  }

  @Test
  void aRecordingAfterAWakeStartsWithTheRoomsConnections() throws IOException {
    List<Path> recordings = recordings("dice", "d3");
    assertEquals(2, recordings.size(), recordings.toString());
    Replay r = replay(TestHost.wasm("test-wasm", "dice"), recordings.get(1), "--verbose");
    assertEquals(0, r.code(), r.out());
    assertTrue(r.out().contains("connections at start: 2"), r.out());
    assertTrue(r.out().contains("event 2: hook message(2, 0, \"time\")"), r.out());
    assertTrue(r.out().contains("broadcast to [1,2] text \"rolled "), r.out());
  }

  @Test
  void aRecordingStopsAtItsLimit() throws Exception {
    Path dir;
    try (TestHost host =
            TestHost.start(
                s -> {
                  s.record = true;
                  s.maxRecordingBytes = 3000;
                });
        Ws a = host.ws("/parties/dice/big?_pk=a")) {
      dir = Path.of(host.host.config().dataDir);
      a.nextText();
      for (int i = 0; i < 50; i++) {
        a.send("time");
        assertTrue(a.nextText().startsWith("now "));
      }
    }
    Path recording;
    try (Stream<Path> files = Files.list(dir.resolve("recordings/dice/big"))) {
      recording = files.findFirst().orElseThrow();
    }
    assertTrue(Files.size(recording) <= 3000 + 64, Files.size(recording) + " bytes");
    Replay r = replay(TestHost.wasm("test-wasm", "dice"), recording);
    assertEquals(0, r.code(), r.out());
    assertTrue(r.out().contains("(truncated: maxRecordingBytes reached)"), r.out());
  }

  @Test
  void anotherModuleDivergesWithAReadableReport() throws IOException {
    Replay r = replay(TestHost.wasm("wasm", "relay-c"), firstRecording("dice", "d1"));
    assertEquals(1, r.code(), r.out());
    assertTrue(r.out().contains("note: the module is not the recorded one"), r.out());
    assertTrue(r.out().contains("DIVERGED at event 2 (connect)"), r.out());
    assertTrue(r.out().contains("expected: frame to 1 text \"hello 1\""), r.out());
  }

  @Test
  void aTamperedRecordingDiverges() throws IOException {
    Path recording = firstRecording("dice", "d1");
    byte[] bytes = Files.readAllBytes(recording);
    int at = indexOf(bytes, "rolled ".getBytes(StandardCharsets.US_ASCII));
    assertTrue(at > 0);
    bytes[at] = 'R'; // the broadcast frame the recording says went out
    Path tampered = Files.createTempFile(data, "tampered-", ".rec");
    Files.write(tampered, bytes);
    Replay r = replay(TestHost.wasm("test-wasm", "dice"), tampered);
    assertEquals(1, r.code(), r.out());
    assertTrue(r.out().contains("output 1 differs"), r.out());
    assertTrue(r.out().contains("expected: broadcast to [1,2] text \"Rolled "), r.out());
    assertTrue(r.out().contains("got:      broadcast to [1,2] text \"rolled "), r.out());
  }

  @Test
  void stopAtPrintsTheRoomsStateThere() throws IOException {
    Replay r =
        replay(TestHost.wasm("test-wasm", "dice"), firstRecording("dice", "d1"), "--stop-at", "4");
    assertEquals(0, r.code(), r.out());
    assertTrue(r.out().contains("SAME: 4 of "), r.out());
    assertTrue(r.out().contains("state after event 4:"), r.out());
    assertTrue(r.out().contains("storage: 2 entries"), r.out()); // connections, last
    assertTrue(r.out().contains("\"last\" = "), r.out()); // 4 random bytes
    assertTrue(r.out().contains("connections: 2"), r.out());
    assertTrue(r.out().contains("1: a http://"), r.out());
    assertTrue(r.out().contains("2: b http://"), r.out());
  }

  @Test
  void stopAtShowsWhatTheGuestLoggedSoFar() throws IOException {
    Replay r =
        replay(TestHost.wasm("wasm", "poll"), firstRecording("poll", "lunch"), "--stop-at", "5");
    assertEquals(0, r.code(), r.out());
    assertTrue(r.out().contains("guest log lines so far: 1"), r.out());
    assertTrue(r.out().contains("[event 5] INFO [poll/lunch] poll closed in room lunch"), r.out());
    assertTrue(r.out().contains("\"result\" = \"{\\\"type\\\":\\\"closed\\\""), r.out());
  }

  @Test
  void aRecordedTrapReproducesWithTheGuestsStack() throws IOException {
    Replay r = replay(TestHost.wasm("test-wasm", "dice"), firstRecording("dice", "d2"));
    assertEquals(0, r.code(), r.out());
    assertTrue(r.out().contains("(message) trapped, as recorded: "), r.out());
    assertTrue(r.out().contains("guest stack, innermost first:"), r.out());
    assertTrue(r.out().contains("at explode_deeper [16]"), r.out());
    assertTrue(r.out().contains("at explode [13]"), r.out());
    assertTrue(r.out().contains("at partyhost_on_message [12]"), r.out());
  }

  @Test
  void badInputExitsWithTwoAndHelpSaysSo() throws IOException {
    Replay help = run("--help");
    assertEquals(0, help.code());
    assertTrue(
        help.out().contains("Exit codes: 0 every output the same, 1 the replay diverged, 2 bad"));
    Path notARecording = Files.createTempFile(data, "not-", ".rec");
    Files.writeString(notARecording, "hello");
    assertEquals(2, replay(TestHost.wasm("test-wasm", "dice"), notARecording).code());
    assertEquals(2, run("only-one-argument").code());
  }

  @Test
  void aHostThatDoesNotRecordWritesNothing() {
    Path dir;
    try (TestHost host = TestHost.start();
        Ws a = host.ws("/parties/dice/quiet?_pk=a")) {
      dir = Path.of(host.host.config().dataDir);
      a.nextText();
      a.send("roll");
      a.nextText();
    }
    assertFalse(Files.exists(dir.resolve("recordings")));
  }

  @Test
  void onePartyRecordsWhenItsPartyLimitsSaySo() throws IOException {
    Path dir;
    try (TestHost host =
            TestHost.start(s -> s.partyLimits.put("dice", java.util.Map.of("record", true)));
        Ws dice = host.ws("/parties/dice/one?_pk=a");
        Ws chat = host.ws("/parties/chat/one?_pk=a")) {
      dir = Path.of(host.host.config().dataDir);
      dice.nextText();
      chat.nextText();
    }
    assertTrue(Files.isDirectory(dir.resolve("recordings/dice/one")));
    assertFalse(Files.exists(dir.resolve("recordings/chat")));
  }

  private static Path firstRecording(String party, String room) throws IOException {
    return recordings(party, room).get(0);
  }

  /** A room's recordings, oldest first (STARTED-N.rec: N counts the host's recordings). */
  private static List<Path> recordings(String party, String room) throws IOException {
    try (Stream<Path> files = Files.list(data.resolve("recordings").resolve(party).resolve(room))) {
      return files
          .sorted(
              java.util.Comparator.comparing(
                  p -> {
                    String name = p.getFileName().toString();
                    return Long.parseLong(name.substring(name.indexOf('-') + 1, name.indexOf('.')));
                  }))
          .toList();
    }
  }

  private static Replay replay(Path wasm, Path recording, String... more) {
    String[] args = new String[2 + more.length];
    args[0] = wasm.toString();
    args[1] = recording.toString();
    System.arraycopy(more, 0, args, 2, more.length);
    return run(args);
  }

  private static Replay run(String... args) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    int code = ReplayCommand.run(args, out, out);
    return new Replay(code, bytes.toString(StandardCharsets.UTF_8));
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) if (haystack[i + j] != needle[j]) continue outer;
      return i;
    }
    return -1;
  }
}
