package dev.partyhost;

import java.util.Map;
import java.util.Set;

/**
 * The limits that apply to one party's rooms: the host-wide settings of the same names, with that
 * party's overrides from the config file's {@code partyLimits} applied.
 *
 * @param hookDeadlineMs CPU time one hook call may take before it is stopped (a trap)
 * @param maxMemoryBytes cap on each instance's linear memory
 * @param maxMessageBytes largest WebSocket message, in or out
 * @param maxConnectionsPerRoom connections one room accepts; more are closed with 1013
 * @param messagesPerSecond messages one connection may send per second (0: no limit); more close it with 1008
 * @param storageQuotaBytes bytes (keys plus values) one room may store
 */
public record PartyLimits(long hookDeadlineMs, int maxMemoryBytes, int maxMessageBytes, int maxConnectionsPerRoom,
                          int messagesPerSecond, long storageQuotaBytes) {
  /** The names that {@code partyLimits} may override. */
  public static final Set<String> NAMES = Set.of("hookDeadlineMs", "maxMemoryBytes", "maxMessageBytes",
      "maxConnectionsPerRoom", "messagesPerSecond", "storageQuotaBytes");

  public PartyLimits {
    if (hookDeadlineMs < 1 || maxMessageBytes < 1 || maxConnectionsPerRoom < 1 || messagesPerSecond < 0
        || storageQuotaBytes < 0 || maxMemoryBytes < 65536) {
      throw new IllegalArgumentException("bad limits: " + this
          + " (deadline, message size and connections at least 1, memory at least one 64 KiB page)");
    }
  }

  /** These limits with some replaced, by name. */
  PartyLimits with(Map<String, Long> overrides) {
    PartyLimits l = this;
    for (Map.Entry<String, Long> o : overrides.entrySet()) {
      long v = o.getValue();
      l = switch (o.getKey()) {
        case "hookDeadlineMs" -> new PartyLimits(v, l.maxMemoryBytes, l.maxMessageBytes, l.maxConnectionsPerRoom, l.messagesPerSecond, l.storageQuotaBytes);
        case "maxMemoryBytes" -> new PartyLimits(l.hookDeadlineMs, toInt(o), l.maxMessageBytes, l.maxConnectionsPerRoom, l.messagesPerSecond, l.storageQuotaBytes);
        case "maxMessageBytes" -> new PartyLimits(l.hookDeadlineMs, l.maxMemoryBytes, toInt(o), l.maxConnectionsPerRoom, l.messagesPerSecond, l.storageQuotaBytes);
        case "maxConnectionsPerRoom" -> new PartyLimits(l.hookDeadlineMs, l.maxMemoryBytes, l.maxMessageBytes, toInt(o), l.messagesPerSecond, l.storageQuotaBytes);
        case "messagesPerSecond" -> new PartyLimits(l.hookDeadlineMs, l.maxMemoryBytes, l.maxMessageBytes, l.maxConnectionsPerRoom, toInt(o), l.storageQuotaBytes);
        case "storageQuotaBytes" -> new PartyLimits(l.hookDeadlineMs, l.maxMemoryBytes, l.maxMessageBytes, l.maxConnectionsPerRoom, l.messagesPerSecond, v);
        default -> throw new IllegalArgumentException("unknown party limit " + o.getKey() + " (known: " + NAMES + ")");
      };
    }
    return l;
  }

  public int maxMemoryPages() {
    return Math.max(1, maxMemoryBytes / 65536);
  }

  private static int toInt(Map.Entry<String, Long> o) {
    if (o.getValue() > Integer.MAX_VALUE || o.getValue() < Integer.MIN_VALUE) {
      throw new IllegalArgumentException(o.getKey() + " is too large: " + o.getValue());
    }
    return (int) (long) o.getValue();
  }
}
