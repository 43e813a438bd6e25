package dev.partyhost.guest;

import java.nio.charset.StandardCharsets;

/** Strict UTF-8: where the ABI or a URL requires text, bytes that are not UTF-8 are refused, not repaired. */
public final class Utf8 {
  private Utf8() {}

  /** The decoded text, or null when the bytes are not valid UTF-8. */
  public static String decode(byte[] bytes) {
    return isValid(bytes, 0, bytes.length) ? new String(bytes, StandardCharsets.UTF_8) : null;
  }

  /** Whether {@code b[offset, offset + length)} is valid UTF-8 (no overlongs, no surrogates, at most U+10FFFF). */
  public static boolean isValid(byte[] b, int offset, int length) {
    int i = offset;
    int end = offset + length;
    while (i < end) {
      int c = b[i] & 0xff;
      if (c < 0x80) {
        i++;
        continue;
      }
      int n; // continuation bytes
      int min; // the smallest code point this length may encode
      if (c >= 0xc2 && c <= 0xdf) {
        n = 1;
        min = 0x80;
      } else if (c >= 0xe0 && c <= 0xef) {
        n = 2;
        min = 0x800;
      } else if (c >= 0xf0 && c <= 0xf4) {
        n = 3;
        min = 0x10000;
      } else {
        return false;
      }
      if (end - i <= n) return false;
      int cp = c & (0x3f >> n);
      for (int k = 1; k <= n; k++) {
        int cc = b[i + k] & 0xff;
        if ((cc & 0xc0) != 0x80) return false;
        cp = (cp << 6) | (cc & 0x3f);
      }
      if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
      i += n + 1;
    }
    return true;
  }
}
