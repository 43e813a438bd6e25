package dev.partyhost.calls;

import dev.partyhost.cluster.Forwarded;
import dev.partyhost.guest.Abi;
import dev.partyhost.guest.ByteList;
import dev.partyhost.party.Parties;
import dev.partyhost.room.Room;
import dev.partyhost.room.RoomResponse;
import dev.partyhost.room.Rooms;
import io.vertx.core.Future;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Room-to-room calls on this host: the callee's {@code on_request} gets the call as a request (its
 * before hooks do not run: a call comes from inside), with the header {@code x-partyhost-caller}
 * that only the host sets. The answer completes on the caller's context.
 */
final class ToRooms {
  /** The authority of the URL a callee sees: no client used it, so it names no real host. */
  static final String ORIGIN = "http://partyhost.internal";

  private final Rooms rooms;
  private final Parties parties;

  /** Calls to rooms other nodes run. */
  private final ToOwner toOwner;

  ToRooms(Rooms rooms, Parties parties, ToOwner toOwner) {
    this.rooms = rooms;
    this.parties = parties;
    this.toOwner = toOwner;
  }

  /**
   * Calls room {@code roomId} of {@code party} (resolved: not empty, not the alias main) for the room
   * {@code callerParty}/{@code callerRoom}.
   */
  Future<Answer> call(
      String callerParty,
      String callerRoom,
      String party,
      String roomId,
      CallRequest request,
      long maxResponseBytes) {
    if (!validRoomId(roomId))
      return Future.succeededFuture(
          Answer.failed(Abi.NOT_FOUND, "the room id is not valid (a control character)"));
    if (parties.get(party) == null)
      return Future.succeededFuture(Answer.failed(Abi.NOT_FOUND, "party " + party + " not found"));
    // Where the room runs: here (always, for a host alone), or on the node that owns it.
    return rooms
        .owner(party, roomId, false)
        .transform(
            owner -> {
              if (owner.failed())
                return Future.succeededFuture(
                    plain(
                        503,
                        "This node cannot reach its rooms now; retry later",
                        maxResponseBytes));
              if (!owner.result().mine())
                return toOwner.call(
                    owner.result().address(),
                    party,
                    roomId,
                    request,
                    callerParty,
                    callerRoom,
                    maxResponseBytes);
              return here(callerParty, callerRoom, party, roomId, request, maxResponseBytes);
            });
  }

  /** The call to a room this node runs. */
  private Future<Answer> here(
      String callerParty,
      String callerRoom,
      String party,
      String roomId,
      CallRequest request,
      long maxResponseBytes) {
    Room room;
    try {
      room = rooms.acquire(party, roomId);
    } catch (Rooms.Full full) {
      // What a client would hear: the host is at its room limit (or stopping); retry later.
      return Future.succeededFuture(
          plain(503, full.getMessage() + "; retry later", maxResponseBytes));
    }
    if (room == null)
      return Future.succeededFuture(Answer.failed(Abi.NOT_FOUND, "party " + party + " not found"));
    byte[] record = record(callerParty, callerRoom, party, roomId, request);
    return room.call(record)
        .transform(
            done -> {
              if (done.failed())
                return Future.succeededFuture(
                    Answer.failed(Abi.FAILED, String.valueOf(done.cause().getMessage())));
              RoomResponse r = done.result();
              return Future.succeededFuture(
                  Answer.response(r.status(), r.headers(), r.body(), maxResponseBytes));
            });
  }

  /** What a client would hear from the host itself: plain text. */
  private static Answer plain(int status, String text, long maxResponseBytes) {
    return Answer.response(
        status,
        List.of("content-type", "text/plain; charset=utf-8"),
        text.getBytes(StandardCharsets.UTF_8),
        maxResponseBytes);
  }

  /**
   * The callee's request record: the call's method, the URL below the room, its body and headers
   * (without any the host owns), then {@code x-partyhost-caller}.
   */
  static byte[] record(
      String callerParty, String callerRoom, String party, String roomId, CallRequest request) {
    String url = ORIGIN + "/parties/" + encode(party) + "/" + encode(roomId) + request.url();
    ByteList.Builder record =
        new ByteList.Builder()
            .add(request.method())
            .add(url.getBytes(StandardCharsets.ISO_8859_1))
            .add(request.body());
    for (CallRequest.Header h : request.headers())
      if (h.reachesCallee()) record.add(h.name()).add(h.value());
    return record.add(Forwarded.CALLER).add(callerParty + "/" + callerRoom).build();
  }

  /** A path segment, percent-encoded (UTF-8) but for RFC 3986's unreserved characters. */
  static String encode(String segment) {
    StringBuilder out = new StringBuilder(segment.length());
    for (byte b : segment.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xff);
      if ((c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9')
          || c == '-'
          || c == '.'
          || c == '_'
          || c == '~') out.append(c);
      else
        out.append('%')
            .append(Character.forDigit(c >> 4, 16))
            .append(Character.forDigit(c & 15, 16));
    }
    return out.toString();
  }

  /** As a client's room address: no control characters (PostgreSQL text cannot hold NUL). */
  private static boolean validRoomId(String id) {
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (c < 0x20 || c == 0x7f) return false;
    }
    return true;
  }
}
