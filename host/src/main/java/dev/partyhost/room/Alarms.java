package dev.partyhost.room;

import dev.partyhost.guest.GuestTime;
import dev.partyhost.storage.RoomKey;
import io.vertx.core.Vertx;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The host's alarm clock: one timer per room that has an alarm, whether the room is live or not.
 * When a timer fires, the room is woken (created if needed) and runs its alarm hook. Failed runs are
 * retried with doubling delays, then dropped. The alarm times themselves are the rooms' durable
 * data; this class only keeps the timers, rebuilt from storage at start.
 */
final class Alarms {
  private static final Logger LOG = System.getLogger("partyhost.alarm");

  private final Vertx vertx;
  private final Rooms rooms;
  private final GuestTime time;
  private final Map<RoomKey, Long> timers = new ConcurrentHashMap<>();
  private final Map<RoomKey, Integer> failures = new ConcurrentHashMap<>();

  Alarms(Vertx vertx, Rooms rooms) {
    this.vertx = vertx;
    this.rooms = rooms;
    this.time = rooms.config().time;
  }

  /** Sets the room's timer to fire at {@code at} (epoch ms; now if past), or cancels it when null. */
  void schedule(RoomKey room, Long at) {
    failures.remove(room);
    setTimer(room, at == null ? null : delayUntil(at));
  }

  /** Milliseconds from now to {@code at} (epoch ms), at least 1; no subtraction that could overflow. */
  private long delayUntil(long at) {
    long now = time.nowMs();
    return at <= now ? 1 : at - now;
  }

  /**
   * Times a stored alarm this node has no timer for (a room it took over from another node, an
   * orphaned alarm found in storage); a timer already set (a retry, say) stays, and so does the count
   * of failed runs, so that retries still run out.
   */
  void adopt(RoomKey room, Long at) {
    if (at == null || timers.containsKey(room)) return;
    setTimer(room, delayUntil(at));
  }

  /**
   * A run of the room's alarm hook failed. Returns true when it will be retried; false when the
   * retries are used up: the room then deletes its alarm if it can (else it fires again at start).
   */
  boolean failed(RoomKey room) {
    int failed = failures.merge(room, 1, Integer::sum);
    int retries = rooms.config().alarmRetries;
    if (failed > retries) {
      failures.remove(room);
      rooms.metrics().party(room.party()).alarmDropped();
      LOG.log(
          Level.WARNING,
          GuestLog.tag(room.party(), room.room())
              + "alarm failed after "
              + retries
              + " retries, given up");
      return false;
    }
    long delay = rooms.config().alarmRetryMs << Math.min(failed - 1, 30);
    rooms.metrics().party(room.party()).alarmRetried();
    LOG.log(
        Level.INFO,
        GuestLog.tag(room.party(), room.room())
            + "alarm hook failed, retry "
            + failed
            + " of "
            + retries
            + " in "
            + delay
            + " ms");
    setTimer(room, delay);
    return true;
  }

  /** The alarm hook ran without failing. */
  void succeeded(RoomKey room) {
    failures.remove(room);
  }

  private void setTimer(RoomKey room, Long delayMs) {
    timers.compute(
        room,
        (key, old) -> {
          if (old != null) time.cancelTimer(vertx, old);
          if (delayMs == null) return null;
          return time.setTimer(vertx, delayMs, id -> fire(key, id));
        });
  }

  private void fire(RoomKey room, long timer) {
    if (!timers.remove(room, timer)) return; // replaced or cancelled meanwhile
    rooms
        .owner(room.party(), room.room(), true) // an orphan's alarm: whichever node is first
        .onComplete(
            owner -> {
              if (owner.failed()) failed(room); // this node has no lease now: try again later
              else if (owner.result().mine()) wake(room);
              // else: another node owns the room and runs its alarm
            });
  }

  /** Runs the alarm in its room, created here if needed. */
  private void wake(RoomKey room) {
    Room r;
    try {
      r = rooms.acquire(room.party(), room.room());
    } catch (Rooms.Full full) {
      failed(room); // no space for the room now: try again later
      return;
    }
    if (r == null) {
      LOG.log(
          Level.WARNING,
          GuestLog.tag(room.party(), room.room())
              + "alarm due, but party "
              + room.party()
              + " is not deployed (yet)");
      // It may be uploaded soon; if not, the alarm waits in storage for the next start.
      failed(room);
      return;
    }
    r.alarm();
  }
}
