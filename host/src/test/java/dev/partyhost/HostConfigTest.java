package dev.partyhost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partyhost.guest.ExecutionMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostConfigTest {
  @Test
  void defaults() {
    HostConfig c = HostConfig.load(new String[0], Map.of());
    assertEquals("127.0.0.1", c.host);
    assertEquals(1999, c.port);
    assertEquals("main", c.mainParty);
    assertEquals(ExecutionMode.COMPILED, c.mode);
    assertEquals(1024 * 1024, c.maxMessageBytes);
    assertEquals("data", c.dataDir);
    assertNull(c.postgresUrl);
    assertEquals(128L * 1024 * 1024, c.storageQuotaBytes);
    assertEquals(10_000, c.roomIdleMs);
    assertEquals(2_000, c.alarmRetryMs);
    assertEquals(6, c.alarmRetries);
    assertNull(c.adminToken);
    assertEquals(Path.of("data", "compiled"), c.compileCachePath());
  }

  @Test
  void theCompileCacheFollowsTheDataDirUnlessSetAndAnEmptyValueTurnsItOff() {
    assertEquals(
        Path.of("/srv/ph", "compiled"),
        HostConfig.load(new String[] {"--data-dir", "/srv/ph"}, Map.of()).compileCachePath());
    assertEquals(
        Path.of("/tmp/cc"),
        HostConfig.load(new String[] {"--compile-cache-dir", "/tmp/cc"}, Map.of())
            .compileCachePath());
    assertNull(
        HostConfig.load(new String[0], Map.of("PARTYHOST_COMPILE_CACHE_DIR", ""))
            .compileCachePath());
    assertNull(HostConfig.load(new String[] {"--compile-cache-dir="}, Map.of()).compileCachePath());
    assertNull(
        HostConfig.load(new String[] {"--mode", "interpreted"}, Map.of())
            .compileCachePath()); // no compiled code
  }

  @Test
  void fileThenEnvironmentThenFlags(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("partyhost.json");
    Files.writeString(
        file,
        "{\"port\": 3000, \"mainParty\": \"file\", \"maxMessageBytes\": 10,"
            + " \"vars\": {\"chat\": {\"greeting\": \"hi\"}}}");
    HostConfig c =
        HostConfig.load(
            new String[] {"--config", file.toString(), "--port", "4000", "--mode=interpreted"},
            Map.of(
                "PARTYHOST_PORT",
                "3500",
                "PARTYHOST_MAIN_PARTY",
                "env",
                "PARTYHOST_ADMIN_TOKEN",
                "t"));
    assertEquals(4000, c.port);
    assertEquals("env", c.mainParty);
    assertEquals(10, c.maxMessageBytes);
    assertEquals(ExecutionMode.INTERPRETED, c.mode);
    assertEquals("hi", c.vars.get("chat").get("greeting"));
    assertEquals("t", c.adminToken);
  }

  @Test
  void compressionIsOffUnlessTheHostOrAPartyTurnsItOn(@TempDir Path dir) throws Exception {
    HostConfig defaults = HostConfig.load(new String[0], Map.of());
    assertFalse(defaults.compression);
    assertFalse(defaults.limits("chat").compression());
    assertFalse(defaults.anyCompression());
    Path file = dir.resolve("partyhost.json");
    Files.writeString(
        file, "{\"partyLimits\": {\"chat\": {\"compression\": true, \"hookDeadlineMs\": 50}}}");
    HostConfig c = HostConfig.load(new String[] {"--config", file.toString()}, Map.of());
    assertTrue(c.limits("chat").compression());
    assertEquals(50, c.limits("chat").hookDeadlineMs());
    assertFalse(c.limits("poll").compression());
    assertTrue(c.anyCompression());
    assertTrue(
        HostConfig.load(new String[] {"--compression", "true"}, Map.of())
            .limits("poll")
            .compression());
    for (String nulls :
        new String[] {
          "{\"vars\": {\"chat\": null}}",
          "{\"vars\": {\"chat\": {\"k\": null}}}",
          "{\"partyLimits\": {\"chat\": null}}"
        }) {
      Files.writeString(file, nulls);
      assertThrows(
          IllegalArgumentException.class,
          () -> HostConfig.load(new String[] {"--config", file.toString()}, Map.of()),
          nulls);
    }
    Files.writeString(file, "{\"partyLimits\": {\"chat\": {\"compression\": 1}}}");
    assertThrows(
        IllegalArgumentException.class,
        () -> HostConfig.load(new String[] {"--config", file.toString()}, Map.of()));
    Files.writeString(file, "{\"partyLimits\": {\"chat\": {\"hookDeadlineMs\": true}}}");
    assertThrows(
        IllegalArgumentException.class,
        () -> HostConfig.load(new String[] {"--config", file.toString()}, Map.of()));
  }

  @Test
  void badInputIsRefusedClearly() {
    assertThrows(
        IllegalArgumentException.class,
        () -> HostConfig.load(new String[] {"--nope", "1"}, Map.of()));
    assertThrows(
        IllegalArgumentException.class,
        () -> HostConfig.load(new String[] {"--port", "x"}, Map.of()));
    assertThrows(
        IllegalArgumentException.class,
        () -> HostConfig.load(new String[] {"--alarm-retry-ms", "0"}, Map.of()));
    assertThrows(
        IllegalArgumentException.class,
        () -> HostConfig.load(new String[] {"--storage-quota-bytes", "-1"}, Map.of()));
    assertThrows(
        IllegalArgumentException.class, () -> HostConfig.load(new String[] {"--port"}, Map.of()));
    assertThrows(
        IllegalArgumentException.class,
        () -> HostConfig.load(new String[] {"--admin-token", "x"}, Map.of()));
  }

  @Test
  void clusterModeRefusesSqliteAMissingSecretAndAFreePort() {
    Map<String, String> secret = Map.of("PARTYHOST_CLUSTER_SECRET", "s");
    String pg = "postgresql://u@127.0.0.1:5432/db";
    IllegalArgumentException sqlite =
        assertThrows(
            IllegalArgumentException.class,
            () -> HostConfig.load(new String[] {"--cluster"}, secret));
    assertTrue(
        sqlite.getMessage().startsWith("cluster mode needs --postgres-url"), sqlite.getMessage());
    IllegalArgumentException noSecret =
        assertThrows(
            IllegalArgumentException.class,
            () -> HostConfig.load(new String[] {"--cluster", "--postgres-url", pg}, Map.of()));
    assertTrue(noSecret.getMessage().contains("PARTYHOST_CLUSTER_SECRET"), noSecret.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () ->
            HostConfig.load(
                new String[] {"--cluster", "--postgres-url", pg, "--port", "0"}, secret));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            HostConfig.load(
                new String[] {"--cluster", "--postgres-url", pg, "--cluster-members", "a:b"},
                secret));
    IllegalArgumentException reconcile =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                HostConfig.load(
                    new String[] {"--cluster", "--postgres-url", pg, "--party-reconcile-ms", "50"},
                    secret));
    assertEquals("partyReconcileMs must be at least 100, not 50", reconcile.getMessage());
    HostConfig ok =
        HostConfig.load(
            new String[] {
              "--cluster",
              "--postgres-url",
              pg,
              "--cluster-members",
              "127.0.0.1:5701, 127.0.0.1:5702"
            },
            secret);
    assertEquals(List.of("127.0.0.1:5701", "127.0.0.1:5702"), ok.cluster.members());
    assertEquals("s", ok.cluster.secret());
    assertEquals(5_000, ok.cluster.partyReconcileMs());
    assertEquals(null, HostConfig.load(new String[0], Map.of()).cluster);
  }

  @Test
  void usageShowsEverySettingWithItsFlagEnvironmentVariableAndDefault() throws Exception {
    String usage = Settings.usage();
    for (String name : Settings.settingNames()) {
      var field = Settings.field(name);
      Settings.Doc doc = field.getAnnotation(Settings.Doc.class);
      assertTrue(doc != null && !doc.value().isEmpty(), name + " has no @Doc");
      assertTrue(usage.contains(doc.value()), name);
      if (name.equals("vars") || name.equals("partyLimits")) {
        assertTrue(usage.contains("  " + name + " (config file only)"), name);
      } else {
        assertTrue(usage.contains("--" + Settings.kebab(name) + " "), name);
        assertTrue(usage.contains(", " + Settings.envName(name) + "  (default: "), name);
      }
    }
    assertTrue(
        usage.contains(
            "--max-message-bytes VALUE, PARTYHOST_MAX_MESSAGE_BYTES  (default: 1048576)"),
        usage);
    assertTrue(
        usage.contains(
            "--compile-cache-dir VALUE, PARTYHOST_COMPILE_CACHE_DIR  (default: DATA_DIR/compiled)"),
        usage);
    assertTrue(usage.contains("PARTYHOST_ADMIN_TOKEN (environment only)"), usage);
    assertTrue(Settings.wantsHelp(new String[] {"--port", "1", "--help"}));
    assertTrue(Settings.wantsHelp(new String[] {"-h"}));
    assertFalse(Settings.wantsHelp(new String[] {"--port", "1"}));
  }

  /** The README's configuration table lists every setting with its flag and environment variable. */
  @Test
  void theReadmeTableListsEverySetting() throws Exception {
    String readme = Files.readString(dev.partyhost.support.TestHost.root().resolve("README.md"));
    String table =
        readme.substring(
            readme.indexOf("## Configuration"), readme.indexOf("Every limit (guest, client, host"));
    for (String name : Settings.settingNames()) {
      if (name.equals("vars") || name.equals("partyLimits")) {
        assertTrue(table.contains("\"" + name + "\""), name + " is not in the README's table");
      } else {
        assertTrue(
            table.contains("`--" + Settings.kebab(name) + "`"),
            "--" + Settings.kebab(name) + " is not in the README's table");
        assertTrue(
            table.contains("`" + Settings.envName(name) + "`"),
            Settings.envName(name) + " is not in the README's table");
      }
    }
    for (String limit : PartyLimits.NAMES)
      assertTrue(
          table.contains("`" + limit + "`"), limit + " (per party) is not in the README's table");
  }

  @Test
  void aBooleanFlagAloneIsTrue() {
    assertFalse(HostConfig.load(new String[0], Map.of()).strict);
    assertTrue(HostConfig.load(new String[] {"--strict"}, Map.of()).strict);
    HostConfig c =
        HostConfig.load(new String[] {"--strict", "--port", "5", "--compression"}, Map.of());
    assertTrue(c.strict);
    assertTrue(c.compression);
    assertEquals(5, c.port);
    assertFalse(HostConfig.load(new String[] {"--strict", "false"}, Map.of()).strict);
    assertTrue(HostConfig.load(new String[0], Map.of("PARTYHOST_STRICT", "true")).strict);
    assertThrows(
        IllegalArgumentException.class, () -> HostConfig.load(new String[] {"--port"}, Map.of()));
  }

  @Test
  void guestLogLevelsForTheHostAndPerParty(@TempDir Path dir) throws Exception {
    HostConfig defaults = HostConfig.load(new String[0], Map.of());
    assertEquals(System.Logger.Level.INFO, defaults.guestLogLevel);
    assertEquals(System.Logger.Level.INFO, defaults.limits("chat").logLevel());
    assertEquals(
        System.Logger.Level.DEBUG,
        HostConfig.load(new String[] {"--guest-log-level", "debug"}, Map.of())
            .limits("chat")
            .logLevel());
    Path file = dir.resolve("partyhost.json");
    Files.writeString(
        file,
        "{\"guestLogLevel\": \"WARNING\", \"partyLimits\": {\"chat\": {\"logLevel\": \"debug\"}}}");
    HostConfig c = HostConfig.load(new String[] {"--config", file.toString()}, Map.of());
    assertEquals(System.Logger.Level.DEBUG, c.limits("chat").logLevel());
    assertEquals(System.Logger.Level.WARNING, c.limits("poll").logLevel());
    assertThrows(
        IllegalArgumentException.class,
        () -> HostConfig.load(new String[] {"--guest-log-level", "loud"}, Map.of()));
    assertThrows(
        IllegalArgumentException.class,
        () -> HostConfig.load(new String[] {"--guest-log-level", "trace"}, Map.of()));
    Files.writeString(file, "{\"partyLimits\": {\"chat\": {\"logLevel\": 3}}}");
    assertThrows(
        IllegalArgumentException.class,
        () -> HostConfig.load(new String[] {"--config", file.toString()}, Map.of()));
  }
}
