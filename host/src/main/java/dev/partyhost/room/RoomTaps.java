package dev.partyhost.room;

import dev.partyhost.PartyLimits;
import dev.partyhost.storage.RoomKey;

/** Gives each room its {@link RoomTap}, or none: the host's recordings, or a replay's. */
public interface RoomTaps {
  /** The tap of a new room, or null when nothing listens to it. */
  RoomTap open(RoomKey room, PartyLimits limits);

  /** Whether rooms of {@code party} get a tap (they then take no spare instance). */
  boolean records(String party);

  /** The host stops: what is pending is written out. */
  default void close() {}
}
