package dev.partyhost.room;

import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Frames on their way from rooms to WebSockets, one instance per event loop. A socket is written
 * on its own loop only (the server runs in Vert.x's strict thread mode, which saves a write queue of
 * some 8 KiB per socket). Frames for sockets on this loop are written at once and flushed at the end
 * of the loop's current batch of tasks: one flush (one syscall) per socket per batch, not per frame.
 * Frames for sockets on other loops are handed over at that point too, in one task per loop.
 * Everything here runs on its own loop.
 */
final class Outbound {
  private static final ThreadLocal<Outbound> CURRENT = new ThreadLocal<>();

  private final EventLoop loop;
  private final List<Connection> unflushed = new ArrayList<>();

  /** Per other loop: connections and what to do with each (a frame, or a close), in order. */
  private final Map<Outbound, List<Object>> handOver = new HashMap<>();

  private boolean batchEndScheduled;

  // Package-private, not private, so that OutboundTest can make one per stand-in loop on one
  // thread; the host gets its instances from current() only.
  Outbound(EventLoop loop) {
    this.loop = loop;
  }

  /** The instance of the calling thread, which is {@code loop}'s. */
  static Outbound current(EventLoop loop) {
    Outbound outbound = CURRENT.get();
    if (outbound == null) {
      if (!loop.inEventLoop()) throw new IllegalStateException("not on the event loop " + loop);
      outbound = new Outbound(loop);
      CURRENT.set(outbound);
    }
    return outbound;
  }

  /** Sends a frame (whose content may be shared, unreleasable) to a connection on any loop. */
  void send(Connection c, WebSocketFrame frame) {
    if (c.outbound == this) write(c, frame);
    else handOver(c, frame);
  }

  /** Closes a connection after the frames sent to it so far. */
  void close(Connection c, Connection.Close close) {
    if (c.outbound == this) c.closeNow(close);
    else handOver(c, close);
  }

  private void handOver(Connection c, Object what) {
    List<Object> items = handOver.computeIfAbsent(c.outbound, k -> new ArrayList<>());
    items.add(c);
    items.add(what);
    endOfBatchLater();
  }

  private void write(Connection c, WebSocketFrame frame) {
    if (!c.writeNow(frame)) return;
    if (!c.unflushed) {
      c.unflushed = true;
      unflushed.add(c);
    }
    endOfBatchLater();
  }

  /** Runs {@link #endOfBatch} after the tasks already queued on this loop. */
  private void endOfBatchLater() {
    if (batchEndScheduled) return;
    batchEndScheduled = true;
    loop.execute(this::endOfBatch);
  }

  private void endOfBatch() {
    batchEndScheduled = false;
    for (Map.Entry<Outbound, List<Object>> entry : handOver.entrySet()) {
      List<Object> items = entry.getValue();
      if (items.isEmpty()) continue;
      Outbound target = entry.getKey();
      entry.setValue(new ArrayList<>());
      target.loop.execute(() -> target.takeOver(items));
    }
    for (Connection c : unflushed) {
      c.unflushed = false;
      c.flushNow();
    }
    unflushed.clear();
  }

  private void takeOver(List<Object> items) {
    for (int i = 0; i < items.size(); i += 2) {
      Connection c = (Connection) items.get(i);
      Object what = items.get(i + 1);
      if (what instanceof WebSocketFrame frame) write(c, frame);
      else c.closeNow((Connection.Close) what);
    }
  }
}
