package dev.partyhost.room;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partyhost.storage.GroupCommit;
import dev.partyhost.storage.RoomKey;
import dev.partyhost.storage.RoomStore;
import dev.partyhost.storage.StoredRoom;
import dev.partyhost.support.DrivenLoop;
import dev.partyhost.support.HeldWritesEngine;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A room's output gate (OutputGate) with the real GroupCommit over a stand-in engine whose writes
 * finish when the test says, on a room loop the test drives: a hook's effects leave once every commit
 * submitted before them is durable; a failed commit discards what waits, once, and what older commits
 * report after that is ignored.
 */
class OutputGateTest {
  private static final RoomKey ROOM = new RoomKey("p", "r");

  /** Only to build the room's context on the driven loop; nothing runs on Vert.x's own threads here. */
  private static Vertx vertx;

  private final DrivenLoop loop = new DrivenLoop("room");
  private final HeldWritesEngine engine = new HeldWritesEngine();
  private final List<Throwable> commitFailures = new ArrayList<>();

  /** The node's lease, as the gate sees it (a host alone always holds one). */
  private boolean leaseHolds = true;

  /** What happened to effects, in order: "NAME" when run, "discarded NAME" when discarded. */
  private final List<String> effects = new ArrayList<>();

  private final OutputGate gate =
      new OutputGate(
          loop.context(vertx), new GroupCommit(engine), 100, () -> leaseHolds, this::commitFailed);
  private RoomStore store = loadRoom();

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stopVertx() {
    vertx.close().await();
  }

  private static RoomStore loadRoom() {
    return new RoomStore(ROOM, new StoredRoom(RoomStore.emptyMap(), null), Long.MAX_VALUE);
  }

  /** What Room does when told a commit failed: drop the gated output (and start afresh from storage). */
  private void commitFailed(Throwable cause) {
    commitFailures.add(cause);
    gate.discardGated();
    store = loadRoom();
  }

  private OutputGate.Effect effect(String name) {
    return new OutputGate.Effect() {
      @Override
      public void run() {
        effects.add(name);
      }

      @Override
      public void discard() {
        effects.add("discarded " + name);
      }
    };
  }

  /** One hook as Room runs it: it writes (or not) and causes an effect; then its commit, then the release. */
  private void hook(String name, boolean writes) {
    gate.hookStarted();
    if (writes) store.put(name.getBytes(StandardCharsets.UTF_8), new byte[] {1});
    gate.add(effect(name));
    gate.commit(store);
    gate.release();
  }

  @Test
  void withNothingPendingAHooksEffectsLeaveAtOnceInOrder() {
    gate.add(effect("one"));
    gate.add(effect("two"));
    assertNull(gate.commit(store), "nothing written: nothing to commit");
    gate.release();
    assertEquals(List.of("one", "two"), effects);
    assertTrue(gate.settled());
    assertEquals(0, loop.queued());
  }

  @Test
  void aHookThatWroteWaitsForItsOwnCommitAndTheResultComesOnTheRoomsLoop() {
    hook("w1", true);
    assertEquals(List.of(), effects);
    assertFalse(gate.settled());
    engine.succeed();
    assertEquals(List.of(), effects, "the commit's result is the room loop's to handle");
    loop.runTasks();
    assertEquals(List.of("w1"), effects);
    assertTrue(gate.settled());
  }

  @Test
  void releaseWaitsForEveryCommitSubmittedBefore() {
    hook("w1", true); // written at once (commit 1)
    hook("r1", false); // wrote nothing, but saw w1's write: waits for commit 1
    hook("w2", true); // commit 2, queued behind the write in flight
    hook("r2", false);
    assertEquals(List.of(), effects);

    engine.succeed();
    loop.runTasks();
    assertEquals(List.of("w1", "r1"), effects, "commit 2 is not durable yet");
    assertFalse(gate.settled());

    engine.succeed();
    loop.runTasks();
    assertEquals(List.of("w1", "r1", "w2", "r2"), effects);
    assertTrue(gate.settled());
    hook("r3", false);
    assertEquals("r3", effects.get(effects.size() - 1), "settled: straight out");
  }

  @Test
  void withoutALeaseNothingLeavesAndTheRoomHearsItMayBeAnotherNodesNow() {
    hook("r1", false);
    leaseHolds = false;
    hook("r2", false); // wrote nothing: no fence ran, the lease is all that stops it
    assertEquals(List.of("r1", "discarded r2"), effects);
    assertEquals(1, commitFailures.size());
    assertTrue(commitFailures.get(0) instanceof OutputGate.LeaseLapsed);

    leaseHolds = true;
    hook("w1", true);
    leaseHolds = false; // lost while its commit was in flight
    engine.succeed();
    loop.runTasks();
    assertEquals(List.of("r1", "discarded r2", "discarded w1"), effects);
    assertEquals(2, commitFailures.size());
  }

  @Test
  void aFailedCommitDiscardsEverythingGatedAndTheRoomHearsOfItOnce() {
    hook("w1", true); // commit 1, in flight
    hook("r1", false);
    hook("w2", true); // commit 2 (the same loading as 1): fails with it, unwritten
    engine.fail("disk full");
    hook("w3", true); // ran before the room heard: its commit 3 fails at once
    loop.runTasks();

    assertEquals(List.of("discarded w1", "discarded r1", "discarded w2", "discarded w3"), effects);
    assertEquals(
        1,
        commitFailures.size(),
        "one failure, however many commits failed with it: " + commitFailures);
    assertTrue(commitFailures.get(0).getMessage().contains("disk full"));
    assertTrue(gate.settled(), "nothing is waiting any more");
    assertEquals(1, engine.written.size(), "commits 2 and 3 were never written");

    // Afresh, from a new loading: the gate works as before.
    hook("w4", true);
    engine.succeed();
    loop.runTasks();
    assertEquals("w4", effects.get(effects.size() - 1));
    assertEquals(1, commitFailures.size());
  }

  @Test
  void resultsOfCommitsOlderThanADiscardAreIgnored() {
    hook("w1", true); // commit 1, in flight
    gate.discardGated(); // the room starts afresh while commit 1 is still being written
    store = loadRoom();
    assertEquals(List.of("discarded w1"), effects);
    hook("w2", true); // commit 2, from the new loading
    engine.fail("disk full"); // commit 1's failure arrives late
    loop.runTasks();
    assertEquals(
        List.of(), commitFailures, "a failure of a commit from before the discard is not news");
    assertEquals(List.of("discarded w1"), effects, "w2 still waits for its own commit");
    engine.succeed(); // commit 2 (its loading is newer than the failed one's)
    loop.runTasks();
    assertEquals(List.of("discarded w1", "w2"), effects);
    assertTrue(gate.settled());
  }

  @Test
  void aRequestsReplyGoesOutWithItsHookOrAnswers503WhenItsCommitFails() {
    List<RoomResponse> replies = new ArrayList<>();
    RoomResponse ok = RoomResponse.plain(200, "stored");
    gate.hookStarted();
    store.put(new byte[] {1}, new byte[] {1});
    gate.add(OutputGate.reply(replies::add, ok));
    gate.commit(store);
    gate.release();
    assertEquals(List.of(), replies, "the reply waits for the commit");
    engine.succeed();
    loop.runTasks();
    assertEquals(List.of(ok), replies);

    store.put(new byte[] {2}, new byte[] {2});
    gate.add(OutputGate.reply(replies::add, ok));
    gate.commit(store);
    gate.release();
    engine.fail("disk full");
    loop.runTasks();
    assertEquals(2, replies.size());
    RoomResponse refused = replies.get(1);
    assertEquals(503, refused.status());
    assertEquals("Room storage failed; retry", new String(refused.body(), StandardCharsets.UTF_8));
  }

  @Test
  void aTrapDiscardsTheHooksOwnOutputOnly() {
    hook("w1", true);
    gate.hookStarted();
    gate.add(effect("trapped"));
    gate.discardOutbox();
    store.rollback();
    gate.release();
    assertEquals(List.of("discarded trapped"), effects);
    engine.succeed();
    loop.runTasks();
    assertEquals(List.of("discarded trapped", "w1"), effects);
  }

  @Test
  void eachHookHasItsOwnOutputBudget() {
    gate.hookStarted();
    assertTrue(gate.spend(60));
    assertFalse(gate.spend(41), "past the budget of 100: refused, nothing counted");
    assertTrue(gate.spend(40));
    assertFalse(gate.spend(1));
    gate.hookStarted();
    assertTrue(gate.spend(100));
  }
}
