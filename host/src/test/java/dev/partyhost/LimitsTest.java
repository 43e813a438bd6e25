package dev.partyhost;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.partyhost.support.TestHost;
import dev.partyhost.support.Ws;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Client limits: oversized WebSocket messages close with 1009, oversized bodies get 413; rooms keep serving. */
class LimitsTest {
  @Test
  void messagesOverTheLimitCloseTheSocketWith1009() {
    try (TestHost host = TestHost.start(c -> c.maxMessageBytes = 64 * 1024);
        Ws big = host.ws("/parties/relay-c/limits?_pk=big");
        Ws peer = host.ws("/parties/relay-c/limits?_pk=peer")) {
      big.send("x".repeat(64 * 1024));
      peer.expectText("x".repeat(64 * 1024));
      big.send("y".repeat(64 * 1024 + 1));
      assertEquals(1009, big.awaitClose());
      peer.expectNothing(100);
      // The room and the other connection are unharmed.
      try (Ws third = host.ws("/parties/relay-c/limits?_pk=third")) {
        third.send("still here");
        peer.expectText("still here");
      }
    }
  }

  private static int chunkedPostStatus(TestHost host, String path, int bytes) throws Exception {
    try (Socket socket = new Socket("127.0.0.1", host.port())) {
      OutputStream out = socket.getOutputStream();
      out.write(
          ("POST "
                  + path
                  + " HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                  + Integer.toHexString(bytes)
                  + "\r\n")
              .getBytes(StandardCharsets.ISO_8859_1));
      out.write(new byte[bytes]);
      out.flush();
      String status =
          new BufferedReader(
                  new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1))
              .readLine();
      return Integer.parseInt(status.split(" ")[1]);
    }
  }

  @Test
  void requestBodiesOverTheLimitAre413() throws Exception {
    try (TestHost host = TestHost.start(c -> c.maxRequestBytes = 1000)) {
      assertEquals(200, host.post("/parties/counter/limits", "x".repeat(1000)).statusCode());
      assertEquals(413, host.post("/parties/counter/limits", "x".repeat(1001)).statusCode());
      // Without a content-length the body is counted as it streams in.
      assertEquals(413, chunkedPostStatus(host, "/parties/counter/limits", 5000));
      assertEquals("{\"count\":1}", host.get("/parties/counter/limits").body());
    }
  }
}
