package dev.partyhost.room;

import dev.partyhost.guest.GuestLoggers;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;

/**
 * Guest output into the host log, tagged with party and room: the ABI's log call at the guest's
 * level, WASI stdout (this stream) at INFO and WASI stderr ({@link #stderr}) at WARNING. Each party
 * logs under {@code partyhost.guest.PARTY}, whose level ({@link GuestLoggers#setLevel}) drops the lines
 * below it.
 */
final class GuestLog extends OutputStream {
  private static final int MAX_LINE = dev.partyhost.guest.Abi.MAX_LOG_LINE_BYTES;

  private final Logger logger;
  private final String party;
  private final String room;
  private final String tag;

  /** Bytes of log lines one hook may write; past them its lines are dropped (one warning says so). */
  private final long budget;

  private long spent;
  private int dropped;
  private final Lines stdout = new Lines(Level.INFO);
  private final Lines stderr = new Lines(Level.WARNING);

  /** Told once per hook whose lines are dropped (a room's metrics count it). */
  private final Runnable budgetSpent;

  GuestLog(String party, String room, long budget) {
    this(party, room, budget, () -> {});
  }

  GuestLog(String party, String room, long budget, Runnable budgetSpent) {
    this.logger = GuestLoggers.of(party);
    this.party = party;
    this.room = room;
    this.tag = tag(party, room);
    this.budget = budget;
    this.budgetSpent = budgetSpent;
  }

  /** A hook starts: its log budget is full again. */
  void hookStarted() {
    spent = 0;
    dropped = 0;
  }

  /** This log's {@link #tag(String, String)}. */
  String tag() {
    return tag;
  }

  /** {@code [party/room] }: how every log line about a room begins. */
  static String tag(String party, String room) {
    return "[" + party + "/" + room + "] ";
  }

  void log(Level level, byte[] text) {
    if (!logger.isLoggable(level)) return;
    int n = Math.min(text.length, MAX_LINE);
    if (spent + n > budget) {
      if (dropped++ == 0) {
        budgetSpent.run();
        GuestLoggers.log(
            party,
            room,
            tag,
            Level.WARNING,
            "log budget of "
                + budget
                + " bytes for this hook spent: its further lines are dropped");
      }
      return;
    }
    spent += n;
    String message = escape(new String(text, 0, n, StandardCharsets.UTF_8));
    GuestLoggers.log(party, room, tag, level, message + (n < text.length ? " [truncated]" : ""));
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
      String e =
          switch (c) {
            case '\n' -> "\\n";
            case '\r' -> "\\r";
            case '\t' -> "\\t";
            default -> isUnsafe(c) ? String.format("\\u%04x", (int) c) : null;
          };
      if (e != null && out == null) out = new StringBuilder(s.length() + 16).append(s, 0, i);
      if (out != null) {
        if (e != null) out.append(e);
        else out.append(c);
      }
    }
    return out == null ? s : out.toString();
  }

  private static boolean isUnsafe(char c) {
    return c < 0x20
        || (c >= 0x7f && c <= 0x9f)
        || c == '\u2028'
        || c == '\u2029'
        || (c >= '\u202a' && c <= '\u202e')
        || (c >= '\u2066' && c <= '\u2069');
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
    // On the first byte: most rooms never write to a WASI stream (150 B per room for the two).
    private ByteArrayOutputStream line;

    Lines(Level level) {
      this.level = level;
    }

    @Override
    public void write(int b) {
      if (line == null) line = new ByteArrayOutputStream();
      if (b == '\n' || line.size() >= MAX_LINE) {
        log(level, line.toByteArray());
        line.reset();
        if (b == '\n') return;
      }
      line.write(b);
    }

    @Override
    public void flush() {
      if (line == null || line.size() == 0) return;
      log(level, line.toByteArray());
      line.reset();
    }
  }
}
