package dev.partyhost.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A lean WebSocket client for load generation: plain NIO, a few selector threads for thousands of
 * sockets, no allocation per frame. Off-the-shelf clients (Node's ws, the JDK's, Vert.x's) run out of
 * CPU before a fast relay does; this one parses frames in place from one read buffer per thread and
 * writes each socket's frames with one syscall per loop turn. Frames it sends are masked with the key
 * 0 (RFC 6455 requires a mask, not a random one here: the peer is our own loopback server).
 *
 * <p>Everything about a socket runs on its loop's thread: listeners are called there, and
 * {@link Socket#send} must be called there (or through {@link Loop#execute}).
 */
final class LeanWs implements AutoCloseable {
  interface Listener {
    default void opened(Socket s) {}

    /** One whole message, at {@code data[offset, offset + length)}; valid during the call only. */
    void message(Socket s, byte[] data, int offset, int length, boolean text);

    default void closed(Socket s, String why) {}
  }

  private final Loop[] loops;
  private int next;

  LeanWs(int threads) throws IOException {
    loops = new Loop[threads];
    for (int i = 0; i < threads; i++) loops[i] = new Loop(i);
    for (Loop l : loops) l.thread.start();
  }

  Loop[] loops() {
    return loops;
  }

  /** Opens a socket from {@code local} (null: any) to {@code remote}; the listener hears the rest. */
  Socket connect(
      InetSocketAddress local, InetSocketAddress remote, String path, Listener listener) {
    Loop loop = loops[next++ % loops.length];
    Socket s = new Socket(loop, listener);
    loop.execute(() -> loop.open(s, local, remote, path));
    return s;
  }

  @Override
  public void close() throws InterruptedException {
    for (Loop l : loops) l.stop = true;
    for (Loop l : loops) {
      l.selector.wakeup();
      l.thread.join(5000);
    }
  }

  /** One socket; its fields belong to its loop's thread. */
  static final class Socket {
    final Loop loop;
    final Listener listener;
    SocketChannel channel;
    SelectionKey key;
    boolean open;
    volatile boolean closed;

    /** Bytes read but not yet a whole frame (or the handshake), else null. */
    private byte[] partial;

    private int partialLength;

    /** Frames waiting to be written, else null. */
    private ByteBuffer out;

    private boolean dirty;

    /** For the scenario's use. */
    Object attachment;

    int index;

    Socket(Loop loop, Listener listener) {
      this.loop = loop;
      this.listener = listener;
    }

    /** Queues one frame (text or binary); written at the end of the loop's turn. */
    void send(byte[] payload, int offset, int length, boolean text) {
      if (closed) return;
      ByteBuffer b = room(length + 14);
      b.put((byte) (0x80 | (text ? 1 : 2)));
      if (length < 126) {
        b.put((byte) (0x80 | length));
      } else if (length < 65536) {
        b.put((byte) (0x80 | 126)).putShort((short) length);
      } else {
        b.put((byte) (0x80 | 127)).putLong(length);
      }
      b.putInt(0); // the mask key 0: the payload goes as it is
      b.put(payload, offset, length);
      markDirty();
    }

    void send(byte[] payload, boolean text) {
      send(payload, 0, payload.length, text);
    }

    /** Sends a close frame (1000) and closes once written. */
    void close() {
      if (closed || channel == null) return;
      ByteBuffer b = room(8);
      b.put((byte) 0x88).put((byte) 0x82).putInt(0).putShort((short) 1000);
      markDirty();
    }

    private ByteBuffer room(int bytes) {
      if (out == null) out = ByteBuffer.allocate(Math.max(4096, bytes));
      if (out.remaining() < bytes) {
        ByteBuffer bigger =
            ByteBuffer.allocate(Math.max(out.capacity() * 2, out.position() + bytes));
        out.flip();
        bigger.put(out);
        out = bigger;
      }
      return out;
    }

    private void markDirty() {
      if (!dirty && open) {
        dirty = true;
        loop.dirty.add(this);
      }
    }
  }

  /** One selector thread. */
  static final class Loop {
    final int index;
    final Thread thread;
    final Selector selector;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final List<Socket> dirty = new ArrayList<>();
    private final ByteBuffer in = ByteBuffer.allocateDirect(256 * 1024);
    private byte[] frame = new byte[256 * 1024];
    volatile boolean stop;

    Loop(int index) throws IOException {
      this.index = index;
      selector = Selector.open();
      thread = new Thread(this::run, "lean-ws-" + index);
      thread.setDaemon(true);
    }

    void execute(Runnable task) {
      tasks.add(task);
      selector.wakeup();
    }

    boolean inLoop() {
      return Thread.currentThread() == thread;
    }

    private void run() {
      try {
        while (!stop) {
          Runnable task;
          while ((task = tasks.poll()) != null) task.run();
          flushDirty();
          selector.select(100);
          for (SelectionKey key : selector.selectedKeys()) {
            Socket s = (Socket) key.attachment();
            try {
              if (!key.isValid()) continue;
              if (key.isConnectable()) connected(s);
              if (key.isValid() && key.isReadable()) read(s);
              if (key.isValid() && key.isWritable()) write(s);
            } catch (IOException | RuntimeException e) {
              fail(s, e.toString());
            }
          }
          selector.selectedKeys().clear();
          flushDirty();
        }
      } catch (IOException e) {
        throw new IllegalStateException(e);
      } finally {
        for (SelectionKey key : selector.keys()) {
          try {
            key.channel().close();
          } catch (IOException ignored) {
            // closing anyway
          }
        }
        try {
          selector.close(); // a registered channel's file is released only when its key leaves the
          // selector
        } catch (IOException ignored) {
          // closing anyway
        }
      }
    }

    private void open(Socket s, InetSocketAddress local, InetSocketAddress remote, String path) {
      try {
        SocketChannel ch = SocketChannel.open();
        ch.configureBlocking(false);
        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        if (local != null) ch.bind(local);
        s.channel = ch;
        String request =
            "GET "
                + path
                + " HTTP/1.1\r\nHost: "
                + remote.getHostString()
                + ":"
                + remote.getPort()
                + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                + "Sec-WebSocket-Version: 13\r\n\r\n";
        s.out = ByteBuffer.allocate(Math.max(4096, request.length()));
        s.out.put(request.getBytes(StandardCharsets.US_ASCII));
        if (ch.connect(remote)) {
          s.key = ch.register(selector, SelectionKey.OP_READ, s);
          write(s);
        } else {
          s.key = ch.register(selector, SelectionKey.OP_CONNECT, s);
        }
      } catch (IOException | RuntimeException e) {
        fail(s, e.toString());
      }
    }

    private void connected(Socket s) throws IOException {
      s.channel.finishConnect();
      s.key.interestOps(SelectionKey.OP_READ);
      write(s);
    }

    private void flushDirty() {
      for (int i = 0; i < dirty.size(); i++) {
        Socket s = dirty.get(i);
        s.dirty = false;
        try {
          write(s);
        } catch (IOException | RuntimeException e) {
          fail(s, e.toString());
        }
      }
      dirty.clear();
    }

    private void write(Socket s) throws IOException {
      if (s.out == null || s.out.position() == 0 || s.closed) return;
      s.out.flip();
      s.channel.write(s.out);
      s.out.compact();
      boolean pending = s.out.position() > 0;
      int ops = SelectionKey.OP_READ | (pending ? SelectionKey.OP_WRITE : 0);
      if (s.key.interestOps() != ops) s.key.interestOps(ops);
    }

    private void read(Socket s) throws IOException {
      in.clear();
      int n = s.channel.read(in);
      if (n < 0) {
        fail(s, "end of stream");
        return;
      }
      in.flip();
      // The bytes to parse: what was left over, then what just came.
      int total = s.partialLength + n;
      if (frame.length < total) frame = new byte[Math.max(total, frame.length * 2)];
      if (s.partialLength > 0) System.arraycopy(s.partial, 0, frame, 0, s.partialLength);
      in.get(frame, s.partialLength, n);
      int at = s.open ? parseFrames(s, frame, 0, total) : parseHandshake(s, frame, total);
      int left = total - at;
      if (left > 0 && !s.closed) {
        if (s.partial == null || s.partial.length < left)
          s.partial = new byte[Math.max(left, 1024)];
        System.arraycopy(frame, at, s.partial, 0, left);
      } else if (s.partial != null && s.partial.length > 64 * 1024) {
        s.partial = null;
      }
      s.partialLength = left > 0 ? left : 0;
    }

    private int parseHandshake(Socket s, byte[] b, int length) {
      for (int i = 3; i < length; i++) {
        if (b[i] == '\n' && b[i - 1] == '\r' && b[i - 2] == '\n' && b[i - 3] == '\r') {
          String head = new String(b, 0, i, StandardCharsets.ISO_8859_1);
          if (!head.startsWith("HTTP/1.1 101")) {
            fail(s, "handshake refused: " + head.lines().findFirst().orElse(""));
            return length;
          }
          s.open = true;
          if (s.out != null && s.out.position() > 0) s.markDirty();
          s.listener.opened(s);
          return i + 1 + parseFrames(s, b, i + 1, length);
        }
      }
      return 0;
    }

    /** Parses whole frames from {@code b[start, length)}; returns how many bytes were used from start. */
    private int parseFrames(Socket s, byte[] b, int start, int length) {
      int at = start;
      while (!s.closed && length - at >= 2) {
        int opcode = b[at] & 0x0f;
        int len7 = b[at + 1] & 0x7f;
        int header = 2;
        long len = len7;
        if (len7 == 126) {
          if (length - at < 4) break;
          len = ((b[at + 2] & 0xff) << 8) | (b[at + 3] & 0xff);
          header = 4;
        } else if (len7 == 127) {
          if (length - at < 10) break;
          len = 0;
          for (int i = 0; i < 8; i++) len = (len << 8) | (b[at + 2 + i] & 0xff);
          header = 10;
        }
        if (length - at - header < len) break;
        int payload = at + header;
        switch (opcode) {
          case 0, 1, 2 ->
              s.listener.message(
                  s, b, payload, (int) len, opcode != 2); // no fragments from our peers
          case 8 -> {
            fail(
                s,
                "closed by the server"
                    + (len >= 2
                        ? " (" + (((b[payload] & 0xff) << 8) | (b[payload + 1] & 0xff)) + ")"
                        : ""));
          }
          case 9 -> { // ping: pong with the same payload
            ByteBuffer o = s.room((int) len + 6);
            o.put((byte) 0x8a).put((byte) (0x80 | len)).putInt(0).put(b, payload, (int) len);
            s.markDirty();
          }
          default -> {} // pong
        }
        at = payload + (int) len;
      }
      return at - start;
    }

    private void fail(Socket s, String why) {
      if (s.closed) return;
      s.closed = true;
      try {
        if (s.channel != null) s.channel.close();
      } catch (IOException ignored) {
        // closed anyway
      }
      s.listener.closed(s, why);
    }
  }
}
