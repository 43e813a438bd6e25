package dev.partyhost;

import dev.partyhost.calls.Allowlist;
import java.lang.System.Logger.Level;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * The limits and settings that apply to one party's rooms: the host-wide settings of the same names,
 * with that party's overrides from the config file's {@code partyLimits} applied.
 *
 * @param hookDeadlineMs CPU time one hook call may take before it is stopped (a trap)
 * @param maxMemoryBytes cap on each instance's linear memory
 * @param maxMessageBytes largest WebSocket message, in or out
 * @param maxConnectionsPerRoom connections one room accepts; more are closed with 1013
 * @param messagesPerSecond messages one connection may send per second (0: no limit); more close it with 1008
 * @param storageQuotaBytes bytes (keys plus values) one room may store
 * @param compression whether WebSockets to the party may negotiate permessage-deflate
 * @param logLevel the lowest level of the party's guest log lines that reach the host log
 * @param record whether the party's rooms record their inputs for {@code replay} (README, "Replaying a room")
 * @param maxCallsInFlight calls ({@code room_call}, {@code http_call}) one room may have unanswered; more
 *     return BUSY
 * @param callTimeoutMs how long a call may take from leaving to its answer; then it is answered TIMED_OUT
 * @param maxCallRequestBytes largest call request (the encoded list); larger ones return TOO_LARGE
 * @param maxCallResponseBytes largest answer to a call (body plus headers); larger ones are answered
 *     TOO_LARGE
 * @param httpAllowlist the hosts the party's rooms may reach with {@code http_call} (none by
 *     default; only in {@code partyLimits}: a list of host names or IP literals, each with an
 *     optional {@code :port})
 * @param snapshots whether a hibernating room keeps its instance's state and wakes from it
 */
public record PartyLimits(
    long hookDeadlineMs,
    int maxMemoryBytes,
    int maxMessageBytes,
    int maxConnectionsPerRoom,
    int messagesPerSecond,
    long storageQuotaBytes,
    boolean compression,
    Level logLevel,
    boolean record,
    int maxCallsInFlight,
    long callTimeoutMs,
    int maxCallRequestBytes,
    int maxCallResponseBytes,
    Allowlist httpAllowlist,
    boolean snapshots) {
  /** The names that {@code partyLimits} may override. */
  public static final Set<String> NAMES =
      Set.of(
          "hookDeadlineMs",
          "maxMemoryBytes",
          "maxMessageBytes",
          "maxConnectionsPerRoom",
          "messagesPerSecond",
          "storageQuotaBytes",
          "compression",
          "logLevel",
          "record",
          "maxCallsInFlight",
          "callTimeoutMs",
          "maxCallRequestBytes",
          "maxCallResponseBytes",
          "httpAllowlist",
          "snapshots");

  /** The levels a guest log may be set to: the ABI's four, and OFF. */
  public static final Set<Level> LOG_LEVELS =
      EnumSet.of(Level.DEBUG, Level.INFO, Level.WARNING, Level.ERROR, Level.OFF);

  public PartyLimits {
    if (hookDeadlineMs < 1
        || maxMessageBytes < 1
        || maxConnectionsPerRoom < 1
        || messagesPerSecond < 0
        || storageQuotaBytes < 0
        || maxMemoryBytes < 65536
        || maxCallsInFlight < 0
        || callTimeoutMs < 1
        || maxCallRequestBytes < 1
        || maxCallResponseBytes < 1) {
      throw new IllegalArgumentException(
          "bad limits: "
              + this
              + " (deadline, message size, connections, call timeout and call sizes at least 1, calls in"
              + " flight at least 0, memory at least one 64 KiB page)");
    }
    if (httpAllowlist == null) throw new IllegalArgumentException("httpAllowlist is null");
    if (!LOG_LEVELS.contains(logLevel)) {
      throw new IllegalArgumentException(
          "a guest log level is one of " + LOG_LEVELS + ", not " + logLevel);
    }
  }

  /** These limits with some replaced, by name: numbers, and true or false for {@code compression}. */
  PartyLimits with(Map<String, ?> overrides) {
    long hookDeadlineMs = this.hookDeadlineMs;
    int maxMemoryBytes = this.maxMemoryBytes;
    int maxMessageBytes = this.maxMessageBytes;
    int maxConnectionsPerRoom = this.maxConnectionsPerRoom;
    int messagesPerSecond = this.messagesPerSecond;
    long storageQuotaBytes = this.storageQuotaBytes;
    boolean compression = this.compression;
    Level logLevel = this.logLevel;
    boolean record = this.record;
    int maxCallsInFlight = this.maxCallsInFlight;
    long callTimeoutMs = this.callTimeoutMs;
    int maxCallRequestBytes = this.maxCallRequestBytes;
    int maxCallResponseBytes = this.maxCallResponseBytes;
    Allowlist httpAllowlist = this.httpAllowlist;
    boolean snapshots = this.snapshots;
    for (Map.Entry<String, ?> o : overrides.entrySet()) {
      switch (o.getKey()) {
        case "hookDeadlineMs" -> hookDeadlineMs = toLong(o);
        case "maxMemoryBytes" -> maxMemoryBytes = toInt(o);
        case "maxMessageBytes" -> maxMessageBytes = toInt(o);
        case "maxConnectionsPerRoom" -> maxConnectionsPerRoom = toInt(o);
        case "messagesPerSecond" -> messagesPerSecond = toInt(o);
        case "storageQuotaBytes" -> storageQuotaBytes = toLong(o);
        case "compression" -> compression = toBoolean(o);
        case "logLevel" -> logLevel = toLevel(o);
        case "record" -> record = toBoolean(o);
        case "maxCallsInFlight" -> maxCallsInFlight = toInt(o);
        case "callTimeoutMs" -> callTimeoutMs = toLong(o);
        case "maxCallRequestBytes" -> maxCallRequestBytes = toInt(o);
        case "maxCallResponseBytes" -> maxCallResponseBytes = toInt(o);
        case "httpAllowlist" -> httpAllowlist = toAllowlist(o);
        case "snapshots" -> snapshots = toBoolean(o);
        default ->
            throw new IllegalArgumentException(
                "unknown party limit " + o.getKey() + " (known: " + NAMES + ")");
      }
    }
    return new PartyLimits(
        hookDeadlineMs,
        maxMemoryBytes,
        maxMessageBytes,
        maxConnectionsPerRoom,
        messagesPerSecond,
        storageQuotaBytes,
        compression,
        logLevel,
        record,
        maxCallsInFlight,
        callTimeoutMs,
        maxCallRequestBytes,
        maxCallResponseBytes,
        httpAllowlist,
        snapshots);
  }

  /**
   * How large one frame may be, and what one compressed frame may inflate to: twice the message limit.
   * A message over the limit but under this is read whole and refused with 1009 (a clean close); more
   * is cut off by the decoder without being read.
   */
  public static int frameCeiling(int maxMessageBytes) {
    return (int) Math.min(Integer.MAX_VALUE - 1024, 2L * maxMessageBytes);
  }

  public int maxMemoryPages() {
    return Math.max(1, maxMemoryBytes / 65536);
  }

  private static boolean toBoolean(Map.Entry<String, ?> o) {
    if (o.getValue() instanceof Boolean b) return b;
    throw new IllegalArgumentException(o.getKey() + " must be true or false, not " + o.getValue());
  }

  private static Allowlist toAllowlist(Map.Entry<String, ?> o) {
    if (!(o.getValue() instanceof java.util.List<?> list))
      throw new IllegalArgumentException(
          "httpAllowlist must be a list of host names or IP literals, not " + o.getValue());
    java.util.List<String> hosts = new java.util.ArrayList<>(list.size());
    for (Object entry : list) {
      if (!(entry instanceof String host))
        throw new IllegalArgumentException("httpAllowlist entries are strings, not " + entry);
      hosts.add(host);
    }
    return Allowlist.of(hosts);
  }

  private static Level toLevel(Map.Entry<String, ?> o) {
    if (o.getValue() instanceof String s) {
      for (Level level : LOG_LEVELS) if (level.name().equalsIgnoreCase(s)) return level;
    }
    throw new IllegalArgumentException(
        o.getKey() + " must be one of " + LOG_LEVELS + ", not " + o.getValue());
  }

  private static long toLong(Map.Entry<String, ?> o) {
    if (o.getValue() instanceof Long
        || o.getValue() instanceof Integer
        || o.getValue() instanceof Short) {
      return ((Number) o.getValue()).longValue();
    }
    if (o.getValue() instanceof java.math.BigInteger)
      throw new IllegalArgumentException(o.getKey() + " is too large: " + o.getValue());
    throw new IllegalArgumentException(o.getKey() + " must be a whole number, not " + o.getValue());
  }

  private static int toInt(Map.Entry<String, ?> o) {
    long v = toLong(o);
    if (v > Integer.MAX_VALUE || v < Integer.MIN_VALUE)
      throw new IllegalArgumentException(o.getKey() + " is too large: " + v);
    return (int) v;
  }
}
