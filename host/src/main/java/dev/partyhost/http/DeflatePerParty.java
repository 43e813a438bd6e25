package dev.partyhost.http;

import dev.partyhost.HostConfig;
import dev.partyhost.PartyLimits;
import dev.partyhost.vertx.VertxInternals;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.compression.ZlibCodecFactory;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionData;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketServerExtension;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketServerExtensionHandler;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketServerExtensionHandshaker;
import io.netty.handler.codec.http.websocketx.extensions.compression.PerMessageDeflateServerExtensionHandshaker;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerOptions;

/**
 * permessage-deflate for the WebSockets of parties that ask for it ({@code compression}), chosen per
 * upgrade. Vert.x decides compression per server, in a Netty handler that accepts the client's offer
 * as the request arrives, before any Vert.x handler sees it. So when some party compresses, the server
 * supports deflate and each connection's extension handler is replaced by this one, which accepts the
 * offer only for an upgrade to such a party.
 *
 * <p>Supporting deflate makes Vert.x let frames with reserved bits through Netty's decoder (deflate
 * marks its frames with RSV1). Each upgraded socket gets {@link ReservedBits} behind the deflate
 * decoder, if any, so that such a frame is still a protocol error (1002) unless deflate consumed the bit.
 */
final class DeflatePerParty extends WebSocketServerExtensionHandler {
  private final Offer offer;

  private DeflatePerParty(Offer offer) {
    super(offer);
    this.offer = offer;
  }

  /** Replaces the connection's extension handler (Vert.x's internals: it has no public hook for this). */
  static void install(HttpConnection connection, HostConfig config, HttpServerOptions options) {
    ChannelPipeline pipeline = VertxInternals.pipeline(connection);
    if (pipeline == null) return; // not HTTP/1: no WebSocket upgrade
    ChannelHandler vertx = pipeline.get(WebSocketServerExtensionHandler.class);
    if (vertx == null) return; // the server offers no extension at all
    pipeline.replace(
        vertx, pipeline.context(vertx).name(), new DeflatePerParty(new Offer(config, options)));
  }

  @Override
  protected void onHttpRequestChannelRead(ChannelHandlerContext ctx, HttpRequest request)
      throws Exception {
    offer.uri = request.uri();
    // Asks the offer (if the client made one), then passes the request on.
    super.onHttpRequestChannelRead(ctx, request);
  }

  @Override
  protected void onHttpResponseWrite(
      ChannelHandlerContext ctx, HttpResponse response, ChannelPromise promise) throws Exception {
    if (HttpResponseStatus.SWITCHING_PROTOCOLS.equals(response.status())) {
      // Runs before the listeners that super adds: they put the deflate decoder (if one was agreed)
      // right after this handler, so ahead of the check, and then remove this handler.
      promise.addListener(
          (ChannelFutureListener)
              f -> {
                if (f.isSuccess())
                  ctx.pipeline()
                      .addAfter(ctx.name(), "partyhost-reserved-bits", new ReservedBits());
              });
    }
    super.onHttpResponseWrite(ctx, response, promise);
  }

  /** Netty's permessage-deflate, for the upgrade being read if its party compresses. */
  private static final class Offer implements WebSocketServerExtensionHandshaker {
    private final HostConfig config;
    private final HttpServerOptions options;

    /** The URI of the request being read. */
    String uri;

    Offer(HostConfig config, HttpServerOptions options) {
      this.config = config;
      this.options = options;
    }

    @Override
    public WebSocketServerExtension handshakeExtension(WebSocketExtensionData data) {
      PartyLimits party = compressingParty();
      if (party == null) return null;
      // As Vert.x configures it, plus a ceiling on what one frame may inflate to (Vert.x sets
      // none): the frame size ceiling, so a small compressed frame cannot become gigabytes.
      int maxInflated = PartyLimits.frameCeiling(party.maxMessageBytes());
      return new PerMessageDeflateServerExtensionHandshaker(
              options.getWebSocketCompressionLevel(),
              ZlibCodecFactory.isSupportingWindowSizeAndMemLevel(),
              PerMessageDeflateServerExtensionHandshaker.MAX_WINDOW_SIZE,
              options.getWebSocketAllowServerNoContext(),
              options.getWebSocketPreferredClientNoContext(),
              maxInflated)
          .handshakeExtension(data);
    }

    /** The limits of the party the request being read is for, if it compresses; else null. */
    private PartyLimits compressingParty() {
      int end = uri.length();
      for (char c : new char[] {'?', '#'})
        if (uri.indexOf(c) >= 0) end = Math.min(end, uri.indexOf(c));
      String path = uri.substring(0, end);
      if (!path.startsWith("/")) { // absolute form: http://host/path
        int scheme = path.indexOf("://");
        int slash = scheme < 0 ? -1 : path.indexOf('/', scheme + 3);
        path = slash < 0 ? "/" : path.substring(slash);
      }
      try {
        RoomAddress address = RoomAddress.parse(path, config.mainParty);
        if (address == null) return null;
        PartyLimits limits = config.limits(address.party());
        return limits.compression() ? limits : null;
      } catch (RoomAddress.Invalid e) {
        return null; // answered 400 by the routes
      }
    }
  }

  /**
   * A frame that still has a reserved bit set is a protocol error, as Netty's decoder says when no
   * extension is allowed: close with 1002 and report it (the room's error hook hears of it).
   */
  private static final class ReservedBits extends ChannelInboundHandlerAdapter {
    private boolean corrupt;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (!(msg instanceof WebSocketFrame frame) || (frame.rsv() == 0 && !corrupt)) {
        ctx.fireChannelRead(msg);
        return;
      }
      String reason = "reserved bits that no extension uses, RSV:" + frame.rsv();
      frame.release();
      if (corrupt) return; // what follows a protocol error is discarded
      corrupt = true;
      ctx.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.PROTOCOL_ERROR, reason))
          .addListener(ChannelFutureListener.CLOSE);
      ctx.fireExceptionCaught(
          new CorruptedWebSocketFrameException(WebSocketCloseStatus.PROTOCOL_ERROR, reason));
    }
  }
}
