package dev.partyhost;

import dev.partyhost.guest.ModuleRejectedException;
import java.io.IOException;

/** {@code java -jar partyhost.jar [--parties DIR] [--port N] [--main-party NAME] ...}: see the README. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    // One line per log record, for humans and for grep.
    System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tF %1$tT %4$-7s %3$s %5$s%6$s%n");
    HostConfig config;
    try {
      config = HostConfig.load(args, System.getenv());
    } catch (IllegalArgumentException e) {
      System.err.println("partyhost: " + e.getMessage());
      System.exit(2);
      return;
    }
    try {
      PartyHost host = PartyHost.start(config);
      System.out.println("partyhost listening on http://" + config.host + ":" + host.port()
          + " parties=" + host.parties().all().keySet() + " main=" + config.mainParty
          + " mode=" + config.mode.name().toLowerCase(java.util.Locale.ROOT) + " transport=" + host.transport()
          + " storage=" + host.storage()
          + (config.adminToken == null ? " (admin API disabled: PARTYHOST_ADMIN_TOKEN unset)" : ""));
      Runtime.getRuntime().addShutdownHook(new Thread(host::close));
    } catch (IOException | ModuleRejectedException e) {
      System.err.println("partyhost: " + e.getMessage());
      System.exit(1);
    }
  }
}
