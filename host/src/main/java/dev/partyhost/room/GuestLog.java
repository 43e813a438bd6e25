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
    String message = escape(new String(text, 0, n, StandardCharsets.UTF_8));
    LOG.log(level, tag + message + (n < text.length ? " [truncated]" : ""));
  }

  /**
   * The text with every character that could move a terminal's cursor or reorder what it shows escaped
   * as {@code \\uXXXX} ({@code \\n}, {@code \\r}, {@code \\t} for the common ones): C0 and C1
   * controls (ESC, BS, VT, FF, NEL...), DEL, the line and paragraph separators and the bidirectional
   * overrides. So a guest cannot erase its {@code [party/room]} tag or write a line that looks like
   * the host's own.
   */
  static String escape(String s) {
    StringBuilder out = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      String e = switch (c) {
        case '\n' -> "\\n";
        case '\r' -> "\\r";
        case '\t' -> "\\t";
        default -> isUnsafe(c) ? String.format("\\u%04x", (int) c) : null;
      };
      if (e != null && out == null) out = new StringBuilder(s.length() + 16).append(s, 0, i);
      if (out != null) {
        if (e != null) out.append(e); else out.append(c);
      }
    }
    return out == null ? s : out.toString();
  }

  private static boolean isUnsafe(char c) {
    return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029'
        || (c >= '\u202a' && c <= '\u202e') || (c >= '\u2066' && c <= '\u2069');
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
