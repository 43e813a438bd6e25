package dev.partyhost.replay;

import dev.partyhost.HostConfig;
import dev.partyhost.PartyLimits;
import dev.partyhost.Settings;
import dev.partyhost.guest.ExecutionMode;
import dev.partyhost.guest.GuestModule;
import dev.partyhost.guest.ModuleRejectedException;
import dev.partyhost.guest.TracingInterpreter;
import dev.partyhost.party.Parties;
import dev.partyhost.replay.RecordFormat.In;
import dev.partyhost.replay.RecordFormat.Rec;
import dev.partyhost.room.RoomInputs;
import dev.partyhost.room.RoomTap;
import dev.partyhost.room.RoomTaps;
import dev.partyhost.room.Rooms;
import dev.partyhost.storage.RoomKey;
import dev.partyhost.storage.RoomStore;
import dev.partyhost.vertx.VertxInternals;
import io.vertx.core.Vertx;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Re-runs a recorded room against a module, offline: the real rooms code ({@link Rooms}, one event
 * loop, no network), its data seeded from the recording, its clock and random answered from it,
 * interpreted (so that a trap shows the guest's stack). Each recorded hook is driven with its
 * recorded arguments ({@link RoomInputs}); the replay records itself the same way and compares, hook
 * by hook, every output and every answer asked for, byte for byte.
 */
final class Replayer implements AutoCloseable {
  /** The host's loggers' parent, held: a logger nobody holds may be collected with its settings. */
  private static final Logger HOST_LOG = Logger.getLogger("partyhost");

  private final Recording recording;
  private final PrintStream out;
  private final boolean verbose;
  private final RecordedAnswers answers = new RecordedAnswers();
  private final ReplayTime time = new ReplayTime();
  private final Recording replayed = new Recording();
  private final List<String> logLines = new ArrayList<>();
  private volatile int currentEvent;
  private final Handler logCapture =
      new Handler() {
        @Override
        public void publish(LogRecord r) {
          if (!r.getLoggerName().startsWith("partyhost.guest")) return;
          synchronized (logLines) {
            logLines.add("  [event " + currentEvent + "] " + r.getLevel() + " " + r.getMessage());
          }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };
  private final Vertx vertx = Vertx.vertx();
  private RoomRecorder recorder;

  /** The host's data directory, which a replay needs named but writes nothing to. */
  private Path dir;

  /** The module's function names (its name section), or null. */
  private com.dylibso.chicory.wasm.types.NameCustomSection names;

  Replayer(Recording recording, PrintStream out, boolean verbose) {
    this.recording = recording;
    this.out = out;
    this.verbose = verbose;
  }

  /** What a replay found. */
  enum Outcome {
    SAME,
    DIVERGED
  }

  /** Replays every hook, or those up to {@code stopAt} (null: all); prints the report as it goes. */
  Outcome run(byte[] module, Integer stopAt) throws ModuleRejectedException {
    Recording.Header h = recording.header;
    try {
      names = com.dylibso.chicory.wasm.Parser.parse(module).nameSection();
    } catch (RuntimeException unreadable) {
      names = null; // the host's own check says what is wrong with it
    }
    RoomKey key = new RoomKey(h.party(), h.room());
    try {
      dir = Files.createTempDirectory("partyhost-replay");
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    Settings s = new Settings();
    s.mode = ExecutionMode.INTERPRETED; // its traps keep the guest's stack
    s.spareInstances = false;
    s.metrics = false;
    s.dataDir = dir.toString();
    s.compileCacheDir = "";
    s.roomIdleMs = 24L * 3600 * 1000; // the replay decides when the instance ends
    s.time = time;
    // The interpreter is slower than the compiled code that ran the hooks: room for that.
    s.hookDeadlineMs = Math.max(h.hookDeadlineMs(), 30_000);
    s.maxMemoryBytes = h.maxMemoryBytes();
    s.maxMessageBytes = h.maxMessageBytes();
    s.maxConnectionsPerRoom = h.maxConnectionsPerRoom();
    s.storageQuotaBytes = h.storageQuotaBytes();
    s.maxHookOutputBytes = h.maxHookOutputBytes();
    s.maxLogBytesPerHook = h.maxLogBytesPerHook();
    s.guestLogLevel = System.Logger.Level.DEBUG;
    s.vars.put(h.party(), Map.copyOf(h.vars()));
    s.taps =
        new RoomTaps() {
          @Override
          public boolean records(String party) {
            return true;
          }

          @Override
          public RoomTap open(RoomKey room, PartyLimits limits) {
            recorder =
                new RoomRecorder(
                    room, limits, s.build(), answers, (r, at) -> memorySink(), Long.MAX_VALUE);
            return recorder;
          }
        };
    HostConfig config = s.build();
    Parties parties = new Parties(config);
    GuestModule loaded = parties.compile(h.party(), module);
    if (!loaded.sha256().equals(h.moduleSha256()))
      out.println(
          "note: the module is not the recorded one (recorded "
              + h.moduleSha256()
              + ", given "
              + loaded.sha256()
              + ")");
    parties.put(h.party(), loaded);
    Rooms rooms =
        new Rooms(
            vertx,
            config,
            parties,
            new SeededEngine(key, recording.entries, recording.alarm),
            List.of(VertxInternals.newEventLoopContext(vertx)));
    RoomInputs inputs = new RoomInputs(rooms, h.party(), h.room());
    for (Recording.Member m : recording.members)
      inputs.member(m.handle(), m.id(), m.uri(), m.state(), m.tags(), m.closing());
    HOST_LOG.addHandler(logCapture);
    try {
      for (Recording.Event expected : recording.events) {
        if (stopAt != null && expected.number() > stopAt) break;
        currentEvent = expected.number();
        Recording.Call call = expected.call();
        answers.expect(expected.answers());
        time.set(call.nowMs());
        try {
          drive(inputs, call);
        } catch (IllegalStateException gone) { // RoomInputs: no such connection in the replay
          out.println("DIVERGED at event " + expected.number() + " (" + call.hook() + ")");
          out.println("  " + gone.getMessage() + ": the replay refused or closed it earlier");
          return Outcome.DIVERGED;
        }
        rooms.whenIdle().await();
        Recording.Event got =
            replayed.events.size() >= expected.number()
                ? replayed.events.get(expected.number() - 1)
                : null;
        String diff = Compare.events(expected, got, answers.divergence());
        if (diff != null) {
          out.println("DIVERGED at event " + expected.number() + " (" + call.hook() + ")");
          out.println(diff);
          printLog();
          return Outcome.DIVERGED;
        }
        if (verbose) {
          out.println("event " + expected.number() + ": " + Describe.record(expected.hook()));
          for (Rec r : expected.answers()) out.println("    " + r);
          for (Rec r : expected.outputs()) out.println("    " + r);
        }
        if (expected.trapped()) printTrap(expected, got);
      }
      int ran =
          stopAt == null ? recording.events.size() : Math.min(stopAt, recording.events.size());
      out.println(
          "SAME: "
              + ran
              + " of "
              + recording.events.size()
              + " hooks replayed; every output is as recorded");
      if (stopAt != null) printState(ran);
      return Outcome.SAME;
    } finally {
      HOST_LOG.removeHandler(logCapture);
    }
  }

  private RoomRecorder.Sink memorySink() {
    return new RoomRecorder.Sink() {
      @Override
      public boolean write(byte[] chunk) {
        try {
          for (Rec r : RecordFormat.readRecords(new ByteArrayInputStream(chunk))) replayed.add(r);
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
        return true;
      }

      @Override
      public void end() {}
    };
  }

  private static void drive(RoomInputs inputs, Recording.Call c) {
    int[] a = c.ints();
    switch (c.hook()) {
      case "start" -> inputs.start();
      case "connect" -> inputs.connect(a[0], c.connectionId(), c.uri(), c.bytes());
      case "message" -> inputs.message(a[0], c.bytes(), a[1]);
      case "close" -> inputs.close(a[0], a[1], c.bytes());
      case "error" -> inputs.error(a[0], c.bytes());
      case "request" -> inputs.request(c.bytes());
      case "alarm" -> inputs.alarm();
      case "response" -> inputs.response(a[0], a[1], c.bytes());
      default -> throw new RecordFormat.BadRecording("unknown hook " + c.hook());
    }
  }

  private void printTrap(Recording.Event expected, Recording.Event got) {
    out.println(
        "event "
            + expected.number()
            + " ("
            + expected.call().hook()
            + ") trapped, as recorded: "
            + expected.trap());
    if (got != null && got.trapped() && !got.trap().equals(expected.trap()))
      out.println("  the replay's trap (interpreted): " + got.trap());
    List<String> stack = recorder == null ? List.of() : recorder.lastTrapStack();
    if (stack.isEmpty()) out.println("  (no guest stack: the trap did not come from guest code)");
    else {
      out.println("  guest stack, innermost first:");
      for (String frame : stack) out.println("    at " + TracingInterpreter.named(frame, names));
    }
  }

  private void printLog() {
    synchronized (logLines) {
      if (logLines.isEmpty()) return;
      out.println("the guest logged:");
      for (String line : logLines) out.println(line);
    }
  }

  /** The room after event {@code n}: its data, alarm and connections, and what the guest logged. */
  private void printState(int n) {
    NavigableMap<byte[], byte[]> data = RoomStore.emptyMap();
    for (int i = 0; i + 1 < recording.entries.size(); i += 2)
      data.put(recording.entries.get(i), recording.entries.get(i + 1));
    Long alarm = recording.alarm;
    Map<Integer, String> connections = new TreeMap<>();
    for (Recording.Member m : recording.members)
      connections.put(m.handle(), m.id() + " " + m.uri() + (m.closing() ? " (closing)" : ""));
    for (Recording.Event e : replayed.events.subList(0, Math.min(n, replayed.events.size()))) {
      Recording.Call c = e.call();
      if (c.hook().equals("connect")) connections.put(c.handle(), c.connectionId() + " " + c.uri());
      if (c.hook().equals("close")) connections.remove(c.handle());
      for (Rec r : e.outputs()) {
        In in = r.in();
        if (r.type() == RecordFormat.CLOSE) {
          int handle = in.i32();
          connections.computeIfPresent(handle, (h, v) -> v + " (closed by the guest)");
        } else if (r.type() == RecordFormat.STORAGE) {
          if (in.i8() != 0) data.clear();
          int writes = in.i32();
          for (int i = 0; i < writes; i++) {
            byte[] k = in.bytes();
            boolean put = in.i8() != 0;
            byte[] v = in.bytes();
            if (put) data.put(k, v);
            else data.remove(k);
          }
          boolean alarmChanged = in.i8() != 0;
          Long at = in.optLong();
          if (alarmChanged) alarm = at;
        }
      }
    }
    out.println("state after event " + n + ":");
    out.println("  storage: " + data.size() + " entries");
    data.forEach((k, v) -> out.println("    " + Describe.bytes(k) + " = " + Describe.bytes(v)));
    out.println(
        "  alarm: "
            + (alarm == null
                ? "none"
                : alarm + " (" + java.time.Instant.ofEpochMilli(alarm) + ")"));
    out.println("  connections: " + connections.size());
    connections.forEach((h, v) -> out.println("    " + h + ": " + v));
    synchronized (logLines) {
      out.println("  guest log lines so far: " + logLines.size());
      for (String line : logLines) out.println("  " + line);
    }
  }

  @Override
  public void close() {
    vertx.close().await();
    try {
      if (dir != null) Files.deleteIfExists(dir);
    } catch (IOException notEmpty) {
      // left for the system's temporary files
    }
  }
}
