package dev.partyhost.room;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * One WebSocket of a room, as the host keeps it. Touched only on its room's event loop. It joins the
 * room (and its connect hook runs) before the handshake completes; what the room sends it until
 * then is held and written, in order, once the socket is attached.
 */
public final class Connection {
  static final byte[] NO_STATE = new byte[0];

  final String id;
  final String uri;
  /** Null until the handshake completes. */
  private ServerWebSocket socket;
  /** Frames (String or Buffer) sent before the socket was attached; a close comes last. */
  private List<Object> early = new ArrayList<>(0);
  private Short earlyCloseCode;
  private String earlyCloseReason;
  /** The room that holds it (another than the first only if that one was dropped meanwhile). */
  volatile Room room;
  /** The ABI handle; 0 until the room accepted the connection. */
  int handle;
  byte[] state = NO_STATE;
  List<String> tags = List.of();
  /** The guest or the peer has closed it: sends are refused. */
  boolean closing;

  Connection(String id, String uri, Room room) {
    this.id = id;
    this.uri = uri;
    this.room = room;
  }

  void send(String text) {
    if (socket != null) socket.writeTextMessage(text); else if (early != null) early.add(text);
  }

  void send(Buffer data) {
    if (socket != null) socket.writeBinaryMessage(data); else if (early != null) early.add(data);
  }

  void close(int code, String reason) {
    if (socket != null) {
      socket.close((short) code, reason);
    } else if (earlyCloseCode == null) {
      earlyCloseCode = (short) code;
      earlyCloseReason = reason;
    }
  }

  /** The handshake completed: writes what was held, then sends go straight to the socket. */
  void attach(ServerWebSocket socket) {
    this.socket = socket;
    List<Object> held = early;
    early = null;
    for (Object frame : held) {
      if (frame instanceof String text) socket.writeTextMessage(text); else socket.writeBinaryMessage((Buffer) frame);
    }
    if (earlyCloseCode != null) socket.close(earlyCloseCode, earlyCloseReason);
  }
}
