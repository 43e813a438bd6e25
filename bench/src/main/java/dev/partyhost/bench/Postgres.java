package dev.partyhost.bench;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A PostgreSQL server of a benchmark run's own, as the tests start theirs: Debian's newest
 * installed package (the Makefile installs it), a fresh cluster in a new temporary directory (not
 * under the checkout, which Debian's postgres user may not enter), on a free loopback port. initdb
 * and postgres refuse to run as root: as root they run as the postgres user. {@link #close} stops
 * it and deletes the directory.
 */
final class Postgres implements AutoCloseable {
  private final Path bin;
  private final Path dir;
  private final boolean asPostgres;
  private final int port;
  private boolean stopped;

  private Postgres(Path bin, Path dir, boolean asPostgres, int port) {
    this.bin = bin;
    this.dir = dir;
    this.asPostgres = asPostgres;
    this.port = port;
  }

  static Postgres start() throws IOException {
    Path bin = binaries();
    Path dir = Files.createTempDirectory("partyhost-bench-pg-");
    boolean root = "root".equals(System.getProperty("user.name"));
    Postgres pg = new Postgres(bin, dir, root, Server.freePort());
    try {
      if (root) pg.run(List.of("chown", "postgres:postgres", dir.toString()), false);
      pg.run(
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
      pg.pgCtl("-l", dir.resolve("log").toString(), "-w", "-o", pg.serverOptions(), "start");
      return pg;
    } catch (IOException | RuntimeException e) {
      pg.close();
      throw e;
    }
  }

  /** The URL of its default database, which the nodes share. */
  String url() {
    return "postgresql://postgres@127.0.0.1:" + port + "/postgres";
  }

  private String serverOptions() {
    return "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1";
  }

  /** Stops the server at once (nothing in it is kept) and deletes its directory; again: nothing. */
  @Override
  public synchronized void close() {
    if (stopped) return;
    stopped = true;
    try {
      if (Files.exists(dir.resolve("data/postmaster.pid"))) pgCtl("-m", "immediate", "stop");
    } catch (IOException | RuntimeException e) {
      System.err.println("stopping PostgreSQL failed: " + e);
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      System.err.println("cannot delete " + dir + ": " + e);
    }
  }

  private void pgCtl(String... args) throws IOException {
    List<String> command =
        new ArrayList<>(
            List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString()));
    command.addAll(Arrays.asList(args));
    run(command, asPostgres);
  }

  /** Debian's newest installed PostgreSQL: /usr/lib/postgresql/VERSION/bin. */
  private static Path binaries() {
    File[] versions =
        new File("/usr/lib/postgresql").listFiles(f -> new File(f, "bin/initdb").canExecute());
    if (versions == null || versions.length == 0)
      throw new IllegalStateException(
          "PostgreSQL is not installed: `make bench-cluster` installs it");
    return Arrays.stream(versions)
        .max(Comparator.comparingInt(f -> Integer.parseInt(f.getName().replaceAll("\\D", "0"))))
        .orElseThrow()
        .toPath()
        .resolve("bin");
  }

  /** Runs a command to its end (as the postgres user if asked); fails with its output. */
  private void run(List<String> command, boolean postgresUser) throws IOException {
    List<String> full = new ArrayList<>();
    if (postgresUser) full.addAll(List.of("runuser", "-u", "postgres", "--"));
    full.addAll(command);
    Process p = new ProcessBuilder(full).redirectErrorStream(true).start();
    p.getOutputStream().close();
    byte[] out = p.getInputStream().readAllBytes();
    try {
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0)
        throw new IOException(
            String.join(" ", full) + " failed:\n" + new String(out, StandardCharsets.UTF_8));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted: " + String.join(" ", full), e);
    }
  }
}
