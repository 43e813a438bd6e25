package dev.partyhost.room;

import io.vertx.core.http.ServerWebSocket;
import java.util.List;

/** One WebSocket of a room, as the host keeps it. Touched only on its room's event loop. */
final class Connection {
  static final byte[] NO_STATE = new byte[0];

  final String id;
  final String uri;
  final ServerWebSocket socket;
  /** The room that holds it (another than the first only if that one was dropped meanwhile). */
  volatile Room room;
  /** The ABI handle; 0 until the room accepted the connection. */
  int handle;
  byte[] state = NO_STATE;
  List<String> tags = List.of();
  /** The guest or the peer has closed it: sends are refused. */
  boolean closing;

  Connection(String id, String uri, ServerWebSocket socket, Room room) {
    this.id = id;
    this.uri = uri;
    this.socket = socket;
    this.room = room;
  }
}
