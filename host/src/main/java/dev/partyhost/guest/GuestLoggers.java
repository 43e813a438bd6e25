package dev.partyhost.guest;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The loggers of guest output: {@code partyhost.guest.PARTY}, one per party, each with its own level. */
public final class GuestLoggers {
  private static final String PREFIX = "partyhost.guest";
  private static final Map<String, Logger> LOGGERS = new ConcurrentHashMap<>();

  /** The loggers whose level was set, held: java.util.logging keeps loggers weakly, and would forget the level. */
  private static final Map<String, java.util.logging.Logger> LEVELS_SET = new ConcurrentHashMap<>();

  private GuestLoggers() {}

  public static Logger of(String party) {
    return LOGGERS.computeIfAbsent(party, p -> System.getLogger(PREFIX + "." + p));
  }

  /** The java.util.logging loggers that {@link #log} writes to, held for the same reason. */
  private static final Map<String, java.util.logging.Logger> JUL = new ConcurrentHashMap<>();

  /**
   * Logs one line of a room's guest as a {@link GuestLogRecord}: the text log shows {@code tag + text},
   * the JSON log party and room as fields of their own.
   */
  public static void log(String party, String room, String tag, Level level, String text) {
    java.util.logging.Logger logger =
        JUL.computeIfAbsent(party, p -> java.util.logging.Logger.getLogger(PREFIX + "." + p));
    GuestLogRecord record = new GuestLogRecord(jul(level), tag, party, room, text);
    record.setLoggerName(logger.getName());
    logger.log(record);
  }

  /** The lowest level of the party's guest lines that reach the host log (the levels of java.util.logging). */
  public static void setLevel(String party, Level level) {
    LEVELS_SET
        .computeIfAbsent(party, p -> java.util.logging.Logger.getLogger(PREFIX + "." + p))
        .setLevel(jul(level));
  }

  private static java.util.logging.Level jul(Level level) {
    return switch (level) {
      case ALL, TRACE -> java.util.logging.Level.ALL;
      case DEBUG -> java.util.logging.Level.FINE;
      case INFO -> java.util.logging.Level.INFO;
      case WARNING -> java.util.logging.Level.WARNING;
      case ERROR -> java.util.logging.Level.SEVERE;
      case OFF -> java.util.logging.Level.OFF;
    };
  }
}
