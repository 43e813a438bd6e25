package dev.partyhost;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.partyhost.guest.ExecutionMode;
import java.io.File;
import java.io.IOException;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The host's settings, with their defaults in one place. Each setting has one name, used as the key
 * in a JSON config file ({@code maxMessageBytes}), as a flag ({@code --max-message-bytes}) and as an
 * environment variable ({@code PARTYHOST_MAX_MESSAGE_BYTES}). Later sources win:
 * defaults, then the file given by {@code --config}, then the environment, then flags.
 */
public final class HostConfig {
  /** Address to listen on. */
  public String host = "127.0.0.1";
  /** Port to listen on; 0 picks a free one. */
  public int port = 1999;
  /** Folder of modules to serve at start: {@code NAME.wasm} becomes party NAME. */
  public String parties;
  /** The party that {@code /party/ROOM} and {@code /parties/main/ROOM} reach. */
  public String mainParty = "main";
  /**
   * How guests run: compiled (JVM bytecode, default) or interpreted. Interpreted is for trusted
   * guests only: Chicory's interpreter does not check for interrupts at every loop back-edge, so
   * the CPU deadline cannot stop every runaway guest there.
   */
  public ExecutionMode mode = ExecutionMode.COMPILED;
  /**
   * Netty's transport: {@code epoll} (Linux's native one, from the jar's bundled library; NIO where it
   * cannot load, with a warning) or {@code nio} (the JDK's). BENCHMARKS.md compares them.
   */
  public String transport = "epoll";
  /** Largest WebSocket message, in or out; bigger inbound messages close the socket with 1009. */
  public int maxMessageBytes = 1024 * 1024;
  /** Largest HTTP request body for a room; bigger gets 413. */
  public int maxRequestBytes = 1024 * 1024;
  /** Largest module accepted at upload or start. */
  public int maxModuleBytes = 16 * 1024 * 1024;
  /** Cap on each instance's linear memory; {@code memory.grow} past it fails in the guest. */
  public int maxMemoryBytes = 16 * 1024 * 1024;
  /** CPU time one hook call may run before it is stopped, which resets its room like a trap. */
  public long hookDeadlineMs = 100;
  /** Connections one room accepts; more are closed with 1013 (try again later). */
  public int maxConnectionsPerRoom = 10_000;
  /** Messages one connection may send per second, with a burst of as many; more close it with 1008. 0: no limit. */
  public int messagesPerSecond = 0;
  /** Frame bytes one hook may send, summed over recipients; past it, sends return TOO_LARGE. */
  public long maxHookOutputBytes = 64L * 1024 * 1024;
  /** Rooms live at once; at the limit, the least recently used room without connections is dropped, else 503. */
  public int maxRooms = 100_000;
  /** WebSocket connections at once, over all rooms; more get 503 before the handshake. */
  public int maxConnections = 200_000;
  /**
   * After this long without events a room hibernates: its instance and in-memory data are dropped,
   * its WebSockets stay open. A room with no connections leaves altogether.
   */
  public long roomIdleMs = 10_000;
  /** Folder of the embedded SQLite database, used unless {@link #postgresUrl} is set. */
  public String dataDir = "data";
  /**
   * Folder of compiled guest code (JVM classes, one file per module SHA-256), so that a restart loads
   * modules instead of compiling them again. Unset: {@code DATA_DIR/compiled}; empty: no cache. The host
   * runs what it finds there (after checking it), so only the host's user should be able to write it.
   */
  public String compileCacheDir;
  /** PostgreSQL to keep rooms' data in instead of SQLite: {@code postgresql://user:password@host:port/db}. */
  public String postgresUrl;
  /** Most bytes (keys plus values) one room may store; puts past it fail with QUOTA_EXCEEDED. */
  public long storageQuotaBytes = 128L * 1024 * 1024;
  /** First delay before a failed alarm hook runs again; it doubles with each retry. */
  public long alarmRetryMs = 2_000;
  /** Retries of a failed alarm hook before the alarm is dropped. */
  public int alarmRetries = 6;
  /**
   * Whether WebSockets may negotiate permessage-deflate (per party in {@code partyLimits}). Off: PartyKit
   * does not negotiate it either, and it costs a relay about 10x in throughput; it pays where messages
   * are large and compressible and bandwidth is dear.
   */
  public boolean compression = false;
  /**
   * Per-party overrides of the settings in {@link PartyLimits#NAMES} (file only): party → name → a
   * number (true or false for compression), e.g. {@code "partyLimits": {"chat": {"hookDeadlineMs": 50}}}.
   */
  public Map<String, Map<String, ?>> partyLimits = new HashMap<>();
  /** Per-party configuration values that guests read with {@code config_get}: party → key → value. */
  public Map<String, Map<String, String>> vars = new HashMap<>();
  /** Bearer token of the admin API; only from the environment (PARTYHOST_ADMIN_TOKEN), never a flag or file. */
  @JsonIgnore
  public String adminToken;

  /** Settings that are maps: only a config file can give them. */
  private static final Set<String> FILE_ONLY = Set.of("vars", "partyLimits");

  private static final ObjectMapper JSON = JsonMapper.builder()
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
      .build();

  /** Reads the config file, environment and flags; throws IllegalArgumentException on a bad one. */
  public static HostConfig load(String[] args, Map<String, String> env) {
    HostConfig config = new HostConfig();
    Map<String, String> flags = parseFlags(args);
    try {
      String file = flags.remove("config");
      if (file != null) JSON.readerForUpdating(config).readValue(new File(file));
      ObjectNode overrides = JSON.createObjectNode();
      for (String key : settingNames()) {
        if (FILE_ONLY.contains(key)) continue;
        String fromEnv = env.get("PARTYHOST_" + snake(key));
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
    config.validate();
    config.adminToken = env.get("PARTYHOST_ADMIN_TOKEN");
    if (config.adminToken != null && config.adminToken.isEmpty()) config.adminToken = null;
    return config;
  }

  private static Set<String> settingNames() {
    Set<String> names = new LinkedHashSet<>();
    for (var field : HostConfig.class.getFields()) {
      if (!Modifier.isStatic(field.getModifiers()) && !field.isAnnotationPresent(JsonIgnore.class)) {
        names.add(field.getName());
      }
    }
    return names;
  }

  private static Map<String, String> parseFlags(String[] args) {
    Map<String, String> flags = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (!arg.startsWith("--")) throw new IllegalArgumentException("unexpected argument " + arg);
      String name = arg.substring(2);
      int eq = name.indexOf('=');
      if (eq >= 0) {
        flags.put(name.substring(0, eq), name.substring(eq + 1));
      } else if (i + 1 < args.length) {
        flags.put(name, args[++i]);
      } else {
        throw new IllegalArgumentException("flag --" + name + " needs a value");
      }
    }
    return flags;
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

  private void validate() {
    if (port < 0 || port > 65535) throw new IllegalArgumentException("port must be 0-65535, not " + port);
    if (!transport.equals("epoll") && !transport.equals("nio")) {
      throw new IllegalArgumentException("transport must be epoll or nio, not " + transport);
    }
    if (maxRequestBytes < 0 || maxModuleBytes < 1) throw new IllegalArgumentException("size limits must be positive");
    if (roomIdleMs < 1) throw new IllegalArgumentException("roomIdleMs must be at least 1, not " + roomIdleMs);
    if (alarmRetryMs < 1 || alarmRetries < 0 || maxRooms < 1 || maxConnections < 1 || maxHookOutputBytes < 1) {
      throw new IllegalArgumentException("alarmRetries must be at least 0; alarmRetryMs, maxRooms and maxConnections at least 1");
    }
    PartyLimits defaults = defaultLimits();
    for (String party : partyLimits.keySet()) defaults.with(partyLimits.get(party)); // throws on a bad one
  }

  /** Where compiled guest code is cached, or null for no cache (the interpreted mode has none). */
  public Path compileCachePath() {
    if (mode != ExecutionMode.COMPILED || "".equals(compileCacheDir)) return null;
    return compileCacheDir == null ? Path.of(dataDir, "compiled") : Path.of(compileCacheDir);
  }

  /** The limits of one party's rooms: the host-wide values with the party's overrides. */
  public PartyLimits limits(String party) {
    return defaultLimits().with(partyLimits.getOrDefault(party, Map.of()));
  }

  /** A party's configuration value ({@code vars}), or null. */
  public String configValue(String party, String key) {
    Map<String, String> values = vars.get(party);
    return values == null ? null : values.get(key);
  }

  /** The largest message any party may receive (the WebSocket decoder's ceiling derives from it). */
  public int largestMaxMessageBytes() {
    int max = maxMessageBytes;
    for (String party : partyLimits.keySet()) max = Math.max(max, limits(party).maxMessageBytes());
    return max;
  }

  /** Whether any party may compress: only then does the server offer permessage-deflate at all. */
  public boolean anyCompression() {
    if (compression) return true;
    for (String party : partyLimits.keySet()) if (limits(party).compression()) return true;
    return false;
  }

  private PartyLimits defaultLimits() {
    return new PartyLimits(hookDeadlineMs, maxMemoryBytes, maxMessageBytes, maxConnectionsPerRoom, messagesPerSecond,
        storageQuotaBytes, compression);
  }
}
