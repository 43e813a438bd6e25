package dev.partyhost.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import org.junit.jupiter.api.Test;

/**
 * One room's data in memory (RoomStore): its reads and writes, its range listing, the quota, and each
 * hook as a transaction: what commit() hands to storage, and what rollback() undoes.
 */
class RoomStoreTest {
  private static final RoomKey ROOM = new RoomKey("party", "room");
  private static final long NO_QUOTA = Long.MAX_VALUE;

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] bytes(int... values) {
    byte[] out = new byte[values.length];
    for (int i = 0; i < values.length; i++) out[i] = (byte) values[i];
    return out;
  }

  private static String s(byte[] bytes) {
    return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
  }

  /** A store over the given stored entries (key, value, key, value, ...) and alarm. */
  private static RoomStore store(long quota, Long alarm, String... entries) {
    NavigableMap<byte[], byte[]> stored = RoomStore.emptyMap();
    for (int i = 0; i < entries.length; i += 2) stored.put(b(entries[i]), b(entries[i + 1]));
    return new RoomStore(ROOM, new StoredRoom(stored, alarm), quota);
  }

  /** list()'s [key, value, ...] as an ordered map of strings. */
  private static Map<String, String> asMap(List<byte[]> pairs) {
    Map<String, String> out = new LinkedHashMap<>();
    for (int i = 0; i < pairs.size(); i += 2) out.put(s(pairs.get(i)), s(pairs.get(i + 1)));
    return out;
  }

  private static List<String> keys(List<byte[]> pairs) {
    return new ArrayList<>(asMap(pairs).keySet());
  }

  /** A Changes' writes as strings, null for a delete. */
  private static Map<String, String> writes(Changes changes) {
    Map<String, String> out = new LinkedHashMap<>();
    changes.writes().forEach((k, v) -> out.put(s(k), s(v)));
    return out;
  }

  private static List<byte[]> all(RoomStore store) {
    return store.list(new byte[0], new byte[0], new byte[0], 0, false);
  }

  // --- reads and writes ---

  @Test
  void storedEntriesAreReadAndCountedTowardsTheQuota() {
    RoomStore store = store(NO_QUOTA, 42L, "a", "1", "bb", "22");
    assertEquals("1", s(store.get(b("a"))));
    assertNull(store.get(b("c")));
    assertEquals(1 + 1 + 2 + 2, store.used());
    assertEquals(42L, store.alarm());
    assertNull(store.commit(), "reading writes nothing");
  }

  @Test
  void putOverwritesAndDeleteSaysWhetherTheKeyExisted() {
    RoomStore store = store(NO_QUOTA, null);
    assertTrue(store.put(b("k"), b("one")));
    assertTrue(store.put(b("k"), b("three")));
    assertEquals("three", s(store.get(b("k"))));
    assertEquals(1 + 5, store.used());
    assertTrue(store.delete(b("k")));
    assertFalse(store.delete(b("k")));
    assertNull(store.get(b("k")));
    assertEquals(0, store.used());
  }

  @Test
  void putAllWritesEveryPairAndTheLastOfARepeatedKeyWins() {
    RoomStore store = store(NO_QUOTA, null, "x", "old");
    assertTrue(store.putAll(List.of(b("x"), b("1"), b("y"), b("2"), b("x"), b("3"))));
    assertEquals(Map.of("x", "3", "y", "2"), asMap(all(store)));
    assertEquals(2 + 2, store.used());
  }

  // --- list ---

  @Test
  void listIsInUnsignedByteOrderAndReversible() {
    RoomStore store = store(NO_QUOTA, null);
    // 0x80 and 0xff sort after 0x7f unsigned (a signed compare would put them first).
    for (byte[] key :
        new byte[][] {bytes(0xff), bytes(0x01), bytes(0x80), bytes(0x7f), bytes(0x01, 0x00)}) {
      store.put(key, b("v"));
    }
    List<byte[]> forward = all(store);
    byte[][] expected = {bytes(0x01), bytes(0x01, 0x00), bytes(0x7f), bytes(0x80), bytes(0xff)};
    assertEquals(2 * expected.length, forward.size());
    for (int i = 0; i < expected.length; i++) assertArrayEquals(expected[i], forward.get(2 * i));
    List<byte[]> backward = store.list(new byte[0], new byte[0], new byte[0], 0, true);
    for (int i = 0; i < expected.length; i++)
      assertArrayEquals(expected[expected.length - 1 - i], backward.get(2 * i));
  }

  @Test
  void listTakesAPrefixAStartAnEndAndALimit() {
    RoomStore store =
        store(NO_QUOTA, null, "a", "0", "b:1", "1", "b:2", "2", "b:3", "3", "b;", "x", "c", "4");
    byte[] none = new byte[0];
    assertEquals(List.of("b:1", "b:2", "b:3"), keys(store.list(b("b:"), none, none, 0, false)));
    assertEquals(
        Map.of("b:2", "2"),
        asMap(store.list(b("b:"), b("b:2"), b("b:3"), 0, false)),
        "start is inclusive, end exclusive");
    assertEquals(List.of("b:2", "b:3"), keys(store.list(b("b:"), b("b:2"), none, 0, false)));
    assertEquals(List.of("b:1", "b:2"), keys(store.list(b("b:"), none, b("b:3"), 0, false)));
    assertEquals(List.of("b:1", "b:2"), keys(store.list(b("b:"), none, none, 2, false)));
    assertEquals(
        List.of("b:3", "b:2"),
        keys(store.list(b("b:"), none, none, 2, true)),
        "the limit counts from the far end");
    assertEquals(List.of("a", "b:1"), keys(store.list(none, none, b("b:2"), 0, false)));
    assertEquals(List.of("b;", "c"), keys(store.list(none, b("b;"), none, 0, false)));
    // Bounds outside the prefix's range narrow nothing; bounds that cross give nothing.
    assertEquals(List.of("b:1", "b:2", "b:3"), keys(store.list(b("b:"), b("a"), b("z"), 0, false)));
    assertEquals(List.of(), store.list(b("b:"), b("b:3"), b("b:2"), 0, false));
    assertEquals(List.of(), store.list(b("b:"), b("c"), none, 0, false));
    assertEquals(List.of(), store.list(b("d"), none, none, 0, false));
  }

  @Test
  void aPrefixOfFfBytesReachesTheEndOfTheKeySpace() {
    RoomStore store = store(NO_QUOTA, null);
    store.put(bytes(0xfe), b("no"));
    store.put(bytes(0xff), b("yes"));
    store.put(bytes(0xff, 0xff), b("yes"));
    store.put(bytes(0xff, 0xff, 0x00), b("yes"));
    List<byte[]> under = store.list(bytes(0xff), new byte[0], new byte[0], 0, false);
    assertEquals(6, under.size());
    assertArrayEquals(bytes(0xff), under.get(0));
    assertArrayEquals(bytes(0xff, 0xff, 0x00), under.get(4));
    assertEquals(4, store.list(bytes(0xff, 0xff), new byte[0], new byte[0], 0, false).size());
  }

  // --- quota ---

  @Test
  void theQuotaRefusesGrowthAndWritesNothingButShrinkingAlwaysPasses() {
    RoomStore store = store(10, null);
    assertTrue(store.put(b("k1"), b("12345678"))); // 10 bytes: exactly at the quota
    assertFalse(store.put(b("k2"), b("")), "two bytes more are refused");
    assertNull(store.get(b("k2")));
    assertTrue(store.put(b("k1"), b("12")), "smaller");
    assertTrue(store.put(b("k2"), b("1234")), "back to 10 bytes");
    assertEquals(10, store.used());
    assertFalse(
        store.putAll(List.of(b("k1"), b("1"), b("k3"), b("12345"))),
        "k1 gives 1 byte back, k3 takes 7: over");
    assertEquals("12", s(store.get(b("k1"))), "a refused putAll writes none of its pairs");
    assertNull(store.get(b("k3")));
    assertTrue(
        store.putAll(List.of(b("k1"), b(""), b("k3"), b(""))),
        "weighed as a whole: k1 gives 2 bytes, k3 takes 2");
    assertEquals(10, store.used());
    Changes changes = store.commit();
    assertEquals(
        Map.of("k1", "", "k2", "1234", "k3", ""),
        writes(changes),
        "refused writes are not in the commit");
  }

  @Test
  void aRolledBackHookGivesItsQuotaBack() {
    RoomStore store = store(20, null, "kept", "123456"); // 10 bytes
    assertTrue(store.put(b("gone"), b("123456"))); // 20
    assertFalse(store.put(b("more"), b("1")));
    store.rollback();
    assertEquals(10, store.used());
    assertTrue(store.put(b("more"), b("123456")), "the rolled-back bytes are free again");
    assertEquals(20, store.used());
    store.commit();

    store.deleteAll();
    assertEquals(0, store.used());
    store.rollback();
    assertEquals(20, store.used());
    assertFalse(store.put(b("x"), b("y")), "after the rollback the room is full again");
  }

  // --- transactions ---

  @Test
  void commitHandsOverTheHooksNetWritesAndDeletes() {
    RoomStore store = store(NO_QUOTA, null, "stored", "s", "other", "o");
    assertNull(store.commit(), "a hook that wrote nothing commits nothing");
    store.put(b("a"), b("1"));
    store.put(b("a"), b("2"));
    store.put(b("b"), b("1"));
    store.delete(b("b"));
    store.delete(b("stored"));
    store.delete(b("missing")); // not there: no write
    Changes changes = store.commit();
    assertEquals(ROOM, changes.room);
    assertFalse(changes.clearsAll());
    assertFalse(changes.alarmChanged());
    Map<String, String> expected = new LinkedHashMap<>();
    expected.put("a", "2");
    expected.put(
        "b", null); // put then deleted in one hook: a delete (the key may be durable from before)
    expected.put("stored", null);
    assertEquals(expected, writes(changes));
    assertNull(store.commit(), "the next hook starts empty");
  }

  @Test
  void deleteAllClearsEverythingAndKeepsWritesMadeAfterIt() {
    RoomStore store = store(NO_QUOTA, null, "a", "1", "b", "2");
    store.put(b("before"), b("x"));
    store.deleteAll();
    store.put(b("after"), b("y"));
    assertEquals(Map.of("after", "y"), asMap(all(store)));
    assertEquals(6, store.used());
    Changes changes = store.commit();
    assertTrue(changes.clearsAll());
    assertEquals(Map.of("after", "y"), writes(changes), "writes before the clear are gone");
  }

  @Test
  void rollbackUndoesEveryWriteOfTheHookAndNothingBefore() {
    RoomStore store = store(NO_QUOTA, 100L, "a", "1", "b", "2");
    store.put(b("c"), b("3"));
    assertNotEquals(null, store.commit()); // an earlier hook, committed

    store.put(b("a"), b("changed"));
    store.delete(b("b"));
    store.put(b("d"), b("4"));
    store.deleteAll();
    store.put(b("e"), b("5"));
    store.putAll(List.of(b("a"), b("again"), b("f"), b("6")));
    store.rollback();
    assertEquals(Map.of("a", "1", "b", "2", "c", "3"), asMap(all(store)));
    assertEquals(6, store.used());
    assertEquals(100L, store.alarm());
    assertNull(store.commit(), "a rolled-back hook commits nothing");
    store.rollback(); // nothing in progress: nothing to undo
    assertEquals(Map.of("a", "1", "b", "2", "c", "3"), asMap(all(store)));

    store.put(b("g"), b("7"));
    assertEquals(
        Map.of("g", "7"), writes(store.commit()), "the next hook commits only its own writes");
  }

  @Test
  void anAlarmSetOrClearedInARolledBackHookIsBackAsItWas() {
    RoomStore store = store(NO_QUOTA, 100L);
    store.alarm(null);
    assertNull(store.alarm());
    store.rollback();
    assertEquals(100L, store.alarm());
    store.alarm(200L);
    store.alarm(300L);
    store.rollback();
    assertEquals(100L, store.alarm());
    assertNull(store.commit());
  }

  @Test
  void commitCarriesTheAlarmOnlyWhenItEndsUpChanged() {
    RoomStore store = store(NO_QUOTA, 100L);
    store.alarm(250L);
    Changes set = store.commit();
    assertTrue(set.alarmChanged());
    assertEquals(250L, set.alarm());
    assertTrue(set.writes().isEmpty());

    store.alarm(null);
    Changes cleared = store.commit();
    assertTrue(cleared.alarmChanged());
    assertNull(cleared.alarm(), "a null alarm deletes it");

    store.alarm(500L);
    store.alarm(null); // back where the hook found it
    assertNull(store.commit(), "an alarm set and cleared again in one hook changes nothing");

    store.alarm(700L);
    store.alarm(null);
    store.put(b("k"), b("v"));
    Changes writesOnly = store.commit();
    assertFalse(writesOnly.alarmChanged());
    assertEquals(Map.of("k", "v"), writes(writesOnly));
  }

  @Test
  void everyLoadingOfARoomIsAGenerationOfItsOwn() {
    RoomStore first = store(NO_QUOTA, null);
    RoomStore second = store(NO_QUOTA, null);
    first.put(b("a"), b("1"));
    Changes one = first.commit();
    first.put(b("b"), b("2"));
    Changes two = first.commit();
    second.put(b("a"), b("1"));
    Changes other = second.commit();
    assertEquals(one.generation, two.generation, "hooks of one loading share its generation");
    assertTrue(other.generation > one.generation, "a later loading has a newer generation");
  }
}
