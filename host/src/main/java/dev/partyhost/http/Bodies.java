package dev.partyhost.http;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

/**
 * Reads a whole request body up to a limit, as opaque bytes (no form parsing: room bodies and
 * modules are the guest's business). Over the limit: 413 and the connection is closed.
 */
final class Bodies {
  private static final System.Logger LOG = System.getLogger("partyhost.http");

  private Bodies() {}

  static void read(RoutingContext ctx, long limit, Handler<Buffer> then) {
    HttpServerRequest req = ctx.request();
    String declared = req.getHeader("content-length");
    if (declared != null && parseLong(declared) > limit) {
      tooLarge(ctx, limit);
      return;
    }
    Buffer body = Buffer.buffer();
    boolean[] failed = {false};
    req.handler(
        chunk -> {
          if (failed[0]) return;
          if (body.length() + chunk.length() > limit) {
            failed[0] = true;
            tooLarge(ctx, limit);
          } else {
            body.appendBuffer(chunk);
          }
        });
    req.endHandler(
        v -> {
          if (!failed[0]) then.handle(body);
        });
    req.resume();
  }

  private static void tooLarge(RoutingContext ctx, long limit) {
    LOG.log(System.Logger.Level.INFO, "request body over " + limit + " bytes: 413");
    // Close after answering: the rest of the body is never read.
    ctx.response()
        .setStatusCode(413)
        .putHeader("connection", "close")
        .putHeader("content-type", "text/plain; charset=utf-8")
        .end("Request body too large: the limit is " + limit + " bytes")
        .onComplete(v -> ctx.request().connection().close());
  }

  private static long parseLong(String s) {
    try {
      return Long.parseLong(s.trim());
    } catch (NumberFormatException e) {
      return Long.MAX_VALUE;
    }
  }
}
