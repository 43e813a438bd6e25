package dev.partyhost.replay;

import dev.partyhost.guest.Utf8;
import dev.partyhost.replay.RecordFormat.In;
import dev.partyhost.replay.RecordFormat.Rec;
import java.util.HexFormat;

/** Records as a person reads them: fields by name, bytes as text when they are printable UTF-8, else hex. */
final class Describe {
  private Describe() {}

  private static final int MAX_SHOWN = 200;

  static String record(Rec r) {
    try {
      return RecordFormat.typeName(r.type()) + " " + fields(r);
    } catch (RuntimeException e) {
      return RecordFormat.typeName(r.type()) + " (unreadable: " + e.getMessage() + ")";
    }
  }

  private static String fields(Rec r) {
    In in = r.in();
    return switch (r.type()) {
      case RecordFormat.HOOK -> {
        Recording.Call c = Recording.Call.of(r);
        StringBuilder s = new StringBuilder(c.hook()).append("(");
        for (int i = 0; i < c.ints().length; i++) s.append(i == 0 ? "" : ", ").append(c.ints()[i]);
        if (c.bytes().length > 0)
          s.append(c.ints().length > 0 ? ", " : "").append(bytes(c.bytes()));
        s.append(") at ").append(c.nowMs());
        if (c.connectionId() != null)
          s.append(" id=").append(c.connectionId()).append(" uri=").append(c.uri());
        yield s.toString();
      }
      case RecordFormat.ANSWER -> {
        String name = in.str();
        long result = in.i64();
        byte[] b = in.bytes();
        yield name
            + " -> "
            + result
            + (b.length > 0 ? " wrote " + HexFormat.of().formatHex(b) : "");
      }
      case RecordFormat.FRAME -> {
        int handle = in.i32();
        boolean text = in.i8() != 0;
        yield "to " + handle + (text ? " text " : " binary ") + bytes(in.bytes());
      }
      case RecordFormat.BROADCAST -> {
        int n = in.i32();
        StringBuilder s = new StringBuilder("to [");
        for (int i = 0; i < n; i++) s.append(i == 0 ? "" : ",").append(in.i32());
        boolean text = in.i8() != 0;
        yield s.append("]")
            .append(text ? " text " : " binary ")
            .append(bytes(in.bytes()))
            .toString();
      }
      case RecordFormat.CLOSE ->
          "connection " + in.i32() + " code " + in.i32() + " reason " + quote(in.str());
      case RecordFormat.RESPONSE -> {
        int status = in.i32();
        int n = in.i32();
        StringBuilder s = new StringBuilder("status " + status + " headers [");
        for (int i = 0; i < n; i++) s.append(i == 0 ? "" : ", ").append(in.str());
        yield s.append("] body ").append(bytes(in.bytes())).toString();
      }
      case RecordFormat.STORAGE -> {
        StringBuilder s = new StringBuilder(in.i8() != 0 ? "clear all; " : "");
        int n = in.i32();
        for (int i = 0; i < n; i++) {
          byte[] key = in.bytes();
          boolean put = in.i8() != 0;
          byte[] value = in.bytes();
          s.append(put ? "put " : "delete ").append(bytes(key));
          if (put) s.append(" = ").append(bytes(value));
          s.append("; ");
        }
        boolean alarmChanged = in.i8() != 0;
        Long alarm = in.optLong();
        if (alarmChanged) s.append(alarm == null ? "alarm deleted" : "alarm at " + alarm);
        yield s.toString().strip();
      }
      case RecordFormat.END -> {
        boolean trapped = in.i8() != 0;
        int code = in.i32();
        String trap = in.str();
        yield trapped ? "trapped: " + trap : "returned " + code;
      }
      default -> HexFormat.of().formatHex(r.payload());
    };
  }

  /** Bytes as quoted text if they are printable UTF-8, else hex; long ones cut with their length. */
  static String bytes(byte[] b) {
    String text = Utf8.decode(b);
    boolean printable =
        text != null && text.codePoints().noneMatch(c -> c < 0x20 && c != '\n' && c != '\t');
    if (printable) {
      String shown = text.length() > MAX_SHOWN ? text.substring(0, MAX_SHOWN) + "..." : text;
      return quote(shown) + (text.length() > MAX_SHOWN ? " (" + b.length + " bytes)" : "");
    }
    int n = Math.min(b.length, MAX_SHOWN / 2);
    return "hex "
        + HexFormat.of().formatHex(b, 0, n)
        + (n < b.length ? "... (" + b.length + " bytes)" : "");
  }

  private static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
  }
}
