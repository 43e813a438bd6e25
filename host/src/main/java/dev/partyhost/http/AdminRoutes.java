package dev.partyhost.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.partyhost.HostConfig;
import dev.partyhost.guest.GuestModule;
import dev.partyhost.guest.ModuleRejectedException;
import dev.partyhost.party.Parties;
import dev.partyhost.room.Rooms;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.core.buffer.Buffer;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.HdrHistogram.Histogram;

/** The admin API: upload a party's module, list parties, read statistics. Every request needs the bearer token. */
public final class AdminRoutes {
  private static final Logger LOG = System.getLogger("partyhost.admin");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Vertx vertx;
  private final HostConfig config;
  private final Parties parties;
  private final Rooms rooms;

  public AdminRoutes(Vertx vertx, HostConfig config, Parties parties, Rooms rooms) {
    this.vertx = vertx;
    this.config = config;
    this.parties = parties;
    this.rooms = rooms;
  }

  public void mount(Router router) {
    router.route("/_admin/*").handler(this::authorize);
    router.put("/_admin/parties/:name").handler(ctx -> Bodies.read(ctx, config.maxModuleBytes, body -> upload(ctx, body)));
    router.get("/_admin/parties").handler(this::list);
    router.get("/_admin/stats").handler(this::stats);
    router.delete("/_admin/stats").handler(ctx -> {
      rooms.stats().reset();
      ctx.response().setStatusCode(204).end();
    });
  }

  private void authorize(RoutingContext ctx) {
    if (config.adminToken == null) {
      PartyRoutes.plain(ctx.response(), 401, "Admin API disabled: PARTYHOST_ADMIN_TOKEN is not set");
      return;
    }
    String header = ctx.request().getHeader("Authorization");
    // Compare digests in constant time: neither the token nor its length leaks through timing.
    if (!MessageDigest.isEqual(sha256(header == null ? "" : header), sha256("Bearer " + config.adminToken))) {
      // Never the header itself: a near-miss token in a log is a leaked token.
      LOG.log(Level.WARNING, "admin request refused (401): " + (header == null ? "no" : "wrong") + " token, "
          + ctx.request().method() + " " + ctx.request().path() + " from " + ctx.request().remoteAddress());
      PartyRoutes.plain(ctx.response(), 401, "Missing or wrong admin token");
      return;
    }
    ctx.next();
  }

  /** Validates and compiles off the event loop; only a module that passes replaces the current one. */
  private void upload(RoutingContext ctx, Buffer body) {
    String name = ctx.pathParam("name");
    if (!Parties.isValidName(name)) {
      PartyRoutes.plain(ctx.response(), 400, "Invalid party name: use 1-64 of A-Z a-z 0-9 _ -");
      return;
    }
    byte[] bytes = body.getBytes();
    boolean restart = "true".equals(ctx.request().getParam("restart"));
    vertx.executeBlocking(() -> parties.compile(name, bytes), false).onComplete(result -> {
      if (result.failed()) {
        Throwable cause = result.cause();
        if (cause instanceof ModuleRejectedException) {
          LOG.log(Level.INFO, "upload of party " + name + " rejected: " + cause.getMessage());
          PartyRoutes.plain(ctx.response(), 400, "Module rejected: " + cause.getMessage());
        } else {
          LOG.log(Level.ERROR, "upload of party " + name + " failed", cause);
          PartyRoutes.plain(ctx.response(), 500, "Upload failed");
        }
        return;
      }
      GuestModule module = result.result();
      parties.put(name, module);
      int restarted = restart ? rooms.restart(name) : 0;
      LOG.log(Level.INFO, "party " + name + " updated to " + module.sha256() + (restart ? ", " + restarted + " rooms restarted" : ""));
      ObjectNode json = JSON.createObjectNode()
          .put("party", name).put("sha256", module.sha256()).put("bytes", module.byteSize())
          .put("restartedRooms", restarted);
      ctx.response().putHeader("content-type", "application/json").end(json.toString());
    });
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Live rooms and connections, and how long rooms took to load their data and to instantiate. */
  private void stats(RoutingContext ctx) {
    ObjectNode body = JSON.createObjectNode().put("rooms", rooms.size()).put("connections", rooms.connections());
    timings(body.putObject("loads"), rooms.stats().loads());
    timings(body.putObject("instantiations"), rooms.stats().instantiations());
    ctx.response().putHeader("content-type", "application/json").end(body.toString());
  }

  private static void timings(ObjectNode node, Histogram nanos) {
    node.put("count", nanos.getTotalCount());
    for (double p : new double[] {50, 99, 99.9}) {
      node.put("p" + (p == 99.9 ? "999" : String.valueOf((int) p)) + "Micros", nanos.getValueAtPercentile(p) / 1000.0);
    }
    node.put("maxMicros", nanos.getMaxValue() / 1000.0);
  }

  private void list(RoutingContext ctx) {
    ObjectNode body = JSON.createObjectNode();
    parties.all().forEach((name, module) -> body.putObject(name)
        .put("sha256", module.sha256()).put("bytes", module.byteSize()));
    ctx.response().putHeader("content-type", "application/json").end(body.toString());
  }
}
