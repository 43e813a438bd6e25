package dev.partyhost.http;

import dev.partyhost.HostConfig;
import dev.partyhost.metrics.HostMetrics;
import io.vertx.core.Handler;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /metrics}: the host's meters in Prometheus's text format, with the admin token unless
 * {@code metricsPublic}. Absent (404) with metrics off.
 */
final class MetricsRoute {
  private final HostConfig config;
  private final HostMetrics metrics;
  private final Handler<RoutingContext> authorize;

  MetricsRoute(HostConfig config, HostMetrics metrics, Handler<RoutingContext> authorize) {
    this.config = config;
    this.metrics = metrics;
    this.authorize = authorize;
  }

  void mount(Router router) {
    if (!metrics.on()) return;
    var route = router.get("/metrics");
    if (!config.metricsPublic) route.handler(authorize);
    route.handler(this::scrape);
  }

  /** Rendered on a worker thread: the JVM's meters read MXBeans, and the text may be long. */
  private void scrape(RoutingContext ctx) {
    ctx.vertx()
        .executeBlocking(metrics::scrape)
        .onComplete(
            text -> {
              if (text.failed()) {
                PartyRoutes.plain(ctx.response(), 500, "Metrics failed: " + text.cause());
              } else {
                ctx.response()
                    .putHeader("Content-Type", HostMetrics.contentType())
                    .end(text.result());
              }
            });
  }
}
