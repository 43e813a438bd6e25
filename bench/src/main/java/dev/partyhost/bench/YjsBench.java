package dev.partyhost.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import java.util.stream.Stream;

/**
 * {@code make bench-yjs}: the B4 editing trace of the crdt-benchmarks (bench/partykit/b4/trace.mjs
 * says which) through a Yjs room, against partyhost's {@code yjs} party and against y-partykit on
 * PartyKit's dev server, one after another, each server in a fresh process. Node drives the clients
 * (bench/partykit/b4/yjs-b4.mjs: one writer sends every edit as its own update, two followers, then
 * a late joiner); this class starts the servers, runs it, reads what each room stored once its
 * clients have gone, and prints the figures with ratios partyhost / y-partykit. Run from the
 * repository root:
 *
 * <pre>java -cp bench/target/partyhost-bench.jar dev.partyhost.bench.YjsBench [--edits 259778]
 *   [--servers partyhost,partykit] [--timeout 240] [--provider y-websocket|y-partykit]
 *   [--host-jvm "-Xmx4g ..."]</pre>
 *
 * A server that does not finish within {@code --timeout} seconds gets the rate of the edits that
 * reached both followers by then, and no late-joiner or storage figures.
 */
public final class YjsBench {
  private static final String SCRIPT = "bench/partykit/b4/yjs-b4.mjs";
  private static final String PARTYHOST = "partyhost";
  private static final String PARTYKIT = "partykit";

  public static void main(String[] args) throws Exception {
    Map<String, String> flags = Bench.flags(args);
    int edits = Integer.parseInt(flags.getOrDefault("edits", "259778"));
    int timeout = Integer.parseInt(flags.getOrDefault("timeout", "240"));
    String provider = flags.getOrDefault("provider", "y-websocket");
    List<String> servers =
        Arrays.asList(flags.getOrDefault("servers", PARTYHOST + "," + PARTYKIT).split(","));
    List<String> jvm =
        flags.containsKey("host-jvm") && !flags.get("host-jvm").isBlank()
            ? Arrays.asList(flags.get("host-jvm").trim().split("\\s+"))
            : List.of();

    System.out.printf(
        "machine: %d cores, %s %s, %s, load average %s, host JVM options: %s%n",
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.vm.name"),
        System.getProperty("java.version"),
        LocalDate.now(),
        ClusterBench.loadAverage(),
        jvm.isEmpty() ? "none" : String.join(" ", jvm));
    System.out.printf(
        "B4: %,d edits of the trace, each its own update, one writer and two followers (%s clients), then 5 late joiners%n",
        edits, provider);

    Map<String, JsonNode> results = new LinkedHashMap<>();
    for (String name : servers) {
      Server server =
          name.equals(PARTYKIT)
              ? new Server.PartyKit()
              : new Server.PartyHost(
                  "yjs", "compiled", null, Server.PartyHost.JAR, jvm, true, false);
      String why = unavailable(server);
      if (why != null) {
        System.out.println("  skipped " + server.name + ": " + why);
        continue;
      }
      System.out.println("  running against " + server.name + " ...");
      ObjectNode result =
          server.run(
              () -> {
                String room = "b4-" + System.currentTimeMillis();
                ObjectNode r = drive(server, room, edits, timeout, provider);
                if (!r.has("error")) {
                  long[] stored = stored(server, room);
                  r.put("storedBytes", stored[0]);
                  r.put("storedKeys", stored[1]);
                  r.put("storedSettledSeconds", stored[2] / 1000.0);
                }
                System.out.println("    " + r);
                roomLog(server, room);
                return r;
              });
      if (result != null) results.put(name, result);
    }
    print(results, edits);
  }

  /** What the server logged about the room (partyhost: a reset, a deadline, a full inbox), in short. */
  private static void roomLog(Server server, String room) throws IOException {
    List<String> lines;
    try (Stream<String> all = Files.lines(server.work.resolve("server.log"))) {
      lines = all.filter(l -> l.contains(room) && !l.contains("Switching Protocols")).toList();
    }
    if (lines.isEmpty()) return;
    System.out.println(
        "    the server's log about the room (" + lines.size() + " lines; the first 8):");
    lines.stream()
        .limit(8)
        .forEach(
            l ->
                System.out.println(
                    "      " + (l.length() > 300 ? l.substring(0, 300) + " ..." : l)));
  }

  private static String unavailable(Server server) {
    if (!Files.exists(Path.of("bench/partykit/node_modules/yjs/package.json"))
        || !Files.exists(Path.of("bench/partykit/node_modules/y-websocket/package.json"))) {
      return "bench/partykit/node_modules lacks yjs and y-websocket (make partykit-deps installs them; needs Node.js and npm)";
    }
    return server.unavailable();
  }

  /** Runs the Node clients against the server; their result line, as JSON. */
  private static ObjectNode drive(
      Server server, String room, int edits, int timeout, String provider)
      throws IOException, InterruptedException {
    List<String> command =
        List.of(
            "node",
            SCRIPT,
            "--port",
            String.valueOf(server.port()),
            "--path",
            "/parties/yjs",
            "--room",
            room,
            "--edits",
            String.valueOf(edits),
            "--timeout",
            String.valueOf(timeout),
            "--provider",
            provider,
            "--label",
            server.name);
    Process node =
        new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    ObjectNode result = null;
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = out.readLine()) != null; ) {
        if (line.startsWith("b4-result ")) {
          result = (ObjectNode) new ObjectMapper().readTree(line.substring("b4-result ".length()));
        } else {
          System.out.println("    " + line);
        }
      }
    }
    if (!node.waitFor(30, TimeUnit.SECONDS)) node.destroyForcibly();
    if (result == null) throw new IOException("the Node clients printed no result");
    return result;
  }

  /**
   * What the room stores once its clients have gone and it has settled (y-partykit compacts its log
   * when the last connection closes, which takes a while with no write to show for it): bytes of
   * the stored values and their number of keys, once they have not changed for 3 s while the
   * server's processes used under 5% of a core; at most 3 minutes. partyhost: its SQLite database's
   * {@code kv} rows of the room; PartyKit's dev server: the rows of the room's Durable Object
   * database ({@code _cf_KV} in the .sqlite files of its persist folder).
   */
  private static long[] stored(Server server, String room)
      throws IOException, InterruptedException, SQLException {
    long start = System.nanoTime();
    long[] last = null;
    int quiet = 0;
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
    long cpu = server.cpu().toMillis();
    while (System.nanoTime() < deadline && quiet < 3) {
      Thread.sleep(1000);
      long[] now =
          server instanceof Server.PartyKit
              ? partyKitStored(server)
              : partyHostStored(server, room);
      long used = server.cpu().toMillis() - cpu;
      cpu += used;
      quiet = last != null && Arrays.equals(now, last) && used < 50 ? quiet + 1 : 0;
      last = now;
    }
    return new long[] {last[0], last[1], TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)};
  }

  private static long[] partyHostStored(Server server, String room) throws SQLException {
    Path db = server.work.resolve("data/partyhost.db");
    try (Connection c = readOnly(db);
        PreparedStatement q =
            c.prepareStatement(
                "SELECT coalesce(sum(length(value)), 0), count(*) FROM kv WHERE party = 'yjs' AND room = ?")) {
      q.setString(1, room);
      try (ResultSet r = q.executeQuery()) {
        r.next();
        return new long[] {r.getLong(1), r.getLong(2)};
      }
    }
  }

  private static long[] partyKitStored(Server server) throws IOException, SQLException {
    long bytes = 0;
    long keys = 0;
    List<Path> files;
    try (Stream<Path> all = Files.walk(server.work.resolve("state"))) {
      files =
          all.filter(p -> p.toString().endsWith(".sqlite") && p.toString().contains("yjs"))
              .toList();
    }
    for (Path file : files) {
      try (Connection c = readOnly(file);
          PreparedStatement q =
              c.prepareStatement("SELECT coalesce(sum(length(value)), 0), count(*) FROM _cf_KV");
          ResultSet r = q.executeQuery()) {
        r.next();
        bytes += r.getLong(1);
        keys += r.getLong(2);
      }
    }
    return new long[] {bytes, keys};
  }

  private static Connection readOnly(Path db) throws SQLException {
    org.sqlite.SQLiteConfig config = new org.sqlite.SQLiteConfig();
    config.setReadOnly(true);
    return DriverManager.getConnection("jdbc:sqlite:" + db.toAbsolutePath(), config.toProperties());
  }

  private static void print(Map<String, JsonNode> results, int edits) {
    JsonNode ph = results.get(PARTYHOST);
    JsonNode pk = results.get(PARTYKIT);
    System.out.println();
    System.out.printf(
        "## Yjs: the B4 editing trace, %,d edits (load average now %s)%n",
        edits, ClusterBench.loadAverage());
    String format = "  %-44s %16s %16s %14s   %s%n";
    System.out.printf(
        format, "figure", "partyhost", "y-partykit", "partyhost/ypk", "target (issue 13)");
    row(
        format,
        "updates/s (first send to followers matching)",
        ph,
        pk,
        r -> r.path("updatesPerSecond").asDouble(-1),
        "%,.0f",
        ">= 3x y-partykit");
    row(
        format,
        "  edits that reached both followers",
        ph,
        pk,
        r ->
            r.has("editsDelivered")
                ? r.get("editsDelivered").asDouble()
                : r.path("matchSeconds").isNumber() ? r.path("edits").asDouble() : -1,
        "%,.0f",
        "");
    row(
        format,
        "  writer's socket first closed after (s)",
        ph,
        pk,
        r -> r.path("firstClose").path("seconds").asDouble(-1),
        "%.1f",
        "");
    row(
        format,
        "  updates/s until then, one relay per update",
        ph,
        pk,
        r -> r.path("firstClose").path("updatesPerSecond").asDouble(-1),
        "%,.0f",
        "");
    row(
        format,
        "followers match after (s)",
        ph,
        pk,
        r -> r.path("matchSeconds").asDouble(-1),
        "%.2f",
        "");
    row(
        format,
        "  writer done sending after (s)",
        ph,
        pk,
        r -> r.path("sendSeconds").asDouble(-1),
        "%.2f",
        "");
    row(
        format,
        "stored at the end (bytes)",
        ph,
        pk,
        r -> r.path("storedBytes").asDouble(-1),
        "%,.0f",
        "partyhost <= 300 KB");
    row(format, "  stored keys", ph, pk, r -> r.path("storedKeys").asDouble(-1), "%,.0f", "");
    row(
        format,
        "  settled after the clients left (s)",
        ph,
        pk,
        r -> r.path("storedSettledSeconds").asDouble(-1),
        "%.1f",
        "");
    row(
        format,
        "late joiner: connect to 'sync' (ms, median of 5)",
        ph,
        pk,
        r -> r.path("lateJoinMs").asDouble(-1),
        "%.1f",
        "partyhost < 100 ms");
    row(
        format,
        "    its first message after (ms)",
        ph,
        pk,
        r -> r.path("lateJoinFirstMessageMs").asDouble(-1),
        "%.1f",
        "");
    row(
        format,
        "    floor: from a server that only sends (ms)",
        ph,
        pk,
        r -> r.path("floorJoinMs").asDouble(-1),
        "%.1f",
        "");
    row(
        format,
        "late joiner: bytes received until 'sync'",
        ph,
        pk,
        r -> r.path("lateJoinBytes").asDouble(-1),
        "%,.0f",
        "");
    row(
        format,
        "  the writer's document as one update (bytes)",
        ph,
        pk,
        r -> r.path("writerSnapshotBytes").asDouble(-1),
        "%,.0f",
        "");
    for (Map.Entry<String, JsonNode> e : results.entrySet()) {
      if (e.getValue().has("error"))
        System.out.println("  " + e.getKey() + ": " + e.getValue().get("error").asText());
      if (e.getValue().path("partial").asBoolean())
        System.out.println(
            "  (*) "
                + e.getKey()
                + " ran out of time: its rate counts the edits that reached both followers by then,"
                + " so the ratio compares runs of different lengths");
      JsonNode closed = e.getValue().path("socketsClosed");
      boolean any = false;
      for (JsonNode codes : closed) any |= codes.size() > 0;
      if (any) {
        System.out.println(
            "  "
                + e.getKey()
                + ": sockets closed during the run (close codes of the writer, then of each follower;"
                + " ? is a close by the client: y-websocket's provider closes a socket that got"
                + " nothing for 30 s): "
                + closed
                + "); their providers reconnected and synced anew, so not every edit went through"
                + " as an update of its own");
      }
    }
  }

  private static void row(
      String format,
      String figure,
      JsonNode ph,
      JsonNode pk,
      ToDoubleFunction<JsonNode> value,
      String number,
      String target) {
    double a = ph == null ? -1 : value.applyAsDouble(ph);
    double b = pk == null ? -1 : value.applyAsDouble(pk);
    boolean partial =
        (ph != null && ph.path("partial").asBoolean())
            || (pk != null && pk.path("partial").asBoolean());
    String ratio = a >= 0 && b > 0 ? String.format("%.2fx", a / b) + (partial ? " (*)" : "") : "-";
    System.out.printf(
        format,
        figure,
        a < 0 ? "-" : String.format(number, a),
        b < 0 ? "-" : String.format(number, b),
        ratio,
        target);
  }

  private YjsBench() {}
}
