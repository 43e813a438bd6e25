package dev.partyhost.support;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The host's Main in a child JVM on the test classpath, as an operator runs it: for what only a
 * process shows (signals, exit codes, what it prints). Its output (stdout and stderr) goes to a file
 * under host/target.
 */
public final class HostProcess {
  public final Process process;
  public final int port;
  private final Path output;

  private HostProcess(Process process, int port, Path output) {
    this.process = process;
    this.port = port;
    this.output = output;
  }

  /** Starts Main with these arguments and environment variables added; does not wait for it to listen. */
  public static HostProcess run(int port, List<String> args, Map<String, String> env)
      throws IOException {
    return run(port, args, env, 0);
  }

  /**
   * As {@link #run(int, List, Map)}, under an open-file limit ({@code ulimit -n}) of {@code openFiles}
   * if positive: the JVM is exec'ed by a shell that sets it, so the process is still the JVM.
   */
  public static HostProcess run(int port, List<String> args, Map<String, String> env, int openFiles)
      throws IOException {
    List<String> command = new ArrayList<>();
    if (openFiles > 0)
      command.addAll(List.of("sh", "-c", "ulimit -n " + openFiles + " && exec \"$0\" \"$@\""));
    command.addAll(
        List.of(
            ProcessHandle.current().info().command().orElse("java"),
            "-Xmx256m", // a small heap: several of these run at once beside the test JVMs
            // C1 only: these processes live seconds to a minute, and on a 2-core machine C2's
            // compiler threads took CPU from everything else while they started (the collector,
            // G1 as in production, is left as it is).
            "-XX:TieredStopAtLevel=1",
            "-cp",
            System.getProperty("java.class.path"),
            "dev.partyhost.Main"));
    command.addAll(args);
    Path output =
        Files.createTempFile(
            Files.createDirectories(TestHost.root().resolve("host/target")), "host-", ".log");
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
    builder.environment().putAll(env);
    return new HostProcess(builder.start(), port, output);
  }

  /** Starts Main on {@code port}, serving build/test-wasm, with these arguments too; returns once it listens. */
  public static HostProcess start(int port, List<String> args, Map<String, String> env)
      throws IOException, InterruptedException {
    return start(port, args, env, 0);
  }

  /** As {@link #start(int, List, Map)}, under an open-file limit if {@code openFiles} is positive. */
  public static HostProcess start(
      int port, List<String> args, Map<String, String> env, int openFiles)
      throws IOException, InterruptedException {
    List<String> all =
        new ArrayList<>(
            List.of(
                "--port",
                String.valueOf(port),
                "--parties",
                TestHost.root().resolve("build/test-wasm").toString()));
    all.addAll(args);
    HostProcess host = run(port, all, env, openFiles);
    long deadline = System.currentTimeMillis() + 30_000;
    while (System.currentTimeMillis() < deadline) {
      if (!host.process.isAlive()) throw new IllegalStateException("host exited: " + host.output());
      try (Socket s = new Socket("127.0.0.1", port)) {
        return host;
      } catch (IOException notYet) {
        Thread.sleep(50);
      }
    }
    host.process.destroyForcibly();
    throw new IllegalStateException("host did not listen within 30 s: " + host.output());
  }

  /** Waits for the process to exit (killing it after {@code seconds}); its exit code. */
  public int awaitExit(long seconds) throws InterruptedException {
    if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
      throw new AssertionError("the host did not exit within " + seconds + " s: " + output());
    }
    return process.exitValue();
  }

  /** What it printed so far. */
  public String output() {
    try {
      return Files.readString(output, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  public static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
