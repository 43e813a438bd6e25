package dev.partyhost.replay;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * What a host's recordings take: files, bytes and hooks under {@code DATA/recordings} (the bench
 * reports bytes per hook with recording on).
 */
public record RecordingSizes(long files, long bytes, long hooks) {
  /** Counts the recordings under data directory {@code dataDir} (none: zeros). */
  public static RecordingSizes of(Path dataDir) throws IOException {
    Path dir = dataDir.resolve("recordings");
    if (!Files.isDirectory(dir)) return new RecordingSizes(0, 0, 0);
    long files = 0, bytes = 0, hooks = 0;
    List<Path> all;
    try (Stream<Path> walk = Files.walk(dir)) {
      all = walk.filter(p -> p.toString().endsWith(".rec")).toList();
    }
    for (Path p : all) {
      files++;
      bytes += Files.size(p);
      hooks += hooks(p);
    }
    return new RecordingSizes(files, bytes, hooks);
  }

  /** The HOOK records of one file, read a record's type and length at a time (files may be large). */
  private static long hooks(Path file) throws IOException {
    long hooks = 0;
    try (DataInputStream in =
        new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
      in.skipNBytes(RecordFormat.MAGIC.length + 1);
      while (true) {
        int type = in.read();
        if (type < 0) return hooks;
        int length = in.readInt();
        in.skipNBytes(length);
        if (type == RecordFormat.HOOK) hooks++;
      }
    } catch (EOFException cutShort) {
      return hooks; // a record cut short at the end
    }
  }

  @Override
  public String toString() {
    return String.format(
        "%d recordings, %,d bytes, %,d hooks (%.0f bytes a hook)",
        files, bytes, hooks, hooks == 0 ? 0.0 : (double) bytes / hooks);
  }
}
