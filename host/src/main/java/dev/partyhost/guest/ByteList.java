package dev.partyhost.guest;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The ABI's byte-string list: items, each a little-endian u32 length and its bytes (section 5). */
public final class ByteList {
  private ByteList() {}

  public static byte[] encode(List<byte[]> items) {
    long size = encodedLength(items);
    if (size > Integer.MAX_VALUE - 8)
      throw new IllegalArgumentException("list of " + size + " bytes is too large");
    ByteBuffer out = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
    for (byte[] item : items) out.putInt(item.length).put(item);
    return out.array();
  }

  /** The size of {@link #encode}'s result, without encoding (it may exceed an array's size). */
  public static long encodedLength(List<byte[]> items) {
    long size = 0;
    for (byte[] item : items) size += 4L + item.length;
    return size;
  }

  public static byte[] encodeStrings(List<String> items) {
    List<byte[]> bytes = new ArrayList<>(items.size());
    for (String s : items) bytes.add(s.getBytes(StandardCharsets.UTF_8));
    return encode(bytes);
  }

  /** Decodes a list; throws IllegalArgumentException when an item runs past the end. */
  public static List<byte[]> decode(byte[] data) {
    ByteBuffer in = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    List<byte[]> items = new ArrayList<>();
    while (in.hasRemaining()) {
      if (in.remaining() < 4) throw new IllegalArgumentException("truncated length");
      long len = Integer.toUnsignedLong(in.getInt());
      if (len > in.remaining()) throw new IllegalArgumentException("item runs past the end");
      byte[] item = new byte[(int) len];
      in.get(item);
      items.add(item);
    }
    return items;
  }

  /**
   * Incremental encoder, for records built field by field (a request record per connect: a plain
   * growing array, sized for a usual request, not a synchronized stream that starts at 32 bytes).
   */
  public static final class Builder {
    private byte[] buf = new byte[512];
    private int size;

    public Builder add(byte[] item) {
      int n = item.length;
      int needed = size + 4 + n;
      if (needed < 0) throw new IllegalArgumentException("record too large");
      if (needed > buf.length) buf = Arrays.copyOf(buf, Math.max(needed, buf.length * 2));
      buf[size] = (byte) n;
      buf[size + 1] = (byte) (n >>> 8);
      buf[size + 2] = (byte) (n >>> 16);
      buf[size + 3] = (byte) (n >>> 24);
      System.arraycopy(item, 0, buf, size + 4, n);
      size = needed;
      return this;
    }

    public Builder add(String item) {
      return add(item.getBytes(StandardCharsets.UTF_8));
    }

    public byte[] build() {
      return Arrays.copyOf(buf, size);
    }
  }
}
