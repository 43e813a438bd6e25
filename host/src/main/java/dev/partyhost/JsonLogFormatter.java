package dev.partyhost;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.partyhost.guest.GuestLogRecord;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;

/**
 * {@code --log-format json}: one JSON object per line, for log shippers: {@code time} (ISO-8601, UTC),
 * {@code level} (TRACE, DEBUG, INFO, WARNING, ERROR: System.Logger's names, not java.util.logging's),
 * {@code logger}, {@code message}, {@code thrown} (the stack trace) if any, and for a guest's line
 * {@code party} and {@code room}, with its text (without the {@code [party/room]} tag) as the message.
 */
public final class JsonLogFormatter extends Formatter {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Override
  public String format(LogRecord record) {
    ObjectNode line =
        JSON.createObjectNode()
            .put("time", record.getInstant().toString())
            .put("level", level(record.getLevel()))
            .put("logger", record.getLoggerName());
    if (record instanceof GuestLogRecord guest) {
      line.put("party", guest.party()).put("room", guest.room()).put("message", guest.text());
    } else {
      line.put("message", formatMessage(record));
    }
    if (record.getThrown() != null) {
      StringWriter trace = new StringWriter();
      record.getThrown().printStackTrace(new PrintWriter(trace));
      line.put("thrown", trace.toString());
    }
    // Jackson escapes every control character, so a line of the log is always one record.
    return line + System.lineSeparator();
  }

  static String level(Level level) {
    int v = level.intValue();
    if (v >= Level.SEVERE.intValue()) return "ERROR";
    if (v >= Level.WARNING.intValue()) return "WARNING";
    if (v >= Level.INFO.intValue()) return "INFO";
    if (v >= Level.FINE.intValue()) return "DEBUG";
    return "TRACE";
  }
}
