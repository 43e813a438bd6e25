package dev.partyhost.storage;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
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

  /** A snapshot of the room's instance taken after these writes, to store (null: none). */
  byte[] snapshot;

  /** The stored snapshot goes, though the data stays: the instance it held woke and moved on. */
  boolean forgetSnapshot;

  Changes(RoomKey room, long generation) {
    this.room = room;
    this.generation = generation;
  }

  void clear() {
    clear = true;
    writes.clear();
    snapshot = null;
  }

  /** Changes to the data itself (which invalidate a stored snapshot). */
  boolean changesData() {
    return clear || !writes.isEmpty() || alarmChanged;
  }

  void put(byte[] key, byte[] value) {
    writes.put(key, value);
    snapshot = null;
  }

  void delete(byte[] key) {
    writes.put(key, null);
    snapshot = null;
  }

  void alarm(Long at) {
    alarmChanged = true;
    alarm = at;
    snapshot = null;
  }

  /** Adds changes made after these ones, so that this holds the net effect of both. */
  void then(Changes later) {
    if (later.clear) clear();
    writes.putAll(later.writes);
    if (later.alarmChanged) alarm(later.alarm);
    if (later.changesData()) snapshot = null;
    if (later.forgetSnapshot) {
      snapshot = null;
      forgetSnapshot = true;
    }
    if (later.snapshot != null) snapshot = later.snapshot;
  }

  /** Only the stored snapshot deleted, the data as loaded as {@code generation} kept. */
  static Changes forgetSnapshot(RoomKey room, long generation) {
    Changes c = new Changes(room, generation);
    c.forgetSnapshot = true;
    return c;
  }

  /** Only a snapshot to store, taken from data loaded as {@code generation}. */
  static Changes snapshot(RoomKey room, long generation, byte[] snapshot) {
    Changes c = new Changes(room, generation);
    c.snapshot = snapshot;
    return c;
  }

  /** The snapshot these changes store, if any. */
  public byte[] snapshot() {
    return snapshot;
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
    return !changesData() && snapshot == null && !forgetSnapshot;
  }

  /**
   * A group of changes as the rows each kind of statement writes, in the order the kinds must run
   * (keys are unique per room within a group, so they may). Each row is party, room, then the kind's
   * values: a key (deletes), a key and a value (upserts), a time (alarm sets), a snapshot (snapshot
   * sets). Snapshot deletes (every room whose data changes) run before snapshot sets.
   */
  public record Rows(
      List<Object[]> clears,
      List<Object[]> deletes,
      List<Object[]> upserts,
      List<Object[]> alarmSets,
      List<Object[]> alarmDeletes,
      List<Object[]> snapshotDeletes,
      List<Object[]> snapshotSets) {
    public static Rows of(List<Changes> group) {
      Rows rows =
          new Rows(
              new ArrayList<>(),
              new ArrayList<>(),
              new ArrayList<>(),
              new ArrayList<>(),
              new ArrayList<>(),
              new ArrayList<>(),
              new ArrayList<>());
      for (Changes c : group) {
        String party = c.room.party(), room = c.room.room();
        if (c.clear) rows.clears.add(new Object[] {party, room});
        for (Map.Entry<byte[], byte[]> w : c.writes.entrySet()) {
          if (w.getValue() == null) rows.deletes.add(new Object[] {party, room, w.getKey()});
          else rows.upserts.add(new Object[] {party, room, w.getKey(), w.getValue()});
        }
        if (c.alarmChanged && c.alarm == null) rows.alarmDeletes.add(new Object[] {party, room});
        if (c.alarmChanged && c.alarm != null)
          rows.alarmSets.add(new Object[] {party, room, c.alarm});
        if (c.changesData() || c.forgetSnapshot)
          rows.snapshotDeletes.add(new Object[] {party, room});
        if (c.snapshot != null) rows.snapshotSets.add(new Object[] {party, room, c.snapshot});
      }
      return rows;
    }
  }
}
