package dev.partyhost.replay;

import dev.partyhost.storage.Changes;
import dev.partyhost.storage.PartyStore;
import dev.partyhost.storage.RoomKey;
import dev.partyhost.storage.RoomStore;
import dev.partyhost.storage.StorageEngine;
import dev.partyhost.storage.StoredRoom;
import dev.partyhost.storage.StoredRoomSize;
import io.vertx.core.Future;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;

/**
 * A replay's storage: the recorded room's data at the start, in memory; writes succeed and are
 * dropped (the replay compares them, hook by hook, instead).
 */
final class SeededEngine implements StorageEngine {
  private final RoomKey room;
  private final List<byte[]> entries;
  private final Long alarm;

  SeededEngine(RoomKey room, List<byte[]> entries, Long alarm) {
    this.room = room;
    this.entries = entries;
    this.alarm = alarm;
  }

  @Override
  public Future<StoredRoom> load(RoomKey key) {
    NavigableMap<byte[], byte[]> data = RoomStore.emptyMap();
    if (!key.equals(room)) return Future.succeededFuture(new StoredRoom(data, null));
    for (int i = 0; i + 1 < entries.size(); i += 2) data.put(entries.get(i), entries.get(i + 1));
    return Future.succeededFuture(new StoredRoom(data, alarm));
  }

  @Override
  public Future<Set<RoomKey>> write(List<Changes> group) {
    return Future.succeededFuture(Set.of());
  }

  @Override
  public Future<Map<RoomKey, Long>> alarms() {
    return Future.succeededFuture(Map.of());
  }

  @Override
  public Future<List<StoredRoomSize>> storedRooms(String party, String from, int limit) {
    return Future.succeededFuture(List.of());
  }

  @Override
  public Future<Void> ping() {
    return Future.succeededFuture();
  }

  @Override
  public PartyStore parties() {
    throw new UnsupportedOperationException("a replay stores no parties");
  }

  @Override
  public String describe() {
    return "the recording's data, in memory";
  }

  @Override
  public void close() {}
}
