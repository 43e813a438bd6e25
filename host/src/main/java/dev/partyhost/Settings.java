package dev.partyhost;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.partyhost.cluster.Placement;
import dev.partyhost.guest.ExecutionMode;
import dev.partyhost.guest.GuestTime;
import java.io.File;
import java.io.IOException;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.lang.reflect.Modifier;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The host's settings as given, with their defaults in one place: mutable while they are read (and
 * while a test adjusts them), then frozen by {@link #build} into the {@link HostConfig} a host runs
 * with. Each setting has one name, used as the key in a JSON config file ({@code maxMessageBytes}), as
 * a flag ({@code --max-message-bytes}) and as an environment variable ({@code
 * PARTYHOST_MAX_MESSAGE_BYTES}). Later sources win: defaults, then the file given by {@code --config},
 * then the environment, then flags.
 */
public final class Settings {
  /**
   * What {@code --help} says of a setting: its meaning and, where the field's initial value does not
   * show it, its default in words. Every setting has one (HostConfigTest checks), so the usage text is
   * made from the settings themselves and cannot drift from them.
   */
  @Retention(RetentionPolicy.RUNTIME)
  @Target(ElementType.FIELD)
  @interface Doc {
    String value();

    /** The default in words (empty: the field's initial value). */
    String defaultText() default "";
  }

  @Doc("address to listen on")
  public String host = "127.0.0.1";

  @Doc("port to listen on; 0 picks a free one")
  public int port = 1999;

  @Doc(
      value =
          "folder of modules to serve at start: NAME.wasm becomes party NAME (uploads of the same name override it)",
      defaultText = "none")
  public String parties;

  @Doc(
      "refuse to start if any module of --parties, or any stored upload, cannot be served (else it is logged and skipped)")
  public boolean strict = false;

  @Doc(
      "watch the --parties folder: a module file that changes or appears is compiled and served (live rooms of"
          + " its party restart with 1012); one that does not compile is logged and the previous version serves on")
  public boolean watch = false;

  /** The folder served at {@code /}; {@code static} is a Java keyword, hence the field's name. */
  @JsonProperty("static")
  @Doc(
      value =
          "folder of files served at / (a folder's index.html; ETags; NAME.br or NAME.gz instead of NAME"
              + " to clients that accept it); never shadows /parties/, /party/, /_admin/, /healthz,"
              + " /readyz or /metrics",
      defaultText = "none: / answers 404")
  public String staticDir;

  @Doc(
      "with --static: a GET or HEAD of a path that is no file there answers the folder's index.html"
          + " (a single-page app's own routes)")
  public boolean staticSpa = false;

  @Doc("the party that /party/ROOM and /parties/main/ROOM reach")
  public String mainParty = "main";

  @Doc(
      "how guests run: compiled (JVM bytecode) or interpreted (trusted guests only: the CPU deadline cannot stop"
          + " every runaway loop there)")
  public ExecutionMode mode = ExecutionMode.COMPILED;

  @Doc(
      "Netty's transport: epoll (Linux's native one; NIO, with a warning, where its library cannot load) or nio")
  public String transport = "epoll";

  @Doc(
      "largest WebSocket message in bytes, in or out; bigger inbound messages close the socket with 1009 (per party)")
  public int maxMessageBytes = 1024 * 1024;

  @Doc("largest HTTP request body to a room, in bytes; bigger gets 413")
  public int maxRequestBytes = 1024 * 1024;

  @Doc(
      "ms an HTTP connection has to send a complete request head, counted from when it opens or its last"
          + " response went out (so also how long a kept-alive connection may sit idle); then it is closed."
          + " WebSockets are not affected; 0: no limit")
  public long requestHeaderTimeoutMs = 10_000;

  @Doc("largest module accepted at upload or start, in bytes")
  public int maxModuleBytes = 16 * 1024 * 1024;

  @Doc(
      "cap on each instance's linear memory, in bytes; memory.grow past it fails in the guest (per party)")
  public int maxMemoryBytes = 16 * 1024 * 1024;

  @Doc(
      "cap on the entries of each table of an instance; table.grow past it fails in the guest, a module"
          + " whose table starts larger is refused")
  public int maxTableElements = 100_000;

  @Doc(
      value =
          "host-wide budget of guest memory, in bytes: the linear memories and tables of every room's"
              + " and gate's instance; a memory.grow past it fails in the guest, a room that cannot"
              + " start gets 503 (WebSockets: 1013); 0: half the JVM's maximum heap",
      defaultText = "0: half of -Xmx")
  public long maxGuestMemoryBytes = 0;

  @Doc(
      "bytes queued toward one WebSocket (its room's frames, the pongs to its pings) before a client"
          + " that does not read is dropped; its room sees it close")
  public int maxOutboundBytes = 16 * 1024 * 1024;

  @Doc(
      "bytes of messages queued for one room (plus 64 per message); past them the sockets that send"
          + " more stop being read until the room has worked the queue down to half")
  public int maxInboxBytes = 1024 * 1024;

  @Doc(
      "bytes of log lines one hook (or before hook) may write; past them its further lines are"
          + " dropped, with one warning")
  public long maxLogBytesPerHook = 64 * 1024;

  @Doc(
      "CPU time one hook call may run, in ms, before it is stopped, which resets its room like a trap (per party)")
  public long hookDeadlineMs = 100;

  @Doc("connections one room accepts; more are closed with 1013 (per party)")
  public int maxConnectionsPerRoom = 10_000;

  @Doc(
      "messages one connection may send per second (burst: as many); more close it with 1008; 0: no limit (per party)")
  public int messagesPerSecond = 0;

  @Doc("frame bytes one hook may send, summed over recipients; past it, sends return TOO_LARGE")
  public long maxHookOutputBytes = 64L * 1024 * 1024;

  @Doc(
      "rooms live at once; at the limit the least recently used room without connections leaves, else 503")
  public int maxRooms = 100_000;

  @Doc(
      "WebSocket connections at once, over all rooms; more get 503 before the handshake. Lowered at start,"
          + " with a log line, to what the process's open-file limit (ulimit -n) leaves room for")
  public int maxConnections = 200_000;

  @Doc(
      "ms without events after which a room hibernates (instance and data dropped, sockets kept), or leaves if it"
          + " has no connections")
  public long roomIdleMs = 10_000;

  @Doc(
      "folder of the SQLite database (rooms' data and uploaded parties), used unless --postgres-url is set")
  public String dataDir = "data";

  @Doc(
      value =
          "folder of compiled guest code kept across restarts (one file per module SHA-256); empty: no cache;"
              + " only the host's user should be able to write it",
      defaultText = "DATA_DIR/compiled")
  public String compileCacheDir;

  @Doc(
      value =
          "PostgreSQL to keep rooms' data and uploaded parties in instead of SQLite:"
              + " postgresql://user:password@host:port/db",
      defaultText = "unset")
  public String postgresUrl;

  @Doc(
      "run as one node of a cluster (Vert.x with Hazelcast; needs --postgres-url, which holds the rooms,"
          + " the parties and who owns each room)")
  public boolean cluster = false;

  @Doc(
      value =
          "the cluster's members, host:port of their cluster ports, comma-separated (TCP join, no"
              + " multicast); may include this node",
      defaultText = "none: this node alone, until others list it")
  public String clusterMembers = "";

  @Doc(
      "address this node's cluster traffic binds to and other nodes reach it at (Hazelcast, the event"
          + " bus, forwarded clients)")
  public String clusterHost = "127.0.0.1";

  @Doc("port of this node's Hazelcast member; the event bus and forwarding use ports of their own")
  public int clusterPort = 5701;

  @Doc(
      "where a room without an owner starts: first (the node that first receives a request for it) or"
          + " hash (the live node its id hashes to; see CLUSTER.md for the trade-off)")
  public Placement placement = Placement.FIRST;

  @Doc(value = "this node's name in the cluster", defaultText = "node-PORT")
  public String nodeId;

  @Doc(
      "ms a node's lease in PostgreSQL lasts; renewed every third of it. A node that cannot renew stops"
          + " releasing output and drops its rooms; another node takes a dead node's rooms once it ran out")
  public long nodeLeaseMs = 3_000;

  @Doc(
      "ms between a node's comparisons of the parties' current versions in PostgreSQL with those it"
          + " serves; the latest a node that missed a change's message (paused, cut off) applies it")
  public long partyReconcileMs = 5_000;

  @Doc(
      "most bytes (keys plus values) one room may store; puts past it fail with QUOTA_EXCEEDED (per party)")
  public long storageQuotaBytes = 128L * 1024 * 1024;

  @Doc(
      "calls (room_call, http_call) one room may have unanswered, from the call to its answer; more"
          + " return BUSY (per party)")
  public int maxCallsInFlight = 16;

  @Doc(
      "ms a call may take from leaving the room to its answer; then on_response gets TIMED_OUT and a"
          + " later answer is dropped (per party)")
  public long callTimeoutMs = 10_000;

  @Doc(
      "largest call request (the encoded list) a room may send; larger return TOO_LARGE (per party)")
  public int maxCallRequestBytes = 1024 * 1024;

  @Doc(
      "largest answer to a call (body plus headers); a larger one is answered TOO_LARGE, an http_call's"
          + " response cut off as it streams (per party)")
  public int maxCallResponseBytes = 4 * 1024 * 1024;

  @Doc("first delay before a failed alarm hook runs again, in ms; it doubles with each retry")
  public long alarmRetryMs = 2_000;

  @Doc("retries of a failed alarm hook before the alarm is dropped")
  public int alarmRetries = 6;

  @Doc(
      "whether WebSockets may negotiate permessage-deflate (per party); costs a relay about 10x in throughput")
  public boolean compression = false;

  @Doc(
      "record every room's inputs (hook calls, clock and random answers) and outputs into"
          + " DATA/recordings, for replay (per party: record); a recording room takes no spare instance")
  public boolean record = false;

  @Doc("most bytes one recording (one instance of a room) may take; past it, the recording stops")
  public long maxRecordingBytes = 64L * 1024 * 1024;

  @Doc(
      "keep a hibernating room's instance (its memory's non-zero chunks and its globals; stored"
          + " deflated) and wake it from that instead of running on_start again, while its data and"
          + " the party's version are unchanged (per party)")
  public boolean snapshots = false;

  @Doc(
      "largest snapshot of a hibernating room: the bytes of its memory that are not zero (1 KiB chunks),"
          + " as it keeps them; a larger one is not kept and the room wakes with on_start")
  public int maxSnapshotBytes = 4 * 1024 * 1024;

  @Doc(
      "keep one instance of each party ready per event loop, built off the loop, so that a room starts"
          + " without instantiating its module; false: each room builds its own")
  public boolean spareInstances = true;

  @Doc(
      "serve /metrics (Prometheus text: rooms, messages, hook times, storage, Vert.x, JVM); costs a"
          + " clock read per hook and a few counter adds per message")
  public boolean metrics = true;

  @Doc(
      "serve /metrics without the admin token (for a port only the scraper reaches); else it needs"
          + " Authorization: Bearer PARTYHOST_ADMIN_TOKEN")
  public boolean metricsPublic = false;

  @Doc(
      "lowest level of guest log lines (the log call, WASI stdout at INFO, stderr at WARNING) that reach the"
          + " host log: DEBUG, INFO, WARNING, ERROR or OFF (per party: logLevel)")
  public System.Logger.Level guestLogLevel = System.Logger.Level.INFO;

  @Doc(
      "format of the host's log lines on the console: text (one line for humans) or json (one JSON"
          + " object per line, for log shippers)")
  public String logFormat = "text";

  /**
   * Per-party overrides of the settings in {@link PartyLimits#NAMES} (file only): party → name → a
   * number (true or false for compression and snapshots, a level name for logLevel), e.g.
   * {@code "partyLimits": {"chat": {"hookDeadlineMs": 50}}}.
   */
  @Doc(
      value =
          "per-party overrides: party -> {hookDeadlineMs, maxMemoryBytes, maxMessageBytes,"
              + " maxConnectionsPerRoom, messagesPerSecond, storageQuotaBytes, compression, logLevel,"
              + " record,"
              + " maxCallsInFlight, callTimeoutMs, maxCallRequestBytes, maxCallResponseBytes,"
              + " httpAllowlist, snapshots}",
      defaultText = "none: the host-wide values")
  public Map<String, Map<String, ?>> partyLimits = new HashMap<>();

  @Doc(
      value = "per-party values that guests read with config_get: party -> {key: value}",
      defaultText = "none")
  public Map<String, Map<String, String>> vars = new HashMap<>();

  /** Bearer token of the admin API; only from the environment (PARTYHOST_ADMIN_TOKEN), never a flag or file. */
  @JsonIgnore public String adminToken;

  /** The guests' time: the system's, or a scenario's (never a flag or file). */
  @JsonIgnore public GuestTime time = GuestTime.SYSTEM;

  /** What rooms tell about each hook: null for the host's recordings ({@code record}); a replay's own (never a flag or file). */
  @JsonIgnore public dev.partyhost.room.RoomTaps taps;

  /**
   * The secret nodes of a cluster show each other on forwarded connections; only from the
   * environment (PARTYHOST_CLUSTER_SECRET). A host outside cluster mode that is given one serves
   * clients forwarded to it as well.
   */
  @JsonIgnore public String clusterSecret;

  /** Settings that are maps: only a config file can give them. */
  private static final Set<String> FILE_ONLY = Set.of("vars", "partyLimits");

  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
          .build();

  /** Reads the config file, environment and flags; throws IllegalArgumentException on a bad one. */
  public static Settings load(String[] args, Map<String, String> env) {
    Settings config = new Settings();
    Map<String, String> flags = parseFlags(args);
    try {
      String file = flags.remove("config");
      if (file != null) JSON.readerForUpdating(config).readValue(new File(file));
      ObjectNode overrides = JSON.createObjectNode();
      for (String key : settingNames()) {
        if (FILE_ONLY.contains(key)) continue;
        String fromEnv = env.get(envName(key));
        if (fromEnv != null) overrides.put(key, fromEnv);
      }
      for (Map.Entry<String, String> flag : flags.entrySet()) {
        String key = camel(flag.getKey());
        if (!settingNames().contains(key) || FILE_ONLY.contains(key)) {
          throw new IllegalArgumentException("unknown flag --" + flag.getKey());
        }
        overrides.put(key, flag.getValue());
      }
      JSON.readerForUpdating(config).readValue(overrides);
    } catch (IOException e) {
      throw new IllegalArgumentException("bad configuration: " + e.getMessage(), e);
    }
    config.adminToken = env.get("PARTYHOST_ADMIN_TOKEN");
    if (config.adminToken != null && config.adminToken.isEmpty()) config.adminToken = null;
    config.clusterSecret = env.get("PARTYHOST_CLUSTER_SECRET");
    config.validate();
    return config;
  }

  /** Every setting's name (the JSON key), in the order of the fields. */
  static Set<String> settingNames() {
    Set<String> names = new LinkedHashSet<>();
    for (var field : Settings.class.getFields()) {
      if (!Modifier.isStatic(field.getModifiers())
          && !field.isAnnotationPresent(JsonIgnore.class)) {
        names.add(nameOf(field));
      }
    }
    return names;
  }

  /** A field's setting name: its JSON key, which a {@code @JsonProperty} gives where the field's own name cannot be it. */
  private static String nameOf(java.lang.reflect.Field field) {
    JsonProperty property = field.getAnnotation(JsonProperty.class);
    return property != null ? property.value() : field.getName();
  }

  /** The field of a setting, by the setting's name. */
  static java.lang.reflect.Field field(String setting) throws NoSuchFieldException {
    for (var field : Settings.class.getFields()) {
      if (!Modifier.isStatic(field.getModifiers()) && nameOf(field).equals(setting)) return field;
    }
    throw new NoSuchFieldException(setting);
  }

  /** Flags, by name; a boolean setting's flag may stand alone ({@code --strict}: true). */
  private static Map<String, String> parseFlags(String[] args) {
    Map<String, String> flags = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (!arg.startsWith("--")) throw new IllegalArgumentException("unexpected argument " + arg);
      String name = arg.substring(2);
      int eq = name.indexOf('=');
      if (eq >= 0) {
        flags.put(name.substring(0, eq), name.substring(eq + 1));
      } else if (isBoolean(camel(name)) && (i + 1 == args.length || args[i + 1].startsWith("--"))) {
        flags.put(name, "true");
      } else if (i + 1 < args.length) {
        flags.put(name, args[++i]);
      } else {
        throw new IllegalArgumentException("flag --" + name + " needs a value");
      }
    }
    return flags;
  }

  private static boolean isBoolean(String setting) {
    try {
      return field(setting).getType() == boolean.class;
    } catch (NoSuchFieldException e) {
      return false;
    }
  }

  /** True when the arguments ask for the usage text ({@code --help} or {@code -h}) instead of a host. */
  public static boolean wantsHelp(String[] args) {
    for (String arg : args) if (arg.equals("--help") || arg.equals("-h")) return true;
    return false;
  }

  /** The usage text: every setting with its flag, environment variable, default and meaning, made from the fields. */
  public static String usage() {
    Settings defaults = new Settings();
    StringBuilder out =
        new StringBuilder()
            .append("usage: java -jar partyhost.jar [--SETTING VALUE | --SETTING=VALUE]...\n\n")
            .append(
                "Each setting is a key of the JSON file given by --config, a flag and an environment variable.\n")
            .append(
                "Later sources win: defaults, the file, the environment, flags. A boolean flag alone means true.\n\n")
            .append(
                "  --config FILE\n      a JSON file of settings, keyed by the names below in camelCase\n")
            .append("  --help, -h\n      print this text and exit\n");
    for (String name : settingNames()) {
      java.lang.reflect.Field field;
      Object value;
      try {
        field = field(name);
        value = field.get(defaults);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(e);
      }
      Doc doc = field.getAnnotation(Doc.class);
      String fallback =
          value == null
              ? "unset"
              : value instanceof Enum<?> e ? e.name().toLowerCase(Locale.ROOT) : value.toString();
      String dflt = doc == null || doc.defaultText().isEmpty() ? fallback : doc.defaultText();
      out.append("  ");
      if (FILE_ONLY.contains(name)) {
        out.append(name).append(" (config file only)");
      } else {
        out.append("--")
            .append(kebab(name))
            .append(isBoolean(name) ? " [true|false]" : " VALUE")
            .append(", ")
            .append(envName(name));
      }
      out.append("  (default: ")
          .append(dflt)
          .append(")\n      ")
          .append(doc == null ? "" : doc.value())
          .append('\n');
    }
    out.append(
            "  PARTYHOST_ADMIN_TOKEN (environment only)  (default: unset: the admin API answers 401)\n")
        .append("      bearer token of the admin API under /_admin/\n");
    return out.toString();
  }

  /** The environment variable of a setting: {@code maxMessageBytes} is {@code PARTYHOST_MAX_MESSAGE_BYTES}. */
  static String envName(String setting) {
    return "PARTYHOST_" + snake(setting);
  }

  /** The flag of a setting, without its dashes: {@code maxMessageBytes} is {@code max-message-bytes}. */
  static String kebab(String setting) {
    return setting.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
  }

  private static String snake(String camel) {
    return camel.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT);
  }

  private static String camel(String kebab) {
    StringBuilder out = new StringBuilder();
    boolean upper = false;
    for (int i = 0; i < kebab.length(); i++) {
      char c = kebab.charAt(i);
      if (c == '-') {
        upper = true;
      } else {
        out.append(upper ? Character.toUpperCase(c) : c);
        upper = false;
      }
    }
    return out.toString();
  }

  /** Checks the settings and freezes them: what a host runs with. Throws IllegalArgumentException on a bad one. */
  public HostConfig build() {
    validate();
    return new HostConfig(this);
  }

  /** A copy, independent of this one. */
  Settings copy() {
    Settings copy = JSON.convertValue(this, Settings.class);
    copy.adminToken = adminToken;
    copy.clusterSecret = clusterSecret;
    copy.time = time;
    copy.taps = taps;
    return copy;
  }

  private void validateCluster() {
    if (port == 0)
      throw new IllegalArgumentException(
          "cluster mode needs a fixed --port: the node's name and the address other nodes forward"
              + " clients to are made from it");
    if (postgresUrl == null)
      throw new IllegalArgumentException(
          "cluster mode needs --postgres-url: SQLite is one process's database, and the nodes share"
              + " the rooms' data and the record of who owns each room");
    if (clusterSecret == null || clusterSecret.isEmpty())
      throw new IllegalArgumentException(
          "cluster mode needs PARTYHOST_CLUSTER_SECRET in the environment, the same on every node");
    if (clusterPort < 1 || clusterPort > 65535)
      throw new IllegalArgumentException("clusterPort must be 1-65535, not " + clusterPort);
    if (nodeLeaseMs < 300)
      throw new IllegalArgumentException("nodeLeaseMs must be at least 300, not " + nodeLeaseMs);
    if (partyReconcileMs < 100)
      throw new IllegalArgumentException(
          "partyReconcileMs must be at least 100, not " + partyReconcileMs);
    for (String member : clusterMembers.split(",")) {
      String m = member.trim();
      if (!m.isEmpty() && !m.matches("[^:\\s]+:\\d{1,5}"))
        throw new IllegalArgumentException("clusterMembers: " + m + " is not host:port");
    }
  }

  void validate() {
    if (port < 0 || port > 65535)
      throw new IllegalArgumentException("port must be 0-65535, not " + port);
    if (cluster) validateCluster();
    if (!logFormat.equals("text") && !logFormat.equals("json")) {
      throw new IllegalArgumentException("logFormat must be text or json, not " + logFormat);
    }
    if (!transport.equals("epoll") && !transport.equals("nio")) {
      throw new IllegalArgumentException("transport must be epoll or nio, not " + transport);
    }
    if (maxRequestBytes < 0 || maxModuleBytes < 1)
      throw new IllegalArgumentException("size limits must be positive");
    if (maxLogBytesPerHook < 0) {
      throw new IllegalArgumentException(
          "maxLogBytesPerHook must be at least 0, not " + maxLogBytesPerHook);
    }
    if (maxOutboundBytes < 2) {
      throw new IllegalArgumentException(
          "maxOutboundBytes must be at least 2, not " + maxOutboundBytes);
    }
    if (maxRecordingBytes < 0) {
      throw new IllegalArgumentException(
          "maxRecordingBytes must be at least 0, not " + maxRecordingBytes);
    }
    if (maxInboxBytes < 1) {
      throw new IllegalArgumentException("maxInboxBytes must be at least 1, not " + maxInboxBytes);
    }
    if (maxGuestMemoryBytes < 0) {
      throw new IllegalArgumentException(
          "maxGuestMemoryBytes must be at least 0 (0: half the heap), not " + maxGuestMemoryBytes);
    }
    if (maxTableElements < 0) {
      throw new IllegalArgumentException(
          "maxTableElements must be at least 0, not " + maxTableElements);
    }
    if (requestHeaderTimeoutMs < 0) {
      throw new IllegalArgumentException(
          "requestHeaderTimeoutMs must be at least 0, not " + requestHeaderTimeoutMs);
    }
    if (staticDir != null && !java.nio.file.Files.isDirectory(java.nio.file.Path.of(staticDir)))
      throw new IllegalArgumentException("static: " + staticDir + " is not a folder");
    if (maxSnapshotBytes < 0)
      throw new IllegalArgumentException(
          "maxSnapshotBytes must be at least 0, not " + maxSnapshotBytes);
    if (roomIdleMs < 1)
      throw new IllegalArgumentException("roomIdleMs must be at least 1, not " + roomIdleMs);
    if (alarmRetryMs < 1
        || alarmRetries < 0
        || maxRooms < 1
        || maxConnections < 1
        || maxHookOutputBytes < 1) {
      throw new IllegalArgumentException(
          "alarmRetries must be at least 0; alarmRetryMs, maxRooms and maxConnections at least 1");
    }
    partyLimits.forEach(
        (party, limits) -> {
          if (limits == null)
            throw new IllegalArgumentException("partyLimits." + party + " is null");
        });
    vars.forEach(
        (party, values) -> {
          if (values == null) throw new IllegalArgumentException("vars." + party + " is null");
          values.forEach(
              (key, value) -> {
                if (value == null) {
                  throw new IllegalArgumentException("vars." + party + "." + key + " is null");
                }
              });
        });
    PartyLimits defaults = defaultLimits();
    for (String party : partyLimits.keySet()) {
      defaults.with(partyLimits.get(party)); // throws on a bad one
    }
  }

  /** The host-wide limits, before any party's overrides. */
  PartyLimits defaultLimits() {
    return new PartyLimits(
        hookDeadlineMs,
        maxMemoryBytes,
        maxMessageBytes,
        maxConnectionsPerRoom,
        messagesPerSecond,
        storageQuotaBytes,
        compression,
        guestLogLevel,
        record,
        maxCallsInFlight,
        callTimeoutMs,
        maxCallRequestBytes,
        maxCallResponseBytes,
        dev.partyhost.calls.Allowlist.NONE,
        snapshots);
  }
}
