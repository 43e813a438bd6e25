package dev.partyhost.support;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.AbstractScheduledEventExecutor;
import io.netty.util.concurrent.DefaultPromise;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.vertx.core.Context;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.TimeUnit;

/**
 * A Netty event loop that the test drives: its owner is the thread that made it, and tasks queued to
 * it run only when that thread calls {@link #runTasks}, so a test sees exactly which tasks a class
 * queued and when they run (bench's RoundTrip runs a room on the same kind of loop). Timers are kept,
 * never run. Single-threaded: queue to it from its owner only.
 */
public final class DrivenLoop extends AbstractScheduledEventExecutor implements EventLoop {
  private final Thread owner = Thread.currentThread();
  private final Queue<Runnable> tasks = new ArrayDeque<>();
  private final DefaultPromise<Void> terminated =
      new DefaultPromise<>(GlobalEventExecutor.INSTANCE);
  private final String name;

  public DrivenLoop(String name) {
    this.name = name;
  }

  /** A Vert.x event-loop context whose tasks (runOnContext) run on this loop. */
  public Context context(Vertx vertx) {
    return ((VertxInternal) vertx)
        .contextBuilder()
        .withEventLoop(this)
        .withThreadingModel(ThreadingModel.EVENT_LOOP)
        .build();
  }

  /** Tasks queued and not run yet. */
  public int queued() {
    return tasks.size();
  }

  /** Runs the tasks queued so far and those they queue, until none is left; returns how many ran. */
  public int runTasks() {
    if (Thread.currentThread() != owner) throw new IllegalStateException("not the loop's thread");
    int ran = 0;
    for (Runnable task; (task = tasks.poll()) != null; ran++) task.run();
    return ran;
  }

  @Override
  public void execute(Runnable task) {
    if (Thread.currentThread() != owner)
      throw new IllegalStateException(name + ": a task queued from another thread");
    tasks.add(task);
  }

  @Override
  public boolean inEventLoop(Thread thread) {
    return thread == owner;
  }

  @Override
  public String toString() {
    return "DrivenLoop " + name;
  }

  @Override
  public EventLoopGroup parent() {
    return this;
  }

  @Override
  public EventLoop next() {
    return this;
  }

  @Override
  public ChannelFuture register(Channel channel) {
    throw new UnsupportedOperationException();
  }

  @Override
  public ChannelFuture register(ChannelPromise promise) {
    throw new UnsupportedOperationException();
  }

  @Override
  @Deprecated
  public ChannelFuture register(Channel channel, ChannelPromise promise) {
    throw new UnsupportedOperationException();
  }

  @Override
  public boolean isShuttingDown() {
    return false;
  }

  @Override
  public io.netty.util.concurrent.Future<?> shutdownGracefully(
      long quietPeriod, long timeout, TimeUnit unit) {
    return terminated;
  }

  @Override
  public io.netty.util.concurrent.Future<?> terminationFuture() {
    return terminated;
  }

  @Override
  @Deprecated
  public void shutdown() {}

  @Override
  public boolean isShutdown() {
    return false;
  }

  @Override
  public boolean isTerminated() {
    return false;
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) {
    return false;
  }
}
