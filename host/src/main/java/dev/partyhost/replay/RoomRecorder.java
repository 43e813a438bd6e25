package dev.partyhost.replay;

import com.dylibso.chicory.runtime.HostFunction;
import dev.partyhost.HostConfig;
import dev.partyhost.PartyLimits;
import dev.partyhost.guest.HookResult;
import dev.partyhost.guest.TracingInterpreter;
import dev.partyhost.room.RoomResponse;
import dev.partyhost.room.RoomTap;
import dev.partyhost.storage.Changes;
import dev.partyhost.storage.RoomKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Records one room, instance by instance, in the recording format ({@link RecordFormat}): on the
 * room's loop it encodes each hook's records into one chunk, and hands the chunk to its {@link Sink}
 * when the hook ends (the host's sink writes it off the loop). A recording that reaches {@code
 * maxBytes} ends with a TRUNCATED record.
 */
final class RoomRecorder implements RoomTap {
  /** Where one recording's bytes go. */
  interface Sink {
    /** The next chunk of records; false if it was refused (the recording then stops). */
    boolean write(byte[] chunk);

    /** The recording is over. */
    void end();
  }

  /** Opens the sink of a recording that starts now. */
  interface Sinks {
    Sink open(RoomKey room, long startedAtMs);
  }

  /** The jar's version, or (run from classes, as in the tests) none. */
  static final String HOST_VERSION =
      java.util.Objects.requireNonNullElse(
          RoomRecorder.class.getPackage().getImplementationVersion(), "unversioned build");

  private final RoomKey room;
  private final PartyLimits limits;
  private final HostConfig config;
  private final Answers answers;
  private final Sinks sinks;
  private final long maxBytes;

  private Sink sink;
  private long bytes;
  private final RecordFormat.Out chunk = new RecordFormat.Out();

  // The hook in progress.
  private boolean inHook;
  private long hookNow;
  private Member hookConnection;

  /** The guest's stack at the last trap (interpreted mode only), for a replay's report. */
  private List<String> lastTrapStack = List.of();

  RoomRecorder(
      RoomKey room,
      PartyLimits limits,
      HostConfig config,
      Answers answers,
      Sinks sinks,
      long maxBytes) {
    this.room = room;
    this.limits = limits;
    this.config = config;
    this.answers = answers;
    this.sinks = sinks;
    this.maxBytes = maxBytes;
  }

  List<String> lastTrapStack() {
    return lastTrapStack;
  }

  @Override
  public List<HostFunction> imports(List<HostFunction> functions) {
    List<HostFunction> wrapped = new ArrayList<>(functions.size());
    for (HostFunction f : functions) {
      if (!Answers.NON_PURE.containsKey(f.name())) {
        wrapped.add(f);
        continue;
      }
      String name = f.name();
      wrapped.add(
          new HostFunction(
              f.module(),
              name,
              f.functionType(),
              (instance, args) -> {
                long[] result = answers.answer(name, instance, args, f.handle());
                if (inHook && sink != null) {
                  long r = result == null || result.length == 0 ? 0 : result[0];
                  add(
                      RecordFormat.ANSWER,
                      new RecordFormat.Out()
                          .str(name)
                          .i64(r)
                          .bytes(Answers.written(name, instance, args, r)));
                }
                return result;
              }));
    }
    return wrapped;
  }

  @Override
  public void started(String moduleSha256, List<byte[]> entries, Long alarm, List<Member> members) {
    if (sink != null) sink.end();
    long now = System.currentTimeMillis();
    sink = sinks.open(room, now);
    bytes = 0;
    chunk.reset();
    RecordFormat.Out header =
        new RecordFormat.Out()
            .str(room.party())
            .str(room.room())
            .str(moduleSha256)
            .str(HOST_VERSION)
            .i64(now)
            .i64(limits.hookDeadlineMs())
            .i32(limits.maxMemoryBytes())
            .i32(limits.maxMessageBytes())
            .i32(limits.maxConnectionsPerRoom())
            .i64(limits.storageQuotaBytes())
            .i64(config.maxHookOutputBytes)
            .i64(config.maxLogBytesPerHook);
    // config_get answers from the party's vars: part of what the room runs on.
    Map<String, String> vars = new TreeMap<>(config.vars.getOrDefault(room.party(), Map.of()));
    header.i32(vars.size());
    vars.forEach((k, v) -> header.str(k).str(v));
    add(RecordFormat.HEADER, header);
    RecordFormat.Out data = new RecordFormat.Out().i32(entries.size() / 2);
    for (byte[] b : entries) data.bytes(b);
    add(RecordFormat.DATA, data.optLong(alarm));
    for (Member m : members) {
      RecordFormat.Out member =
          new RecordFormat.Out().i32(m.handle()).str(m.id()).str(m.uri()).bytes(m.state());
      member.i32(m.tags().size());
      for (String tag : m.tags()) member.str(tag);
      add(RecordFormat.MEMBER, member.i8(m.closing() ? 1 : 0));
    }
  }

  @Override
  public void hookStarting(long nowMs, Member c) {
    inHook = sink != null;
    hookNow = nowMs;
    hookConnection = c;
  }

  @Override
  public void calling(String hook, int[] ints, byte[] data) {
    if (!inHook) return;
    RecordFormat.Out out = new RecordFormat.Out().str(hook).i64(hookNow).i32(ints.length);
    for (int i : ints) out.i32(i);
    out.bytes(data);
    // A connect names the connection the guest may ask about (conn_id, conn_uri).
    boolean connect = hook.equals("connect") && hookConnection != null;
    out.i8(connect ? 1 : 0);
    if (connect) out.str(hookConnection.id()).str(hookConnection.uri());
    add(RecordFormat.HOOK, out);
  }

  @Override
  public void sent(int handle, boolean text, byte[] data) {
    if (inHook)
      add(RecordFormat.FRAME, new RecordFormat.Out().i32(handle).i8(text ? 1 : 0).bytes(data));
  }

  @Override
  public void broadcast(int[] handles, boolean text, byte[] data) {
    if (!inHook) return;
    RecordFormat.Out out = new RecordFormat.Out().i32(handles.length);
    for (int h : handles) out.i32(h);
    add(RecordFormat.BROADCAST, out.i8(text ? 1 : 0).bytes(data));
  }

  @Override
  public void closed(int handle, int code, String reason) {
    if (inHook) add(RecordFormat.CLOSE, new RecordFormat.Out().i32(handle).i32(code).str(reason));
  }

  @Override
  public void hookEnded(HookResult result, Changes changes, RoomResponse response) {
    if (!inHook) return;
    inHook = false;
    if (response != null) {
      RecordFormat.Out out = new RecordFormat.Out().i32(response.status());
      out.i32(response.headers().size());
      for (String h : response.headers()) out.str(h);
      add(RecordFormat.RESPONSE, out.bytes(response.body()));
    }
    if (changes != null) add(RecordFormat.STORAGE, storage(changes));
    add(
        RecordFormat.END,
        new RecordFormat.Out()
            .i8(result.trapped() ? 1 : 0)
            .i32(result.code())
            .str(result.trapped() ? result.trap() : ""));
    lastTrapStack = result.trapped() ? TracingInterpreter.lastTrap() : List.of();
    flush();
  }

  private static RecordFormat.Out storage(Changes changes) {
    RecordFormat.Out out = new RecordFormat.Out().i8(changes.clearsAll() ? 1 : 0);
    out.i32(changes.writes().size());
    changes
        .writes()
        .forEach(
            (k, v) -> {
              out.bytes(k).i8(v == null ? 0 : 1);
              out.bytes(v == null ? new byte[0] : v);
            });
    out.i8(changes.alarmChanged() ? 1 : 0);
    return out.optLong(changes.alarm());
  }

  @Override
  public void ended() {
    if (sink == null) return;
    flush();
    if (sink != null) sink.end();
    sink = null;
    inHook = false;
  }

  private void add(int type, RecordFormat.Out payload) {
    payload.frameInto(type, chunk);
  }

  /** Hands the records so far to the sink; past the limit, the recording ends. */
  private void flush() {
    if (sink == null || chunk.size() == 0) return;
    byte[] bytes = chunk.toByteArray();
    chunk.reset();
    this.bytes += bytes.length;
    if (this.bytes > maxBytes) {
      sink.write(
          RecordFormat.frame(
              RecordFormat.TRUNCATED, new RecordFormat.Out().i64(maxBytes).toByteArray()));
      stop();
    } else if (!sink.write(bytes)) {
      stop();
    }
  }

  private void stop() {
    sink.end();
    sink = null;
    inHook = false;
  }
}
