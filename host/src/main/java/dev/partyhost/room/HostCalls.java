package dev.partyhost.room;

import static dev.partyhost.guest.Abi.BAD_HANDLE;
import static dev.partyhost.guest.Abi.BAD_POINTER;
import static dev.partyhost.guest.Abi.BINARY;
import static dev.partyhost.guest.Abi.CLOSED;
import static dev.partyhost.guest.Abi.INVALID;
import static dev.partyhost.guest.Abi.NOT_FOUND;
import static dev.partyhost.guest.Abi.OK;
import static dev.partyhost.guest.Abi.QUOTA_EXCEEDED;
import static dev.partyhost.guest.Abi.TEXT;
import static dev.partyhost.guest.Abi.TOO_LARGE;
import static dev.partyhost.guest.Abi.WRONG_HOOK;

import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.ValType;
import dev.partyhost.guest.Abi;
import dev.partyhost.guest.ByteList;
import dev.partyhost.guest.Utf8;
import dev.partyhost.storage.RoomStore;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The ABI's host calls (section 7), bound to one room. Every argument is checked (handles, then
 * pointers, then sizes, then content) and answered with a status; nothing here blocks or does I/O:
 * effects go to the room's outbox, released after the hook.
 */
public final class HostCalls {
  private static final SecureRandom RANDOM = new SecureRandom();

  @FunctionalInterface
  private interface Call {
    long invoke(HostCalls self, Memory memory, long[] args);
  }

  private record Binding(String name, FunctionType type, Call call) {}

  private static final List<Binding> BINDINGS = List.of(
      i32("conn_send", 4, (s, m, a) -> s.connSend(m, i(a[0]), i(a[1]), i(a[2]), i(a[3]))),
      i32("broadcast", 5, (s, m, a) -> s.broadcast(m, i(a[0]), i(a[1]), i(a[2]), i(a[3]), i(a[4]))),
      i32("conn_close", 4, (s, m, a) -> s.connClose(m, i(a[0]), i(a[1]), i(a[2]), i(a[3]))),
      i32("conn_id", 3, (s, m, a) -> s.connString(m, i(a[0]), i(a[1]), i(a[2]), true)),
      i32("conn_uri", 3, (s, m, a) -> s.connString(m, i(a[0]), i(a[1]), i(a[2]), false)),
      i32("conn_find", 2, (s, m, a) -> s.connFind(m, i(a[0]), i(a[1]))),
      i32("conn_state_get", 3, (s, m, a) -> s.connStateGet(m, i(a[0]), i(a[1]), i(a[2]))),
      i32("conn_state_set", 3, (s, m, a) -> s.connStateSet(m, i(a[0]), i(a[1]), i(a[2]))),
      i32("conn_set_tags", 3, (s, m, a) -> s.connSetTags(m, i(a[0]), i(a[1]), i(a[2]))),
      i32("conn_tags", 3, (s, m, a) -> s.connTags(m, i(a[0]), i(a[1]), i(a[2]))),
      i32("conn_list", 4, (s, m, a) -> s.connList(m, i(a[0]), i(a[1]), i(a[2]), i(a[3]))),
      i32("room_id", 2, (s, m, a) -> writeOut(m, i(a[0]), i(a[1]), utf8(s.scope.roomId()))),
      i32("party_name", 2, (s, m, a) -> writeOut(m, i(a[0]), i(a[1]), utf8(s.scope.party()))),
      i32("respond", 5, (s, m, a) -> s.respond(m, i(a[0]), i(a[1]), i(a[2]), i(a[3]), i(a[4]))),
      i32("config_get", 4, (s, m, a) -> s.configGet(m, i(a[0]), i(a[1]), i(a[2]), i(a[3]))),
      i32("log", 3, (s, m, a) -> s.log(m, i(a[0]), i(a[1]), i(a[2]))),
      new Binding("now_ms", FunctionType.of(List.of(), List.of(ValType.I64)), (s, m, a) -> System.currentTimeMillis()),
      i32("random_fill", 2, (s, m, a) -> randomFill(m, i(a[0]), i(a[1]))),
      i32("storage_get", 4, (s, m, a) -> s.storageGet(m, i(a[0]), i(a[1]), i(a[2]), i(a[3]))),
      i32("storage_put", 4, (s, m, a) -> s.storagePut(m, i(a[0]), i(a[1]), i(a[2]), i(a[3]))),
      i32("storage_put_many", 2, (s, m, a) -> s.storagePutMany(m, i(a[0]), i(a[1]))),
      i32("storage_delete", 2, (s, m, a) -> s.storageDelete(m, i(a[0]), i(a[1]))),
      i32("storage_delete_many", 2, (s, m, a) -> s.storageDeleteMany(m, i(a[0]), i(a[1]))),
      i32("storage_list", 10, (s, m, a) -> s.storageList(m, i(a[0]), i(a[1]), i(a[2]), i(a[3]), i(a[4]),
          i(a[5]), i(a[6]), i(a[7]), i(a[8]), i(a[9]))),
      i32("storage_delete_all", 0, (s, m, a) -> s.storageDeleteAll()),
      new Binding("alarm_set", FunctionType.of(List.of(ValType.I64), List.of(ValType.I32)), (s, m, a) -> s.alarmSet(a[0])),
      i32("alarm_get", 1, (s, m, a) -> s.alarmGet(m, i(a[0]))),
      i32("alarm_delete", 0, (s, m, a) -> s.alarmSet(null)),
      i32("request_set_header", 4, (s, m, a) -> s.requestSetHeader(m, i(a[0]), i(a[1]), i(a[2]), i(a[3]))));

  /** The host calls that work in a gate's before hooks; every other one answers WRONG_HOOK there. */
  private static final Set<String> GATE_CALLS = Set.of("respond", "request_set_header", "room_id", "party_name",
      "config_get", "log", "now_ms", "random_fill");

  /** The signature of every host call, by name: what modules are validated against. */
  public static final Map<String, FunctionType> SIGNATURES;

  static {
    Map<String, FunctionType> signatures = new LinkedHashMap<>();
    for (Binding b : BINDINGS) signatures.put(b.name, b.type);
    SIGNATURES = Collections.unmodifiableMap(signatures);
  }

  private final Scope scope;
  /** The room of a room's instance; null in a gate. */
  private final Room room;
  /** The gate of a gate's instance; null in a room. */
  private final Gate gate;

  HostCalls(Room room) {
    this.scope = room;
    this.room = room;
    this.gate = null;
  }

  HostCalls(Gate gate) {
    this.scope = gate;
    this.room = null;
    this.gate = gate;
  }

  /** The host functions of one instance, all bound to its room or gate. */
  List<HostFunction> functions() {
    List<HostFunction> functions = new ArrayList<>(BINDINGS.size());
    for (Binding b : BINDINGS) {
      Call call = gate != null && !GATE_CALLS.contains(b.name) ? (s, m, a) -> WRONG_HOOK : b.call;
      functions.add(new HostFunction(Abi.IMPORT_MODULE, b.name, b.type,
          (instance, args) -> new long[] {call.invoke(this, instance.memory(), args)}));
    }
    return functions;
  }

  // --- connections ---

  private int connSend(Memory m, int handle, int ptr, int len, int kind) {
    Connection c = room.connection(handle);
    if (c == null) return BAD_HANDLE;
    if (c.closing) return CLOSED;
    if (!inBounds(m, ptr, len)) return BAD_POINTER;
    if (len > room.maxMessageBytes()) return TOO_LARGE;
    Message message = message(m, ptr, len, kind);
    if (message == null) return INVALID;
    if (!room.spendOutput(len)) return TOO_LARGE;
    room.queueSend(c, message);
    return OK;
  }

  private int broadcast(Memory m, int ptr, int len, int kind, int excludePtr, int excludeCount) {
    long excludeBytes = Integer.toUnsignedLong(excludeCount) * 4;
    if (!inBounds(m, ptr, len) || excludeBytes > Integer.MAX_VALUE || !inBounds(m, excludePtr, (int) excludeBytes)) {
      return BAD_POINTER;
    }
    if (len > room.maxMessageBytes()) return TOO_LARGE;
    Message message = message(m, ptr, len, kind);
    if (message == null) return INVALID;
    int[] excluded = new int[excludeCount];
    for (int k = 0; k < excludeCount; k++) excluded[k] = m.readInt(excludePtr + 4 * k);
    List<Connection> recipients = room.openConnections(c -> !contains(excluded, c.handle));
    if (!room.spendOutput((long) len * recipients.size())) return TOO_LARGE;
    room.queueSend(recipients, message);
    return recipients.size();
  }

  private int connClose(Memory m, int handle, int code, int reasonPtr, int reasonLen) {
    Connection c = room.connection(handle);
    if (c == null) return BAD_HANDLE;
    if (c.closing) return CLOSED;
    if (!inBounds(m, reasonPtr, reasonLen)) return BAD_POINTER;
    if (reasonLen > Abi.MAX_CLOSE_REASON_BYTES) return TOO_LARGE;
    String reason = Utf8.decode(read(m, reasonPtr, reasonLen));
    if (reason == null || !(code == 1000 || (code >= 3000 && code <= 4999))) return INVALID;
    room.queueClose(c, code, reason);
    return OK;
  }

  private int connString(Memory m, int handle, int outPtr, int outCap, boolean id) {
    Connection c = room.connection(handle);
    if (c == null) return BAD_HANDLE;
    // The URI as the client sent it: one byte per char, as the request record carries it.
    return writeOut(m, outPtr, outCap, id ? utf8(c.id) : c.uri.getBytes(StandardCharsets.ISO_8859_1));
  }

  private int connFind(Memory m, int idPtr, int idLen) {
    if (!inBounds(m, idPtr, idLen)) return BAD_POINTER;
    String id = Utf8.decode(read(m, idPtr, idLen));
    for (Connection c : room.openConnections()) {
      if (c.id.equals(id)) return c.handle;
    }
    return NOT_FOUND;
  }

  private int connStateGet(Memory m, int handle, int outPtr, int outCap) {
    Connection c = room.connection(handle);
    if (c == null) return BAD_HANDLE;
    return writeOut(m, outPtr, outCap, c.state);
  }

  private int connStateSet(Memory m, int handle, int ptr, int len) {
    Connection c = room.connection(handle);
    if (c == null) return BAD_HANDLE;
    if (!inBounds(m, ptr, len)) return BAD_POINTER;
    if (len > Abi.MAX_STATE_BYTES) return TOO_LARGE;
    c.state = read(m, ptr, len);
    return OK;
  }

  private int connSetTags(Memory m, int handle, int ptr, int len) {
    Connection c = room.connection(handle);
    if (c == null) return BAD_HANDLE;
    if (!room.isConnecting(c)) return WRONG_HOOK;
    if (!inBounds(m, ptr, len)) return BAD_POINTER;
    List<byte[]> items;
    try {
      items = ByteList.decode(read(m, ptr, len));
    } catch (IllegalArgumentException e) {
      return INVALID;
    }
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

  private int connTags(Memory m, int handle, int outPtr, int outCap) {
    Connection c = room.connection(handle);
    if (c == null) return BAD_HANDLE;
    return writeOut(m, outPtr, outCap, ByteList.encodeStrings(c.tags));
  }

  private int connList(Memory m, int tagPtr, int tagLen, int outPtr, int outCap) {
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

  // --- room ---

  private int respond(Memory m, int status, int headersPtr, int headersLen, int bodyPtr, int bodyLen) {
    if (!scope.isRequesting()) return WRONG_HOOK;
    if (!inBounds(m, headersPtr, headersLen) || !inBounds(m, bodyPtr, bodyLen)) return BAD_POINTER;
    if (bodyLen > Abi.MAX_RESPONSE_BODY_BYTES || headersLen > Abi.MAX_RESPONSE_BODY_BYTES) return TOO_LARGE;
    if (status < 200 || status > 599) return INVALID; // 1xx are not final responses
    List<String> headers = new ArrayList<>();
    try {
      for (byte[] item : ByteList.decode(read(m, headersPtr, headersLen))) {
        String s = Utf8.decode(item);
        if (s == null) return INVALID;
        headers.add(s);
      }
    } catch (IllegalArgumentException e) {
      return INVALID;
    }
    if (headers.size() % 2 != 0) return INVALID;
    scope.setResponse(new RoomResponse(status, headers, read(m, bodyPtr, bodyLen)));
    return OK;
  }

  private int configGet(Memory m, int keyPtr, int keyLen, int outPtr, int outCap) {
    if (!inBounds(m, keyPtr, keyLen) || !inBounds(m, outPtr, outCap)) return BAD_POINTER;
    String value = scope.configValue(new String(read(m, keyPtr, keyLen), StandardCharsets.UTF_8));
    return value == null ? NOT_FOUND : writeOut(m, outPtr, outCap, utf8(value));
  }

  /** request_set_header, in a gate's before hook: a header the room's hook will see (ABI v1.2). */
  private int requestSetHeader(Memory m, int namePtr, int nameLen, int valuePtr, int valueLen) {
    if (gate == null) return WRONG_HOOK;
    if (!inBounds(m, namePtr, nameLen) || !inBounds(m, valuePtr, valueLen)) return BAD_POINTER;
    if (nameLen > Abi.MAX_HEADER_NAME_BYTES || valueLen > Abi.MAX_HEADER_VALUE_BYTES) return TOO_LARGE;
    byte[] name = read(m, namePtr, nameLen);
    byte[] value = read(m, valuePtr, valueLen);
    if (name.length == 0) return INVALID;
    for (byte b : name) if (!isTokenChar(b)) return INVALID;
    for (byte b : value) if (b == '\r' || b == '\n' || b == 0) return INVALID;
    String lowerCase = new String(name, StandardCharsets.US_ASCII).toLowerCase(java.util.Locale.ROOT);
    return gate.setHeader(lowerCase, value) ? OK : TOO_LARGE;
  }

  /** RFC 9110 tchar: the characters of a header name. */
  private static boolean isTokenChar(byte b) {
    return (b >= '0' && b <= '9') || (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || "!#$%&'*+-.^_`|~".indexOf(b) >= 0;
  }

  // --- utilities ---

  private int log(Memory m, int level, int ptr, int len) {
    if (!inBounds(m, ptr, len)) return BAD_POINTER;
    if (level < Abi.LOG_DEBUG || level > Abi.LOG_ERROR) return INVALID;
    byte[] text = read(m, ptr, Math.min(len, Abi.MAX_LOG_LINE_BYTES + 1));
    scope.log().log(LEVELS[level], text);
    return OK;
  }

  private static final Level[] LEVELS = {Level.DEBUG, Level.INFO, Level.WARNING, Level.ERROR};

  private static int randomFill(Memory m, int ptr, int len) {
    if (!inBounds(m, ptr, len)) return BAD_POINTER;
    if (len > Abi.MAX_RANDOM_BYTES) return TOO_LARGE;
    if (len == 0) return OK;
    byte[] bytes = new byte[len];
    RANDOM.nextBytes(bytes);
    m.write(ptr, bytes);
    return OK;
  }

  // --- storage and alarm: the room's in-memory data, written in the hook's transaction ---

  private int storageGet(Memory m, int keyPtr, int keyLen, int outPtr, int outCap) {
    if (!inBounds(m, keyPtr, keyLen) || !inBounds(m, outPtr, outCap)) return BAD_POINTER;
    if (keyLen > Abi.MAX_KEY_BYTES) return TOO_LARGE;
    byte[] value = store().get(read(m, keyPtr, keyLen));
    return value == null ? NOT_FOUND : writeOut(m, outPtr, outCap, value);
  }

  private int storagePut(Memory m, int keyPtr, int keyLen, int valPtr, int valLen) {
    if (!inBounds(m, keyPtr, keyLen) || !inBounds(m, valPtr, valLen)) return BAD_POINTER;
    if (keyLen > Abi.MAX_KEY_BYTES || valLen > Abi.MAX_VALUE_BYTES) return TOO_LARGE;
    if (keyLen == 0) return INVALID;
    return store().put(read(m, keyPtr, keyLen), read(m, valPtr, valLen)) ? OK : QUOTA_EXCEEDED;
  }

  private int storagePutMany(Memory m, int listPtr, int listLen) {
    if (!inBounds(m, listPtr, listLen)) return BAD_POINTER;
    List<byte[]> pairs = list(m, listPtr, listLen);
    if (pairs == null) return INVALID;
    for (int k = 0; k < pairs.size(); k++) {
      if (pairs.get(k).length > (k % 2 == 0 ? Abi.MAX_KEY_BYTES : Abi.MAX_VALUE_BYTES)) return TOO_LARGE;
    }
    if (pairs.size() % 2 != 0) return INVALID;
    for (int k = 0; k < pairs.size(); k += 2) if (pairs.get(k).length == 0) return INVALID;
    return store().putAll(pairs) ? OK : QUOTA_EXCEEDED;
  }

  private int storageDelete(Memory m, int keyPtr, int keyLen) {
    if (!inBounds(m, keyPtr, keyLen)) return BAD_POINTER;
    if (keyLen > Abi.MAX_KEY_BYTES) return TOO_LARGE;
    return store().delete(read(m, keyPtr, keyLen)) ? 1 : 0;
  }

  private int storageDeleteMany(Memory m, int listPtr, int listLen) {
    if (!inBounds(m, listPtr, listLen)) return BAD_POINTER;
    List<byte[]> keys = list(m, listPtr, listLen);
    if (keys == null) return INVALID;
    for (byte[] key : keys) if (key.length > Abi.MAX_KEY_BYTES) return TOO_LARGE;
    int deleted = 0;
    for (byte[] key : keys) if (store().delete(key)) deleted++;
    return deleted;
  }

  private int storageList(Memory m, int prefixPtr, int prefixLen, int startPtr, int startLen, int endPtr,
                          int endLen, int limit, int reverse, int outPtr, int outCap) {
    if (!inBounds(m, prefixPtr, prefixLen) || !inBounds(m, startPtr, startLen) || !inBounds(m, endPtr, endLen)
        || !inBounds(m, outPtr, outCap)) {
      return BAD_POINTER;
    }
    if (reverse != 0 && reverse != 1) return INVALID;
    List<byte[]> entries = store().list(read(m, prefixPtr, prefixLen), read(m, startPtr, startLen),
        read(m, endPtr, endLen), limit, reverse == 1);
    long length = ByteList.encodedLength(entries);
    if (length > Integer.MAX_VALUE) return TOO_LARGE;
    // Encoded only when it fits: the first call of the out-buffer convention often asks for the length.
    return length > Integer.toUnsignedLong(outCap) ? (int) length : writeOut(m, outPtr, outCap, ByteList.encode(entries));
  }

  private int storageDeleteAll() {
    store().deleteAll();
    return OK;
  }

  private int alarmSet(Long epochMs) {
    store().alarm(epochMs);
    return OK;
  }

  private int alarmGet(Memory m, int outPtr) {
    if (!inBounds(m, outPtr, 8)) return BAD_POINTER;
    Long at = store().alarm();
    if (at == null) return NOT_FOUND;
    m.writeLong(outPtr, at);
    return OK;
  }

  private RoomStore store() {
    return room.store();
  }

  /** A byte-string list from a view already checked by {@link #inBounds}; null when it is malformed. */
  private static List<byte[]> list(Memory m, int ptr, int len) {
    try {
      return ByteList.decode(read(m, ptr, len));
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  // --- memory access: every view is checked before it is touched ---

  static boolean inBounds(Memory m, int ptr, int len) {
    if (len == 0) return true; // an empty view names no memory (Rust passes dangling pointers for them)
    long end = Integer.toUnsignedLong(ptr) + Integer.toUnsignedLong(len);
    return end <= (long) m.pages() * Memory.PAGE_SIZE;
  }

  /** The bytes of a view already checked by {@link #inBounds}; an empty view touches no memory. */
  private static byte[] read(Memory m, int ptr, int len) {
    return len == 0 ? EMPTY : m.readBytes(ptr, len);
  }

  private static final byte[] EMPTY = new byte[0];

  /** The out-buffer convention (section 3): returns the full length, writes only when it fits. */
  static int writeOut(Memory m, int outPtr, int outCap, byte[] data) {
    if (!inBounds(m, outPtr, outCap)) return BAD_POINTER;
    if (data.length <= Integer.toUnsignedLong(outCap) && data.length > 0) m.write(outPtr, data);
    return data.length;
  }

  /** A message to send, made once for every recipient; null for text that is not UTF-8 or a bad kind. */
  private static Message message(Memory m, int ptr, int len, int kind) {
    if (kind != TEXT && kind != BINARY) return null;
    byte[] bytes = read(m, ptr, len);
    if (kind == TEXT && !Utf8.isValid(bytes, 0, bytes.length)) return null;
    return Message.of(bytes, kind == TEXT);
  }

  /** A linear scan: exclusion lists are short (usually the sender alone). */
  private static boolean contains(int[] handles, int handle) {
    for (int h : handles) if (h == handle) return true;
    return false;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static int i(long arg) {
    return (int) arg;
  }

  private static Binding i32(String name, int params, Call call) {
    return new Binding(name, FunctionType.of(Collections.nCopies(params, ValType.I32), List.of(ValType.I32)), call);
  }
}
