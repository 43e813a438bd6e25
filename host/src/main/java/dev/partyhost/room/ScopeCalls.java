package dev.partyhost.room;

import static dev.partyhost.guest.Abi.BAD_POINTER;
import static dev.partyhost.guest.Abi.BINARY;
import static dev.partyhost.guest.Abi.INVALID;
import static dev.partyhost.guest.Abi.NOT_FOUND;
import static dev.partyhost.guest.Abi.OK;
import static dev.partyhost.guest.Abi.TEXT;
import static dev.partyhost.guest.Abi.TOO_LARGE;
import static dev.partyhost.guest.Abi.WRONG_HOOK;

import com.dylibso.chicory.runtime.Memory;
import dev.partyhost.guest.Abi;
import dev.partyhost.guest.ByteList;
import dev.partyhost.guest.GuestTime;
import dev.partyhost.guest.HostCallTable;
import dev.partyhost.guest.Utf8;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;

/**
 * The host calls that work in every instance, a room's ({@link RoomCalls}) or a gate's
 * ({@link GateCalls}), and the checks every call makes on guest memory. Every argument is checked
 * (handles, then pointers, then sizes, then content) and answered with a status; nothing here
 * blocks or does I/O. One object per instance, used on its thread only.
 */
abstract class ScopeCalls {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Level[] LEVELS = {Level.DEBUG, Level.INFO, Level.WARNING, Level.ERROR};
  static final byte[] EMPTY = new byte[0];

  abstract String party();

  /** The room the current hook is for. */
  abstract String roomId();

  /** {@code respond} is allowed now. */
  abstract boolean isRequesting();

  abstract void setResponse(RoomResponse response);

  abstract String configValue(String key);

  abstract GuestLog guestLog();

  abstract GuestTime time();

  /** The shared calls, for a scope type's table to add its own to (package-private methods: a type variable has no private members). */
  static <S extends ScopeCalls> HostCallTable.Builder<S> sharedCalls() {
    return HostCallTable.<S>builder()
        .bind("room_id", ScopeCalls::writeRoomId)
        .bind("party_name", ScopeCalls::writePartyName)
        .bind("respond", ScopeCalls::respond)
        .bind("config_get", ScopeCalls::configGet)
        .bind("log", ScopeCalls::writeLog)
        .bindTime("now_ms", (s, m) -> s.time().nowMs())
        .bind("random_fill", ScopeCalls::randomFill);
  }

  int writeRoomId(Memory m, int outPtr, int outCap) {
    return writeOut(m, outPtr, outCap, utf8(roomId()));
  }

  int writePartyName(Memory m, int outPtr, int outCap) {
    return writeOut(m, outPtr, outCap, utf8(party()));
  }

  int respond(Memory m, int status, int headersPtr, int headersLen, int bodyPtr, int bodyLen) {
    if (!isRequesting()) return WRONG_HOOK;
    if (!inBounds(m, headersPtr, headersLen) || !inBounds(m, bodyPtr, bodyLen)) return BAD_POINTER;
    if (bodyLen > Abi.MAX_RESPONSE_BODY_BYTES || headersLen > Abi.MAX_RESPONSE_BODY_BYTES)
      return TOO_LARGE;
    if (status < 200 || status > 599) return INVALID; // 1xx are not final responses
    List<String> headers = new ArrayList<>();
    List<byte[]> items = list(m, headersPtr, headersLen);
    if (items == null || items.size() % 2 != 0) return INVALID;
    for (int i = 0; i < items.size(); i++) {
      byte[] item = items.get(i);
      // A name is a token; a value holds no CR, LF or NUL: no header line may be folded or split
      // (since v1.3).
      if (i % 2 == 0 ? !Abi.isHttpToken(item) : !Abi.isHttpFieldValue(item)) return INVALID;
      String s = Utf8.decode(item);
      if (s == null) return INVALID;
      headers.add(s);
    }
    setResponse(new RoomResponse(status, headers, read(m, bodyPtr, bodyLen)));
    return OK;
  }

  int configGet(Memory m, int keyPtr, int keyLen, int outPtr, int outCap) {
    if (!inBounds(m, keyPtr, keyLen) || !inBounds(m, outPtr, outCap)) return BAD_POINTER;
    String value = configValue(new String(read(m, keyPtr, keyLen), StandardCharsets.UTF_8));
    return value == null ? NOT_FOUND : writeOut(m, outPtr, outCap, utf8(value));
  }

  int writeLog(Memory m, int level, int ptr, int len) {
    if (!inBounds(m, ptr, len)) return BAD_POINTER;
    if (level < Abi.LOG_DEBUG || level > Abi.LOG_ERROR) return INVALID;
    byte[] text = read(m, ptr, Math.min(len, Abi.MAX_LOG_LINE_BYTES + 1));
    guestLog().log(LEVELS[level], text);
    return OK;
  }

  int randomFill(Memory m, int ptr, int len) {
    if (!inBounds(m, ptr, len)) return BAD_POINTER;
    if (len > Abi.MAX_RANDOM_BYTES) return TOO_LARGE;
    if (len == 0) return OK;
    byte[] bytes = new byte[len];
    RANDOM.nextBytes(bytes);
    m.write(ptr, bytes);
    return OK;
  }

  /**
   * In a loop whose length the guest chose: the watchdog interrupts this thread when the hook passes its
   * CPU deadline, and Chicory only checks for that in guest code, so a long host call checks here. The
   * exception becomes the deadline's trap ({@link dev.partyhost.guest.Watchdog}); the hook's writes are
   * rolled back with it.
   */
  static void stopIfPastDeadline() {
    if (Thread.currentThread().isInterrupted())
      throw new CancellationException("stopped inside a host call");
  }

  // --- memory access: every view is checked before it is touched ---

  static boolean inBounds(Memory m, int ptr, int len) {
    if (len == 0)
      return true; // an empty view names no memory (Rust passes dangling pointers for them)
    long end = Integer.toUnsignedLong(ptr) + Integer.toUnsignedLong(len);
    return end <= (long) m.pages() * Memory.PAGE_SIZE;
  }

  /** The bytes of a view already checked by {@link #inBounds}; an empty view touches no memory. */
  static byte[] read(Memory m, int ptr, int len) {
    return len == 0 ? EMPTY : m.readBytes(ptr, len);
  }

  /** A byte-string list from a view already checked by {@link #inBounds}; null when it is malformed. */
  static List<byte[]> list(Memory m, int ptr, int len) {
    try {
      return ByteList.decode(read(m, ptr, len));
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** The out-buffer convention (section 3): returns the full length, writes only when it fits. */
  static int writeOut(Memory m, int outPtr, int outCap, byte[] data) {
    if (!inBounds(m, outPtr, outCap)) return BAD_POINTER;
    if (data.length <= Integer.toUnsignedLong(outCap) && data.length > 0) m.write(outPtr, data);
    return data.length;
  }

  /** A message to send, made once for every recipient; null for text that is not UTF-8 or a bad kind. */
  static Message message(Memory m, int ptr, int len, int kind) {
    if (kind != TEXT && kind != BINARY) return null;
    byte[] bytes = read(m, ptr, len);
    if (kind == TEXT && !Utf8.isValid(bytes, 0, bytes.length)) return null;
    return Message.of(bytes, kind == TEXT);
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
