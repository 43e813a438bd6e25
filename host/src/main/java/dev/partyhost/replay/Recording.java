package dev.partyhost.replay;

import dev.partyhost.replay.RecordFormat.In;
import dev.partyhost.replay.RecordFormat.Rec;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A recording read back: what the instance started from, then its hooks, in order. */
final class Recording {
  /** The HEADER record. */
  record Header(
      String party,
      String room,
      String moduleSha256,
      String hostVersion,
      long startedAtMs,
      long hookDeadlineMs,
      int maxMemoryBytes,
      int maxMessageBytes,
      int maxConnectionsPerRoom,
      long storageQuotaBytes,
      long maxHookOutputBytes,
      long maxLogBytesPerHook,
      Map<String, String> vars) {
    static Header of(Rec r) {
      In in = r.in();
      Header h =
          new Header(
              in.str(),
              in.str(),
              in.str(),
              in.str(),
              in.i64(),
              in.i64(),
              in.i32(),
              in.i32(),
              in.i32(),
              in.i64(),
              in.i64(),
              in.i64(),
              new LinkedHashMap<>());
      int n = in.i32();
      for (int i = 0; i < n; i++) h.vars.put(in.str(), in.str());
      return h;
    }
  }

  /** A MEMBER record: a connection the room had when the instance started. */
  record Member(
      int handle, String id, String uri, byte[] state, List<String> tags, boolean closing) {
    static Member of(Rec r) {
      In in = r.in();
      int handle = in.i32();
      String id = in.str();
      String uri = in.str();
      byte[] state = in.bytes();
      int n = in.i32();
      List<String> tags = new ArrayList<>();
      for (int i = 0; i < n; i++) tags.add(in.str());
      return new Member(handle, id, uri, state, tags, in.i8() != 0);
    }
  }

  /** A HOOK record: the call and its arguments. */
  record Call(String hook, long nowMs, int[] ints, byte[] bytes, String connectionId, String uri) {
    static Call of(Rec r) {
      In in = r.in();
      String hook = in.str();
      long now = in.i64();
      int[] ints = new int[in.i32()];
      for (int i = 0; i < ints.length; i++) ints[i] = in.i32();
      byte[] bytes = in.bytes();
      boolean connection = in.i8() != 0;
      return new Call(
          hook, now, ints, bytes, connection ? in.str() : null, connection ? in.str() : null);
    }

    int handle() {
      return ints.length > 0 ? ints[0] : 0;
    }
  }

  /** One hook: its HOOK record, the answers it got, its outputs (the last is its END). */
  record Event(int number, Rec hook, List<Rec> answers, List<Rec> outputs) {
    Call call() {
      return Call.of(hook);
    }

    boolean ended() {
      return !outputs.isEmpty() && outputs.get(outputs.size() - 1).type() == RecordFormat.END;
    }

    /** The END record's fields: trapped, code, message. */
    boolean trapped() {
      return ended() && end().i8() != 0;
    }

    String trap() {
      In in = end();
      in.i8();
      in.i32();
      return in.str();
    }

    private In end() {
      return outputs.get(outputs.size() - 1).in();
    }
  }

  Header header;
  final List<byte[]> entries = new ArrayList<>();
  Long alarm;
  final List<Member> members = new ArrayList<>();
  final List<Event> events = new ArrayList<>();
  boolean truncated;

  static Recording read(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      Recording r = new Recording();
      for (Rec rec : RecordFormat.readAll(in)) r.add(rec);
      if (r.header == null) throw new RecordFormat.BadRecording("the recording has no header");
      r.dropUnfinished();
      return r;
    }
  }

  /** Takes the next record, in file order. */
  void add(Rec rec) {
    switch (rec.type()) {
      case RecordFormat.HEADER -> header = Header.of(rec);
      case RecordFormat.DATA -> {
        In in = rec.in();
        int n = in.i32();
        for (int i = 0; i < 2 * n; i++) entries.add(in.bytes());
        alarm = in.optLong();
      }
      case RecordFormat.MEMBER -> members.add(Member.of(rec));
      case RecordFormat.HOOK ->
          events.add(new Event(events.size() + 1, rec, new ArrayList<>(), new ArrayList<>()));
      case RecordFormat.ANSWER -> last().answers().add(rec);
      case RecordFormat.TRUNCATED -> truncated = true;
      default -> last().outputs().add(rec);
    }
  }

  private Event last() {
    if (events.isEmpty())
      throw new RecordFormat.BadRecording("a hook's record comes before any hook");
    return events.get(events.size() - 1);
  }

  /** A hook the recording has no END for (the host stopped mid-write) is left out. */
  private void dropUnfinished() {
    if (!events.isEmpty() && !events.get(events.size() - 1).ended())
      events.remove(events.size() - 1);
  }

  /** The parts of the recording, for the first lines of a report. */
  Map<String, String> summary() {
    Map<String, String> s = new LinkedHashMap<>();
    s.put("party", header.party());
    s.put("room", header.room());
    s.put("module", header.moduleSha256());
    s.put("host", header.hostVersion());
    s.put("started", java.time.Instant.ofEpochMilli(header.startedAtMs()).toString());
    s.put(
        "data",
        entries.size() / 2 + " entries" + (alarm == null ? ", no alarm" : ", alarm at " + alarm));
    s.put("connections at start", String.valueOf(members.size()));
    s.put("hooks", events.size() + (truncated ? " (truncated: maxRecordingBytes reached)" : ""));
    return s;
  }
}
