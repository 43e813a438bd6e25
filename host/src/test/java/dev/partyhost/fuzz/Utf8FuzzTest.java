package dev.partyhost.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.partyhost.guest.Utf8;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Strict UTF-8, which decides what guests may send as text, close reasons and tags: Utf8.decode
 * (and Utf8.isValid, on a view of an array) accepts exactly the well-formed sequences of RFC 3629 (checked against a table-driven validator
 * written from the RFC, and against a strict CharsetDecoder), and decodes them losslessly.
 */
class Utf8FuzzTest {
  @FuzzTest
  void decode(byte[] data) {
    String text = Utf8.decode(data);
    assertEquals(wellFormed(data), text != null, "Utf8.decode and RFC 3629 disagree");
    if (data.length > 0) { // a view that starts and ends inside the array
      byte[] padded = new byte[data.length + 2];
      System.arraycopy(data, 0, padded, 1, data.length);
      padded[0] =
          padded[padded.length - 1] =
              (byte) 0xe2; // a lead byte on either side, never part of the view
      assertEquals(
          wellFormed(data), Utf8.isValid(padded, 1, data.length), "Utf8.isValid of a view");
    }
    assertEquals(strictDecode(data), text, "Utf8.decode and a strict CharsetDecoder disagree");
    if (text != null) assertArrayEquals(data, text.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void referenceValidator() {
    assertTrue(wellFormed(new byte[0]));
    assertTrue(wellFormed("aé€😀".getBytes(StandardCharsets.UTF_8)));
    for (String bad :
        new String[] {"c0 80", "e0 80 80", "ed a0 80", "f4 90 80 80", "f8", "80", "e2 82", "ff"}) {
      String[] hex = bad.split(" ");
      byte[] bytes = new byte[hex.length];
      for (int i = 0; i < hex.length; i++) bytes[i] = (byte) Integer.parseInt(hex[i], 16);
      assertTrue(!wellFormed(bytes), bad);
      assertNull(Utf8.decode(bytes), bad);
    }
    assertNotNull(Utf8.decode("ok".getBytes(StandardCharsets.UTF_8)));
  }

  /** RFC 3629, section 4 (UTF8-octets), as a table: lead byte ranges and the range of the second byte. */
  static boolean wellFormed(byte[] b) {
    int i = 0;
    while (i < b.length) {
      int c = b[i] & 0xff;
      int n;
      int lo = 0x80, hi = 0xbf; // the second byte's range
      if (c <= 0x7f) n = 0;
      else if (c >= 0xc2 && c <= 0xdf) n = 1;
      else if (c == 0xe0) {
        n = 2;
        lo = 0xa0;
      } else if ((c >= 0xe1 && c <= 0xec) || c == 0xee || c == 0xef) n = 2;
      else if (c == 0xed) {
        n = 2;
        hi = 0x9f;
      } else if (c == 0xf0) {
        n = 3;
        lo = 0x90;
      } else if (c >= 0xf1 && c <= 0xf3) n = 3;
      else if (c == 0xf4) {
        n = 3;
        hi = 0x8f;
      } else return false;
      if (i + n >= b.length && n > 0) return false;
      for (int k = 1; k <= n; k++) {
        int t = b[i + k] & 0xff;
        if (k == 1 ? t < lo || t > hi : t < 0x80 || t > 0xbf) return false;
      }
      i += n + 1;
    }
    return true;
  }

  private static String strictDecode(byte[] data) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(data))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }
}
