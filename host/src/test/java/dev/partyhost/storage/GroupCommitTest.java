package dev.partyhost.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partyhost.support.HeldWritesEngine;
import io.vertx.core.Future;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Group commit (GroupCommit) over a stand-in engine whose writes finish when the test says
 * (support/HeldWritesEngine): one write in flight, what comes meanwhile merged per room into the next,
 * completions in submission order, loads after a room's earlier submits, fencing after a failed write,
 * and drain.
 */
class GroupCommitTest {
  private static final RoomKey A = new RoomKey("p", "a");
  private static final RoomKey B = new RoomKey("p", "b");
  private static final RoomKey C = new RoomKey("p", "c");

  private final HeldWritesEngine engine = new HeldWritesEngine();
  private final GroupCommit commits = new GroupCommit(engine);

  /** What finished, in order: a hook's name, "!" before it when it failed. */
  private final List<String> finished = new ArrayList<>();

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** A loading of a room's data, empty. */
  private static RoomStore load(RoomKey room) {
    return new RoomStore(room, new StoredRoom(RoomStore.emptyMap(), null), Long.MAX_VALUE);
  }

  /** Runs a hook's writes on a store and submits what it committed; records when it finishes, as {@code name}. */
  private Future<Void> hook(String name, RoomStore store, Consumer<RoomStore> writes) {
    writes.accept(store);
    Future<Void> done = commits.submit(store.commit());
    done.onComplete(r -> finished.add(r.succeeded() ? name : "!" + name));
    return done;
  }

  private Future<Void> put(String name, RoomStore store, String key, String value) {
    return hook(name, store, s -> s.put(b(key), b(value)));
  }

  @Test
  void aLoneWriteGoesOutAtOnceAndCompletesWhenDurable() {
    Future<Void> done = put("a1", load(A), "k", "v");
    assertEquals(List.of(Map.of(A, "k=v")), engine.written);
    assertFalse(done.isComplete(), "not durable yet");
    engine.succeed();
    assertTrue(done.succeeded());
    assertEquals(0, engine.inFlight());
  }

  @Test
  void whatIsSubmittedDuringAWriteGoesIntoTheNextOneMergedPerRoom() {
    RoomStore a = load(A), b = load(B);
    put("a1", a, "first", "1");
    put("b1", b, "x", "1");
    hook(
        "a2",
        a,
        s -> {
          s.put(b("k"), b("1"));
          s.put(b("gone"), b("1"));
        });
    hook(
        "a3",
        a,
        s -> {
          s.put(b("k"), b("2"));
          s.delete(b("gone"));
          s.alarm(50L);
        });
    put("b2", b, "y", "2");
    assertEquals(1, engine.written.size(), "one write in flight at a time");

    engine.succeed();
    assertEquals(2, engine.written.size());
    Map<RoomKey, String> second = engine.written.get(1);
    assertEquals(
        List.of(B, A), new ArrayList<>(second.keySet()), "rooms in the order they first submitted");
    assertEquals("x=1 y=2", second.get(B));
    assertEquals("gone=- k=2 alarm=50", second.get(A), "the net effect of a2 then a3");
    engine.succeed();
    assertEquals(List.of("a1", "b1", "a2", "a3", "b2"), finished);
  }

  @Test
  void aLaterClearWipesEarlierWritesOfTheGroupAndTheLastAlarmWins() {
    RoomStore a = load(A);
    put("a1", a, "in-flight", "1");
    hook(
        "a2",
        a,
        s -> {
          s.put(b("old"), b("1"));
          s.alarm(10L);
        });
    hook(
        "a3",
        a,
        s -> {
          s.deleteAll();
          s.put(b("new"), b("2"));
        });
    hook("a4", a, s -> s.alarm(null));
    engine.succeed();
    assertEquals(Map.of(A, "clear new=2 alarm=null"), engine.written.get(1));
  }

  @Test
  void completionsComeInSubmissionOrder() {
    RoomStore a = load(A), b = load(B), c = load(C);
    put("a1", a, "k", "1");
    put("c1", c, "k", "1");
    put("b1", b, "k", "1");
    put("a2", a, "k", "2");
    put("c2", c, "k", "2");
    assertEquals(List.of(), finished);
    engine.succeed();
    assertEquals(List.of("a1"), finished);
    engine.succeed();
    assertEquals(List.of("a1", "c1", "b1", "a2", "c2"), finished);
  }

  @Test
  void aLoadWaitsForEveryChangeItsRoomSubmittedBefore() {
    RoomStore a = load(A);
    put("a1", a, "k", "1");
    Future<StoredRoom> afterA1 = commits.load(A);
    Future<StoredRoom> other = commits.load(B);
    assertEquals(List.of(B), engine.loads, "another room loads at once");
    assertTrue(other.succeeded());
    put("a2", a, "k", "2");
    Future<StoredRoom> afterA2 = commits.load(A);
    assertFalse(afterA1.isComplete());

    engine.succeed(); // a1 is durable: the load that came after it may read
    assertEquals(List.of(B, A), engine.loads);
    assertTrue(afterA1.succeeded());
    assertFalse(afterA2.isComplete(), "a2 is still being written");
    engine.succeed();
    assertEquals(List.of(B, A, A), engine.loads);
    assertTrue(afterA2.succeeded());

    commits.load(A);
    assertEquals(List.of(B, A, A, A), engine.loads, "nothing pending: at once");
  }

  @Test
  void aLoadFollowsAFailedWriteToo() {
    put("a1", load(A), "k", "1");
    Future<StoredRoom> loaded = commits.load(A);
    engine.fail("disk full");
    assertEquals(List.of(A), engine.loads, "the load reads what is durable");
    assertTrue(loaded.succeeded());
  }

  @Test
  void afterAFailedWriteTheRoomsLaterChangesOfThatLoadingFailUnwrittenWhileOthersGoOn() {
    RoomStore a = load(A), b = load(B);
    put("a1", a, "k", "1");
    put("a2", a, "k", "2"); // made from the same memory as a1: it saw a1's write
    put("b1", b, "k", "1");
    RoomStore aReloaded =
        load(A); // the room started afresh from what is durable: a newer generation
    put("a3", aReloaded, "fresh", "1");
    put("a4", a, "k", "4");

    engine.fail("disk full");
    assertEquals(List.of("!a1", "!a2", "!a4"), finished, "a1 failed, a2 and a4 with it");
    assertEquals(2, engine.written.size());
    assertEquals(
        Map.of(B, "k=1", A, "fresh=1"), engine.written.get(1), "a2 and a4 were never written");

    Future<Void> late = put("a5", a, "k", "5"); // still from the failed loading
    assertTrue(late.failed(), "fails at once");
    assertTrue(
        late.cause().getMessage().contains("an earlier commit of room p/a failed"),
        late.cause().getMessage());
    put("a6", aReloaded, "fresh", "2");
    engine.succeed();
    assertEquals(List.of("!a1", "!a2", "!a4", "!a5", "b1", "a3"), finished);
    engine.succeed();
    assertEquals(Map.of(A, "fresh=2"), engine.written.get(2));
    assertEquals("a6", finished.get(finished.size() - 1));
  }

  @Test
  void aFailedGroupFencesEveryRoomInIt() {
    RoomStore a = load(A), b = load(B), c = load(C);
    put("a1", a, "k", "1");
    put("b1", b, "k", "1");
    put("c1", c, "k", "1");
    engine.succeed(); // a1; b1 and c1 go out together
    assertEquals(Map.of(B, "k=1", C, "k=1"), engine.written.get(1));
    put("b2", b, "k", "2");
    put("c2", c, "k", "2");
    put("a2", a, "k", "2");
    engine.fail("constraint");
    assertEquals(List.of("a1", "!b1", "!c1", "!b2", "!c2"), finished);
    assertEquals(Map.of(A, "k=2"), engine.written.get(2), "a's loading did not fail: it goes on");
    engine.succeed();
    assertEquals("a2", finished.get(finished.size() - 1));
  }

  @Test
  void anEngineThatThrowsInsteadOfFailingItsFutureFailsTheGroupTheSameWay() {
    RoomStore a = load(A), b = load(B);
    put("a1", a, "k", "1");
    put("a2", a, "k", "2");
    put("b1", b, "k", "1");
    engine.throwOnWrite = new IllegalStateException("closed");
    engine.succeed(); // a1; the next write (a2 and b1) throws
    assertEquals(List.of("a1", "!a2", "!b1"), finished);
    engine.throwOnWrite = null;
    assertTrue(put("a3", a, "k", "3").failed(), "a's loading is fenced");
    put("b2", load(B), "k", "2");
    assertEquals(
        Map.of(B, "k=2"), engine.written.get(engine.written.size() - 1), "the queue keeps moving");
  }

  @Test
  void drainCompletesOnceEverythingSubmittedHasFinished() {
    assertTrue(commits.drain().succeeded(), "idle: at once");
    put("a1", load(A), "k", "1");
    Future<Void> drained = commits.drain();
    put("b1", load(B), "k", "1");
    Future<Void> drainedToo = commits.drain();
    engine.succeed();
    assertFalse(drained.isComplete(), "b1 is still being written");
    engine.fail("disk full");
    assertTrue(drained.succeeded(), "written or failed: either way finished");
    assertTrue(drainedToo.succeeded());
    assertEquals(List.of("a1", "!b1"), finished);
    assertTrue(commits.drain().succeeded());
  }

  @Test
  void aHookThatWroteNothingSubmitsNothing() {
    assertNull(load(A).commit());
    assertEquals(List.of(), engine.written);
  }
}
