package dev.partyhost.storage;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;

/** A room that has stored data (entries or an alarm), as a listing shows it: its id and its bytes. */
public record StoredRoomSize(String room, long bytes) {
  /**
   * The order of room listings: by the UTF-8 bytes of the ids, the order both engines sort them in
   * (SQLite's BINARY collation; PostgreSQL with {@code COLLATE "C"}), so that rooms live in memory and
   * rooms in storage page together.
   */
  public static final Comparator<String> ORDER =
      (a, b) ->
          Arrays.compareUnsigned(
              a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
}
