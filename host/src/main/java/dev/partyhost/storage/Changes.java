package dev.partyhost.storage;

import java.util.Arrays;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * Writes to one room's durable data, reduced to their net effect and applied in this order: clear
 * every entry (if {@link #clear}), then {@link #writes} (a null value deletes the key), then the alarm
 * (if {@link #alarmChanged}; a null alarm deletes it). One hook's writes make one Changes; a group
 * commit merges several of one room into one.
 */
public final class Changes {
  public final RoomKey room;
  /** Which loading of the room's data these changes were made from (see {@link RoomStore}). */
  final long generation;
  boolean clear;
  final NavigableMap<byte[], byte[]> writes = new TreeMap<>(Arrays::compareUnsigned);
  boolean alarmChanged;
  Long alarm;

  Changes(RoomKey room, long generation) {
    this.room = room;
    this.generation = generation;
  }

  void clear() {
    clear = true;
    writes.clear();
  }

  void put(byte[] key, byte[] value) {
    writes.put(key, value);
  }

  void delete(byte[] key) {
    writes.put(key, null);
  }

  void alarm(Long at) {
    alarmChanged = true;
    alarm = at;
  }

  /** Adds changes made after these ones, so that this holds the net effect of both. */
  void then(Changes later) {
    if (later.clear) clear();
    writes.putAll(later.writes);
    if (later.alarmChanged) alarm(later.alarm);
  }

  public boolean clearsAll() {
    return clear;
  }

  /** Keys to write, in order, with their new values (null: delete). */
  public NavigableMap<byte[], byte[]> writes() {
    return writes;
  }

  public boolean alarmChanged() {
    return alarmChanged;
  }

  /** The new alarm time, or null if the alarm is deleted. */
  public Long alarm() {
    return alarm;
  }

  public boolean isEmpty() {
    return !clear && writes.isEmpty() && !alarmChanged;
  }
}
