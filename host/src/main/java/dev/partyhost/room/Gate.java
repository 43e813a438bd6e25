package dev.partyhost.room;

import dev.partyhost.HostConfig;
import dev.partyhost.guest.Guest;
import dev.partyhost.guest.GuestModule;
import dev.partyhost.guest.GuestTime;
import dev.partyhost.guest.GuestTrap;
import dev.partyhost.guest.HookResult;
import dev.partyhost.guest.MemoryBudget;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A party's gate: an instance of its module that belongs to no room and runs the before hooks (ABI
 * section 6) before a request reaches its room, on the event loop that received the request. One
 * per party per event loop, created on demand, replaced after a trap or when the party's module
 * changes, dropped when unused for {@code roomIdleMs} (so that a deleted party's or an old version's
 * gate gives its memory back to the host's budget). Used by one thread only.
 */
public final class Gate {
  private static final Logger LOG = System.getLogger("partyhost.gate");
  private static final ThreadLocal<Loop> PER_LOOP = ThreadLocal.withInitial(Loop::new);

  /** One event loop's gates, by party, and the timer that drops the idle ones. */
  private static final class Loop {
    final Map<String, Gate> gates = new HashMap<>();
    private boolean sweeping;

    /** Arms the sweep on the loop's context, once (from a thread outside Vert.x: never). */
    void sweepEvery(long idleMs) {
      Context context = Vertx.currentContext();
      if (sweeping || context == null) return;
      sweeping = true;
      context.owner().setPeriodic(idleMs, id -> sweep(idleMs));
    }

    private void sweep(long idleMs) {
      long now = System.currentTimeMillis();
      gates
          .values()
          .removeIf(
              gate -> {
                if (now - gate.lastUsed < idleMs) return false;
                gate.guest.close();
                return true;
              });
    }

    /** Forgets the party's gate (a trap, a new version); its memory goes back to the budget now. */
    void drop(String party) {
      Gate gone = gates.remove(party);
      if (gone != null) gone.guest.close();
    }
  }

  /** The outcome: a response to send instead of going on (null: go on), and headers to set on the request. */
  public record Verdict(RoomResponse response, Map<String, byte[]> headers) {}

  private final String party;
  private final GuestModule module;
  private final HostConfig config;
  private final Guest guest;
  private final GuestLog wasiLog;

  /** When the gate last ran a hook (read by the idle sweep). */
  private long lastUsed = System.currentTimeMillis();

  /** The log call's lines of the request in progress, tagged with its room. */
  private GuestLog requestLog;

  // The call in progress.
  private String roomId;
  private RoomResponse response;
  private final Map<String, byte[]> headers = new LinkedHashMap<>();
  private int headerCalls;

  private Gate(String party, GuestModule module, HostConfig config) {
    this.party = party;
    this.module = module;
    this.config = config;
    this.wasiLog = new GuestLog(party, "gate", config.maxLogBytesPerHook);
    this.guest =
        Guest.instantiate(
            module,
            GuestLog.tag(party, "gate"),
            GateCalls.TABLE.functions(new GateCalls(this)),
            wasiLog,
            wasiLog.stderr(),
            config.time);
  }

  /**
   * Runs the party's before hook for a WebSocket upgrade ({@code upgrade}) or an HTTP request to
   * {@code roomId}, on the calling thread. Null when the module has no such hook.
   */
  public static Verdict before(
      boolean upgrade,
      String party,
      GuestModule module,
      HostConfig config,
      String roomId,
      byte[] record) {
    if (!(upgrade ? module.hasBeforeConnect() : module.hasBeforeRequest())) return null;
    Loop loop = PER_LOOP.get();
    loop.sweepEvery(config.roomIdleMs);
    Gate gate = loop.gates.get(party);
    if (gate == null || gate.module != module) {
      loop.drop(party); // an older version's
      try {
        gate = new Gate(party, module, config);
      } catch (MemoryBudget.Exhausted e) {
        // Logged by the budget, once in a while; an upgrade gets this answer instead of a
        // handshake.
        return new Verdict(
            RoomResponse.plain(503, "Host memory is full; try again later"), Map.of());
      } catch (GuestTrap e) {
        return failed(loop, party, roomId, HookResult.trapped(e.getMessage()));
      }
      HookResult started = gate.guest.run(config.limits(party).hookDeadlineMs(), Guest::initialize);
      if (started.trapped()) {
        gate.guest.close();
        return failed(loop, party, roomId, started);
      }
      loop.gates.put(party, gate);
    }
    gate.lastUsed = System.currentTimeMillis();
    return gate.run(loop, upgrade, roomId, record);
  }

  /** The gate's instance trapped: a fresh one for the next request. */
  private static Verdict failed(Loop loop, String party, String roomId, HookResult result) {
    loop.drop(party);
    LOG.log(
        Level.WARNING,
        GuestLog.tag(party, roomId) + "before hook failed, answering 500: " + result.trap());
    return new Verdict(
        RoomResponse.plain(500, "Party failed while checking the request"), Map.of());
  }

  private Verdict run(Loop loop, boolean upgrade, String roomId, byte[] record) {
    this.roomId = roomId;
    this.requestLog = new GuestLog(party, roomId, config.maxLogBytesPerHook);
    wasiLog.hookStarted();
    response = null;
    headers.clear();
    headerCalls = 0;
    try {
      HookResult result =
          guest.run(
              config.limits(party).hookDeadlineMs(),
              g -> upgrade ? g.onBeforeConnect(record) : g.onBeforeRequest(record));
      if (result.trapped()) return failed(loop, party, roomId, result);
      String tag = GuestLog.tag(party, roomId);
      if (response != null) {
        if (result.code() != 0)
          LOG.log(Level.INFO, tag + "before hook responded, then returned " + result.code());
        return new Verdict(response, Map.of());
      }
      if (result.code() != 0) {
        LOG.log(Level.INFO, tag + "before hook returned " + result.code() + ", answering 500");
        return new Verdict(
            RoomResponse.plain(500, "Party refused the request without a response"), Map.of());
      }
      return new Verdict(null, new LinkedHashMap<>(headers)); // in order: the record lists them so
    } finally {
      wasiLog.flush(); // a partial stdout line belongs to this request, not the next one
      this.roomId = null;
      requestLog = null;
      response = null;
      headers.clear();
    }
  }

  /** request_set_header: replaces the header, moving it last; false after {@link #MAX_HEADER_CALLS} calls. */
  boolean setHeader(String lowerCaseName, byte[] value) {
    if (headerCalls == MAX_HEADER_CALLS) return false;
    headerCalls++;
    headers.remove(lowerCaseName);
    headers.put(lowerCaseName, value);
    return true;
  }

  static final int MAX_HEADER_CALLS = 64;

  String party() {
    return party;
  }

  String roomId() {
    return roomId;
  }

  void setResponse(RoomResponse r) {
    response = r;
  }

  String configValue(String key) {
    return config.configValue(party, key);
  }

  /** The log of the request in progress (its own budget), else the gate's. */
  GuestLog log() {
    return requestLog != null ? requestLog : wasiLog;
  }

  GuestTime time() {
    return config.time;
  }
}
