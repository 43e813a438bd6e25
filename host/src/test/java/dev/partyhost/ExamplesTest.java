package dev.partyhost;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.partyhost.support.TestHost;
import dev.partyhost.support.Ws;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The chat (Rust) and counter (C) examples do what the README says. */
class ExamplesTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static TestHost host;

  @BeforeAll
  static void start() {
    host = TestHost.start();
  }

  @AfterAll
  static void stop() {
    host.close();
  }

  @Test
  void chatKeepsTheLast100MessagesAndSendsThemOnConnect() throws Exception {
    try (Ws writer = host.ws("/parties/chat/history?_pk=w")) {
      writer.nextText();
      for (int i = 0; i < 105; i++) writer.send("m" + i);
      writer.send("quote \" backslash \\ newline \n tab \t unicode é ✓");
      // The history is kept in order; wait until the last message is in it.
      JsonNode history = null;
      for (int tries = 0; tries < 100; tries++) {
        try (Ws reader = host.ws("/parties/chat/history?_pk=r")) {
          history = JSON.readTree(reader.nextText());
        }
        if (history.get("messages").size() == 100
            && history.get("messages").get(99).get("text").asText().startsWith("quote")) break;
        Thread.sleep(20);
      }
      assertEquals("history", history.get("type").asText());
      JsonNode messages = history.get("messages");
      assertEquals(100, messages.size());
      assertEquals("m6", messages.get(0).get("text").asText());
      assertEquals("w", messages.get(0).get("from").asText());
      assertEquals("quote \" backslash \\ newline \n tab \t unicode é ✓", messages.get(99).get("text").asText());
    }
  }

  @Test
  void counterCountsOverHttpAndWebSocketsAndBroadcastsToEveryone() throws Exception {
    assertEquals("{\"count\":0}", host.get("/parties/counter/c1").body());
    assertEquals("{\"count\":1}", host.post("/parties/counter/c1", "").body());
    try (Ws a = host.ws("/parties/counter/c1?_pk=a"); Ws b = host.ws("/parties/counter/c1?_pk=b")) {
      a.expectText("{\"count\":1}");
      b.expectText("{\"count\":1}");
      a.send("inc");
      a.expectText("{\"count\":2}");
      b.expectText("{\"count\":2}");
      b.send("something else");
      a.expectNothing(100);
    }
    assertEquals("{\"count\":2}", host.get("/parties/counter/c1").body());
    assertEquals(405, host.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(host.url("/parties/counter/c1")))
        .DELETE()).statusCode());
  }
}
