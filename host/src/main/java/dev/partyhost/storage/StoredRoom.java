package dev.partyhost.storage;

import java.util.NavigableMap;

/** What is durable for one room: its entries, in unsigned byte order of keys, and its alarm (or null). */
public record StoredRoom(NavigableMap<byte[], byte[]> entries, Long alarm) {}
