package dev.partyhost.bench;

import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code make bench}: runs each scenario against each server, one after another (a fresh server
 * process per scenario), and prints a table per scenario with ratios against the native Vert.x relay
 * (the ceiling) and PartyKit's dev server. Run from the repository root:
 * <pre>java -jar bench/target/partyhost-bench.jar bench [--scenarios fanout,paced,rooms,coldstart,calls,connections,wake]
 *   [--servers native,relay-c,relay-rust,relay-c-interpreted,relay-rust-interpreted,partykit] [--seconds 5]
 *   (a server relay-c@OTHER.jar runs another build of the host side by side with this one;
 *   relay-c-nometrics runs it with --metrics false, relay-c-recording with --record true)
 *   [--rate 500] [--rooms 10000] [--connections 100000] [--cold-starts 2000] [--calls 2000] [--host-jvm "-XX:..."]
 *   [--wake-rooms 500] [--wake-rounds 3] (wake runs against relay-c and chat, snapshots on and off,
 *   unless --servers says)</pre>
 */
public final class Bench {
  private static final String NATIVE = "native";
  private static final String PARTYKIT = "partykit";

  public static void main(String[] args) throws Exception {
    Map<String, String> flags = flags(args);
    Duration measure = Duration.ofSeconds(Long.parseLong(flags.getOrDefault("seconds", "5")));
    Duration warmup = Duration.ofSeconds(Long.parseLong(flags.getOrDefault("warmup", "3")));
    List<String> jvm =
        flags.containsKey("host-jvm") && !flags.get("host-jvm").isBlank()
            ? Arrays.asList(flags.get("host-jvm").trim().split("\\s+"))
            : List.of();

    Map<String, Scenario> all = new LinkedHashMap<>();
    all.put("fanout", new FanOut(50, 20, 0, warmup, measure));
    all.put(
        "paced",
        new FanOut(50, 20, Integer.parseInt(flags.getOrDefault("rate", "500")), warmup, measure));
    all.put(
        "rooms",
        new ManyRooms(Integer.parseInt(flags.getOrDefault("rooms", "10000")), warmup, measure));
    all.put(
        "coldstart",
        new ColdStart(Integer.parseInt(flags.getOrDefault("cold-starts", "2000")), 500));
    all.put(
        "calls", new CallsRoundTrip(Integer.parseInt(flags.getOrDefault("calls", "2000")), 500));
    all.put(
        "connections",
        new IdleConnections(Integer.parseInt(flags.getOrDefault("connections", "100000")), 1000));
    all.put(
        "wake",
        new Wake(
            Integer.parseInt(flags.getOrDefault("wake-rooms", "500")),
            Integer.parseInt(flags.getOrDefault("wake-rounds", "3"))));
    List<String> scenarios = list(flags.getOrDefault("scenarios", String.join(",", all.keySet())));
    List<String> servers =
        list(
            flags.getOrDefault(
                "servers",
                "native,relay-c,relay-rust,relay-c-interpreted,relay-rust-interpreted,partykit"));

    System.out.printf(
        "machine: %d cores, %s %s, %s, host JVM options: %s%n",
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.vm.name"),
        System.getProperty("java.version"),
        LocalDate.now(),
        jvm.isEmpty() ? "none" : String.join(" ", jvm));
    for (String name : scenarios) {
      Scenario scenario = all.get(name);
      if (scenario == null)
        throw new IllegalArgumentException("unknown scenario " + name + "; known: " + all.keySet());
      System.out.println();
      System.out.println("## " + scenario.title());
      Map<String, Scenario.Figures> results = new LinkedHashMap<>();
      List<String> against =
          flags.containsKey("servers") || scenario.servers() == null ? servers : scenario.servers();
      for (String serverName : against) {
        Server server = server(serverName, jvm);
        if (server instanceof Server.PartyHost host) host.moreArgs(scenario.serverArgs());
        String why = server.unavailable();
        if (why != null) {
          System.out.println("  skipped " + server.name + ": " + why);
          continue;
        }
        System.out.println("  running against " + server.name + " ...");
        Scenario.Figures figures = server.run(() -> scenario.run(server));
        if (figures != null) results.put(serverName, figures);
      }
      print(scenario, against, results, jvm);
    }
  }

  /**
   * A server by name: native, partykit, or a relay guest on partyhost (relay-c, relay-rust-interpreted,
   * relay-c@path/to/other-partyhost.jar). A suffix -nio or -epoll picks the transport of the native
   * relay or the host (relay-c-nio, native-epoll); without one, each uses its default. A suffix
   * -nometrics runs the host with {@code --metrics false} (relay-c-nometrics; before -nio/-epoll),
   * -recording with {@code --record true} (relay-c-recording: every room recorded for replay), and
   * -snapshots with {@code --snapshots true} (chat-snapshots; before -nometrics).
   */
  private static Server server(String name, List<String> jvm) {
    String transport = null;
    for (String t : List.of("nio", "epoll")) {
      if (name.endsWith("-" + t)) {
        transport = t;
        name = name.substring(0, name.length() - t.length() - 1);
      }
    }
    boolean metrics = !name.endsWith("-nometrics");
    if (!metrics) name = name.substring(0, name.length() - "-nometrics".length());
    boolean recording = name.endsWith("-recording");
    if (recording) name = name.substring(0, name.length() - "-recording".length());
    boolean snapshots = name.endsWith("-snapshots");
    if (snapshots) name = name.substring(0, name.length() - "-snapshots".length());
    if (name.equals(NATIVE)) return new Server.Native(transport, jvm);
    if (name.equals(PARTYKIT)) return new Server.PartyKit();
    int at = name.indexOf('@');
    String jar = at < 0 ? Server.PartyHost.JAR : name.substring(at + 1);
    String relay = at < 0 ? name : name.substring(0, at);
    boolean interpreted = relay.endsWith("-interpreted");
    if (interpreted) relay = relay.substring(0, relay.length() - "-interpreted".length());
    Server.PartyHost host =
        new Server.PartyHost(
            relay,
            interpreted ? "interpreted" : "compiled",
            transport,
            jar,
            jvm,
            metrics,
            recording);
    if (snapshots) host.snapshotsOn();
    return host;
  }

  private static void print(
      Scenario scenario,
      List<String> order,
      Map<String, Scenario.Figures> results,
      List<String> jvm) {
    if (results.isEmpty()) return;
    List<String> columns = new ArrayList<>();
    for (Scenario.Figures f : results.values()) {
      for (String c : f.columns.keySet()) if (!columns.contains(c)) columns.add(c);
    }
    // Ratios against the first native relay run (with -nio and -epoll runs: the one listed first).
    Scenario.Figures nativeRun = null;
    for (String name : order)
      if (nativeRun == null && name.startsWith(NATIVE)) nativeRun = results.get(name);
    Scenario.Figures partykit = results.get(PARTYKIT);
    StringBuilder header = new StringBuilder(String.format("  %-44s", "server"));
    for (String c : columns) header.append(String.format(" %13s", c));
    if (nativeRun != null) header.append(String.format(" %10s", "x native"));
    if (partykit != null) header.append(String.format(" %10s", "x PartyKit"));
    System.out.println(header + (scenario.higherIsBetter() ? "" : "   (ratios: lower is better)"));
    for (String name : order) {
      Scenario.Figures f = results.get(name);
      if (f == null) continue;
      StringBuilder row = new StringBuilder(String.format("  %-44s", server(name, jvm).name));
      for (String c : columns) row.append(String.format(" %13s", f.columns.getOrDefault(c, "-")));
      if (nativeRun != null) row.append(ratio(f, nativeRun));
      if (partykit != null) row.append(ratio(f, partykit));
      if (!f.note.isEmpty()) row.append("  ").append(f.note);
      System.out.println(row);
    }
  }

  private static String ratio(Scenario.Figures f, Scenario.Figures base) {
    boolean defined = f.primary > 0 && base.primary > 0;
    return defined
        ? String.format(" %10.2f", f.primary / base.primary)
        : String.format(" %10s", "-");
  }

  private static List<String> list(String csv) {
    return Arrays.stream(csv.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
  }

  static Map<String, String> flags(String[] args) {
    Map<String, String> flags = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (!args[i].startsWith("--"))
        throw new IllegalArgumentException("unexpected argument " + args[i]);
      flags.put(args[i].substring(2), args[i + 1]);
    }
    return flags;
  }
}
