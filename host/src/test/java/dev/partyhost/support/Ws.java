package dev.partyhost.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.http.WebSocketFrame;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A test's WebSocket: received messages queue up (String for text, byte[] for binary); waits are bounded. */
public final class Ws implements AutoCloseable {
  public static final long TIMEOUT_MS = 10_000;

  private final ClientWebSocket socket;
  private final LinkedBlockingQueue<Object> received = new LinkedBlockingQueue<>();
  private final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
  private MultiMap handshakeHeaders;

  private Ws(ClientWebSocket socket) {
    this.socket = socket;
  }

  static Ws connect(WebSocketClient client, WebSocketConnectOptions options) {
    // Handlers go on before the handshake, so that no frame can arrive ahead of them.
    Ws ws = new Ws(client.webSocket());
    ws.socket.textMessageHandler(ws.received::add);
    ws.socket.binaryMessageHandler(b -> ws.received.add(b.getBytes()));
    ws.socket.closeHandler(
        v ->
            ws.closeCode.complete(
                ws.socket.closeStatusCode() == null ? 1005 : (int) ws.socket.closeStatusCode()));
    try {
      ws.socket
          .connect(options)
          .toCompletionStage()
          .toCompletableFuture()
          .get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
      ws.handshakeHeaders = MultiMap.caseInsensitiveMultiMap().addAll(ws.socket.headers());
      return ws;
    } catch (Exception e) {
      throw new IllegalStateException(
          "WebSocket connect to " + options.getURI() + " failed: " + e, e);
    }
  }

  /** The headers of the server's 101 response. */
  public MultiMap handshakeHeaders() {
    return handshakeHeaders;
  }

  public Ws send(String text) {
    socket.writeTextMessage(text).await();
    return this;
  }

  public Ws send(byte[] data) {
    socket.writeBinaryMessage(Buffer.buffer(data)).await();
    return this;
  }

  /** Sends one frame as it is (a fragment, a continuation, a ping): for tests of the host's frame handling. */
  public Ws sendFrame(WebSocketFrame frame) {
    socket.writeFrame(frame).await();
    return this;
  }

  public Object next() {
    try {
      Object m = received.poll(TIMEOUT_MS, TimeUnit.MILLISECONDS);
      if (m == null) fail("no message within " + TIMEOUT_MS + " ms");
      return m;
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Messages received and not taken yet. */
  public int pending() {
    return received.size();
  }

  public String nextText() {
    Object m = next();
    if (!(m instanceof String)) fail("expected a text message, got binary");
    return (String) m;
  }

  public void expectText(String expected) {
    assertEquals(expected, nextText());
  }

  /** Asserts nothing arrives within {@code ms}. */
  public void expectNothing(long ms) {
    try {
      assertNull(received.poll(ms, TimeUnit.MILLISECONDS), "unexpected message");
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Waits for the server to close the socket and returns the close code. */
  public int awaitClose() {
    try {
      return closeCode.get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError("socket not closed within " + TIMEOUT_MS + " ms", e);
    }
  }

  public boolean isClosed() {
    return closeCode.isDone();
  }

  @Override
  public void close() {
    if (!socket.isClosed()) socket.close();
  }
}
