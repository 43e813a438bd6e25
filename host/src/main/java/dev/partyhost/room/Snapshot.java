package dev.partyhost.room;

import dev.partyhost.guest.MemoryImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.InflaterInputStream;

/**
 * A hibernated room's instance, as bytes (deflated): the module's SHA-256, the connection handles
 * the room had and the next one it would give, and the instance's {@link MemoryImage}. Kept in the
 * room's memory and with its data; restored only onto an instance of the same module.
 */
record Snapshot(String module, int nextHandle, int[] handles, MemoryImage image) {
  private static final int FORMAT = 0x50485301; // "PHS", version 1

  /** Deflated at the fast level: a hibernation is not worth a slow compression. */
  byte[] encode() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(4096 + (int) image.bytes() / 4);
    Deflater deflater = new Deflater(Deflater.BEST_SPEED);
    try (DataOutputStream out = new DataOutputStream(new DeflaterOutputStream(bytes, deflater))) {
      out.writeInt(FORMAT);
      out.writeUTF(module);
      out.writeInt(nextHandle);
      out.writeInt(handles.length);
      for (int h : handles) out.writeInt(h);
      image.write(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // in memory: not expected
    } finally {
      deflater.end();
    }
    return bytes.toByteArray();
  }

  /** The snapshot in {@code bytes}; an IOException if they are not one this host wrote. */
  static Snapshot decode(byte[] bytes) throws IOException {
    try (DataInputStream in =
        new DataInputStream(new InflaterInputStream(new ByteArrayInputStream(bytes)))) {
      if (in.readInt() != FORMAT) throw new IOException("not a snapshot of this format");
      String module = in.readUTF();
      int nextHandle = in.readInt();
      int n = in.readInt();
      if (n < 0 || n > 1_000_000) throw new IOException("bad handle count " + n);
      int[] handles = new int[n];
      for (int i = 0; i < n; i++) handles[i] = in.readInt();
      return new Snapshot(module, nextHandle, handles, MemoryImage.read(in));
    }
  }
}
