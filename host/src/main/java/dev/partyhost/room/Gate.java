package dev.partyhost.room;

import dev.partyhost.HostConfig;
import dev.partyhost.guest.Guest;
import dev.partyhost.guest.GuestModule;
import dev.partyhost.guest.GuestTrap;
import dev.partyhost.guest.HookResult;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A party's gate: an instance of its module that belongs to no room and runs the before hooks (ABI
 * section 6) before a request reaches its room, on the event loop that received the request. One
 * per party per event loop, created on demand, replaced after a trap or when the party's module
 * changes. Used by one thread only.
 */
public final class Gate {
  private static final Logger LOG = System.getLogger("partyhost.gate");
  private static final ThreadLocal<Map<String, Gate>> PER_LOOP =
      ThreadLocal.withInitial(HashMap::new);

  /** The outcome: a response to send instead of going on (null: go on), and headers to set on the request. */
  public record Verdict(RoomResponse response, Map<String, byte[]> headers) {}

  private final String party;
  private final GuestModule module;
  private final HostConfig config;
  private final Guest guest;
  private final GuestLog wasiLog;

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
            module, GateCalls.TABLE.functions(new GateCalls(this)), wasiLog, wasiLog.stderr());
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
    Map<String, Gate> gates = PER_LOOP.get();
    Gate gate = gates.get(party);
    if (gate == null || gate.module != module) {
      HookResult started;
      try {
        gate = new Gate(party, module, config);
        started = gate.guest.run(config.limits(party).hookDeadlineMs(), Guest::initialize);
      } catch (GuestTrap e) {
        started = HookResult.trapped(e.getMessage());
      }
      if (started.trapped()) return failed(gates, party, roomId, started);
      gates.put(party, gate);
    }
    return gate.run(gates, upgrade, roomId, record);
  }

  /** The gate's instance trapped: a fresh one for the next request. */
  private static Verdict failed(
      Map<String, Gate> gates, String party, String roomId, HookResult result) {
    gates.remove(party);
    LOG.log(
        Level.WARNING,
        GuestLog.tag(party, roomId) + "before hook failed, answering 500: " + result.trap());
    return new Verdict(
        RoomResponse.plain(500, "Party failed while checking the request"), Map.of());
  }

  private Verdict run(Map<String, Gate> gates, boolean upgrade, String roomId, byte[] record) {
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
      if (result.trapped()) return failed(gates, party, roomId, result);
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
}
