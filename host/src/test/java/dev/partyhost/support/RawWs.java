package dev.partyhost.support;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A WebSocket client over a plain socket that sends frames byte for byte, for what a well-behaved
 * client library refuses to send (text that is not UTF-8, say). Reads block up to {@link Ws#TIMEOUT_MS}.
 */
public final class RawWs implements AutoCloseable {
  public static final int CONTINUATION = 0x0, TEXT = 0x1, BINARY = 0x2, CLOSE = 0x8;

  /** A frame from the host: its first byte (FIN, reserved bits, opcode) and payload (the host does not mask). */
  public record Frame(int first, byte[] payload) {
    public boolean fin() {
      return (first & 0x80) != 0;
    }

    /** The bit permessage-deflate marks compressed messages with. */
    public boolean rsv1() {
      return (first & 0x40) != 0;
    }

    public int opcode() {
      return first & 0x0f;
    }

    /** The status code of a close frame; 1005 when it has none. */
    public int closeCode() {
      return payload.length < 2 ? 1005 : ((payload[0] & 0xff) << 8) | (payload[1] & 0xff);
    }

    public String closeReason() {
      return payload.length < 2
          ? ""
          : new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8);
    }
  }

  private final Socket socket;
  private final DataInputStream in;
  private final OutputStream out;
  private final String head;

  private RawWs(Socket socket, String head) throws IOException {
    this.socket = socket;
    this.in = new DataInputStream(socket.getInputStream());
    this.out = socket.getOutputStream();
    this.head = head;
  }

  /**
   * Opens a WebSocket to {@code path}, with any extra request header lines ("Name: value"), and reads
   * the 101; fails on any other answer.
   */
  public static RawWs open(TestHost host, String path, String... headers) throws IOException {
    return open(host.port(), path, headers);
  }

  /** As {@link #open(TestHost, String, String...)}, to a server on {@code port} of this machine. */
  public static RawWs open(int port, String path, String... headers) throws IOException {
    Socket socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout((int) Ws.TIMEOUT_MS);
    StringBuilder extra = new StringBuilder();
    for (String header : headers) extra.append(header).append("\r\n");
    socket
        .getOutputStream()
        .write(
            ("GET "
                    + path
                    + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                    + extra
                    + "\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
    InputStream in = socket.getInputStream();
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        socket.close();
        throw new EOFException("closed during the handshake: " + head);
      }
      head.append((char) b);
    }
    if (!head.toString().startsWith("HTTP/1.1 101")) {
      socket.close();
      throw new IOException("no 101: " + head);
    }
    return new RawWs(socket, head.toString());
  }

  /** The host's 101 response, status line and headers. */
  public String head() {
    return head;
  }

  /** A header of the 101 response (name in any case), or null. */
  public String header(String name) {
    for (String line : head.split("\r\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name))
        return line.substring(colon + 1).trim();
    }
    return null;
  }

  /** Sends one masked frame. */
  public RawWs send(boolean fin, int opcode, byte[] payload) throws IOException {
    return sendRaw((fin ? 0x80 : 0) | opcode, payload);
  }

  /** Sends one masked frame with the given first byte (FIN, reserved bits, opcode). */
  public RawWs sendRaw(int first, byte[] payload) throws IOException {
    ByteArrayOutputStream frame = new ByteArrayOutputStream();
    frame.write(first);
    if (payload.length < 126) {
      frame.write(0x80 | payload.length);
    } else if (payload.length < 65536) {
      frame.write(0x80 | 126);
      frame.write(payload.length >> 8);
      frame.write(payload.length);
    } else {
      frame.write(0x80 | 127);
      for (int shift = 56; shift >= 0; shift -= 8)
        frame.write((int) ((long) payload.length >> shift));
    }
    byte[] mask = {0x37, (byte) 0xfa, 0x21, 0x3d};
    frame.write(mask, 0, 4);
    for (int i = 0; i < payload.length; i++) frame.write(payload[i] ^ mask[i % 4]);
    out.write(frame.toByteArray());
    out.flush();
    return this;
  }

  /** The next frame from the host. */
  public Frame read() throws IOException {
    int first = in.readUnsignedByte();
    int len = in.readUnsignedByte() & 0x7f;
    long length = len == 126 ? in.readUnsignedShort() : len == 127 ? in.readLong() : len;
    byte[] payload = new byte[(int) length];
    in.readFully(payload);
    return new Frame(first, payload);
  }

  /** Reads up to the host's close frame and returns it; fails if a data frame comes first. */
  public Frame awaitCloseFrame() throws IOException {
    Frame f = read();
    if (f.opcode() != CLOSE)
      throw new AssertionError("expected a close frame, got opcode " + f.opcode());
    return f;
  }

  /** Reads past data frames up to the host's close frame and returns its code. */
  public int skipToCloseCode() throws IOException {
    while (true) {
      Frame f = read();
      if (f.opcode() == CLOSE) return f.closeCode();
    }
  }

  /** Reads until the host closes the connection. */
  public void awaitClosed() throws IOException {
    while (in.read() >= 0) {
      // whatever the host says on the way out
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
