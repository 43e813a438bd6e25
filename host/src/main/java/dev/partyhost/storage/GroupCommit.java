package dev.partyhost.storage;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Write-behind with group commit: hooks of every room submit their changes here; one engine write is
 * in flight at a time, and everything submitted meanwhile goes into the next one, merged per room.
 * So a busy host pays one durable commit (one fsync) for many hooks, and a lone write is not delayed.
 * Completions come in submission order.
 */
public final class GroupCommit {
  private record Pending(Changes changes, Promise<Void> durable) {}

  private final StorageEngine engine;
  private List<Pending> queue = new ArrayList<>();
  private boolean writing;

  public GroupCommit(StorageEngine engine) {
    this.engine = engine;
  }

  /** Queues one hook's changes; the future completes once they are durable (on the engine's thread). */
  public Future<Void> submit(Changes changes) {
    Promise<Void> durable = Promise.promise();
    boolean start;
    synchronized (this) {
      queue.add(new Pending(changes, durable));
      start = !writing;
      writing = true;
    }
    if (start) writeNext();
    return durable.future();
  }

  private void writeNext() {
    List<Pending> group;
    synchronized (this) {
      group = queue;
      if (group.isEmpty()) {
        writing = false;
        return;
      }
      queue = new ArrayList<>();
    }
    Future<Void> written;
    try {
      written = engine.write(merge(group));
    } catch (RuntimeException e) {
      written = Future.failedFuture(e);
    }
    written.onComplete(result -> {
      for (Pending p : group) p.durable.handle(result);
      writeNext();
    });
  }

  /** One Changes per room, holding the net effect of that room's changes in order. */
  private static List<Changes> merge(List<Pending> group) {
    Map<RoomKey, Changes> byRoom = new LinkedHashMap<>();
    for (Pending p : group) {
      Changes merged = byRoom.get(p.changes.room);
      if (merged == null) byRoom.put(p.changes.room, merged = new Changes(p.changes.room));
      merged.then(p.changes);
    }
    return new ArrayList<>(byRoom.values());
  }
}
