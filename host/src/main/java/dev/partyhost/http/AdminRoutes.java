package dev.partyhost.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.partyhost.HostConfig;
import dev.partyhost.cluster.Cluster;
import dev.partyhost.cluster.PartyChanges;
import dev.partyhost.guest.GuestModule;
import dev.partyhost.guest.ModuleRejectedException;
import dev.partyhost.guest.Sha256;
import dev.partyhost.party.Parties;
import dev.partyhost.party.Uploads;
import dev.partyhost.room.Rooms;
import dev.partyhost.storage.PartyStore;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * The admin API: upload, list, inspect, roll back and delete parties, read statistics. Every request
 * needs the bearer token. Uploads are kept by {@link Uploads} in the host's storage. In a cluster a
 * change is announced to the other nodes ({@link PartyChanges}), and what a reply counts (rooms
 * restarted, closed, live) is this node's rooms.
 */
public final class AdminRoutes {
  private static final Logger LOG = System.getLogger("partyhost.admin");
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The body of {@code PUT /_admin/parties/NAME/current} is a small JSON object. */
  private static final int MAX_CURRENT_BODY_BYTES = 4096;

  private final HostConfig config;
  private final Parties parties;
  private final Uploads uploads;
  private final Rooms rooms;

  public AdminRoutes(HostConfig config, Parties parties, Uploads uploads, Rooms rooms) {
    this.config = config;
    this.parties = parties;
    this.uploads = uploads;
    this.rooms = rooms;
  }

  public void mount(Router router) {
    router.route("/_admin/*").handler(this::authorize);
    router
        .put("/_admin/parties/:name")
        .handler(ctx -> Bodies.read(ctx, config.maxModuleBytes, body -> upload(ctx, body)));
    router.get("/_admin/parties").handler(this::list);
    router.get("/_admin/parties/:name").handler(this::versions);
    router.delete("/_admin/parties/:name").handler(this::delete);
    router
        .put("/_admin/parties/:name/current")
        .handler(ctx -> Bodies.read(ctx, MAX_CURRENT_BODY_BYTES, body -> makeCurrent(ctx, body)));
    new RoomAdminRoutes(parties, rooms).mount(router);
    router.get("/_admin/stats").handler(this::stats);
    router.get("/_admin/cluster").handler(this::cluster);
    router
        .delete("/_admin/stats")
        .handler(
            ctx -> {
              rooms.stats().reset();
              ctx.response().setStatusCode(204).end();
            });
  }

  /** Lets the request on only with the admin token (also for {@code /metrics}, unless public). */
  void authorize(RoutingContext ctx) {
    if (config.adminToken == null) {
      PartyRoutes.plain(
          ctx.response(), 401, "Admin API disabled: PARTYHOST_ADMIN_TOKEN is not set");
      return;
    }
    String header = ctx.request().getHeader("Authorization");
    // Compare digests in constant time: neither the token nor its length leaks through timing.
    if (!MessageDigest.isEqual(
        sha256(header == null ? "" : header), sha256("Bearer " + config.adminToken))) {
      // Never the header itself: a near-miss token in a log is a leaked token.
      LOG.log(
          Level.WARNING,
          "admin request refused (401): "
              + (header == null ? "no" : "wrong")
              + " token, "
              + ctx.request().method()
              + " "
              + ctx.request().path()
              + " from "
              + ctx.request().remoteAddress());
      PartyRoutes.plain(ctx.response(), 401, "Missing or wrong admin token");
      return;
    }
    ctx.next();
  }

  /** Validates, compiles (off the event loop) and stores; only a module that passes replaces the current one. */
  private void upload(RoutingContext ctx, Buffer body) {
    String name = ctx.pathParam("name");
    boolean restart = "true".equals(ctx.request().getParam("restart"));
    onLoop(
        uploads.upload(name, body.getBytes()),
        result -> madeCurrent(ctx, name, restart, "upload", "updated to", result));
  }

  /**
   * A change (an upload, a rollback) that made a version current has ended: on success the party's
   * live rooms restart if asked, the log says so and the reply names the version.
   */
  private void madeCurrent(
      RoutingContext ctx,
      String name,
      boolean restart,
      String change,
      String done,
      AsyncResult<GuestModule> result) {
    if (result.failed()) {
      fail(ctx, change, name, result.cause());
      return;
    }
    GuestModule module = result.result();
    int restarted = restart ? rooms.restart(name) : 0;
    announce(name, change, restart);
    LOG.log(
        Level.INFO,
        "party "
            + name
            + " "
            + done
            + " "
            + module.sha256()
            + (restart ? ", " + restarted + " rooms restarted" : ""));
    json(ctx, moduleJson(name, module).put("restartedRooms", restarted));
  }

  /** {@code PUT /_admin/parties/NAME/current} with {@code {"sha256": "..."}}: one of its versions serves new rooms again. */
  private void makeCurrent(RoutingContext ctx, Buffer body) {
    String name = ctx.pathParam("name");
    boolean restart = "true".equals(ctx.request().getParam("restart"));
    String sha256;
    try {
      sha256 = JSON.readTree(body.getBytes()).path("sha256").textValue();
    } catch (java.io.IOException e) {
      sha256 = null;
    }
    if (sha256 == null) {
      PartyRoutes.plain(
          ctx.response(),
          400,
          "Expected a JSON body {\"sha256\": \"...\"} naming one of the party's versions");
      return;
    }
    onLoop(
        uploads.makeCurrent(name, sha256),
        result -> madeCurrent(ctx, name, restart, "rollback", "set to its version", result));
  }

  /**
   * Deletes a party's uploads. Its live rooms close: with 1001 (going away) when the party is gone,
   * with 1012 (restart) when the folder's module of that name serves it again.
   */
  private void delete(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    onLoop(
        uploads.delete(name),
        result -> {
          if (result.failed()) {
            fail(ctx, "delete", name, result.cause());
            return;
          }
          Uploads.Deleted deleted = result.result();
          announce(name, "delete", true);
          int closed =
              deleted.folder() == null
                  ? rooms.close(name, 1001, "party deleted")
                  : rooms.restart(name);
          LOG.log(
              Level.INFO,
              "party "
                  + name
                  + " deleted ("
                  + deleted.versions()
                  + " versions), "
                  + closed
                  + " rooms closed"
                  + (deleted.folder() == null
                      ? ""
                      : "; the folder's module " + deleted.folder().sha256() + " serves it again"));
          ObjectNode json =
              JSON.createObjectNode()
                  .put("party", name)
                  .put("deletedVersions", deleted.versions())
                  .put("closedRooms", closed);
          if (deleted.folder() == null) json.putNull("serving");
          else json.set("serving", moduleJson(name, deleted.folder()));
          json(ctx, json);
        });
  }

  /** A party's versions (uploads, the most recent first, then the folder's module) and the live rooms running each. */
  private void versions(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    onLoop(
        uploads
            .versions(name)
            .compose(
                versions ->
                    rooms
                        .live(name)
                        .map(
                            live -> {
                              GuestModule serving = parties.get(name);
                              GuestModule folder = parties.builtIn(name);
                              if (serving == null && versions.isEmpty() && live.isEmpty())
                                return null;
                              Map<String, Integer> roomsBySha = new HashMap<>();
                              for (Rooms.LiveRoom room : live)
                                roomsBySha.merge(room.sha256(), 1, Integer::sum);
                              String current = serving == null ? null : serving.sha256();
                              ObjectNode json =
                                  JSON.createObjectNode()
                                      .put("party", name)
                                      .put(
                                          "source",
                                          serving == null
                                              ? null
                                              : parties.isUploaded(name) ? "upload" : "folder")
                                      .put("sha256", current)
                                      .put("rooms", live.size());
                              ArrayNode list = json.putArray("versions");
                              for (PartyStore.Version v : versions) {
                                list.addObject()
                                    .put("sha256", v.sha256())
                                    .put("bytes", v.bytes())
                                    .put("source", "upload")
                                    .put(
                                        "uploadedAt",
                                        Instant.ofEpochMilli(v.uploadedAt()).toString())
                                    .put("current", v.sha256().equals(current))
                                    .put("rooms", roomsBySha.getOrDefault(v.sha256(), 0));
                              }
                              if (folder != null
                                  && versions.stream()
                                      .noneMatch(v -> v.sha256().equals(folder.sha256()))) {
                                list.addObject()
                                    .put("sha256", folder.sha256())
                                    .put("bytes", folder.byteSize())
                                    .put("source", "folder")
                                    .put("current", folder.sha256().equals(current))
                                    .put("rooms", roomsBySha.getOrDefault(folder.sha256(), 0));
                              }
                              return json;
                            })),
        result -> {
          if (result.failed()) fail(ctx, "listing of versions", name, result.cause());
          else if (result.result() == null)
            PartyRoutes.plain(ctx.response(), 404, "Party " + name + " not found");
          else json(ctx, result.result());
        });
  }

  /**
   * In a cluster, tells the other nodes of a change that succeeded here: they serve the party's new
   * current version and close their own live rooms of it if {@code closeRooms} ({@link PartyChanges}).
   */
  private void announce(String name, String change, boolean closeRooms) {
    if (rooms.cluster() != null)
      PartyChanges.announce(
          Vertx.currentContext().owner(), config.node.id(), name, change, closeRooms);
  }

  /**
   * Hands the outcome of {@code work} (which may complete on a storage thread) to {@code then} on the
   * calling event loop: in strict thread mode a response is written on its own loop only.
   */
  static <T> void onLoop(Future<T> work, Handler<AsyncResult<T>> then) {
    Context here = Vertx.currentContext();
    work.onComplete(result -> here.runOnContext(v -> then.handle(result)));
  }

  /** Answers a failed admin request: its status and reason when refused, else 500 (logged). */
  static void fail(RoutingContext ctx, String what, String name, Throwable cause) {
    if (cause instanceof Uploads.Refused refused) {
      LOG.log(
          Level.INFO,
          what
              + " of party "
              + name
              + " refused ("
              + refused.status()
              + "): "
              + refused.getMessage());
      PartyRoutes.plain(ctx.response(), refused.status(), refused.getMessage());
    } else if (cause instanceof ModuleRejectedException) {
      LOG.log(Level.INFO, what + " of party " + name + " rejected: " + cause.getMessage());
      PartyRoutes.plain(ctx.response(), 400, "Module rejected: " + cause.getMessage());
    } else {
      LOG.log(Level.ERROR, what + " of party " + name + " failed", cause);
      PartyRoutes.plain(ctx.response(), 500, "Admin request failed: " + cause.getMessage());
    }
  }

  private static ObjectNode moduleJson(String name, GuestModule module) {
    return JSON.createObjectNode()
        .put("party", name)
        .put("sha256", module.sha256())
        .put("bytes", module.byteSize());
  }

  static void json(RoutingContext ctx, ObjectNode body) {
    ctx.response().putHeader("content-type", "application/json").end(body.toString());
  }

  private static byte[] sha256(String s) {
    return Sha256.digest(s.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Live rooms and connections (in all, and per party: rooms, those running an instance, those
   * hibernated, and their WebSockets), the guest memory reserved of the host's budget, how long rooms took
   * to load their data, to instantiate and to wake (event to hook), snapshots kept and restored, spare instances ready and taken, and in a cluster the commits its fence refused and the
   * outputs held back because the lease lapsed.
   */
  private void stats(RoutingContext ctx) {
    ObjectNode body =
        JSON.createObjectNode().put("rooms", rooms.size()).put("connections", rooms.connections());
    body.putObject("guestMemory")
        .put("reservedBytes", parties.memoryBudget().reserved())
        .put("budgetBytes", parties.memoryBudget().limit());
    timings(body.putObject("loads"), rooms.stats().loads());
    timings(body.putObject("instantiations"), rooms.stats().instantiations());
    timings(body.putObject("wakes"), rooms.stats().wakes());
    Rooms.SnapshotCount snapshots = rooms.snapshotCount();
    body.putObject("snapshots")
        .put("taken", snapshots.taken())
        .put("restored", snapshots.restored())
        .put("tooLarge", snapshots.tooLarge())
        .put("unusable", snapshots.unusable());
    Rooms.SpareCount spares = rooms.spareInstances();
    body.putObject("spareInstances").put("ready", spares.ready()).put("taken", spares.taken());
    if (rooms.cluster() != null)
      body.putObject("cluster")
          .put("refusedCommits", rooms.stats().refusedCommits())
          .put("lapsedOutputs", rooms.stats().lapsedOutputs());
    onLoop(
        rooms.liveByParty(),
        result -> {
          if (result.failed()) {
            fail(ctx, "statistics", "(all)", result.cause());
            return;
          }
          ObjectNode byParty = body.putObject("parties");
          result
              .result()
              .forEach(
                  (party, live) -> {
                    int hibernated = 0, connections = 0;
                    for (Rooms.LiveRoom room : live) {
                      if (room.hibernated()) hibernated++;
                      connections += room.connections();
                    }
                    byParty
                        .putObject(party)
                        .put("rooms", live.size())
                        .put("live", live.size() - hibernated)
                        .put("hibernated", hibernated)
                        .put("connections", connections);
                  });
          json(ctx, body);
        });
  }

  /** The cluster's members from PostgreSQL: their leases and how many rooms each owns. */
  private void cluster(RoutingContext ctx) {
    Cluster cluster = rooms.cluster();
    if (cluster == null) {
      PartyRoutes.plain(ctx.response(), 404, "Not in cluster mode");
      return;
    }
    onLoop(
        cluster.members(),
        result -> {
          if (result.failed()) {
            fail(ctx, "listing of members", "cluster", result.cause());
            return;
          }
          ObjectNode body = JSON.createObjectNode().put("node", cluster.lease().node());
          var members = body.putArray("members");
          for (Cluster.Member m : result.result())
            members
                .addObject()
                .put("node", m.node())
                .put("address", m.address())
                .put("live", m.live())
                .put("leaseLeftMs", m.leaseLeftMs())
                .put("rooms", m.rooms());
          json(ctx, body);
        });
  }

  private static void timings(ObjectNode node, Histogram nanos) {
    node.put("count", nanos.getTotalCount());
    for (double p : new double[] {50, 99, 99.9}) {
      node.put(
          "p" + (p == 99.9 ? "999" : String.valueOf((int) p)) + "Micros",
          nanos.getValueAtPercentile(p) / 1000.0);
    }
    node.put("maxMicros", nanos.getMaxValue() / 1000.0);
  }

  private void list(RoutingContext ctx) {
    ObjectNode body = JSON.createObjectNode();
    parties
        .all()
        .forEach(
            (name, module) ->
                body.putObject(name)
                    .put("sha256", module.sha256())
                    .put("bytes", module.byteSize())
                    .put("source", parties.isUploaded(name) ? "upload" : "folder"));
    json(ctx, body);
  }
}
