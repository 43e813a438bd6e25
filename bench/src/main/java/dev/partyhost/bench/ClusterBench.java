package dev.partyhost.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * {@code make bench-cluster}: one node against three, in one run on one cluster (three nodes and a
 * PostgreSQL server of its own, on this machine): fan-out with the clients spread over the nodes
 * against all of them on the room's owner; many rooms spread over the nodes against all on one;
 * then failover (kill -9, SIGSTOP) and drain (SIGTERM) times. "1 node" runs on the same cluster
 * with every client on one node (the others idle), so both sides share the machine alike. Run from
 * the repository root:
 * <pre>java -cp bench/target/partyhost-bench.jar dev.partyhost.bench.ClusterBench
 *   [--parts fanout,rooms,failover] [--seconds 5] [--warmup 5] [--clients 50] [--rooms 2000]
 *   [--failover-rooms 20] [--host-jvm "-Xmx512m -XX:+UseG1GC"]</pre>
 */
public final class ClusterBench {
  private static final int NODES = 3;

  private final LocalCluster cluster;
  private final Duration warmup;
  private final Duration measure;

  /** The summary's rows: figure, 1 node, 3 nodes, ratio, target, met. */
  private final List<String[]> summary = new ArrayList<>();

  private ClusterBench(LocalCluster cluster, Duration warmup, Duration measure) {
    this.cluster = cluster;
    this.warmup = warmup;
    this.measure = measure;
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> flags = Bench.flags(args);
    Duration measure = Duration.ofSeconds(Long.parseLong(flags.getOrDefault("seconds", "5")));
    Duration warmup = Duration.ofSeconds(Long.parseLong(flags.getOrDefault("warmup", "5")));
    List<String> parts =
        Arrays.asList(flags.getOrDefault("parts", "fanout,rooms,failover").split(","));
    List<String> jvm =
        Arrays.asList(flags.getOrDefault("host-jvm", "-Xmx512m -XX:+UseG1GC").trim().split("\\s+"));

    System.out.printf(
        "machine: %d cores, %s %s, %s, load average %s; %d nodes, node JVM options: %s%n",
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.vm.name"),
        System.getProperty("java.version"),
        LocalDate.now(),
        loadAverage(),
        NODES,
        String.join(" ", jvm));
    ClusterBench bench;
    try (LocalCluster cluster = LocalCluster.start(NODES, jvm)) {
      bench = new ClusterBench(cluster, warmup, measure);
      if (parts.contains("fanout"))
        bench.fanOut(Integer.parseInt(flags.getOrDefault("clients", "50")));
      if (parts.contains("rooms"))
        bench.manyRooms(Integer.parseInt(flags.getOrDefault("rooms", "2000")));
      if (parts.contains("failover"))
        bench.failover(Integer.parseInt(flags.getOrDefault("failover-rooms", "20")));
    }
    System.out.println();
    System.out.println(
        "## cluster: one node against three (load average now " + loadAverage() + ")");
    String format = "  %-40s %18s %18s %8s %24s %7s%n";
    System.out.printf(format, "figure", "1 node", "3 nodes", "ratio", "target", "");
    for (String[] r : bench.summary) System.out.printf(format, (Object[]) r);
  }

  /** One room, its clients spread evenly over the nodes, against all of them on its owner. */
  private void fanOut(int clients) throws Exception {
    Scenario.Figures[] fan =
        compare(
            new FanOut(clients, 20, 0, warmup, measure),
            new Spread("1 node: every client on the owner", cluster, i -> 0),
            new Spread("3 nodes: clients spread, 2 in 3 forwarded", cluster, i -> i % NODES));
    double ratio = fan[1].primary / fan[0].primary;
    summary.add(
        row(
            "fan-out deliveries/s",
            fan[0].columns.get("deliveries/s"),
            fan[1].columns.get("deliveries/s"),
            String.format("%.2fx", ratio),
            ">= 0.5x",
            ratio >= 0.5 ? "met" : "missed"));
    summary.add(
        row(
            "fan-out latency p50 / p99 ms",
            fan[0].columns.get("p50 ms") + " / " + fan[0].columns.get("p99 ms"),
            fan[1].columns.get("p50 ms") + " / " + fan[1].columns.get("p99 ms"),
            "",
            "",
            ""));
  }

  /**
   * Many rooms spread over the nodes, against all on one. Room r's first client goes to node r mod
   * 3 (which mostly becomes its owner), its second to the next node.
   */
  private void manyRooms(int rooms) throws Exception {
    Scenario.Figures[] many =
        compare(
            new ManyRooms(rooms, warmup, measure),
            new Spread("1 node: every room and client", cluster, i -> 0),
            new Spread(
                "3 nodes: rooms spread, 1 client in 2 forwarded",
                cluster,
                i -> (i / 2 + i % 2) % NODES));
    summary.add(
        row(
            "many rooms deliveries/s (" + many[1].columns.get("rooms") + " rooms)",
            many[0].columns.get("deliveries/s"),
            many[1].columns.get("deliveries/s"),
            String.format("%.2fx", many[1].primary / many[0].primary),
            "",
            ""));
  }

  /** SIGSTOP of node 1 (then SIGCONT), kill -9 of node 2 (started again), SIGTERM of node 0. */
  private void failover(int rooms) throws Exception {
    System.out.println();
    System.out.printf(
        "## failover and drain: %d counter rooms spread over the nodes, a writer per room through"
            + " a surviving node (a POST every %d ms); per room of the struck node, the time from"
            + " the signal to its first write sent after it that another node acknowledged%n",
        rooms, Writers.EVERY_MS);
    Failover.Result stop = Failover.run(cluster, 1, Failover.Fault.STOP, rooms);
    print(stop);
    cluster.awaitLive(NODES); // the woken node rejoined as a new incarnation
    Failover.Result kill = Failover.run(cluster, 2, Failover.Fault.KILL, rooms);
    print(kill);
    cluster.restart(2);
    cluster.awaitLive(NODES);
    Failover.Result drain = Failover.run(cluster, 0, Failover.Fault.TERM, rooms);
    print(drain);
    for (Failover.Result r : List.of(kill, stop)) {
      boolean met = r.millis().length > 0 && r.p50() <= 3_000 && r.max() <= 5_000;
      summary.add(
          row(
              "failover " + r.fault().title + ", p50 / max s",
              "",
              seconds(r.p50()) + " / " + seconds(r.max()),
              "",
              "p50 <= 3 s, max <= 5 s",
              met ? "met" : "missed"));
    }
    summary.add(
        row(
            "drain: process exit / last room s",
            "",
            seconds(drain.exitMs()) + " / " + seconds(drain.max()),
            "",
            "",
            ""));
  }

  /** Runs the scenario on each spread of clients, prints both with ratios to the first. */
  private static Scenario.Figures[] compare(Scenario scenario, Spread one, Spread all)
      throws Exception {
    System.out.println();
    System.out.println("## " + scenario.title());
    Scenario.Figures[] figures = new Scenario.Figures[2];
    Spread[] runs = {one, all};
    for (int i = 0; i < runs.length; i++) {
      System.out.println("  running on " + runs[i].name + " ...");
      figures[i] = scenario.run(runs[i]);
    }
    // Columns a cluster cannot fill (heap figures, taken with jcmd from one JVM) are left out.
    List<String> shown = new ArrayList<>();
    for (String c : figures[0].columns.keySet())
      if (!"-".equals(figures[0].columns.get(c)) || !"-".equals(figures[1].columns.get(c)))
        shown.add(c);
    String columns = "  %-46s";
    StringBuilder header = new StringBuilder(String.format(columns, "run"));
    for (String c : shown) header.append(String.format(" %13s", c));
    System.out.println(header.append(String.format(" %10s", "x 1 node")));
    for (int i = 0; i < runs.length; i++) {
      StringBuilder row = new StringBuilder(String.format(columns, runs[i].name));
      for (String c : shown)
        row.append(String.format(" %13s", figures[i].columns.getOrDefault(c, "-")));
      row.append(String.format(" %10.2f", figures[i].primary / figures[0].primary));
      if (!figures[i].note.isEmpty()) row.append("  ").append(figures[i].note);
      System.out.println(row);
    }
    return figures;
  }

  private static void print(Failover.Result r) {
    System.out.printf(
        "  %-16s the node owned %d of %d rooms; per room (s): %s%n",
        r.fault().title, r.millis().length, r.rooms(), seconds(r.millis()));
    StringBuilder line =
        new StringBuilder(
            String.format(
                "p50 %s s, max %s s; the other rooms' first acknowledged write: within %s s",
                seconds(r.p50()), seconds(r.max()), seconds(r.othersMaxMs())));
    if (r.othersNone() > 0)
      line.append(" (").append(r.othersNone()).append(" of them had none within the wait)");
    if (r.resumedMs() >= 0)
      line.append(
          String.format(
              "; SIGCONT after %s s (%d rooms answered only after it)",
              seconds(r.resumedMs()), r.afterResume()));
    if (r.fault() == Failover.Fault.TERM)
      line.append("; the process exited after ").append(seconds(r.exitMs())).append(" s");
    System.out.printf("  %-16s %s%n", "", line);
  }

  private static String seconds(long[] millis) {
    List<String> all = new ArrayList<>();
    for (long ms : millis) all.add(seconds(ms));
    return String.join(" ", all);
  }

  /** ms as seconds; "none" for no answer within the wait, "-" for nothing to measure. */
  private static String seconds(long ms) {
    if (ms == Long.MAX_VALUE) return "none";
    return ms < 0 ? "-" : String.format("%.2f", ms / 1000.0);
  }

  /**
   * The machine's load average over 1, 5 and 15 minutes (Linux): other work on it shows in every
   * figure here.
   */
  static String loadAverage() {
    try {
      String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return fields[0] + " " + fields[1] + " " + fields[2];
    } catch (IOException | RuntimeException unknown) {
      return "unknown";
    }
  }

  private static String[] row(String... cells) {
    return cells;
  }
}
