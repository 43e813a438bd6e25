package dev.partyhost.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.partyhost.party.Parties;
import dev.partyhost.party.Uploads;
import dev.partyhost.room.Rooms;
import dev.partyhost.storage.StoredRoomSize;
import io.vertx.core.Future;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The admin API's rooms of a party: a paged listing of the rooms live on this node and those with
 * stored data, one room with its connections, and evicting a room. Mounted behind the admin token
 * ({@link AdminRoutes}).
 */
final class RoomAdminRoutes {
  private static final Logger LOG = System.getLogger("partyhost.admin");
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Rooms per page unless {@code limit} says otherwise, and the most it may say. */
  static final int DEFAULT_PAGE = 100, MAX_PAGE = 1000;

  /**
   * The close code of an evicted room's sockets: 1012 (service restart), as for a restarted party,
   * so that clients (partysocket) reconnect at once and find a fresh instance.
   */
  static final int EVICT_CODE = 1012;

  private final Parties parties;
  private final Rooms rooms;

  RoomAdminRoutes(Parties parties, Rooms rooms) {
    this.parties = parties;
    this.rooms = rooms;
  }

  void mount(Router router) {
    router.get("/_admin/parties/:name/rooms").handler(this::list);
    router.get("/_admin/parties/:name/rooms/:room").handler(this::detail);
    router.delete("/_admin/parties/:name/rooms/:room").handler(this::evict);
  }

  /**
   * One page, sorted by id (in the order of their UTF-8 bytes): one page (plus one) of the live rooms
   * past the cursor, merged with one page (plus one) of the rooms storage has past it. The first {@code limit} of the union
   * lie within those, so the page is exact; {@code next} is the cursor of the next page, if any.
   */
  private void list(RoutingContext ctx) {
    String party = ctx.pathParam("name");
    String after = ctx.request().getParam("after");
    int limit;
    try {
      String given = ctx.request().getParam("limit");
      limit = given == null ? DEFAULT_PAGE : Integer.parseInt(given);
      if (limit < 1 || limit > MAX_PAGE) throw new NumberFormatException();
    } catch (NumberFormatException e) {
      PartyRoutes.plain(ctx.response(), 400, "limit must be a number from 1 to " + MAX_PAGE);
      return;
    }
    // Room ids hold no control characters: after + U+0001 is the first id that can follow after.
    String from = after == null ? "" : after + "\u0001";
    Future<ObjectNode> page =
        rooms
            .live(party, after, limit + 1)
            .compose(
                live ->
                    rooms
                        .storage()
                        .storedRooms(party, from, limit + 1)
                        .map(stored -> page(party, after, limit, live, stored)));
    AdminRoutes.onLoop(
        page,
        result -> {
          if (result.failed()) AdminRoutes.fail(ctx, "listing of rooms", party, result.cause());
          else if (result.result() == null)
            PartyRoutes.plain(ctx.response(), 404, "Party " + party + " not found");
          else AdminRoutes.json(ctx, result.result());
        });
  }

  private ObjectNode page(
      String party,
      String after,
      int limit,
      List<Rooms.LiveRoom> live,
      List<StoredRoomSize> stored) {
    Map<String, Rooms.LiveRoom> liveById = new TreeMap<>(StoredRoomSize.ORDER);
    for (Rooms.LiveRoom room : live)
      if (after == null || StoredRoomSize.ORDER.compare(room.id(), after) > 0)
        liveById.put(room.id(), room);
    Map<String, Long> storedBytes = new TreeMap<>(StoredRoomSize.ORDER);
    for (StoredRoomSize room : stored) storedBytes.put(room.room(), room.bytes());
    TreeSet<String> ids = new TreeSet<>(StoredRoomSize.ORDER);
    ids.addAll(liveById.keySet());
    ids.addAll(storedBytes.keySet());
    if (ids.isEmpty() && after == null && parties.get(party) == null) return null;
    ObjectNode json = JSON.createObjectNode().put("party", party);
    ArrayNode list = json.putArray("rooms");
    String last = null;
    for (String id : ids) {
      if (list.size() == limit) break;
      room(list.addObject(), id, liveById.get(id), storedBytes.get(id));
      last = id;
    }
    json.put("next", ids.size() > limit ? last : null);
    return json;
  }

  /**
   * A room's fields: {@code state} is {@code live} (an instance runs), {@code hibernated} (its
   * sockets are open, no instance runs) or {@code stored} (not in memory on this node, only its data);
   * {@code storedBytes} counts keys plus values as the room holds them if its data is loaded, else as
   * committed.
   */
  private static void room(ObjectNode json, String id, Rooms.LiveRoom live, Long committedBytes) {
    json.put("id", id);
    if (live == null) {
      json.put("state", "stored")
          .put("hibernated", false)
          .put("connections", 0)
          .putNull("sha256")
          .putNull("lastActivity");
    } else {
      json.put("state", live.hibernated() ? "hibernated" : "live")
          .put("hibernated", live.hibernated())
          .put("connections", live.connections())
          .put("sha256", live.sha256())
          .put("lastActivity", Instant.ofEpochMilli(live.lastActivity()).toString());
    }
    long bytes =
        live != null && live.loadedBytes() >= 0
            ? live.loadedBytes()
            : committedBytes == null ? 0 : committedBytes;
    json.put("storedBytes", bytes);
  }

  /** One room: as listed, with its open connections ({@code []} for a room only in storage). */
  private void detail(RoutingContext ctx) {
    String party = ctx.pathParam("name");
    String id = ctx.pathParam("room");
    Future<ObjectNode> found =
        rooms
            .detail(party, id)
            .compose(
                live ->
                    rooms
                        .storage()
                        .storedRooms(party, id, 1)
                        .map(
                            stored -> {
                              Long bytes =
                                  stored.isEmpty() || !stored.get(0).room().equals(id)
                                      ? null
                                      : stored.get(0).bytes();
                              if (live == null && bytes == null) return null;
                              ObjectNode json = JSON.createObjectNode().put("party", party);
                              room(json, id, live == null ? null : live.room(), bytes);
                              ArrayNode list = json.putArray("connectionList");
                              if (live != null)
                                for (Rooms.ConnectionInfo c : live.connections()) {
                                  ObjectNode conn =
                                      list.addObject()
                                          .put("id", c.id())
                                          .put("uri", c.uri())
                                          .put("stateBytes", c.stateBytes())
                                          .put(
                                              "connectedSince",
                                              Instant.ofEpochMilli(c.connectedAt()).toString());
                                  c.tags().forEach(conn.putArray("tags")::add);
                                }
                              return json;
                            }));
    AdminRoutes.onLoop(
        found,
        result -> {
          if (result.failed())
            AdminRoutes.fail(ctx, "reading of room " + id, party, result.cause());
          else if (result.result() == null)
            PartyRoutes.plain(
                ctx.response(), 404, "Room " + id + " of party " + party + " not found");
          else AdminRoutes.json(ctx, result.result());
        });
  }

  /**
   * Evicts a room: its sockets close with {@link #EVICT_CODE} and its instance is dropped; its stored
   * data is kept unless {@code ?data=delete}, which deletes its entries and alarm (durably, before the
   * reply). Without data to delete, a room not live on this node is 404.
   */
  private void evict(RoutingContext ctx) {
    String party = ctx.pathParam("name");
    String id = ctx.pathParam("room");
    String data = ctx.request().getParam("data");
    if (data != null && !data.equals("delete") && !data.equals("keep")) {
      PartyRoutes.plain(ctx.response(), 400, "data must be keep (the default) or delete");
      return;
    }
    boolean deleteData = "delete".equals(data);
    Future<Integer> evicted;
    if (!deleteData) {
      evicted = rooms.evict(party, id, EVICT_CODE, "room evicted");
    } else if (parties.get(party) == null) {
      PartyRoutes.plain(ctx.response(), 404, "Party " + party + " not found");
      return;
    } else {
      // In a cluster the room's data may be deleted only by the node that owns it (the fence).
      evicted =
          rooms
              .owner(party, id, true)
              .compose(
                  owner -> {
                    if (!owner.mine())
                      return Future.failedFuture(
                          new Uploads.Refused(
                              409,
                              "Room "
                                  + id
                                  + " runs on node "
                                  + owner.node()
                                  + " ("
                                  + owner.address()
                                  + "): send the request there"));
                    try {
                      Future<Integer> done =
                          rooms.evictDeletingData(party, id, EVICT_CODE, "room evicted");
                      return done == null
                          ? Future.failedFuture(
                              new Uploads.Refused(404, "Party " + party + " not found"))
                          : done;
                    } catch (Rooms.Full full) {
                      return Future.failedFuture(
                          new Uploads.Refused(503, full.getMessage() + "; retry later"));
                    }
                  });
    }
    AdminRoutes.onLoop(
        evicted,
        result -> {
          if (result.failed()) {
            AdminRoutes.fail(ctx, "eviction of room " + id, party, result.cause());
          } else if (result.result() == null) {
            PartyRoutes.plain(
                ctx.response(), 404, "Room " + id + " of party " + party + " is not live here");
          } else {
            LOG.log(
                Level.INFO,
                "["
                    + party
                    + "/"
                    + id
                    + "] evicted: "
                    + result.result()
                    + " WebSockets closed with "
                    + EVICT_CODE
                    + (deleteData ? ", its stored data deleted" : ", its stored data kept"));
            AdminRoutes.json(
                ctx,
                JSON.createObjectNode()
                    .put("party", party)
                    .put("room", id)
                    .put("closedConnections", result.result())
                    .put("closeCode", EVICT_CODE)
                    .put("dataDeleted", deleteData));
          }
        });
  }
}
