package dev.partyhost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partyhost.guest.ExecutionMode;
import java.nio.file.Files;
import java.nio.file.Path;
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
    assertEquals(Path.of("/srv/ph", "compiled"), HostConfig.load(new String[] {"--data-dir", "/srv/ph"}, Map.of()).compileCachePath());
    assertEquals(Path.of("/tmp/cc"), HostConfig.load(new String[] {"--compile-cache-dir", "/tmp/cc"}, Map.of()).compileCachePath());
    assertNull(HostConfig.load(new String[0], Map.of("PARTYHOST_COMPILE_CACHE_DIR", "")).compileCachePath());
    assertNull(HostConfig.load(new String[] {"--compile-cache-dir="}, Map.of()).compileCachePath());
    assertNull(HostConfig.load(new String[] {"--mode", "interpreted"}, Map.of()).compileCachePath()); // no compiled code
  }

  @Test
  void fileThenEnvironmentThenFlags(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("partyhost.json");
    Files.writeString(file, "{\"port\": 3000, \"mainParty\": \"file\", \"maxMessageBytes\": 10,"
        + " \"vars\": {\"chat\": {\"greeting\": \"hi\"}}}");
    HostConfig c = HostConfig.load(
        new String[] {"--config", file.toString(), "--port", "4000", "--mode=interpreted"},
        Map.of("PARTYHOST_PORT", "3500", "PARTYHOST_MAIN_PARTY", "env", "PARTYHOST_ADMIN_TOKEN", "t"));
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
    Files.writeString(file, "{\"partyLimits\": {\"chat\": {\"compression\": true, \"hookDeadlineMs\": 50}}}");
    HostConfig c = HostConfig.load(new String[] {"--config", file.toString()}, Map.of());
    assertTrue(c.limits("chat").compression());
    assertEquals(50, c.limits("chat").hookDeadlineMs());
    assertFalse(c.limits("poll").compression());
    assertTrue(c.anyCompression());
    assertTrue(HostConfig.load(new String[] {"--compression", "true"}, Map.of()).limits("poll").compression());
    Files.writeString(file, "{\"partyLimits\": {\"chat\": {\"compression\": 1}}}");
    assertThrows(IllegalArgumentException.class, () -> HostConfig.load(new String[] {"--config", file.toString()}, Map.of()));
    Files.writeString(file, "{\"partyLimits\": {\"chat\": {\"hookDeadlineMs\": true}}}");
    assertThrows(IllegalArgumentException.class, () -> HostConfig.load(new String[] {"--config", file.toString()}, Map.of()));
  }

  @Test
  void badInputIsRefusedClearly() {
    assertThrows(IllegalArgumentException.class, () -> HostConfig.load(new String[] {"--nope", "1"}, Map.of()));
    assertThrows(IllegalArgumentException.class, () -> HostConfig.load(new String[] {"--port", "x"}, Map.of()));
    assertThrows(IllegalArgumentException.class, () -> HostConfig.load(new String[] {"--alarm-retry-ms", "0"}, Map.of()));
    assertThrows(IllegalArgumentException.class, () -> HostConfig.load(new String[] {"--storage-quota-bytes", "-1"}, Map.of()));
    assertThrows(IllegalArgumentException.class, () -> HostConfig.load(new String[] {"--port"}, Map.of()));
    assertThrows(IllegalArgumentException.class, () -> HostConfig.load(new String[] {"--admin-token", "x"}, Map.of()));
  }
}
