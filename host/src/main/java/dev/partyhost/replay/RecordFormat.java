package dev.partyhost.replay;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The recording file: {@code PHREC} and a version byte, then records, each a type byte, a 4-byte
 * big-endian length and that many bytes of payload. Inside a payload, integers are big-endian, and
 * byte strings (and UTF-8 strings) are a 4-byte length and the bytes. README, "Replaying a room",
 * lists the types and their fields.
 */
final class RecordFormat {
  private RecordFormat() {}

  static final byte[] MAGIC = {'P', 'H', 'R', 'E', 'C'};
  static final int VERSION = 1;

  // What the instance starts from.
  static final int HEADER = 1;
  static final int DATA = 2;
  static final int MEMBER = 3;
  // One hook: its call, the answers it got, its outputs, how it ended.
  static final int HOOK = 10;
  static final int ANSWER = 11;
  static final int FRAME = 20;
  static final int BROADCAST = 21;
  static final int CLOSE = 22;
  static final int RESPONSE = 23;
  static final int STORAGE = 24;
  static final int END = 25;
  // The recording reached maxRecordingBytes and stops here.
  static final int TRUNCATED = 30;

  static String typeName(int type) {
    return switch (type) {
      case HEADER -> "header";
      case DATA -> "data";
      case MEMBER -> "member";
      case HOOK -> "hook";
      case ANSWER -> "answer";
      case FRAME -> "frame";
      case BROADCAST -> "broadcast";
      case CLOSE -> "close";
      case RESPONSE -> "response";
      case STORAGE -> "storage";
      case END -> "end";
      case TRUNCATED -> "truncated";
      default -> "type " + type;
    };
  }

  /** One record: its type and payload. */
  record Rec(int type, byte[] payload) {
    In in() {
      return new In(payload);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Rec r && r.type == type && Arrays.equals(r.payload, payload);
    }

    @Override
    public int hashCode() {
      return 31 * type + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
      return Describe.record(this);
    }
  }

  /**
   * Builds one record's payload, in a plain growable array (no locks: a room's loop encodes every
   * hook while recording).
   */
  static final class Out {
    private byte[] buf = new byte[64];
    private int size;

    private void room(int more) {
      if (size + more > buf.length) buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
    }

    Out i8(int v) {
      room(1);
      buf[size++] = (byte) v;
      return this;
    }

    Out i32(int v) {
      room(4);
      buf[size++] = (byte) (v >>> 24);
      buf[size++] = (byte) (v >>> 16);
      buf[size++] = (byte) (v >>> 8);
      buf[size++] = (byte) v;
      return this;
    }

    Out i64(long v) {
      i32((int) (v >>> 32));
      return i32((int) v);
    }

    Out bytes(byte[] v) {
      i32(v.length);
      room(v.length);
      System.arraycopy(v, 0, buf, size, v.length);
      size += v.length;
      return this;
    }

    Out str(String v) {
      return bytes(v == null ? new byte[0] : v.getBytes(StandardCharsets.UTF_8));
    }

    /** A time or nothing: a presence byte, then the value. */
    Out optLong(Long v) {
      i8(v == null ? 0 : 1);
      return i64(v == null ? 0 : v);
    }

    byte[] toByteArray() {
      return Arrays.copyOf(buf, size);
    }

    /** Writes this payload as a record of {@code type} (type, length, payload) into {@code dest}. */
    void frameInto(int type, Out dest) {
      dest.i8(type).i32(size);
      dest.room(size);
      System.arraycopy(buf, 0, dest.buf, dest.size, size);
      dest.size += size;
    }

    int size() {
      return size;
    }

    /** Empties it, keeping its array unless a large hook grew it (a room keeps its chunk). */
    void reset() {
      size = 0;
      if (buf.length > 1 << 16) buf = new byte[64];
    }
  }

  /** Reads one record's payload. */
  static final class In {
    private final DataInputStream data;

    In(byte[] payload) {
      this.data = new DataInputStream(new java.io.ByteArrayInputStream(payload));
    }

    int i8() {
      try {
        return data.readUnsignedByte();
      } catch (IOException e) {
        throw new BadRecording("a record ends early");
      }
    }

    int i32() {
      try {
        return data.readInt();
      } catch (IOException e) {
        throw new BadRecording("a record ends early");
      }
    }

    long i64() {
      try {
        return data.readLong();
      } catch (IOException e) {
        throw new BadRecording("a record ends early");
      }
    }

    byte[] bytes() {
      int n = i32();
      if (n < 0) throw new BadRecording("a negative length");
      try {
        return data.readNBytes(n);
      } catch (IOException e) {
        throw new BadRecording("a record ends early");
      }
    }

    String str() {
      return new String(bytes(), StandardCharsets.UTF_8);
    }

    Long optLong() {
      boolean present = i8() != 0;
      long v = i64();
      return present ? v : null;
    }
  }

  /** The recording cannot be read. */
  static final class BadRecording extends RuntimeException {
    private static final long serialVersionUID = 1L;

    BadRecording(String message) {
      super(message, null, false, false);
    }
  }

  /** A record as written to the file: type, length, payload. */
  static byte[] frame(int type, byte[] payload) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(payload.length + 5);
    out.write(type);
    out.write(payload.length >>> 24);
    out.write(payload.length >>> 16);
    out.write(payload.length >>> 8);
    out.write(payload.length);
    out.writeBytes(payload);
    return out.toByteArray();
  }

  static byte[] fileHeader() {
    byte[] h = Arrays.copyOf(MAGIC, MAGIC.length + 1);
    h[MAGIC.length] = VERSION;
    return h;
  }

  /** Every record of a stream that starts with the file header. */
  static List<Rec> readAll(InputStream stream) throws IOException {
    DataInputStream in = new DataInputStream(stream);
    byte[] magic = in.readNBytes(MAGIC.length + 1);
    if (magic.length < MAGIC.length + 1
        || !Arrays.equals(Arrays.copyOf(magic, MAGIC.length), MAGIC))
      throw new BadRecording("not a partyhost recording (no PHREC header)");
    if (magic[MAGIC.length] != VERSION)
      throw new BadRecording(
          "recording format version " + magic[MAGIC.length] + "; this host reads " + VERSION);
    return readRecords(in);
  }

  /** Records up to the end of the stream (a record cut short at the end, as by a crash, is left out). */
  static List<Rec> readRecords(InputStream stream) throws IOException {
    DataInputStream in = new DataInputStream(stream);
    List<Rec> records = new ArrayList<>();
    while (true) {
      int type = in.read();
      if (type < 0) return records;
      int length;
      byte[] payload;
      try {
        length = in.readInt();
        if (length < 0) throw new BadRecording("a negative record length");
        payload = in.readNBytes(length);
      } catch (EOFException e) {
        return records;
      }
      if (payload.length < length) return records;
      records.add(new Rec(type, payload));
    }
  }
}
