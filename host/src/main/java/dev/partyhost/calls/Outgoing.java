package dev.partyhost.calls;

import dev.partyhost.guest.Abi;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * One room's calls in flight, on the room's event loop: a call counts from the hook that made it
 * (held in the output gate) to its answer or its deadline, whichever comes first; each gets one answer
 * at most. Ids grow and are never reused by the room. When the room's instance is discarded (a trap, a
 * failed commit, the room leaving) every call in flight is forgotten: answers to them are dropped.
 */
public final class Outgoing {
  /** Where answers go, on the room's loop: {@code generation} tells whether the room is still the one that called. */
  @FunctionalInterface
  public interface Answered {
    void answered(int call, Answer answer, int generation);
  }

  /** Held in the output gate: no deadline yet. */
  private static final long HELD = -1;

  private final Vertx vertx;
  private final Context context;
  private final Answered answered;

  /** Call id → its deadline timer (or {@link #HELD}). */
  private final Map<Integer, Long> inFlight = new HashMap<>();

  private int lastId;

  /** Bumped whenever the calls in flight are forgotten: later answers to them are dropped. */
  private int generation;

  public Outgoing(Vertx vertx, Context context, Answered answered) {
    this.vertx = vertx;
    this.context = context;
    this.answered = answered;
  }

  /** Calls made and not answered yet (held in the gate or away). */
  public int inFlight() {
    return inFlight.size();
  }

  public int generation() {
    return generation;
  }

  /** A new call's id, counted in flight from now; 0 when the room has used every id there is. */
  public int open() {
    if (lastId == Integer.MAX_VALUE) return 0;
    inFlight.put(++lastId, HELD);
    return lastId;
  }

  /**
   * The hook's commit is durable: the call leaves now ({@code send} starts it), with its deadline.
   * A call forgotten meanwhile does not leave.
   */
  public void leave(int call, long timeoutMs, Supplier<Future<Answer>> send) {
    if (!inFlight.containsKey(call)) return;
    int gen = generation;
    long timer =
        vertx.setTimer(
            timeoutMs,
            t ->
                finish(
                    gen,
                    call,
                    Answer.failed(Abi.TIMED_OUT, "no answer within " + timeoutMs + " ms")));
    inFlight.put(call, timer);
    Future<Answer> answer;
    try {
      answer = send.get();
    } catch (RuntimeException e) {
      answer = Future.succeededFuture(Answer.failed(Abi.FAILED, "the call failed: " + e));
    }
    answer.onComplete(
        done -> {
          Answer a =
              done.succeeded()
                  ? done.result()
                  : Answer.failed(Abi.FAILED, "the call failed: " + done.cause().getMessage());
          // Always an event of its own: an answer known at once (an unknown party) must not run
          // on_response inside the release of the hook that made the call.
          context.runOnContext(v -> finish(gen, call, a));
        });
  }

  /** The hook that made the call trapped, or its commit failed: it never leaves. */
  public void cancel(int call) {
    Long timer = inFlight.remove(call);
    if (timer != null && timer != HELD) vertx.cancelTimer(timer);
  }

  /** The instance that made the calls is gone: none of them is answered. */
  public void forgetAll() {
    generation++;
    for (long timer : inFlight.values()) if (timer != HELD) vertx.cancelTimer(timer);
    inFlight.clear();
  }

  /** The first answer of a call (its response or its deadline) goes to the room; later ones are dropped. */
  private void finish(int gen, int call, Answer answer) {
    if (gen != generation) return;
    Long timer = inFlight.remove(call);
    if (timer == null) return;
    if (timer != HELD) vertx.cancelTimer(timer);
    answered.answered(call, answer, generation);
  }
}
