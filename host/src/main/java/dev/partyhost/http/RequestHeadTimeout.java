package dev.partyhost.http;

import dev.partyhost.vertx.VertxInternals;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.vertx.core.http.HttpConnection;
import java.lang.System.Logger.Level;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Closes an HTTP/1 connection that has not delivered a complete request head within {@code
 * requestHeaderTimeoutMs} of opening, or of its last response going out: a slowloris client (a head
 * sent a byte at a time, or nothing at all) and a kept-alive connection left idle alike. While a
 * request is being answered no deadline runs.
 *
 * <p>Vert.x has only idle timeouts, which a byte every few seconds defeats and which would also close
 * quiet WebSockets; so this sits in the connection's Netty pipeline, right after Vert.x's codec, where
 * it sees each decoded request head and each response written. It removes itself when the connection
 * upgrades to a WebSocket (the 101 going out): a WebSocket is never closed by it.
 */
final class RequestHeadTimeout extends ChannelDuplexHandler {
  private static final String NAME = "partyhost-request-head-timeout";
  private static final System.Logger LOG = System.getLogger("partyhost.http");

  private final long timeoutMs;

  /** Requests whose head arrived and whose response has not gone out; no deadline runs while any. */
  private int unanswered;

  /** Whether a response went out (for the log line: an idle keep-alive, or a slow first head). */
  private boolean answeredBefore;

  /** Whether a request head is awaited, and by when ({@link System#nanoTime}). */
  private boolean awaiting;

  private long due;

  /** The check scheduled on the connection's loop; rescheduled rather than cancelled on each request. */
  private ScheduledFuture<?> check;

  /** Whether the response being written is interim (100 Continue, 103): its end answers nothing. */
  private boolean interim;

  private RequestHeadTimeout(long timeoutMs) {
    this.timeoutMs = timeoutMs;
  }

  /** Called as the connection opens (before its first byte is read); HTTP/1 only. */
  static void install(HttpConnection connection, long timeoutMs) {
    ChannelPipeline pipeline = VertxInternals.pipeline(connection);
    if (pipeline == null || pipeline.get("httpEncoder") == null) return;
    pipeline.addAfter("httpEncoder", NAME, new RequestHeadTimeout(timeoutMs));
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    await(ctx);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    stop();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    stop();
    super.channelInactive(ctx);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    if (msg instanceof HttpRequest) { // a whole head, decoded (a malformed one too: it is answered)
      unanswered++;
      awaiting = false;
    }
    super.channelRead(ctx, msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise)
      throws Exception {
    if (msg instanceof HttpResponse response) {
      if (HttpResponseStatus.SWITCHING_PROTOCOLS.equals(response.status())) {
        // A WebSocket from now on: it has a lifecycle of its own.
        super.write(ctx, msg, promise);
        ctx.pipeline().remove(this);
        return;
      }
      interim = response.status().codeClass() == HttpStatusClass.INFORMATIONAL;
    }
    if (msg instanceof LastHttpContent && !interim) {
      // Counted from when the response has gone out to the socket, not from when it was queued: a
      // large body to a slow reader must not run the next request's clock.
      promise = promise.unvoid();
      promise.addListener(
          (ChannelFutureListener)
              f -> {
                if (f.isSuccess() && !ctx.isRemoved()) answered(ctx);
              });
    }
    super.write(ctx, msg, promise);
  }

  private void answered(ChannelHandlerContext ctx) {
    answeredBefore = true;
    if (unanswered > 0) unanswered--;
    if (unanswered == 0 && ctx.channel().isActive()) await(ctx);
  }

  private void await(ChannelHandlerContext ctx) {
    awaiting = true;
    due = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    if (check == null) schedule(ctx, TimeUnit.MILLISECONDS.toNanos(timeoutMs));
  }

  private void schedule(ChannelHandlerContext ctx, long delayNanos) {
    check = ctx.executor().schedule(() -> expire(ctx), delayNanos, TimeUnit.NANOSECONDS);
  }

  private void expire(ChannelHandlerContext ctx) {
    check = null;
    if (!awaiting || ctx.isRemoved()) return;
    long left = due - System.nanoTime();
    if (left > 0) {
      schedule(ctx, left);
      return;
    }
    LOG.log(
        Level.DEBUG,
        () ->
            "closing HTTP connection from "
                + ctx.channel().remoteAddress()
                + ": no complete request head within "
                + timeoutMs
                + " ms of "
                + (answeredBefore ? "its last response (keep-alive idle)" : "opening"));
    var unused = ctx.channel().close();
  }

  private void stop() {
    awaiting = false;
    if (check != null) {
      check.cancel(false);
      check = null;
    }
  }
}
