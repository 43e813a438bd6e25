package dev.partyhost.http;

import dev.partyhost.party.Parties;
import dev.partyhost.room.Rooms;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.TimeUnit;

/**
 * {@code /healthz} (the process serves HTTP) and {@code /readyz} (this host can serve rooms: its
 * parties are loaded, its storage answers a query, it is not stopping, and in a cluster it holds its
 * lease): plain text, no token, for load balancers and orchestrators. Exact paths, so they neither
 * shadow nor are shadowed by {@code /parties/...}, {@code /party/...} or {@code /_admin/...}.
 */
final class HealthRoutes {
  /** How long /readyz waits for storage before it says it is unreachable. */
  static final long STORAGE_TIMEOUT_MS = 2_000;

  private final Parties parties;
  private final Rooms rooms;

  HealthRoutes(Parties parties, Rooms rooms) {
    this.parties = parties;
    this.rooms = rooms;
  }

  void mount(Router router) {
    router.get("/healthz").handler(ctx -> PartyRoutes.plain(ctx.response(), 200, "ok"));
    router.get("/readyz").handler(this::ready);
  }

  /**
   * The parties are loaded before the host listens (PartyHost#start), so a host that answers has
   * them; what can change is storage, stopping and the lease.
   */
  private void ready(RoutingContext ctx) {
    if (rooms.stopping()) {
      PartyRoutes.plain(ctx.response(), 503, "not ready: the host is stopping");
      return;
    }
    if (rooms.cluster() != null && !rooms.cluster().lease().valid()) {
      PartyRoutes.plain(ctx.response(), 503, "not ready: this node holds no cluster lease");
      return;
    }
    Context here = Vertx.currentContext();
    Future<Void> ping = rooms.storage().ping().timeout(STORAGE_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    ping.onComplete(
        result ->
            here.runOnContext(
                v -> {
                  if (result.failed())
                    PartyRoutes.plain(
                        ctx.response(),
                        503,
                        "not ready: storage unreachable ("
                            + rooms.storage().describe()
                            + "): "
                            + oneLine(result.cause()));
                  else
                    PartyRoutes.plain(
                        ctx.response(),
                        200,
                        "ready: "
                            + parties.all().size()
                            + " parties, "
                            + rooms.storage().describe());
                }));
  }

  private static String oneLine(Throwable cause) {
    return String.valueOf(cause.getMessage()).replaceAll("\\s+", " ");
  }
}
