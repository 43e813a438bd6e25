package dev.partyhost.room;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;

/** Guest output (the ABI's log call, WASI stdout and stderr) into the host log, tagged with party and room. */
final class GuestLog extends OutputStream {
  static final Logger LOG = System.getLogger("partyhost.guest");
  private static final int MAX_LINE = dev.partyhost.guest.Abi.MAX_LOG_LINE_BYTES;

  private final String tag;
  private final ByteArrayOutputStream line = new ByteArrayOutputStream();

  GuestLog(String party, String room) {
    this.tag = tag(party, room);
  }

  /** {@code [party/room] }: how every log line about a room begins. */
  static String tag(String party, String room) {
    return "[" + party + "/" + room + "] ";
  }

  void log(Level level, byte[] text) {
    int n = Math.min(text.length, MAX_LINE);
    // Line breaks escaped: a guest must not be able to write lines that look like the host's own.
    String message = new String(text, 0, n, StandardCharsets.UTF_8).replace("\r", "\\r").replace("\n", "\\n");
    LOG.log(level, tag + message + (n < text.length ? " [truncated]" : ""));
  }

  /** Logs a partial line, if any. */
  @Override
  public void flush() {
    if (line.size() == 0) return;
    log(Level.INFO, line.toByteArray());
    line.reset();
  }

  /** WASI fd_write: whole lines go to the log. */
  @Override
  public void write(int b) {
    if (b == '\n' || line.size() >= MAX_LINE) {
      log(Level.INFO, line.toByteArray());
      line.reset();
      if (b == '\n') return;
    }
    line.write(b);
  }
}
