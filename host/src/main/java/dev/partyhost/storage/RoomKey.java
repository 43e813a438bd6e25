package dev.partyhost.storage;

/** Names one room: its party and its room id. */
public record RoomKey(String party, String room) {
  @Override
  public String toString() {
    return party + "/" + room;
  }
}
