package dev.partyhost.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;

/** How many sockets both sides may open: each process's open-file limit, less a margin. */
final class Limits {
  private static final int MARGIN = 400;

  /** Client sockets spread over 127.0.0.2 .. 127.0.0.(1 + ADDRESSES): ~28k ephemeral ports each. */
  static final int ADDRESSES = 8;

  private Limits() {}

  static int sockets(Server server) {
    long own =
        ((com.sun.management.UnixOperatingSystemMXBean)
                ManagementFactory.getOperatingSystemMXBean())
            .getMaxFileDescriptorCount();
    return (int) Math.max(0, Math.min(own, openFiles(server.tree().get(0).pid())) - MARGIN);
  }

  /** The soft open-file limit of a process (Linux /proc). */
  static long openFiles(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/limits"))) {
        if (line.startsWith("Max open files")) return Long.parseLong(line.trim().split("\\s+")[3]);
      }
    } catch (IOException | RuntimeException unknown) {
      // fall through
    }
    return Long.MAX_VALUE;
  }

  static InetSocketAddress localAddress(int i) {
    return new InetSocketAddress("127.0.0." + (2 + i % ADDRESSES), 0);
  }
}
