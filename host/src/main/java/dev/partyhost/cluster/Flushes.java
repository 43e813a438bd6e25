package dev.partyhost.cluster;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import java.util.ArrayList;
import java.util.List;

/**
 * Flushes of the relayed sockets of one event loop, put off to the end of the loop's current batch
 * of tasks: one flush (one syscall) per socket per batch, not one per frame, as the rooms' own
 * sockets get (room.Outbound). Used on its loop only.
 */
final class Flushes {
  private final EventLoop loop;
  private final List<ChannelHandlerContext> pending = new ArrayList<>();
  private boolean scheduled;

  Flushes(EventLoop loop) {
    this.loop = loop;
  }

  /** Flushes {@code socket} after the tasks already queued on this loop. */
  void later(ChannelHandlerContext socket) {
    if (!pending.contains(socket)) pending.add(socket); // a few sockets per batch: a list will do
    if (scheduled) return;
    scheduled = true;
    loop.execute(this::flush);
  }

  private void flush() {
    scheduled = false;
    for (ChannelHandlerContext socket : pending) socket.flush();
    pending.clear();
  }
}
