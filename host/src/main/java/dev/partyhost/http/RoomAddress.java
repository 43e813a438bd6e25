package dev.partyhost.http;

import dev.partyhost.guest.Utf8;
import java.io.ByteArrayOutputStream;

/**
 * Where a URL path points: {@code /parties/PARTY/ROOM[/sub/path]} or {@code /party/ROOM[/sub/path]}
 * (the main party), PartyKit's scheme. The alias {@code main} also names the main party.
 */
public record RoomAddress(String party, String room) {
  public static final int MAX_ROOM_ID_BYTES = 256;

  /** A path that is not a valid room address; {@code status} is 400 or 404. */
  public static final class Invalid extends Exception {
    private final int status;

    Invalid(int status, String message) {
      super(message);
      this.status = status;
    }

    public int status() {
      return status;
    }
  }

  /** Parses a raw (still percent-encoded) path; null when it is not under /parties/ or /party/. */
  public static RoomAddress parse(String rawPath, String mainParty) throws Invalid {
    String rest;
    String party;
    if (rawPath.startsWith("/parties/")) {
      rest = rawPath.substring("/parties/".length());
      int slash = rest.indexOf('/');
      party = slash < 0 ? rest : rest.substring(0, slash);
      if (party.isEmpty()) throw new Invalid(400, "Missing party name in " + rawPath);
      if (party.equals("main")) party = mainParty;
      rest = slash < 0 ? "" : rest.substring(slash + 1);
    } else if (rawPath.startsWith("/party/")) {
      party = mainParty;
      rest = rawPath.substring("/party/".length());
    } else {
      return null;
    }
    int slash = rest.indexOf('/');
    String segment = slash < 0 ? rest : rest.substring(0, slash);
    return new RoomAddress(party, roomId(segment));
  }

  /** True when a {@code %} in the path is not followed by two hex digits. */
  public static boolean hasBadEscape(String rawPath) {
    for (int i = rawPath.indexOf('%'); i >= 0; i = rawPath.indexOf('%', i + 1)) {
      if (i + 2 >= rawPath.length()) return true;
      if (hex(rawPath.charAt(i + 1)) < 0 || hex(rawPath.charAt(i + 2)) < 0) return true;
    }
    return false;
  }

  private static String roomId(String segment) throws Invalid {
    if (plainAscii(segment)) {
      if (segment.isEmpty()) throw new Invalid(400, "Missing room id");
      if (segment.length() > MAX_ROOM_ID_BYTES) throw tooLong(segment.length());
      return segment; // the usual id: no escapes, printable ASCII, its own UTF-8
    }
    byte[] bytes = percentDecode(segment);
    if (bytes.length == 0) throw new Invalid(400, "Missing room id");
    if (bytes.length > MAX_ROOM_ID_BYTES) throw tooLong(bytes.length);
    String id = Utf8.decode(bytes);
    if (id == null) throw new Invalid(400, "Room id is not valid UTF-8");
    for (int i = 0; i < id.length(); i++) {
      if (control(id.charAt(i))) throw new Invalid(400, "Room id contains a control character");
    }
    return id;
  }

  private static Invalid tooLong(int bytes) {
    return new Invalid(
        400, "Room id too long: " + bytes + " bytes, the limit is " + MAX_ROOM_ID_BYTES);
  }

  /** Control characters make no sense in a name, and PostgreSQL text cannot hold NUL. */
  private static boolean control(char c) {
    return c < 0x20 || c == 0x7f;
  }

  /** Printable ASCII without escapes: the id is the segment as it stands. */
  private static boolean plainAscii(String segment) {
    for (int i = 0; i < segment.length(); i++) {
      char c = segment.charAt(i);
      if (c == '%' || c > 0x7e || control(c)) return false;
    }
    return true;
  }

  /**
   * An ASCII hex digit's value, or -1. Not Character.digit, which also takes other scripts' digits
   * (Arabic-Indic, fullwidth): "%\u0663\u0663" is not "3" (seen while writing the fuzz test's
   * reference; Netty's ISO-8859-1 paths cannot carry those chars, but this class takes any String).
   */
  private static int hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }

  private static byte[] percentDecode(String s) throws Invalid {
    ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%') {
        if (i + 2 >= s.length()) throw new Invalid(400, "Bad percent-encoding in room id");
        int hi = hex(s.charAt(i + 1));
        int lo = hex(s.charAt(i + 2));
        if (hi < 0 || lo < 0) throw new Invalid(400, "Bad percent-encoding in room id");
        out.write(hi * 16 + lo);
        i += 2;
      } else if (c > 0xff) {
        // The request line is read as ISO-8859-1, one char per byte: anything wider was not sent by
        // a client.
        throw new Invalid(400, "Bad character in room id");
      } else {
        out.write(c);
      }
    }
    return out.toByteArray();
  }
}
