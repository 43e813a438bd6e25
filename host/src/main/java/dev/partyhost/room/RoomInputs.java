package dev.partyhost.room;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Drives one room with inputs as a recording has them, without sockets or HTTP: a replay's way in
 * ({@code dev.partyhost.replay}). Connections are known by their handles, as the guest knew them;
 * each call queues its input on the room's loop, in order.
 */
public final class RoomInputs {
  private final Rooms rooms;
  private final String party;
  private final String id;
  private final Map<Integer, Connection> connections = new HashMap<>();

  public RoomInputs(Rooms rooms, String party, String id) {
    this.rooms = rooms;
    this.party = party;
    this.id = id;
  }

  /** The room, with an arrival counted (an input that is no arrival uncounts it). */
  private Room room() {
    Room room = rooms.acquire(party, id);
    if (room == null) throw new IllegalStateException("no party " + party);
    return room;
  }

  /** The connections the room holds already when its instance starts (after a wake). */
  public void member(
      int handle,
      String connectionId,
      String uri,
      byte[] state,
      List<String> tags,
      boolean closing) {
    Room room = room();
    room.arriving.decrementAndGet();
    Connection c = new Connection(connectionId, uri, room);
    c.handle = handle;
    c.state = state;
    c.tags = List.copyOf(tags);
    c.closing = closing;
    connections.put(handle, c);
    room.replayHandles(handle + 1, c);
  }

  /** Starts the instance (its on_start), as the first event after hibernation or a reset would. */
  public void start() {
    Room room = room();
    room.arriving.decrementAndGet();
    room.replayStart();
  }

  public void connect(int handle, String connectionId, String uri, byte[] request) {
    Room room = room();
    room.replayHandles(handle, null);
    room.connect(connectionId, uri, request, c -> connections.put(c.handle, c));
  }

  public void message(int handle, byte[] data, int kind) {
    Connection c = connection(handle);
    c.room.received(c, data, kind);
  }

  public void close(int handle, int code, byte[] reason) {
    Connection c = connection(handle);
    c.room.replayClose(
        c, (short) code, reason.length == 0 ? null : new String(reason, StandardCharsets.UTF_8));
  }

  public void error(int handle, byte[] message) {
    Connection c = connection(handle);
    c.room.replayError(c, new String(message, StandardCharsets.UTF_8));
  }

  public void request(byte[] request) {
    var unused = room().request(request);
  }

  public void alarm() {
    room().alarm();
  }

  /** The answer to call {@code id}, as the recording has it: {@code on_response} runs. */
  public void response(int id, int status, byte[] record) {
    room().replayResponse(id, status, record);
  }

  private Connection connection(int handle) {
    Connection c = connections.get(handle);
    if (c == null) throw new IllegalStateException("no connection " + handle + " in the replay");
    return c;
  }
}
