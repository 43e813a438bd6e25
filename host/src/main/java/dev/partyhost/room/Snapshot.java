package dev.partyhost.room;

import dev.partyhost.guest.MemoryImage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * A hibernated room's instance, as bytes: the module's SHA-256, the connection handles the room had
 * and the next one it would give, and the instance's {@link MemoryImage}; deflated, after the length
 * it inflates to (a wake inflates it in one call, into one array: no stream reads a byte at a time).
 * Kept in the room's memory and with its data; restored only onto an instance of the same module.
 */
record Snapshot(String module, int nextHandle, int[] handles, MemoryImage image) {
  private static final int FORMAT = 0x50485301; // "PHS", version 1

  /** What a snapshot holds besides its image: the module's name, handles, globals (generously). */
  static final int HEADER_ALLOWANCE = 1 << 20;

  /** Deflated at the fast level: a hibernation is not worth a slow compression. */
  byte[] encode() {
    ByteArrayOutputStream raw = new ByteArrayOutputStream(256 + (int) image.bytes());
    try (DataOutputStream out = new DataOutputStream(raw)) {
      out.writeInt(FORMAT);
      byte[] name = module.getBytes(StandardCharsets.UTF_8);
      out.writeShort(name.length);
      out.write(name);
      out.writeInt(nextHandle);
      out.writeInt(handles.length);
      for (int h : handles) out.writeInt(h);
      image.write(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // in memory: not expected
    }
    byte[] input = raw.toByteArray();
    Deflater deflater = new Deflater(Deflater.BEST_SPEED);
    try {
      deflater.setInput(input);
      deflater.finish();
      ByteArrayOutputStream out = new ByteArrayOutputStream(64 + input.length / 4);
      out.writeBytes(ByteBuffer.allocate(4).putInt(input.length).array());
      byte[] buffer = new byte[Math.min(64 * 1024, Math.max(512, input.length))];
      while (!deflater.finished()) out.write(buffer, 0, deflater.deflate(buffer));
      return out.toByteArray();
    } finally {
      deflater.end();
    }
  }

  /**
   * The snapshot in {@code bytes}, which inflate to at most {@code maxInflated} bytes; an IOException
   * if they are not one this host wrote (with its limits).
   */
  static Snapshot decode(byte[] bytes, long maxInflated) throws IOException {
    if (bytes.length < 4) throw new IOException("truncated snapshot");
    int size = ByteBuffer.wrap(bytes).getInt();
    if (size < 0 || size > maxInflated) throw new IOException("bad snapshot size " + size);
    byte[] raw = new byte[size];
    Inflater inflater = new Inflater();
    try {
      inflater.setInput(bytes, 4, bytes.length - 4);
      int n = inflater.inflate(raw);
      if (n != size || !inflater.finished()) throw new IOException("corrupt snapshot");
    } catch (DataFormatException e) {
      throw new IOException("corrupt snapshot: " + e.getMessage(), e);
    } finally {
      inflater.end();
    }
    try {
      ByteBuffer in = ByteBuffer.wrap(raw);
      if (in.getInt() != FORMAT) throw new IOException("not a snapshot of this format");
      byte[] name = new byte[in.getShort() & 0xffff];
      in.get(name);
      String module = new String(name, StandardCharsets.UTF_8);
      int nextHandle = in.getInt();
      int n = in.getInt();
      if (n < 0 || n > 1_000_000) throw new IOException("bad handle count " + n);
      int[] handles = new int[n];
      for (int i = 0; i < n; i++) handles[i] = in.getInt();
      return new Snapshot(module, nextHandle, handles, MemoryImage.read(in));
    } catch (BufferUnderflowException e) {
      throw new IOException("truncated snapshot", e);
    }
  }
}
