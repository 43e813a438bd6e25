package dev.partyhost.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.partyhost.http.RoomAddress;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Room addresses from URL paths: RoomAddress.parse returns null (not a room path), an address, or
 * throws its Invalid with status 400 or 404, never anything else; and it agrees with a reference
 * written from the README's rules (one path segment, percent-decoded with ASCII hex digits, 1 to 256
 * bytes of UTF-8 without control characters), as hasBadEscape does. Each input is tried as the
 * ISO-8859-1 chars Netty makes of a request line, and as UTF-8 (any char, which no HTTP request
 * carries, but parse takes a String).
 */
class RoomAddressFuzzTest {
  private static final String MAIN = "main-party";
  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  @FuzzTest
  void parse(byte[] data) {
    check(new String(data, StandardCharsets.ISO_8859_1));
    check(new String(data, StandardCharsets.UTF_8));
  }

  private static void check(String path) {
    assertEquals(
        referenceBadEscape(path),
        RoomAddress.hasBadEscape(path),
        () -> "hasBadEscape(" + escape(path) + ")");
    RoomAddress address;
    try {
      address = RoomAddress.parse(path, MAIN);
    } catch (RoomAddress.Invalid e) {
      assertTrue(e.status() == 400 || e.status() == 404, () -> "status " + e.status());
      assertEquals(
          null, reference(path), () -> "parse refused " + escape(path) + ": " + e.getMessage());
      return;
    }
    String expected = reference(path);
    if (address == null) {
      assertTrue(!path.startsWith("/parties/") && !path.startsWith("/party/"), () -> escape(path));
      return;
    }
    assertEquals(expected, address.party() + "/" + address.room(), () -> "for " + escape(path));
    // The room id, percent-encoded byte by byte, is the same room.
    StringBuilder encoded = new StringBuilder("/parties/p/");
    for (byte b : address.room().getBytes(StandardCharsets.UTF_8))
      encoded.append('%').append(HEX[(b >> 4) & 15]).append(HEX[b & 15]);
    try {
      assertEquals(address.room(), RoomAddress.parse(encoded.toString(), MAIN).room());
    } catch (RoomAddress.Invalid e) {
      fail("re-encoded room id refused: " + e.getMessage());
    }
  }

  /** "party/room" for a valid room path, null for an invalid one, "" for one that is not a room path. */
  static String reference(String path) {
    String party;
    String rest;
    if (path.startsWith("/parties/")) {
      rest = path.substring(9);
      int slash = rest.indexOf('/');
      party = slash < 0 ? rest : rest.substring(0, slash);
      if (party.isEmpty()) return null;
      if (party.equals("main")) party = MAIN;
      rest = slash < 0 ? "" : rest.substring(slash + 1);
    } else if (path.startsWith("/party/")) {
      party = MAIN;
      rest = path.substring(7);
    } else {
      return "";
    }
    int slash = rest.indexOf('/');
    String segment = slash < 0 ? rest : rest.substring(0, slash);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    for (int i = 0; i < segment.length(); i++) {
      char c = segment.charAt(i);
      if (c == '%') {
        if (i + 2 >= segment.length()) return null;
        int hi = hex(segment.charAt(i + 1));
        int lo = hex(segment.charAt(i + 2));
        if (hi < 0 || lo < 0) return null;
        bytes.write(hi << 4 | lo);
        i += 2;
      } else if (c > 0xff) {
        return null;
      } else {
        bytes.write(c);
      }
    }
    byte[] id = bytes.toByteArray();
    if (id.length < 1 || id.length > 256 || !Utf8FuzzTest.wellFormed(id)) return null;
    String room = new String(id, StandardCharsets.UTF_8);
    for (int i = 0; i < room.length(); i++)
      if (room.charAt(i) < 0x20 || room.charAt(i) == 0x7f) return null;
    return party + "/" + room;
  }

  /** A % not followed by two ASCII hex digits. */
  static boolean referenceBadEscape(String path) {
    for (int i = 0; i < path.length(); i++) {
      if (path.charAt(i) != '%') continue;
      if (i + 2 >= path.length() || hex(path.charAt(i + 1)) < 0 || hex(path.charAt(i + 2)) < 0)
        return true;
    }
    return false;
  }

  private static int hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }

  private static String escape(String s) {
    StringBuilder out = new StringBuilder();
    for (char c : s.toCharArray())
      out.append(c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\u%04x", (int) c));
    return out.toString();
  }

  @org.junit.jupiter.api.Test
  void referenceAgreesOnKnownPaths() {
    assertEquals("chat/a b", reference("/parties/chat/a%20b/x"));
    assertEquals(MAIN + "/r", reference("/party/r"));
    assertEquals(MAIN + "/r", reference("/parties/main/r"));
    assertNull(reference("/parties/chat/"));
    assertNull(reference("/parties/chat/%e9"));
    assertEquals("", reference("/other"));
  }
}
