package dev.partyhost.room;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The room's inbox on one thread: the room's loop is a list of scheduled slices run by hand. */
class InboxTest {
  private static final int COST = 1000 + Inbox.OVERHEAD_BYTES;

  /** Counts its pauses and resumes. */
  private static class Socket implements Inbox.Sender {
    int pauses;
    int resumes;

    @Override
    public void pause() {
      pauses++;
    }

    @Override
    public void resume() {
      resumes++;
    }
  }

  private int scheduled;
  // Slices of a minute: only aLongSliceYieldsTheLoop times one (a 2 ms slice could end early on a
  // loaded machine, and the others count slices).
  private final Inbox<Integer> inbox = new Inbox<>(4 * COST, () -> scheduled++, 60_000_000_000L);
  private final List<Integer> ran = new ArrayList<>();

  @Test
  void eventsRunInOrderAndOneSliceIsScheduledAtATime() {
    for (int i = 0; i < 3; i++) inbox.add(i, 1000, null);
    assertEquals(1, scheduled);
    inbox.runSlice(ran::add);
    assertEquals(List.of(0, 1, 2), ran);
    assertTrue(inbox.isEmpty());
    assertEquals(0, inbox.bytes());
    inbox.add(3, 1000, null);
    assertEquals(2, scheduled, "an empty inbox schedules a slice for the next event");
  }

  @Test
  void aSenderIsPausedPastTheLimitAndResumedAtHalf() {
    Socket socket = new Socket();
    for (int i = 0; i < 4; i++) assertFalse(inbox.add(i, 1000, socket));
    assertTrue(inbox.add(4, 1000, socket), "the fifth passes the limit");
    assertEquals(1, socket.pauses);
    // The room works the queue down (an event's bytes leave once it has run): 3 of 5 left is
    // over half, 2 is not.
    List<Integer> seen = new ArrayList<>();
    inbox.runSlice(
        e -> {
          seen.add(e);
          if (e == 2) assertEquals(0, socket.resumes, "3 of 5 left: still paused");
          if (e == 3) assertEquals(1, socket.resumes, "2 of 5 left: resumed");
        });
    assertEquals(List.of(0, 1, 2, 3, 4), seen);
    assertEquals(1, socket.resumes);
  }

  @Test
  void closesAndErrorsAreNeverHeldBack() {
    for (int i = 0; i < 10; i++) assertFalse(inbox.add(i, 1000, null));
    inbox.runSlice(ran::add);
    assertEquals(10, ran.size());
  }

  @Test
  void aSenderPausedWhileTheRoomEmptiedTheQueueResumesItself() {
    // The room's loop runs the whole queue between the sender's add and its registration as
    // paused (here: inside its pause), so the room finds no one to resume.
    Socket socket =
        new Socket() {
          @Override
          public void pause() {
            super.pause();
            inbox.runSlice(ran::add);
          }
        };
    for (int i = 0; i < 4; i++) inbox.add(i, 1000, null);
    assertTrue(inbox.add(4, 1000, socket));
    assertEquals(List.of(0, 1, 2, 3, 4), ran);
    assertEquals(1, socket.resumes);
  }

  @Test
  void aLongSliceYieldsTheLoop() {
    Inbox<Integer> inbox = new Inbox<>(4 * COST, () -> scheduled++);
    for (int i = 0; i < 3; i++) inbox.add(i, 1000, null);
    inbox.runSlice(
        e -> {
          ran.add(e);
          long until = System.nanoTime() + Inbox.SLICE_NANOS + 1_000_000;
          while (System.nanoTime() < until) Thread.onSpinWait();
        });
    assertEquals(List.of(0), ran, "one event past the slice's time, then the loop's other tasks");
    assertEquals(2, scheduled, "the rest is scheduled again");
  }
}
