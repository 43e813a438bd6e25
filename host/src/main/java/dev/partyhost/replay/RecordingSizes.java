package dev.partyhost.replay;

import java.io.IOException;
import java.io.InputStream;
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
      try (InputStream in = Files.newInputStream(p)) {
        for (RecordFormat.Rec r : RecordFormat.readAll(in))
          if (r.type() == RecordFormat.HOOK) hooks++;
      } catch (RecordFormat.BadRecording unreadable) {
        // counted in bytes, not in hooks
      }
    }
    return new RecordingSizes(files, bytes, hooks);
  }

  @Override
  public String toString() {
    return String.format(
        "%d recordings, %,d bytes, %,d hooks (%.0f bytes a hook)",
        files, bytes, hooks, hooks == 0 ? 0.0 : (double) bytes / hooks);
  }
}
