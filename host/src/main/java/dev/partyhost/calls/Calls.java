package dev.partyhost.calls;

import dev.partyhost.HostConfig;
import dev.partyhost.party.Parties;
import dev.partyhost.room.Rooms;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * The host's way out for calls (ABI section 7, "Calls to rooms and to the web"): to a room of any
 * party on this host, or to the web for a party the operator allowed. One per host; the calls of
 * one room are kept by its {@link Outgoing}.
 */
public final class Calls {
  private final HostConfig config;
  private final ToRooms toRooms;
  private final ToWeb toWeb;

  public Calls(Vertx vertx, HostConfig config, Parties parties, Rooms rooms) {
    this.config = config;
    this.toRooms =
        new ToRooms(
            rooms, parties, new ToOwner(vertx, config.node == null ? null : config.node.secret()));
    this.toWeb = new ToWeb(vertx);
  }

  /** The party a {@code room_call} names: empty is the caller's own, {@code main} the main party. */
  public String party(String named, String callerParty) {
    if (named.isEmpty()) return callerParty;
    return named.equals("main") ? config.mainParty : named;
  }

  /** The allowlist of {@code party}'s {@code http_call}s. */
  public Allowlist allowlist(String party) {
    return config.limits(party).httpAllowlist();
  }

  /** Sends a room call of room {@code callerParty}/{@code callerRoom}; the answer comes on the caller's context. */
  public Future<Answer> toRoom(
      String callerParty,
      String callerRoom,
      String party,
      String roomId,
      CallRequest request,
      long maxResponseBytes) {
    return toRooms.call(callerParty, callerRoom, party, roomId, request, maxResponseBytes);
  }

  /** Sends an http call of a room of {@code party}; the answer comes on the caller's context. */
  public Future<Answer> toWeb(
      String party, CallRequest request, long timeoutMs, long maxResponseBytes) {
    return toWeb.call(request, allowlist(party), timeoutMs, maxResponseBytes);
  }
}
