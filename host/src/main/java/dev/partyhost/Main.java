package dev.partyhost;

import dev.partyhost.guest.ModuleRejectedException;
import java.io.IOException;
import java.util.logging.Handler;
import java.util.logging.LogRecord;

/**
 * {@code java -jar partyhost.jar [--parties DIR] [--port N] [--main-party NAME] ...}, or {@code
 * java -jar partyhost.jar test-party MODULE.wasm SCENARIO}, or {@code java -jar partyhost.jar replay
 * MODULE.wasm RECORDING}: see the README.
 */
public final class Main {
  private Main() {}

  /**
   * Prints one of the host's start and stop lines on stdout: as it is, or as a JSON log line with
   * {@code --log-format json}, so that a log shipper reading both streams sees only JSON.
   */
  private static void say(HostConfig config, String line) {
    if (config.logFormat.equals("json")) {
      LogRecord record = new LogRecord(java.util.logging.Level.INFO, line);
      record.setLoggerName("partyhost");
      System.out.print(new JsonLogFormatter().format(record));
    } else {
      System.out.println(line);
    }
  }

  public static void main(String[] args) {
    // One line per log record, for humans and for grep.
    System.setProperty(
        "java.util.logging.SimpleFormatter.format", "%1$tF %1$tT %4$-7s %3$s %5$s%6$s%n");
    if (args.length > 0 && args[0].equals("test-party")) {
      System.exit(
          dev.partyhost.scenario.ScenarioRunner.play(
              java.util.Arrays.copyOfRange(args, 1, args.length)));
      return;
    }
    if (args.length > 0 && args[0].equals("replay")) {
      // The report is the output: the host's own log lines stay out of it.
      java.util.logging.Logger hostLog = java.util.logging.Logger.getLogger("partyhost");
      hostLog.setUseParentHandlers(false);
      int code;
      try {
        code =
            dev.partyhost.replay.ReplayCommand.run(
                java.util.Arrays.copyOfRange(args, 1, args.length), System.out, System.err);
      } finally {
        java.lang.ref.Reference.reachabilityFence(hostLog); // held: its setting lasts the run
      }
      System.exit(code);
      return;
    }
    if (Settings.wantsHelp(args)) {
      System.out.print(Settings.usage());
      return;
    }
    // The console prints every level; loggers decide (the root logger: INFO; guests: their party's
    // logLevel).
    for (Handler handler : java.util.logging.Logger.getLogger("").getHandlers())
      handler.setLevel(java.util.logging.Level.ALL);
    HostConfig config;
    try {
      config = HostConfig.load(args, System.getenv());
    } catch (IllegalArgumentException e) {
      System.err.println("partyhost: " + e.getMessage());
      System.exit(2);
      return;
    }
    if (config.logFormat.equals("json")) {
      for (Handler handler : java.util.logging.Logger.getLogger("").getHandlers())
        handler.setFormatter(new JsonLogFormatter());
    }
    try {
      PartyHost host = PartyHost.start(config);
      say(
          config,
          "partyhost listening on http://"
              + config.host
              + ":"
              + host.port()
              + " parties="
              + host.parties().all().keySet()
              + " main="
              + config.mainParty
              + " mode="
              + config.mode.name().toLowerCase(java.util.Locale.ROOT)
              + " transport="
              + host.transport()
              + " storage="
              + host.storage()
              + " guestMemory="
              + (config.maxGuestMemoryBytes >> 20)
              + "MiB(heap "
              + (Runtime.getRuntime().maxMemory() >> 20)
              + "MiB)"
              + (config.adminToken == null
                  ? " (admin API disabled: PARTYHOST_ADMIN_TOKEN unset)"
                  : ""));
      // On SIGTERM (or SIGINT): clients get 1001, then the host stops. Printed, not logged:
      // java.util.logging closes its handlers in a shutdown hook of its own, which may run first.
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    say(
                        config,
                        "partyhost stopping: closing "
                            + host.rooms().connections()
                            + " WebSockets with 1001 (going away)");
                    host.close();
                    say(config, "partyhost stopped");
                  },
                  "partyhost-shutdown"));
    } catch (IOException | ModuleRejectedException e) {
      System.err.println("partyhost: " + e.getMessage());
      System.exit(1);
    }
  }
}
