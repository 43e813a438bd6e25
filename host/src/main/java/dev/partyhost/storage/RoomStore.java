package dev.partyhost.storage;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One room's data in memory, as the guest sees it: every durable entry plus the writes of hooks not
 * yet durable. Each hook is a transaction: {@link #commit} hands its net writes over for durable
 * storage, {@link #rollback} undoes them (a trap). Used only on the room's event loop.
 */
public final class RoomStore {
  /** One undo step: the key's previous value (null: absent), or, for a clear, the whole previous map. */
  private record Undo(byte[] key, byte[] previous, NavigableMap<byte[], byte[]> previousData) {}

  private static final AtomicLong GENERATIONS = new AtomicLong();

  private final RoomKey room;

  /** Tells this loading of the room's data from earlier and later ones (see {@link GroupCommit}). */
  private final long generation = GENERATIONS.incrementAndGet();

  private final long quota;
  private NavigableMap<byte[], byte[]> data;
  private Long alarm;
  private long used;

  // The hook in progress: its net writes, and how to take them back.
  private Changes changes;
  private final List<Undo> undo = new ArrayList<>();
  private long usedBefore;
  private Long alarmBefore;

  /** The guest set or deleted the alarm in this hook: a time it set is written and rescheduled even if unchanged. */
  private boolean guestSetAlarm;

  public RoomStore(RoomKey room, StoredRoom stored, long quota) {
    this.room = room;
    this.quota = quota;
    this.data = stored.entries();
    this.alarm = stored.alarm();
    for (Map.Entry<byte[], byte[]> e : data.entrySet()) used += size(e.getKey(), e.getValue());
  }

  public static NavigableMap<byte[], byte[]> emptyMap() {
    return new TreeMap<>(Arrays::compareUnsigned);
  }

  public byte[] get(byte[] key) {
    return data.get(key);
  }

  /** Stores a value; false (nothing written) when it would take the room past its quota. */
  public boolean put(byte[] key, byte[] value) {
    byte[] old = data.get(key);
    long delta = size(key, value) - (old == null ? 0 : size(key, old));
    if (delta > 0 && used + delta > quota) return false;
    write(key, value);
    return true;
  }

  /** Stores every pair [key, value, key, value, ...], or nothing when they would exceed the quota. */
  public boolean putAll(List<byte[]> pairs) {
    NavigableMap<byte[], byte[]> batch = emptyMap();
    for (int i = 0; i < pairs.size(); i += 2) {
      if ((i & 0xfff) == 0) stopIfInterrupted();
      batch.put(pairs.get(i), pairs.get(i + 1));
    }
    long delta = 0;
    for (Map.Entry<byte[], byte[]> e : batch.entrySet()) {
      byte[] old = data.get(e.getKey());
      delta += size(e.getKey(), e.getValue()) - (old == null ? 0 : size(e.getKey(), old));
    }
    if (delta > 0 && used + delta > quota) return false;
    int n = 0;
    for (Map.Entry<byte[], byte[]> e : batch.entrySet()) {
      if ((n++ & 0xfff) == 0) stopIfInterrupted();
      write(e.getKey(), e.getValue());
    }
    return true;
  }

  /**
   * Long loops over what a guest passed end early when the thread is interrupted: the host's watchdog
   * does that when a hook passes its CPU deadline. The hook then traps and its writes are rolled back.
   */
  private static void stopIfInterrupted() {
    if (Thread.currentThread().isInterrupted())
      throw new CancellationException("stopped: the thread was interrupted");
  }

  /** Deletes a key; true if it existed. */
  public boolean delete(byte[] key) {
    if (!data.containsKey(key)) return false;
    write(key, null);
    return true;
  }

  public void deleteAll() {
    begin();
    undo.add(new Undo(null, null, data));
    data = emptyMap();
    used = 0;
    changes.clear();
  }

  /**
   * Entries whose key starts with {@code prefix}, is {@code >= start} and {@code < end} (empty bounds
   * are open), in unsigned byte order or its reverse, at most {@code limit} (none if {@code <= 0}),
   * as [key, value, key, value, ...].
   */
  public List<byte[]> list(byte[] prefix, byte[] start, byte[] end, int limit, boolean reverse) {
    byte[] low = Arrays.compareUnsigned(prefix, start) > 0 ? prefix : start;
    byte[] high = prefixEnd(prefix);
    if (end.length > 0 && (high == null || Arrays.compareUnsigned(end, high) < 0)) high = end;
    if (high != null && Arrays.compareUnsigned(low, high) >= 0) return List.of();
    NavigableMap<byte[], byte[]> range =
        high == null ? data.tailMap(low, true) : data.subMap(low, true, high, false);
    if (reverse) range = range.descendingMap();
    List<byte[]> out = new ArrayList<>();
    for (Map.Entry<byte[], byte[]> e : range.entrySet()) {
      if (limit > 0 && out.size() == 2 * limit) break;
      if ((out.size() & 0x1fff) == 0) stopIfInterrupted();
      out.add(e.getKey());
      out.add(e.getValue());
    }
    return out;
  }

  public Long alarm() {
    return alarm;
  }

  /**
   * The guest sets (or with null, deletes) the alarm, in this hook's transaction. Even a write of the
   * time it already has counts: an alarm hook that sets its own time again must fire again.
   */
  public void alarm(Long at) {
    hostSetsAlarm(at);
    guestSetAlarm = true;
  }

  /** The guest set or deleted the alarm in this hook (until it commits or rolls back). */
  public boolean guestSetAlarm() {
    return guestSetAlarm;
  }

  /**
   * The host sets the alarm in this hook's transaction (taking a due alarm off before its hook runs,
   * putting it back after a failed run); an unchanged net result is no write.
   */
  public void hostSetsAlarm(Long at) {
    begin();
    alarm = at;
    changes.alarm(at);
    guestSetAlarm = false;
  }

  /** Ends the hook: its net writes, to be made durable, or null if it wrote nothing. */
  public Changes commit() {
    Changes done = changes;
    changes = null;
    undo.clear();
    // Back where it was: no write, unless the guest set a time (then it fires again, even at the
    // same time).
    if (done != null
        && done.alarmChanged
        && Objects.equals(alarm, alarmBefore)
        && (alarm == null || !guestSetAlarm)) {
      done.alarmChanged = false;
    }
    guestSetAlarm = false;
    return done == null || done.isEmpty() ? null : done;
  }

  /**
   * A snapshot of the room's instance to store with this data, as it is now (every hook's changes
   * submitted): its own commit, which a later change to the data undoes.
   */
  public Changes snapshot(byte[] snapshot) {
    return Changes.snapshot(room, generation, snapshot);
  }

  /** Deletes the stored snapshot, keeping the data: the instance restored from it runs on. */
  public Changes forgetSnapshot() {
    return Changes.forgetSnapshot(room, generation);
  }

  /** Ends the hook as if it never wrote anything. */
  public void rollback() {
    if (changes == null) return;
    for (int i = undo.size() - 1; i >= 0; i--) {
      Undo u = undo.get(i);
      if (u.previousData != null) data = u.previousData;
      else if (u.previous == null) data.remove(u.key);
      else data.put(u.key, u.previous);
    }
    used = usedBefore;
    alarm = alarmBefore;
    guestSetAlarm = false;
    changes = null;
    undo.clear();
  }

  /** Bytes stored: the sum of every key's and value's length. */
  public long used() {
    return used;
  }

  private void write(byte[] key, byte[] value) {
    begin();
    byte[] old = value == null ? data.remove(key) : data.put(key, value);
    undo.add(new Undo(key, old, null));
    used += (value == null ? 0 : size(key, value)) - (old == null ? 0 : size(key, old));
    if (value == null) changes.delete(key);
    else changes.put(key, value);
  }

  private void begin() {
    if (changes != null) return;
    changes = new Changes(room, generation);
    usedBefore = used;
    alarmBefore = alarm;
  }

  /** The first key after every key that starts with {@code prefix}, or null when there is none. */
  private static byte[] prefixEnd(byte[] prefix) {
    for (int i = prefix.length - 1; i >= 0; i--) {
      if (prefix[i] != (byte) 0xff) {
        byte[] end = Arrays.copyOf(prefix, i + 1);
        end[i]++;
        return end;
      }
    }
    return null;
  }

  private static long size(byte[] key, byte[] value) {
    return (long) key.length + value.length;
  }
}
