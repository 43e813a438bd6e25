package dev.partyhost.room;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

/** Guest log lines cannot drive a terminal: every control character is escaped (RELIABILITY.md). */
class GuestLogTest {
  @Test
  void controlCharactersAreEscaped() {
    assertEquals("a\\nb\\r\\tc", GuestLog.escape("a\nb\r\tc"));
    // ESC [2K (erase the line), BS, VT, FF, DEL, NEL, the separators, a right-to-left override.
    assertEquals(
        "\\u001b[2K\\u0008\\u000b\\u000c\\u007f\\u0085\\u2028\\u2029\\u202e\\u2066x",
        GuestLog.escape("\u001b[2K\b\u000b\f\u007f\u0085\u2028\u2029\u202e\u2066x"));
  }

  @Test
  void printableTextIsLeftAlone() {
    String text = "héllo wörld ✓ 日本 \\n is two characters";
    assertSame(text, GuestLog.escape(text));
  }
}
