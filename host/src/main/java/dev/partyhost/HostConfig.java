package dev.partyhost;

import dev.partyhost.guest.ExecutionMode;
import dev.partyhost.guest.GuestTime;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The configuration a host runs with: {@link Settings} checked and frozen, built once. Every field is
 * final and the maps are unmodifiable copies; each party's limits are worked out here, once, not on
 * every request. The meaning of each setting is documented on {@link Settings} (and by {@code --help}).
 */
public final class HostConfig {
  public final String host;
  public final int port;
  public final String parties;
  public final boolean strict;
  public final boolean watch;
  public final String mainParty;
  public final ExecutionMode mode;
  public final String transport;
  public final int maxMessageBytes;
  public final int maxRequestBytes;
  public final long requestHeaderTimeoutMs;
  public final int maxModuleBytes;
  public final int maxMemoryBytes;
  public final int maxTableElements;

  /** The guest memory budget in bytes, worked out: the setting, or half the heap when it is 0. */
  public final long maxGuestMemoryBytes;

  public final int maxOutboundBytes;
  public final int maxInboxBytes;
  public final long maxLogBytesPerHook;
  public final long hookDeadlineMs;
  public final int maxConnectionsPerRoom;
  public final int messagesPerSecond;
  public final long maxHookOutputBytes;
  public final int maxRooms;
  public final int maxConnections;
  public final long roomIdleMs;
  public final String dataDir;
  public final String compileCacheDir;
  public final String postgresUrl;
  public final long storageQuotaBytes;
  public final long alarmRetryMs;
  public final int alarmRetries;
  public final boolean compression;
  public final int maxSnapshotBytes;
  public final boolean spareInstances;
  public final long maxRecordingBytes;

  /** A replay's room taps, or null: the host records rooms of parties with {@code record} on. */
  public final dev.partyhost.room.RoomTaps taps;

  public final System.Logger.Level guestLogLevel;
  public final boolean metrics;
  public final boolean metricsPublic;

  /** How log lines are printed: {@code text} or {@code json} (one object per line). */
  public final String logFormat;

  /** The folder served at {@code /} ({@link Settings#staticDir}), or null. */
  public final String staticDir;

  public final boolean staticSpa;

  /** Per-party values that guests read with {@code config_get}: party → key → value. */
  public final Map<String, Map<String, String>> vars;

  /** Bearer token of the admin API, or null: the admin API is off. */
  public final String adminToken;

  /** The guests' time (now_ms, WASI's clock, alarms): the system's, or a scenario's. */
  public final GuestTime time;

  /** How this node joins its cluster; null when it runs alone. */
  public final ClusterConfig cluster;

  /**
   * A node's cluster settings (see {@link Settings#cluster}).
   *
   * @param members host:port of the members' cluster ports, as given
   * @param nodeId the node's name, or null for {@code node-PORT} (known once the host listens)
   * @param partyReconcileMs how often the node compares the store's current party versions with its own
   */
  public record ClusterConfig(
      java.util.List<String> members,
      String host,
      int port,
      String nodeId,
      long leaseMs,
      dev.partyhost.cluster.Placement placement,
      long partyReconcileMs,
      String secret) {
    /** Without the secret, should this ever reach a log line. */
    @Override
    public String toString() {
      return "ClusterConfig[members="
          + members
          + ", host="
          + host
          + ", port="
          + port
          + ", nodeId="
          + nodeId
          + ", leaseMs="
          + leaseMs
          + ", placement="
          + placement
          + ", partyReconcileMs="
          + partyReconcileMs
          + "]";
    }
  }

  /**
   * This host as a node that serves clients other nodes forward to it: its name (for the
   * {@code x-partyhost-node} header) and the secret forwarded requests carry. Null when it serves
   * none. Every node of a cluster has one; a host alone gets one when it is given a cluster secret
   * (the forwarding tests' owners).
   */
  public final Node node;

  /** See {@link #node}. */
  public record Node(String id, String secret) {
    @Override
    public String toString() {
      return "Node[" + id + "]"; // never the secret
    }
  }

  /** The settings this was built from (a private copy), for {@link #toSettings}. */
  private final Settings source;

  private final PartyLimits defaultLimits;

  /** The limits of each party that has overrides. */
  private final Map<String, PartyLimits> partyLimits;

  HostConfig(Settings settings) {
    this(settings, settings.copy());
  }

  /** From {@code settings}, remembering {@code asGiven} as the settings it came from. */
  private HostConfig(Settings settings, Settings asGiven) {
    Settings s = settings.copy();
    this.source = asGiven;
    this.host = s.host;
    this.port = s.port;
    this.parties = s.parties;
    this.strict = s.strict;
    this.watch = s.watch;
    this.mainParty = s.mainParty;
    this.mode = s.mode;
    this.transport = s.transport;
    this.maxMessageBytes = s.maxMessageBytes;
    this.maxRequestBytes = s.maxRequestBytes;
    this.requestHeaderTimeoutMs = s.requestHeaderTimeoutMs;
    this.maxModuleBytes = s.maxModuleBytes;
    this.maxMemoryBytes = s.maxMemoryBytes;
    this.maxTableElements = s.maxTableElements;
    this.maxGuestMemoryBytes =
        s.maxGuestMemoryBytes > 0 ? s.maxGuestMemoryBytes : Runtime.getRuntime().maxMemory() / 2;
    this.maxOutboundBytes = s.maxOutboundBytes;
    this.maxInboxBytes = s.maxInboxBytes;
    this.maxLogBytesPerHook = s.maxLogBytesPerHook;
    this.hookDeadlineMs = s.hookDeadlineMs;
    this.maxConnectionsPerRoom = s.maxConnectionsPerRoom;
    this.messagesPerSecond = s.messagesPerSecond;
    this.maxHookOutputBytes = s.maxHookOutputBytes;
    this.maxRooms = s.maxRooms;
    this.maxConnections = s.maxConnections;
    this.roomIdleMs = s.roomIdleMs;
    this.dataDir = s.dataDir;
    this.compileCacheDir = s.compileCacheDir;
    this.postgresUrl = s.postgresUrl;
    this.storageQuotaBytes = s.storageQuotaBytes;
    this.alarmRetryMs = s.alarmRetryMs;
    this.alarmRetries = s.alarmRetries;
    this.compression = s.compression;
    this.maxSnapshotBytes = s.maxSnapshotBytes;
    this.spareInstances = s.spareInstances;
    this.maxRecordingBytes = s.maxRecordingBytes;
    this.taps = s.taps;
    this.guestLogLevel = s.guestLogLevel;
    this.metrics = s.metrics;
    this.metricsPublic = s.metricsPublic;
    this.logFormat = s.logFormat;
    this.staticDir = s.staticDir;
    this.staticSpa = s.staticSpa;
    Map<String, Map<String, String>> vars = new HashMap<>();
    s.vars.forEach((party, values) -> vars.put(party, Map.copyOf(values)));
    this.vars = Map.copyOf(vars);
    this.adminToken = s.adminToken;
    this.time = s.time;
    this.cluster =
        !s.cluster
            ? null
            : new ClusterConfig(
                java.util.Arrays.stream(s.clusterMembers.split(","))
                    .map(String::trim)
                    .filter(m -> !m.isEmpty())
                    .toList(),
                s.clusterHost,
                s.clusterPort,
                s.nodeId,
                s.nodeLeaseMs,
                s.placement,
                s.partyReconcileMs,
                s.clusterSecret);
    boolean secret = s.clusterSecret != null && !s.clusterSecret.isEmpty();
    this.node =
        s.cluster || secret
            ? new Node(s.nodeId != null ? s.nodeId : "node-" + s.port, s.clusterSecret)
            : null;
    this.defaultLimits = s.defaultLimits();
    Map<String, PartyLimits> limits = new HashMap<>();
    s.partyLimits.forEach((party, overrides) -> limits.put(party, defaultLimits.with(overrides)));
    this.partyLimits = Map.copyOf(limits);
  }

  /** Reads the config file, environment and flags into a configuration; throws IllegalArgumentException on a bad one. */
  public static HostConfig load(String[] args, Map<String, String> env) {
    return Settings.load(args, env).build();
  }

  /**
   * This configuration with fewer WebSockets admitted ({@link OpenFiles}); {@link #toSettings} still
   * gives the settings as given, so that a host started from them fits its own limit again.
   */
  HostConfig withMaxConnections(int maxConnections) {
    Settings s = source.copy();
    s.maxConnections = maxConnections;
    return new HostConfig(s, source);
  }

  /** Settings to start from for another host like this one (a test's restart on the same storage). */
  public Settings toSettings() {
    return source.copy();
  }

  /** Where compiled guest code is cached, or null for no cache (the interpreted mode has none). */
  public Path compileCachePath() {
    if (mode != ExecutionMode.COMPILED || "".equals(compileCacheDir)) return null;
    return compileCacheDir == null ? Path.of(dataDir, "compiled") : Path.of(compileCacheDir);
  }

  /** The limits of one party's rooms: the host-wide values with the party's overrides. */
  public PartyLimits limits(String party) {
    return partyLimits.getOrDefault(party, defaultLimits);
  }

  /** A party's configuration value ({@code vars}), or null. */
  public String configValue(String party, String key) {
    Map<String, String> values = vars.get(party);
    return values == null ? null : values.get(key);
  }

  /** The largest message any party may receive (the WebSocket decoder's ceiling derives from it). */
  public int largestMaxMessageBytes() {
    int max = maxMessageBytes;
    for (PartyLimits limits : partyLimits.values()) max = Math.max(max, limits.maxMessageBytes());
    return max;
  }

  /** Whether any party may compress: only then does the server offer permessage-deflate at all. */
  public boolean anyCompression() {
    if (compression) return true;
    for (PartyLimits limits : partyLimits.values()) if (limits.compression()) return true;
    return false;
  }
}
