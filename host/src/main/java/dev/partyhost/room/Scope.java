package dev.partyhost.room;

/**
 * What the host calls that work everywhere act on: a room during one of its hooks, or a party's
 * gate during a before hook ({@link Gate}).
 */
interface Scope {
  String party();

  /** The room the current hook is for. */
  String roomId();

  /** {@code respond} is allowed now. */
  boolean isRequesting();

  void setResponse(RoomResponse response);

  String configValue(String key);

  GuestLog log();
}
