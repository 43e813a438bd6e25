package dev.partyhost.support;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** Records what the host logs under one logger name, at every level, with the thread that logged it. */
public final class LogCapture extends Handler implements AutoCloseable {
  /** One log line, the id of the thread that wrote it, and its level. */
  public record Line(String message, long threadId, Level level) {}

  // JUL keeps loggers weakly: hold this one, or it (and this handler) may be collected and
  // replaced.
  private final Logger logger;
  private final List<Line> lines = new ArrayList<>();
  private final Level previousLevel;

  public LogCapture(String loggerName) {
    logger = Logger.getLogger(loggerName);
    previousLevel = logger.getLevel();
    logger.setLevel(Level.ALL); // debug lines too; the console handler still prints INFO and up
    logger.addHandler(this);
  }

  @Override
  public synchronized void publish(LogRecord r) {
    lines.add(new Line(r.getMessage(), r.getLongThreadID(), r.getLevel()));
  }

  public synchronized List<Line> lines() {
    return new ArrayList<>(lines);
  }

  public synchronized List<String> messages() {
    return lines.stream().map(Line::message).toList();
  }

  /** The first line {@code wanted} accepts, waiting for it up to {@link Ws#TIMEOUT_MS}. */
  public String awaitLine(Predicate<String> wanted) {
    long deadline = System.currentTimeMillis() + Ws.TIMEOUT_MS;
    while (System.currentTimeMillis() < deadline) {
      for (String m : messages()) if (wanted.test(m)) return m;
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    }
    throw new AssertionError("no such log line; the log has:\n" + String.join("\n", messages()));
  }

  @Override
  public void flush() {}

  @Override
  public void close() {
    logger.removeHandler(this);
    logger.setLevel(previousLevel);
  }
}
