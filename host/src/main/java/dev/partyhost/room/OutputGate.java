package dev.partyhost.room;

import dev.partyhost.storage.Changes;
import dev.partyhost.storage.GroupCommit;
import dev.partyhost.storage.RoomStore;
import dev.partyhost.vertx.VertxInternals;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * One room's output gate, on the room's event loop: what a hook causes outside the instance (frames,
 * closes, its HTTP reply) waits in the outbox until the hook returns, then until every commit submitted
 * before it is durable, so that no client sees state a crash could take back. A commit that fails
 * discards what waits for it. In a cluster, output also leaves only while the node holds its lease:
 * past it another node may own the room, and this one must not speak for it.
 */
final class OutputGate {
  /** Something a hook caused outside the instance; a discarded HTTP reply answers 503. */
  interface Effect {
    void run();

    default void discard() {}
  }

  private record Gated(long commit, List<Effect> effects) {}

  /** The node's lease ran out with output still held: the room must let its clients go. */
  static final class LeaseLapsed extends RuntimeException {
    LeaseLapsed() {
      super("this node's lease ran out: the room may be another node's now", null, false, false);
    }
  }

  /**
   * A request hook's HTTP reply: it passes the gate with the hook's frames; discarded (its commit or
   * an earlier one failed), it answers 503. Made here rather than inline in Room so that OutputGateTest
   * checks the reply the host really sends.
   */
  static Effect reply(Handler<RoomResponse> reply, RoomResponse response) {
    return reply(reply, reply, response);
  }

  /** As above; a discarded reply goes to {@code discarded} (a room call's: the callee was reset). */
  static Effect reply(
      Handler<RoomResponse> reply, Handler<RoomResponse> discarded, RoomResponse response) {
    return new Effect() {
      @Override
      public void run() {
        reply.handle(response);
      }

      @Override
      public void discard() {
        discarded.handle(RoomResponse.plain(503, "Room storage failed; retry"));
      }
    };
  }

  private final Context context;
  private final GroupCommit commits;
  private final long maxHookOutputBytes;

  /** Whether this node may speak for its rooms now (its lease, in a cluster; always, alone). */
  private final BooleanSupplier leaseHolds;

  /** Told on the room's loop when a commit failed: the room must drop what it holds in memory. */
  private final Consumer<Throwable> commitFailed;

  // Sized for a commit or two in flight (the default holds 16: 64 B more in every room).
  private final ArrayDeque<Gated> gated = new ArrayDeque<>(1);
  private List<Effect> outbox = new ArrayList<>();
  private long submitted;
  private long durable;

  /** Bumped when the room starts afresh after a failed commit: results of older commits are ignored. */
  private int epoch;

  private long outputThisHook;
  private Outbound outbound;

  /** Hears each frame and close a hook makes (a recording), or null. */
  private RoomTap tap;

  OutputGate(
      Context context,
      GroupCommit commits,
      long maxHookOutputBytes,
      BooleanSupplier leaseHolds,
      Consumer<Throwable> commitFailed) {
    this.context = context;
    this.commits = commits;
    this.maxHookOutputBytes = maxHookOutputBytes;
    this.leaseHolds = leaseHolds;
    this.commitFailed = commitFailed;
  }

  /** This room's loop's way out to sockets (created on the loop, on first use). */
  Outbound outbound() {
    if (outbound == null) outbound = Outbound.current(VertxInternals.eventLoop(context));
    return outbound;
  }

  void tap(RoomTap tap) {
    this.tap = tap;
  }

  /** A hook starts: its output budget is full again. */
  void hookStarted() {
    outputThisHook = 0;
  }

  /** Counts frame bytes against the hook's output budget; false (nothing counted) when it would pass it. */
  boolean spend(long bytes) {
    if (outputThisHook + bytes > maxHookOutputBytes) return false;
    outputThisHook += bytes;
    return true;
  }

  void add(Effect effect) {
    outbox.add(effect);
  }

  void send(Connection c, Message message) {
    if (tap != null) tap.sent(c.handle, message.text(), message.bytes());
    outbox.add(() -> c.send(outbound(), message.frame()));
  }

  /** One effect for all recipients of a broadcast. */
  void send(List<Connection> recipients, Message message) {
    if (tap != null) {
      int[] handles = new int[recipients.size()];
      for (int i = 0; i < handles.length; i++) handles[i] = recipients.get(i).handle;
      tap.broadcast(handles, message.text(), message.bytes());
    }
    outbox.add(
        () -> {
          Outbound out = outbound();
          for (Connection c : recipients) c.send(out, message.frame());
        });
  }

  void close(Connection c, int code, String reason) {
    if (tap != null) tap.closed(c.handle, code, reason);
    c.closing = true;
    outbox.add(() -> c.close(outbound(), code, reason));
  }

  /**
   * Submits the changes of the hook that just returned, if any, for a durable commit; returns them
   * (null: none). The outcome comes back on the room's loop.
   */
  Changes commit(RoomStore store) {
    Changes changes = store.commit();
    if (changes == null) return null;
    long commit = ++submitted;
    int epochNow = epoch;
    commits
        .submit(changes)
        .onComplete(
            done ->
                context.runOnContext(
                    v -> {
                      if (epoch != epochNow) return; // the room has started afresh since
                      if (done.succeeded()) committed(commit);
                      else commitFailed.accept(done.cause());
                    }));
    return changes;
  }

  private void committed(long commit) {
    durable = Math.max(durable, commit);
    if (!gated.isEmpty() && gated.peek().commit <= durable && !leaseHolds.getAsBoolean()) {
      commitFailed.accept(new LeaseLapsed());
      return;
    }
    while (!gated.isEmpty() && gated.peek().commit <= durable) {
      for (Effect effect : gated.poll().effects) effect.run();
    }
  }

  /** The outbox goes out now when nothing is waiting to be durable; otherwise after every commit submitted so far. */
  void release() {
    if (outbox.isEmpty()) return;
    if (durable == submitted) {
      if (!leaseHolds.getAsBoolean()) {
        discardOutbox();
        commitFailed.accept(new LeaseLapsed());
        return;
      }
      for (Effect effect : outbox) effect.run();
      outbox.clear();
    } else {
      gated.add(new Gated(submitted, outbox));
      outbox = new ArrayList<>();
    }
  }

  /** A trap: the hook's output never leaves. */
  void discardOutbox() {
    outbox.forEach(Effect::discard);
    outbox.clear();
  }

  /** A commit failed: everything waiting for a commit is discarded, and later results of those commits ignored. */
  void discardGated() {
    epoch++;
    for (Gated g : gated) g.effects.forEach(Effect::discard);
    gated.clear();
    durable = submitted;
  }

  /** Every commit submitted is durable. */
  boolean settled() {
    return durable == submitted;
  }
}
