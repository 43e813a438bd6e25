package dev.partyhost;

import com.sun.management.UnixOperatingSystemMXBean;
import java.lang.management.ManagementFactory;

/**
 * {@code maxConnections} against the process's open-file limit ({@code ulimit -n}). Every WebSocket
 * holds a file descriptor; past the limit the kernel's accept fails (EMFILE), Netty stops accepting
 * for a second at a time, and new clients wait in the listen queue without an answer (RELIABILITY.md
 * has what was measured). So the host admits only as many WebSockets as the limit leaves room for,
 * and the ones past that get the clean 503 of the connection limit instead.
 */
final class OpenFiles {
  /**
   * Descriptors kept free beyond those open at start (the jars, storage, the event loops' epoll and
   * event fds, the listening socket): for HTTP connections, which the connection limit does not
   * count, and for files and database connections opened later.
   */
  static final int RESERVE = 256;

  private OpenFiles() {}

  /** The config to run with: {@code maxConnections} lowered to what fits, with a warning, if needed. */
  static HostConfig fit(HostConfig config) {
    if (!(ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean os)) {
      return config; // no file-descriptor counts on this platform
    }
    long limit = os.getMaxFileDescriptorCount();
    long open = os.getOpenFileDescriptorCount();
    long fits = connectionsThatFit(limit, open);
    if (config.maxConnections <= fits) return config;
    // The default is above the limit on most machines: lowering it is routine, not a warning.
    boolean chosen = config.maxConnections != new Settings().maxConnections;
    System.getLogger("partyhost")
        .log(
            chosen ? System.Logger.Level.WARNING : System.Logger.Level.INFO,
            "maxConnections "
                + config.maxConnections
                + " is more than this process can open: its open-file limit (ulimit -n) is "
                + limit
                + " and "
                + open
                + " files are open, so at most "
                + fits
                + " WebSockets are admitted ("
                + RESERVE
                + " files kept for HTTP connections and storage); raise the limit to admit more");
    return config.withMaxConnections((int) fits);
  }

  /** WebSockets that fit under {@code limit} with {@code open} descriptors in use; at least 1. */
  static long connectionsThatFit(long limit, long open) {
    return Math.max(1, Math.min(Integer.MAX_VALUE, limit - open - RESERVE));
  }
}
