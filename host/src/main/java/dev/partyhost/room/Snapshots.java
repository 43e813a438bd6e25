package dev.partyhost.room;

import dev.partyhost.guest.Guest;
import dev.partyhost.guest.GuestModule;
import dev.partyhost.guest.MemoryImage;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;

/**
 * Snapshots of hibernating rooms' instances (parties with {@code snapshots} on): taken when a room
 * hibernates, kept in the room and stored with its data (deflated); a wake restores one onto a fresh
 * instance instead of running {@code on_start}. The room keeps its snapshot as captured (zero chunks
 * elided, not deflated): inflating it would cost a wake more than the rest of the restore. The host's one policy for them: the size limit
 * ({@code maxSnapshotBytes}), compression off the event loop when the image is large, and counts for
 * {@code /_admin/stats}.
 */
final class Snapshots {
  private static final Logger LOG = System.getLogger("partyhost.snapshot");

  /** Images up to this size are compressed on the room's loop (well under a millisecond). */
  private static final long COMPRESS_ON_LOOP_BYTES = 128 * 1024;

  private final Vertx vertx;
  private final int maxBytes;
  private final LongAdder taken = new LongAdder();
  private final LongAdder restored = new LongAdder();
  private final LongAdder tooLarge = new LongAdder();
  private final LongAdder unusable = new LongAdder();

  /** The most bytes a hibernating room keeps: its snapshot's image, and its data beside it. */
  int maxBytes() {
    return maxBytes;
  }

  Snapshots(Vertx vertx, int maxBytes) {
    this.vertx = vertx;
    this.maxBytes = maxBytes;
  }

  /**
   * Captures {@code guest} (between hooks) and hands the snapshot and its encoding to {@code done}
   * on {@code context}: at once if small (or {@code now}), else after compressing it on a worker. For a module whose
   * instances cannot be imaged, or a snapshot over the limit, both are null.
   */
  void take(
      Room room,
      Guest guest,
      GuestModule module,
      int nextHandle,
      int[] handles,
      Context context,
      boolean now,
      BiConsumer<Snapshot, byte[]> done) {
    if (module.imageRefusal() != null) {
      unusable.increment();
      LOG.log(Level.DEBUG, room.tag + "no snapshot: " + module.imageRefusal());
      done.accept(null, null);
      return;
    }
    // The limit is on what the room keeps in memory: the image as captured (storage gets it
    // deflated).
    MemoryImage image = MemoryImage.capture(guest, maxBytes);
    if (image == null) {
      tooLarge.increment();
      room.meters.limitHit("maxSnapshotBytes");
      LOG.log(
          Level.INFO,
          room.tag
              + "no snapshot: more than maxSnapshotBytes ("
              + maxBytes
              + ") of memory that is not zero; the room wakes with on_start");
      done.accept(null, null);
      return;
    }
    Snapshot snapshot = new Snapshot(module.sha256(), nextHandle, handles, image);
    if (now || snapshot.image().bytes() <= COMPRESS_ON_LOOP_BYTES) {
      kept(snapshot, snapshot.encode(), done);
      return;
    }
    var unused =
        vertx
            .executeBlocking(snapshot::encode, false)
            .onComplete(
                encoded ->
                    context.runOnContext(
                        v -> {
                          if (encoded.succeeded()) kept(snapshot, encoded.result(), done);
                          else {
                            LOG.log(Level.WARNING, room.tag + "snapshot failed", encoded.cause());
                            done.accept(null, null);
                          }
                        }));
  }

  private void kept(Snapshot snapshot, byte[] encoded, BiConsumer<Snapshot, byte[]> done) {
    taken.increment();
    done.accept(snapshot, encoded);
  }

  /** The snapshot stored in {@code bytes}, or null if they cannot be read. */
  Snapshot stored(Room room, byte[] bytes) {
    try {
      // Bounded by what this host keeps: a stored row cannot make the loop inflate gigabytes.
      return Snapshot.decode(bytes, (long) maxBytes + Snapshot.HEADER_ALLOWANCE);
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.WARNING, room.tag + "unreadable snapshot dropped: " + e);
      unusable.increment();
      return null;
    }
  }

  /** Whether {@code s} can be restored onto an instance of {@code current}. */
  boolean usable(Room room, Snapshot s, GuestModule current) {
    if (s.module().equals(current.sha256()) && current.imageRefusal() == null) return true;
    LOG.log(Level.DEBUG, room.tag + "snapshot of another version dropped: normal start");
    unusable.increment();
    return false;
  }

  /** A usable snapshot that could not be restored (its memory would not fit, or failed): a normal start. */
  void notRestored(Room room) {
    unusable.increment();
    LOG.log(Level.INFO, room.tag + "snapshot not restored: the room starts anew");
  }

  void restored() {
    restored.increment();
  }

  long taken() {
    return taken.sum();
  }

  long restoredCount() {
    return restored.sum();
  }

  long tooLarge() {
    return tooLarge.sum();
  }

  long unusable() {
    return unusable.sum();
  }
}
