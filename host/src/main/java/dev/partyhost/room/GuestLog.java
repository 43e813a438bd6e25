package dev.partyhost.room;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Guest output into the host log, tagged with party and room: the ABI's log call at the guest's
 * level, WASI stdout (this stream) at INFO and WASI stderr ({@link #stderr}) at WARNING. Each party
 * logs under {@code partyhost.guest.PARTY}, whose level ({@link #setLevel}) drops the lines below it.
 */
public final class GuestLog extends OutputStream {
  private static final String LOGGER = "partyhost.guest";
  private static final int MAX_LINE = dev.partyhost.guest.Abi.MAX_LOG_LINE_BYTES;
  private static final Map<String, Logger> LOGGERS = new ConcurrentHashMap<>();
  /** The loggers whose level was set, held: java.util.logging keeps loggers weakly, and would forget the level. */
  private static final Map<String, java.util.logging.Logger> LEVELS_SET = new ConcurrentHashMap<>();

  private final Logger logger;
  private final String tag;
  private final Lines stdout = new Lines(Level.INFO);
  private final Lines stderr = new Lines(Level.WARNING);

  GuestLog(String party, String room) {
    this.logger = LOGGERS.computeIfAbsent(party, p -> System.getLogger(LOGGER + "." + p));
    this.tag = "[" + party + "/" + room + "] ";
  }

  /** The lowest level of the party's guest lines that reach the host log (the levels of java.util.logging). */
  public static void setLevel(String party, Level level) {
    java.util.logging.Level jul = switch (level) {
      case ALL, TRACE -> java.util.logging.Level.ALL;
      case DEBUG -> java.util.logging.Level.FINE;
      case INFO -> java.util.logging.Level.INFO;
      case WARNING -> java.util.logging.Level.WARNING;
      case ERROR -> java.util.logging.Level.SEVERE;
      case OFF -> java.util.logging.Level.OFF;
    };
    LEVELS_SET.computeIfAbsent(party, p -> java.util.logging.Logger.getLogger(LOGGER + "." + p)).setLevel(jul);
  }

  void log(Level level, byte[] text) {
    if (!logger.isLoggable(level)) return;
    int n = Math.min(text.length, MAX_LINE);
    // Line breaks escaped: a guest must not be able to write lines that look like the host's own.
    String message = new String(text, 0, n, StandardCharsets.UTF_8).replace("\r", "\\r").replace("\n", "\\n");
    logger.log(level, tag + message + (n < text.length ? " [truncated]" : ""));
  }

  /** WASI stderr: whole lines go to the log at WARNING. */
  OutputStream stderr() {
    return stderr;
  }

  /** Logs a partial line of either stream, if any. */
  @Override
  public void flush() {
    stdout.flush();
    stderr.flush();
  }

  /** WASI stdout: whole lines go to the log at INFO. */
  @Override
  public void write(int b) {
    stdout.write(b);
  }

  /** One WASI stream, cut into lines. */
  private final class Lines extends OutputStream {
    private final Level level;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

    Lines(Level level) {
      this.level = level;
    }

    @Override
    public void write(int b) {
      if (b == '\n' || line.size() >= MAX_LINE) {
        log(level, line.toByteArray());
        line.reset();
        if (b == '\n') return;
      }
      line.write(b);
    }

    @Override
    public void flush() {
      if (line.size() == 0) return;
      log(level, line.toByteArray());
      line.reset();
    }
  }
}
