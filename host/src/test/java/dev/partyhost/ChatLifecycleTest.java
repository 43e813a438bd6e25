package dev.partyhost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partyhost.support.LogCapture;
import dev.partyhost.support.TestHost;
import dev.partyhost.support.Ws;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The chat example across the room's life: its history and its open sockets survive hibernation,
 * and after a host restart PartyKit's own client reconnects and finds the history.
 */
class ChatLifecycleTest {
  @Test
  void historyAndSocketsSurviveHibernation() throws Exception {
    try (LogCapture log = new LogCapture("partyhost.room");
        TestHost host = TestHost.start(c -> c.roomIdleMs = 300);
        Ws alice = host.ws("/parties/chat/hib?_pk=alice");
        Ws bob = host.ws("/parties/chat/hib?_pk=bob")) {
      assertTrue(alice.nextText().startsWith("{\"type\":\"history\""));
      assertTrue(bob.nextText().startsWith("{\"type\":\"history\""));
      alice.send("one");
      bob.expectText("{\"type\":\"message\",\"from\":\"alice\",\"text\":\"one\"}");
      long deadline = System.currentTimeMillis() + Ws.TIMEOUT_MS;
      while (log.messages().stream()
          .noneMatch(m -> m.contains("[chat/hib] hibernating with 2 connections"))) {
        assertTrue(System.currentTimeMillis() < deadline, "the room did not hibernate");
        Thread.sleep(50);
      }
      alice.send("two"); // wakes the room: same sockets, history reloaded from storage
      bob.expectText("{\"type\":\"message\",\"from\":\"alice\",\"text\":\"two\"}");
      try (Ws carol = host.ws("/parties/chat/hib?_pk=carol")) {
        carol.expectText(
            "{\"type\":\"history\",\"messages\":[{\"from\":\"alice\",\"text\":\"one\"},"
                + "{\"from\":\"alice\",\"text\":\"two\"}]}");
      }
    }
  }

  @Test
  void partysocketReconnectsAfterARestartAndFindsTheHistory() throws Exception {
    TestHost host = TestHost.start();
    Process node =
        new ProcessBuilder(
                "node",
                "host/src/test/node/partysocket-reconnect.mjs",
                Integer.toString(host.port()),
                "restart-" + System.nanoTime())
            .directory(TestHost.root().toFile())
            .redirectErrorStream(true)
            .start();
    StringBuilder output = new StringBuilder();
    try (BufferedReader lines =
        new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = lines.readLine()) != null) {
        output.append(line).append('\n');
        if (line.equals("READY")) host = host.restart();
      }
      assertTrue(node.waitFor(60, TimeUnit.SECONDS), output.toString());
      assertEquals(0, node.exitValue(), output.toString());
      assertTrue(output.toString().contains("RECONNECTED"), output.toString());
    } finally {
      node.destroyForcibly();
      host.close();
    }
  }
}
