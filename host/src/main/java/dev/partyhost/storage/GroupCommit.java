package dev.partyhost.storage;

import io.netty.util.collection.LongObjectHashMap;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Write-behind with group commit: hooks of every room submit their changes here; one engine write is
 * in flight at a time, and everything submitted meanwhile goes into the next one, merged per room.
 * So a busy host pays one durable commit (one fsync) for many hooks, and a lone write is not delayed.
 * Completions come in submission order.
 *
 * <p>Two rules keep a room's memory and its durable data in step. A room's data is loaded only after
 * every change it submitted before has finished ({@link #load}). And when a write fails, every later
 * change of that room made from the same in-memory data (the same {@link Changes#generation}) fails
 * too, unwritten: those hooks saw writes that never became durable.
 *
 * <p>Where the engine is its data's only writer, the commit also knows which rooms have data (those
 * stored at start, and any room that submitted changes since): a room with none is loaded without a
 * trip to the engine. They are kept as 64-bit fingerprints; a collision only costs a load.
 */
public final class GroupCommit {
  private record Pending(Changes changes, Promise<Void> done) {}

  /** Told of every group commit when it ends (off the rooms' loops: on the engine's thread). */
  public interface Observer {
    void committed(int hooks, long nanos, boolean ok);
  }

  private volatile Observer observer = (hooks, nanos, ok) -> {};

  private final StorageEngine engine;
  private List<Pending> queue = new ArrayList<>();
  private boolean writing;
  private Promise<Void> drained;

  /** Per room: its last submitted change not yet finished. */
  private final Map<RoomKey, Future<Void>> lastByRoom = new HashMap<>();

  /** Per room: the newest generation whose writes failed; changes of that generation or older fail. */
  private final Map<RoomKey, Long> failedGeneration = new HashMap<>();

  /** Fingerprints of the rooms that may have data; null when the engine may have other writers. */
  private final LongObjectHashMap<Boolean> roomsWithData;

  /** Blocks while the engine lists the rooms that have data (once, at start). */
  public GroupCommit(StorageEngine engine) {
    this.engine = engine;
    Future<List<RoomKey>> stored = engine.roomsWithData();
    if (stored == null) {
      roomsWithData = null;
    } else {
      List<RoomKey> rooms = stored.await();
      roomsWithData = new LongObjectHashMap<>(Math.max(16, rooms.size() * 2));
      for (RoomKey room : rooms) roomsWithData.put(fingerprint(room), Boolean.TRUE);
    }
  }

  /** Who is told of each group commit (the host's metrics). */
  public void observe(Observer observer) {
    this.observer = observer;
  }

  /** Queues one hook's changes; the future completes once they are durable (on the engine's thread). */
  public Future<Void> submit(Changes changes) {
    Promise<Void> done = Promise.promise();
    boolean start;
    synchronized (this) {
      Long failed = failedGeneration.get(changes.room);
      if (failed != null && changes.generation <= failed) {
        return Future.failedFuture("an earlier commit of room " + changes.room + " failed");
      }
      queue.add(new Pending(changes, done));
      lastByRoom.put(changes.room, done.future());
      // A snapshot alone is not data: a room with none still loads without a trip to the engine,
      // and wakes from the snapshot it holds in memory.
      if (roomsWithData != null && changes.changesData())
        roomsWithData.put(fingerprint(changes.room), Boolean.TRUE);
      start = !writing;
      writing = true;
    }
    if (start) writeNext();
    return done.future();
  }

  /**
   * Loads a room once every change it submitted so far has finished, so the load sees them all. A room
   * known to have no data gets an already completed future.
   */
  public Future<StoredRoom> load(RoomKey room) {
    Future<Void> last;
    synchronized (this) {
      last = lastByRoom.get(room);
      if (last == null && roomsWithData != null && !roomsWithData.containsKey(fingerprint(room))) {
        return Future.succeededFuture(new StoredRoom(RoomStore.emptyMap(), null));
      }
    }
    return last == null ? engine.load(room) : last.transform(done -> engine.load(room));
  }

  /** 64-bit FNV-1a over the party, a NUL and the room id. */
  private static long fingerprint(RoomKey room) {
    long h = 0xcbf29ce484222325L;
    String s = room.party() + '\0' + room.room();
    for (int i = 0; i < s.length(); i++) {
      h ^= s.charAt(i);
      h *= 0x100000001b3L;
    }
    return h;
  }

  /** Completes when every change the room submitted so far has finished (written or failed). */
  public synchronized Future<Void> idle(RoomKey room) {
    Future<Void> last = lastByRoom.get(room);
    return last == null ? Future.succeededFuture() : last.otherwiseEmpty();
  }

  /** Completes when everything submitted so far has been written (or has failed). */
  public Future<Void> drain() {
    synchronized (this) {
      if (!writing) return Future.succeededFuture();
      if (drained == null) drained = Promise.promise();
      return drained.future();
    }
  }

  private void writeNext() {
    List<Pending> group;
    Promise<Void> idle = null;
    synchronized (this) {
      group = queue;
      queue = new ArrayList<>();
      if (group.isEmpty()) {
        writing = false;
        idle = drained;
        drained = null;
      }
    }
    if (group.isEmpty()) {
      if (idle != null) idle.complete();
      return;
    }
    long start = System.nanoTime();
    Future<Set<RoomKey>> written;
    try {
      written = engine.write(merge(group));
    } catch (RuntimeException e) {
      written = Future.failedFuture(e);
    }
    written.onComplete(
        result -> {
          observer.committed(group.size(), System.nanoTime() - start, result.succeeded());
          Set<RoomKey> refused = result.failed() ? Set.of() : result.result();
          List<Pending> failed = new ArrayList<>();
          for (Pending p : group)
            if (result.failed() || refused.contains(p.changes.room)) failed.add(p);
          List<Pending> fenced = failed.isEmpty() ? List.of() : fence(failed);
          for (Pending p : group) {
            if (result.failed()) finish(p, Future.failedFuture(result.cause()));
            else if (!refused.contains(p.changes.room)) finish(p, Future.succeededFuture());
            else
              finish(
                  p,
                  Future.failedFuture(
                      new Fence.Refused(
                          "room " + p.changes.room + " is no longer this node's: not written")));
          }
          for (Pending p : fenced)
            finish(
                p, Future.failedFuture("an earlier commit of room " + p.changes.room + " failed"));
          writeNext();
        });
  }

  /**
   * After a write that failed for these changes: marks their rooms' generations failed and takes the
   * rooms' queued changes out.
   */
  private synchronized List<Pending> fence(List<Pending> group) {
    for (Pending p : group) failedGeneration.merge(p.changes.room, p.changes.generation, Math::max);
    List<Pending> fenced = new ArrayList<>();
    queue.removeIf(
        p -> {
          Long failed = failedGeneration.get(p.changes.room);
          boolean out = failed != null && p.changes.generation <= failed;
          if (out) fenced.add(p);
          return out;
        });
    return fenced;
  }

  private void finish(Pending p, Future<Void> result) {
    synchronized (this) {
      lastByRoom.remove(p.changes.room, p.done.future());
    }
    p.done.handle(result);
  }

  /** One Changes per room, holding the net effect of that room's changes in order. */
  private static List<Changes> merge(List<Pending> group) {
    Map<RoomKey, Changes> byRoom = new LinkedHashMap<>();
    for (Pending p : group) {
      Changes merged = byRoom.get(p.changes.room);
      if (merged == null) {
        merged = new Changes(p.changes.room, p.changes.generation);
        byRoom.put(p.changes.room, merged);
      }
      merged.then(p.changes);
    }
    return new ArrayList<>(byRoom.values());
  }
}
