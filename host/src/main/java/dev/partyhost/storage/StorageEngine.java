package dev.partyhost.storage;

import io.vertx.core.Future;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where rooms' data lives durably. Rooms never read through an engine while they run: a room's data
 * is loaded once when the room activates, then served from memory ({@link RoomStore}), and its
 * writes come back here in groups ({@link GroupCommit}). Implementations never block the calling
 * thread; their futures may complete on any thread.
 */
public interface StorageEngine extends AutoCloseable {
  /** Everything one room has stored (empty for a room never seen). */
  Future<StoredRoom> load(RoomKey room);

  /**
   * Applies these changes in one durable transaction: all of them or none, except the rooms a cluster's
   * {@link Fence} refuses, whose changes are left out. At most one Changes per room.
   *
   * @return the rooms whose changes were refused (none outside a cluster)
   */
  Future<Set<RoomKey>> write(List<Changes> group);

  /** Every stored alarm, to schedule at start. */
  Future<Map<RoomKey, Long>> alarms();

  /**
   * Every room that has stored anything (entries or an alarm), if this engine's data has no other
   * writer (SQLite, which locks its folder): the host then starts a room that is not among them, or
   * written since, without a load. Null where another process may write (PostgreSQL).
   */
  default Future<List<RoomKey>> roomsWithData() {
    return null;
  }

  /**
   * One page of a party's rooms that have stored data (entries or an alarm): at most {@code limit},
   * those whose ids are {@code from} or come after it ("" for the first page) in {@link
   * StoredRoomSize#ORDER},
   * each with the bytes of its keys plus values as committed. Reads only the page's rooms' rows.
   */
  Future<List<StoredRoomSize>> storedRooms(String party, String from, int limit);

  /** A cheap real query (readiness): succeeds if the database answers. */
  Future<Void> ping();

  /** Where uploaded parties are kept, in the same database. */
  PartyStore parties();

  /** Human-readable name for logs, such as the database file or URL without a password. */
  String describe();

  @Override
  void close();
}
