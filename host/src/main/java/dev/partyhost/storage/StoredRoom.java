package dev.partyhost.storage;

import java.util.NavigableMap;

/**
 * What is durable for one room: its entries, in unsigned byte order of keys, its alarm (or null), and
 * the snapshot of its instance taken with exactly these entries (or null; see {@link
 * Changes#snapshot}).
 */
public record StoredRoom(NavigableMap<byte[], byte[]> entries, Long alarm, byte[] snapshot) {
  public StoredRoom(NavigableMap<byte[], byte[]> entries, Long alarm) {
    this(entries, alarm, null);
  }
}
