package dev.partyhost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partyhost.support.LogCapture;
import dev.partyhost.support.TestHost;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the host gives guests besides rooms: WASI stdio into the host log, per-party config values. */
class GuestServicesTest {
  @Test
  void wasiStdoutGoesToTheHostLogAndConfigValuesReachTheGuest() {
    try (LogCapture log = new LogCapture("partyhost.guest");
        TestHost host =
            TestHost.start(
                c -> c.vars = Map.of("stdio-config", Map.of("greeting", "hello, room")))) {
      HttpResponse<String> r = host.get("/parties/stdio-config/room-7");
      assertEquals(200, r.statusCode());
      assertEquals("hello, room", r.body());
      assertTrue(
          log.messages().contains("[stdio-config/room-7] hello from wasi"),
          log.messages().toString());
    }
    try (TestHost host = TestHost.start()) {
      assertEquals(404, host.get("/parties/stdio-config/room-7").statusCode());
    }
  }

  /**
   * stdio-config writes a line to stdout and one to stderr and logs one at DEBUG when it starts. The
   * lines of a party below its log level (partyLimits logLevel, else --guest-log-level; INFO by
   * default) are dropped.
   */
  @Test
  void stderrLogsAtWarningStdoutAtInfoAndEachPartyHasItsLogLevel() {
    assertEquals(
        List.of("INFO [stdio-config/a] hello from wasi", "WARNING [stdio-config/a] oops on stderr"),
        guestLines(c -> {}));
    assertEquals(
        List.of(
            "INFO [stdio-config/a] hello from wasi",
            "WARNING [stdio-config/a] oops on stderr",
            "FINE [stdio-config/a] a debug line"),
        guestLines(c -> c.partyLimits = Map.of("stdio-config", Map.of("logLevel", "debug"))));
    assertEquals(
        List.of("WARNING [stdio-config/a] oops on stderr"),
        guestLines(c -> c.guestLogLevel = System.Logger.Level.WARNING));
    assertEquals(
        List.of(),
        guestLines(
            c -> {
              c.guestLogLevel = System.Logger.Level.DEBUG;
              c.partyLimits = Map.of("stdio-config", Map.of("logLevel", "OFF"));
            }));
  }

  /** What stdio-config logged when its room started, as "LEVEL message", on a host with that configuration. */
  private static List<String> guestLines(java.util.function.Consumer<Settings> tweak) {
    try (LogCapture log = new LogCapture("partyhost.guest");
        TestHost host = TestHost.start(tweak)) {
      assertEquals(
          "none",
          host.get("/parties/stdio-config/a").body()); // its room started (no greeting configured)
      return log.lines().stream()
          .filter(l -> l.message().startsWith("[stdio-config/a] "))
          .map(l -> l.level() + " " + l.message())
          .toList();
    }
  }
}
