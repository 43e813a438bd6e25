package dev.partyhost.room;

import static dev.partyhost.guest.Abi.BAD_POINTER;
import static dev.partyhost.guest.Abi.INVALID;
import static dev.partyhost.guest.Abi.OK;
import static dev.partyhost.guest.Abi.TOO_LARGE;

import com.dylibso.chicory.runtime.Memory;
import dev.partyhost.guest.Abi;
import dev.partyhost.guest.GuestTime;
import dev.partyhost.guest.HostCallTable;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The host calls of a gate's instance (ABI section 6): the shared ones and {@code request_set_header};
 * every other call answers WRONG_HOOK there. On the gate's event loop only.
 */
final class GateCalls extends ScopeCalls {
  static final HostCallTable<GateCalls> TABLE =
      ScopeCalls.<GateCalls>sharedCalls()
          .bind("request_set_header", GateCalls::requestSetHeader)
          .build();

  private final Gate gate;

  GateCalls(Gate gate) {
    this.gate = gate;
  }

  @Override
  String party() {
    return gate.party();
  }

  @Override
  String roomId() {
    return gate.roomId();
  }

  @Override
  boolean isRequesting() {
    return true;
  }

  @Override
  void setResponse(RoomResponse response) {
    gate.setResponse(response);
  }

  @Override
  String configValue(String key) {
    return gate.configValue(key);
  }

  @Override
  GuestLog guestLog() {
    return gate.log();
  }

  @Override
  GuestTime time() {
    return gate.time();
  }

  /** A header the room's hook will see (ABI v1.2). */
  int requestSetHeader(Memory m, int namePtr, int nameLen, int valuePtr, int valueLen) {
    if (!inBounds(m, namePtr, nameLen) || !inBounds(m, valuePtr, valueLen)) return BAD_POINTER;
    if (nameLen > Abi.MAX_HEADER_NAME_BYTES || valueLen > Abi.MAX_HEADER_VALUE_BYTES)
      return TOO_LARGE;
    byte[] name = read(m, namePtr, nameLen);
    byte[] value = read(m, valuePtr, valueLen);
    if (!Abi.isHttpToken(name) || !Abi.isHttpFieldValue(value)) return INVALID;
    String lowerCase = new String(name, StandardCharsets.US_ASCII).toLowerCase(Locale.ROOT);
    // The host's own headers: x-partyhost-caller is how a room knows a call came from a room.
    if (lowerCase.startsWith(Abi.HOST_HEADER_PREFIX)) return INVALID;
    return gate.setHeader(lowerCase, value) ? OK : TOO_LARGE;
  }
}
