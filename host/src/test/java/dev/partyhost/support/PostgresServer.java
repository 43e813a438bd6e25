package dev.partyhost.support;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real PostgreSQL server for the tests: Debian's package (installed by the Makefile), a fresh
 * cluster in a new temporary directory (not under the checkout, which Debian's postgres user may not
 * be allowed to enter), listening on a free loopback port, started once per test JVM and stopped
 * when it exits. Each caller of {@link #newDatabase} gets an empty database of its own.
 */
public final class PostgresServer {
  private static PostgresServer instance;
  private static final AtomicInteger DATABASES = new AtomicInteger();

  private final Path bin;
  private final int port;

  private PostgresServer(Path bin, int port) {
    this.bin = bin;
    this.port = port;
  }

  public static synchronized PostgresServer get() {
    if (instance == null) instance = start();
    return instance;
  }

  /** A URL for a new, empty database. */
  public String newDatabase() {
    String name = "partyhost_" + ProcessHandle.current().pid() + "_" + DATABASES.incrementAndGet();
    psql("postgres", "CREATE DATABASE " + name);
    return "postgresql://postgres@127.0.0.1:" + port + "/" + name;
  }

  private static PostgresServer start() {
    Path bin = binaries();
    Path dir;
    try {
      dir = Files.createTempDirectory("partyhost-test-pg-");
    } catch (IOException e) {
      throw new IllegalStateException("cannot create a directory for PostgreSQL", e);
    }
    try {
      int port;
      try (ServerSocket s = new ServerSocket(0)) {
        port = s.getLocalPort();
      }
      boolean root = "root".equals(System.getProperty("user.name"));
      // initdb refuses to run as root: the cluster then belongs to Debian's postgres user.
      if (root) run(List.of("chown", "postgres:postgres", dir.toString()), false);
      run(
          List.of(
              bin.resolve("initdb").toString(),
              "-D",
              dir.resolve("data").toString(),
              "-U",
              "postgres",
              "--auth=trust",
              "-E",
              "UTF8",
              "--no-sync"),
          root);
      run(
          List.of(
              bin.resolve("pg_ctl").toString(),
              "-D",
              dir.resolve("data").toString(),
              "-l",
              dir.resolve("log").toString(),
              "-w",
              "-o",
              "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1",
              "start"),
          root);
      PostgresServer server = new PostgresServer(bin, port);
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    try {
                      run(
                          List.of(
                              bin.resolve("pg_ctl").toString(),
                              "-D",
                              dir.resolve("data").toString(),
                              "-m",
                              "immediate",
                              "stop"),
                          root);
                      deleteRecursively(dir);
                    } catch (RuntimeException | IOException e) {
                      System.err.println("stopping the test PostgreSQL failed: " + e);
                    }
                  }));
      return server;
    } catch (IOException e) {
      throw new IllegalStateException("cannot start PostgreSQL in " + dir, e);
    }
  }

  /** Debian's newest installed PostgreSQL: /usr/lib/postgresql/VERSION/bin. */
  private static Path binaries() {
    File[] versions =
        new File("/usr/lib/postgresql").listFiles(f -> new File(f, "bin/initdb").canExecute());
    if (versions == null || versions.length == 0) {
      throw new IllegalStateException(
          "PostgreSQL is not installed: run the tests with `make test`, which installs it");
    }
    return Arrays.stream(versions)
        .max(Comparator.comparingInt(f -> Integer.parseInt(f.getName().replaceAll("\\D", "0"))))
        .orElseThrow()
        .toPath()
        .resolve("bin");
  }

  /** The one number {@code query} returns in the database of {@code url} (one made here). */
  public long queryLong(String url, String query) {
    return Long.parseLong(psql(url.substring(url.lastIndexOf('/') + 1), query).trim());
  }

  /** Runs one SQL statement with psql in {@code database}; its output, unaligned, tuples only. */
  private String psql(String database, String sql) {
    return run(
        List.of(
            bin.resolve("psql").toString(),
            "-h",
            "127.0.0.1",
            "-p",
            String.valueOf(port),
            "-U",
            "postgres",
            "-d",
            database,
            "-qtAc",
            sql),
        false);
  }

  /** Runs a command to its end; its output. */
  private static String run(List<String> command, boolean asPostgres) {
    List<String> full = new ArrayList<>();
    if (asPostgres) full.addAll(List.of("runuser", "-u", "postgres", "--"));
    full.addAll(command);
    try {
      Process p = new ProcessBuilder(full).redirectErrorStream(true).start();
      p.getOutputStream().close();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException(
            String.join(" ", full) + " failed:\n" + new String(out, StandardCharsets.UTF_8));
      }
      return new String(out, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + full, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) return;
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
    }
  }
}
