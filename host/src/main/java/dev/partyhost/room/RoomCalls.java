package dev.partyhost.room;

import static dev.partyhost.guest.Abi.BAD_HANDLE;
import static dev.partyhost.guest.Abi.BAD_POINTER;
import static dev.partyhost.guest.Abi.BUSY;
import static dev.partyhost.guest.Abi.CLOSED;
import static dev.partyhost.guest.Abi.INVALID;
import static dev.partyhost.guest.Abi.NOT_ALLOWED;
import static dev.partyhost.guest.Abi.NOT_FOUND;
import static dev.partyhost.guest.Abi.OK;
import static dev.partyhost.guest.Abi.QUOTA_EXCEEDED;
import static dev.partyhost.guest.Abi.TOO_LARGE;
import static dev.partyhost.guest.Abi.WRONG_HOOK;

import com.dylibso.chicory.runtime.Memory;
import dev.partyhost.calls.Answer;
import dev.partyhost.calls.CallRequest;
import dev.partyhost.calls.Calls;
import dev.partyhost.calls.Outgoing;
import dev.partyhost.guest.Abi;
import dev.partyhost.guest.ByteList;
import dev.partyhost.guest.GuestTime;
import dev.partyhost.guest.HostCallTable;
import dev.partyhost.guest.Utf8;
import dev.partyhost.storage.RoomStore;
import io.vertx.core.Future;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The host calls of a room's instance (ABI section 7): the shared ones, connections, storage and the
 * alarm. Effects go to the room's output gate, released after the hook; storage is the room's
 * in-memory data, written in the hook's transaction. On the room's event loop only.
 */
final class RoomCalls extends ScopeCalls {
  static final HostCallTable<RoomCalls> TABLE =
      ScopeCalls.<RoomCalls>sharedCalls()
          .bind("conn_send", RoomCalls::connSend)
          .bind("broadcast", RoomCalls::broadcast)
          .bind("conn_close", RoomCalls::connClose)
          .bind("conn_id", RoomCalls::connId)
          .bind("conn_uri", RoomCalls::connUri)
          .bind("conn_find", RoomCalls::connFind)
          .bind("conn_state_get", RoomCalls::connStateGet)
          .bind("conn_state_set", RoomCalls::connStateSet)
          .bind("conn_set_tags", RoomCalls::connSetTags)
          .bind("conn_tags", RoomCalls::connTags)
          .bind("conn_list", RoomCalls::connList)
          .bind("storage_get", RoomCalls::storageGet)
          .bind("storage_put", RoomCalls::storagePut)
          .bind("storage_put_many", RoomCalls::storagePutMany)
          .bind("storage_delete", RoomCalls::storageDelete)
          .bind("storage_delete_many", RoomCalls::storageDeleteMany)
          .bind("storage_list", RoomCalls::storageList)
          .bind("storage_delete_all", RoomCalls::storageDeleteAll)
          .bindTime("alarm_set", RoomCalls::alarmSet)
          .bind("alarm_get", RoomCalls::alarmGet)
          .bind("alarm_delete", RoomCalls::alarmDelete)
          .bind("room_call", RoomCalls::roomCall)
          .bind("http_call", RoomCalls::httpCall)
          .build();

  /** Set once: at construction, or for a spare instance by the room that takes it. */
  private Room room;

  RoomCalls(Room room) {
    this.room = room;
  }

  /** A spare instance's calls become {@code room}'s, before the instance's first hook. */
  void bind(Room room) {
    this.room = room;
  }

  @Override
  String party() {
    return room.party;
  }

  @Override
  String roomId() {
    return room.id;
  }

  @Override
  boolean isRequesting() {
    return room.isRequesting();
  }

  @Override
  void setResponse(RoomResponse response) {
    room.setResponse(response);
  }

  @Override
  String configValue(String key) {
    return room.configValue(key);
  }

  @Override
  GuestLog guestLog() {
    return room.log();
  }

  @Override
  GuestTime time() {
    return room.time();
  }

  // --- connections ---

  int connSend(Memory m, int handle, int ptr, int len, int kind) {
    Connection c = room.connection(handle);
    if (c == null) return BAD_HANDLE;
    if (c.closing) return CLOSED;
    if (!inBounds(m, ptr, len)) return BAD_POINTER;
    if (len > room.limits.maxMessageBytes()) return TOO_LARGE;
    Message message = message(m, ptr, len, kind);
    if (message == null) return INVALID;
    if (!room.output().spend(len)) return outputSpent();
    room.output().send(c, message);
    room.meters.sent(1, len);
    return OK;
  }

  /** The hook has sent all the frame bytes it may. */
  private int outputSpent() {
    room.meters.limitHit("maxHookOutputBytes");
    return TOO_LARGE;
  }

  /** The room's storage is at its quota. */
  private int overQuota() {
    room.meters.limitHit("storageQuotaBytes");
    return QUOTA_EXCEEDED;
  }

  int broadcast(Memory m, int ptr, int len, int kind, int excludePtr, int excludeCount) {
    long excludeBytes = Integer.toUnsignedLong(excludeCount) * 4;
    if (!inBounds(m, ptr, len)
        || excludeBytes > Integer.MAX_VALUE
        || !inBounds(m, excludePtr, (int) excludeBytes)) {
      return BAD_POINTER;
    }
    if (len > room.limits.maxMessageBytes()) return TOO_LARGE;
    Message message = message(m, ptr, len, kind);
    if (message == null) return INVALID;
    // One lookup per excluded handle, marking the connection: the cost is the list plus the room,
    // never their product; a list long enough to pass the deadline is stopped inside (a trap like
    // any other).
    long broadcast = room.nextBroadcast();
    for (int k = 0; k < excludeCount; k++) {
      if ((k & 0xfff) == 0) stopIfPastDeadline();
      Connection c = room.connection(m.readInt(excludePtr + 4 * k));
      if (c != null) c.excludedFrom = broadcast;
    }
    List<Connection> recipients = room.openConnections(c -> c.excludedFrom != broadcast);
    if (!room.output().spend((long) len * recipients.size())) return outputSpent();
    room.output().send(recipients, message);
    room.meters.sent(recipients.size(), len);
    return recipients.size();
  }

  int connClose(Memory m, int handle, int code, int reasonPtr, int reasonLen) {
    Connection c = room.connection(handle);
    if (c == null) return BAD_HANDLE;
    if (c.closing) return CLOSED;
    if (!inBounds(m, reasonPtr, reasonLen)) return BAD_POINTER;
    if (reasonLen > Abi.MAX_CLOSE_REASON_BYTES) return TOO_LARGE;
    String reason = Utf8.decode(read(m, reasonPtr, reasonLen));
    if (reason == null || !(code == 1000 || (code >= 3000 && code <= 4999))) return INVALID;
    room.output().close(c, code, reason);
    return OK;
  }

  int connId(Memory m, int handle, int outPtr, int outCap) {
    Connection c = room.connection(handle);
    return c == null ? BAD_HANDLE : writeOut(m, outPtr, outCap, utf8(c.id));
  }

  int connUri(Memory m, int handle, int outPtr, int outCap) {
    Connection c = room.connection(handle);
    // The URI as the client sent it: one byte per char, as the request record carries it.
    return c == null
        ? BAD_HANDLE
        : writeOut(m, outPtr, outCap, c.uri.getBytes(StandardCharsets.ISO_8859_1));
  }

  int connFind(Memory m, int idPtr, int idLen) {
    if (!inBounds(m, idPtr, idLen)) return BAD_POINTER;
    String id = Utf8.decode(read(m, idPtr, idLen));
    for (Connection c : room.openConnections()) {
      if (c.id.equals(id)) return c.handle;
    }
    return NOT_FOUND;
  }

  int connStateGet(Memory m, int handle, int outPtr, int outCap) {
    Connection c = room.connection(handle);
    if (c == null) return BAD_HANDLE;
    return writeOut(m, outPtr, outCap, c.state);
  }

  int connStateSet(Memory m, int handle, int ptr, int len) {
    Connection c = room.connection(handle);
    if (c == null) return BAD_HANDLE;
    if (!inBounds(m, ptr, len)) return BAD_POINTER;
    if (len > Abi.MAX_STATE_BYTES) return TOO_LARGE;
    c.state = read(m, ptr, len);
    return OK;
  }

  int connSetTags(Memory m, int handle, int ptr, int len) {
    Connection c = room.connection(handle);
    if (c == null) return BAD_HANDLE;
    if (!room.isConnecting(c)) return WRONG_HOOK;
    if (!inBounds(m, ptr, len)) return BAD_POINTER;
    List<byte[]> items = list(m, ptr, len);
    if (items == null) return INVALID;
    if (items.size() > Abi.MAX_TAGS) return TOO_LARGE;
    for (byte[] item : items) if (item.length > Abi.MAX_TAG_BYTES) return TOO_LARGE;
    List<String> tags = new ArrayList<>(items.size());
    for (byte[] item : items) {
      String tag = Utf8.decode(item);
      if (tag == null || tag.isEmpty()) return INVALID;
      tags.add(tag);
    }
    c.tags = List.copyOf(tags);
    return OK;
  }

  int connTags(Memory m, int handle, int outPtr, int outCap) {
    Connection c = room.connection(handle);
    if (c == null) return BAD_HANDLE;
    return writeOut(m, outPtr, outCap, ByteList.encodeStrings(c.tags));
  }

  int connList(Memory m, int tagPtr, int tagLen, int outPtr, int outCap) {
    if (!inBounds(m, tagPtr, tagLen)) return BAD_POINTER;
    String tag = tagLen == 0 ? null : Utf8.decode(read(m, tagPtr, tagLen));
    if (tagLen > 0 && tag == null) return writeOut(m, outPtr, outCap, EMPTY); // no tag is that
    List<Connection> open = room.openConnections();
    ByteBuffer handles = ByteBuffer.allocate(4 * open.size()).order(ByteOrder.LITTLE_ENDIAN);
    for (Connection c : open) {
      if (tag == null || c.tags.contains(tag)) handles.putInt(c.handle);
    }
    byte[] out = new byte[handles.position()];
    handles.flip().get(out);
    return writeOut(m, outPtr, outCap, out);
  }

  // --- calls: output, like frames; they leave when the hook's commit is durable ---

  int roomCall(
      Memory m, int partyPtr, int partyLen, int roomPtr, int roomLen, int reqPtr, int reqLen) {
    if (!inBounds(m, partyPtr, partyLen)
        || !inBounds(m, roomPtr, roomLen)
        || !inBounds(m, reqPtr, reqLen)) return BAD_POINTER;
    if (reqLen > room.limits.maxCallRequestBytes() || roomLen > Abi.MAX_ROOM_ID_BYTES)
      return TOO_LARGE;
    CallRequest.Parsed parsed = CallRequest.parse(read(m, reqPtr, reqLen), false);
    if (parsed.status() != OK) return parsed.status();
    String named = Utf8.decode(read(m, partyPtr, partyLen));
    String roomId = Utf8.decode(read(m, roomPtr, roomLen));
    if (named == null || roomId == null || roomId.isEmpty()) return INVALID;
    Calls calls = room.rooms().calls();
    String party = calls.party(named, room.party);
    CallRequest request = parsed.request();
    long maxResponse = room.limits.maxCallResponseBytes();
    return place(() -> calls.toRoom(room.party, room.id, party, roomId, request, maxResponse));
  }

  int httpCall(Memory m, int reqPtr, int reqLen) {
    if (!inBounds(m, reqPtr, reqLen)) return BAD_POINTER;
    if (reqLen > room.limits.maxCallRequestBytes()) return TOO_LARGE;
    CallRequest.Parsed parsed = CallRequest.parse(read(m, reqPtr, reqLen), true);
    if (parsed.status() != OK) return parsed.status();
    CallRequest request = parsed.request();
    URI uri = CallRequest.webUri(request.url());
    int port =
        uri.getPort() >= 0 ? uri.getPort() : uri.getScheme().equalsIgnoreCase("https") ? 443 : 80;
    String host =
        uri.getHost().startsWith("[")
            ? uri.getHost().substring(1, uri.getHost().length() - 1)
            : uri.getHost();
    Calls calls = room.rooms().calls();
    if (!calls.allowlist(room.party).allowsHost(host, port)) return NOT_ALLOWED;
    long timeoutMs = room.limits.callTimeoutMs();
    long maxResponse = room.limits.maxCallResponseBytes();
    return place(() -> calls.toWeb(room.party, request, timeoutMs, maxResponse));
  }

  /**
   * A call the hook made: counted in flight now (BUSY past the limit), it leaves through the output
   * gate with the hook's other output, or never if the hook traps.
   */
  private int place(Supplier<Future<Answer>> send) {
    Outgoing calls = room.calls();
    if (calls.inFlight() >= room.limits.maxCallsInFlight()) {
      room.meters.limitHit("maxCallsInFlight");
      return BUSY;
    }
    int id = calls.open();
    if (id == 0) return BUSY; // every id used: the room must start afresh to call again
    long timeoutMs = room.limits.callTimeoutMs();
    room.output()
        .add(
            new OutputGate.Effect() {
              @Override
              public void run() {
                calls.leave(id, timeoutMs, send);
              }

              @Override
              public void discard() {
                calls.cancel(id);
              }
            });
    return id;
  }

  // --- storage and alarm: the room's in-memory data, written in the hook's transaction ---

  int storageGet(Memory m, int keyPtr, int keyLen, int outPtr, int outCap) {
    if (!inBounds(m, keyPtr, keyLen) || !inBounds(m, outPtr, outCap)) return BAD_POINTER;
    if (keyLen > Abi.MAX_KEY_BYTES) return TOO_LARGE;
    byte[] value = store().get(read(m, keyPtr, keyLen));
    return value == null ? NOT_FOUND : writeOut(m, outPtr, outCap, value);
  }

  int storagePut(Memory m, int keyPtr, int keyLen, int valPtr, int valLen) {
    if (!inBounds(m, keyPtr, keyLen) || !inBounds(m, valPtr, valLen)) return BAD_POINTER;
    if (keyLen > Abi.MAX_KEY_BYTES || valLen > Abi.MAX_VALUE_BYTES) return TOO_LARGE;
    if (keyLen == 0) return INVALID;
    return store().put(read(m, keyPtr, keyLen), read(m, valPtr, valLen)) ? OK : overQuota();
  }

  int storagePutMany(Memory m, int listPtr, int listLen) {
    if (!inBounds(m, listPtr, listLen)) return BAD_POINTER;
    List<byte[]> pairs = list(m, listPtr, listLen);
    if (pairs == null) return INVALID;
    for (int k = 0; k < pairs.size(); k++) {
      if (pairs.get(k).length > (k % 2 == 0 ? Abi.MAX_KEY_BYTES : Abi.MAX_VALUE_BYTES))
        return TOO_LARGE;
    }
    if (pairs.size() % 2 != 0) return INVALID;
    for (int k = 0; k < pairs.size(); k += 2) if (pairs.get(k).length == 0) return INVALID;
    return store().putAll(pairs) ? OK : overQuota();
  }

  int storageDelete(Memory m, int keyPtr, int keyLen) {
    if (!inBounds(m, keyPtr, keyLen)) return BAD_POINTER;
    if (keyLen > Abi.MAX_KEY_BYTES) return TOO_LARGE;
    return store().delete(read(m, keyPtr, keyLen)) ? 1 : 0;
  }

  int storageDeleteMany(Memory m, int listPtr, int listLen) {
    if (!inBounds(m, listPtr, listLen)) return BAD_POINTER;
    List<byte[]> keys = list(m, listPtr, listLen);
    if (keys == null) return INVALID;
    for (byte[] key : keys) if (key.length > Abi.MAX_KEY_BYTES) return TOO_LARGE;
    int deleted = 0;
    for (int k = 0; k < keys.size(); k++) {
      if ((k & 0xfff) == 0) stopIfPastDeadline();
      if (store().delete(keys.get(k))) deleted++;
    }
    return deleted;
  }

  int storageList(
      Memory m,
      int prefixPtr,
      int prefixLen,
      int startPtr,
      int startLen,
      int endPtr,
      int endLen,
      int limit,
      int reverse,
      int outPtr,
      int outCap) {
    if (!inBounds(m, prefixPtr, prefixLen)
        || !inBounds(m, startPtr, startLen)
        || !inBounds(m, endPtr, endLen)
        || !inBounds(m, outPtr, outCap)) {
      return BAD_POINTER;
    }
    if (reverse != 0 && reverse != 1) return INVALID;
    List<byte[]> entries =
        store()
            .list(
                read(m, prefixPtr, prefixLen),
                read(m, startPtr, startLen),
                read(m, endPtr, endLen),
                limit,
                reverse == 1);
    long length = ByteList.encodedLength(entries);
    if (length > Integer.MAX_VALUE) return TOO_LARGE;
    // Encoded only when it fits: the first call of the out-buffer convention often asks for the
    // length.
    return length > Integer.toUnsignedLong(outCap)
        ? (int) length
        : writeOut(m, outPtr, outCap, ByteList.encode(entries));
  }

  int storageDeleteAll(Memory m) {
    store().deleteAll();
    return OK;
  }

  int alarmSet(Memory m, long epochMs) {
    store().alarm(epochMs);
    return OK;
  }

  int alarmDelete(Memory m) {
    store().alarm(null);
    return OK;
  }

  int alarmGet(Memory m, int outPtr) {
    if (!inBounds(m, outPtr, 8)) return BAD_POINTER;
    Long at = store().alarm();
    if (at == null) return NOT_FOUND;
    m.writeLong(outPtr, at);
    return OK;
  }

  private RoomStore store() {
    return room.store();
  }
}
