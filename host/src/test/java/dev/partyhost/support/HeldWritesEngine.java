package dev.partyhost.support;

import dev.partyhost.storage.Changes;
import dev.partyhost.storage.RoomKey;
import dev.partyhost.storage.RoomStore;
import dev.partyhost.storage.StorageEngine;
import dev.partyhost.storage.StoredRoom;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A hand-written stand-in for the storage engine, for unit tests of what sits on top of it (group
 * commit, the output gate): it records each write and load, and a write finishes only when the test
 * calls {@link #succeed} or {@link #fail}, on the test's thread. Loads return empty rooms at once.
 */
public final class HeldWritesEngine implements StorageEngine {
  private final Deque<Promise<Set<RoomKey>>> inFlight = new ArrayDeque<>();

  /** Every group handed to write(), in order: per room, its changes as {@link #describe} writes them. */
  public final List<Map<RoomKey, String>> written = new ArrayList<>();

  public final List<RoomKey> loads = new ArrayList<>();

  /** When set, write() throws it instead of returning a future. */
  public RuntimeException throwOnWrite;

  @Override
  public Future<StoredRoom> load(RoomKey room) {
    loads.add(room);
    return Future.succeededFuture(new StoredRoom(RoomStore.emptyMap(), null));
  }

  @Override
  public Future<Set<RoomKey>> write(List<Changes> group) {
    if (throwOnWrite != null) throw throwOnWrite;
    Map<RoomKey, String> described = new LinkedHashMap<>();
    for (Changes c : group) {
      if (described.containsKey(c.room))
        throw new AssertionError("two Changes for " + c.room + " in one write");
      described.put(c.room, describe(c));
    }
    written.add(described);
    Promise<Set<RoomKey>> done = Promise.promise();
    inFlight.add(done);
    return done.future();
  }

  /** The oldest write in flight succeeds. */
  public void succeed() {
    inFlight.remove().complete(Set.of());
  }

  /** The oldest write in flight is written except for these rooms, which a cluster's fence refused. */
  public void refuse(RoomKey... rooms) {
    inFlight.remove().complete(Set.of(rooms));
  }

  /** The oldest write in flight fails. */
  public void fail(String why) {
    inFlight.remove().fail(why);
  }

  public int inFlight() {
    return inFlight.size();
  }

  /** One room's changes as text: "clear " if it clears, then key=value (key=- for a delete), then "alarm=N". */
  public static String describe(Changes c) {
    StringBuilder s = new StringBuilder(c.clearsAll() ? "clear " : "");
    c.writes()
        .forEach(
            (k, v) ->
                s.append(new String(k, StandardCharsets.UTF_8))
                    .append('=')
                    .append(v == null ? "-" : new String(v, StandardCharsets.UTF_8))
                    .append(' '));
    if (c.alarmChanged()) s.append("alarm=").append(c.alarm());
    return s.toString().trim();
  }

  /** No uploaded parties here: the stand-in serves the commit path only. */
  @Override
  public dev.partyhost.storage.PartyStore parties() {
    throw new UnsupportedOperationException("HeldWritesEngine keeps no parties");
  }

  @Override
  public Future<Map<RoomKey, Long>> alarms() {
    return Future.succeededFuture(Map.of());
  }

  @Override
  public Future<List<dev.partyhost.storage.StoredRoomSize>> storedRooms(
      String party, String from, int limit) {
    return Future.succeededFuture(List.of());
  }

  @Override
  public Future<Void> ping() {
    return Future.succeededFuture();
  }

  @Override
  public String describe() {
    return "stand-in engine";
  }

  @Override
  public void close() {}
}
