package dev.partyhost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.partyhost.support.Poll;
import dev.partyhost.support.TestHost;
import dev.partyhost.support.Ws;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The chat (Rust), counter (C) and poll (Rust) examples do what their top comments say, including
 * what they keep in storage. Rooms are named per run, so that data stored by an earlier run cannot
 * matter. A "restart" is an admin upload with {@code ?restart=true} under a party name of the test's
 * own: it discards the party's live instances, so what a room shows afterwards comes from storage.
 */
class ExamplesTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String RUN = Long.toString(System.currentTimeMillis(), 36);
  private static TestHost host;

  @BeforeAll
  static void start() {
    host = TestHost.start();
  }

  @AfterAll
  static void stop() {
    host.close();
  }

  private static String room(String name) {
    return name + "-" + RUN;
  }

  private static JsonNode json(String s) throws Exception {
    return JSON.readTree(s);
  }

  /** Serves the example module {@code example} as party {@code party} too; restart: drop its live rooms. */
  private static void upload(String party, String example, boolean restart) throws Exception {
    HttpResponse<String> r =
        host.upload(
            party,
            Files.readAllBytes(TestHost.wasm("wasm", example)),
            TestHost.ADMIN_TOKEN,
            restart);
    assertEquals(200, r.statusCode(), r.body());
  }

  private static List<String> texts(JsonNode history) {
    List<String> texts = new ArrayList<>();
    history.get("messages").forEach(m -> texts.add(m.get("text").asText()));
    return texts;
  }

  // --- chat
  // ---------------------------------------------------------------------------------------

  @Test
  void chatKeepsTheLast100MessagesAndSendsThemOnConnect() throws Exception {
    String path = "/parties/chat/" + room("history");
    try (Ws writer = host.ws(path + "?_pk=w")) {
      writer.nextText();
      for (int i = 0; i < 105; i++) writer.send("m" + i);
      writer.send("quote \" backslash \\ newline \n tab \t unicode é ✓");
      // The history is kept in order; wait until the last message is in it.
      JsonNode history = null;
      for (int tries = 0; tries < 100; tries++) {
        try (Ws reader = host.ws(path + "?_pk=r")) {
          history = json(reader.nextText());
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
      assertEquals(
          "quote \" backslash \\ newline \n tab \t unicode é ✓",
          messages.get(99).get("text").asText());
      assertEquals(history, json(host.get(path).body()));
    }
  }

  @Test
  void chatHistoryComesBackFromStorageAfterAnInstanceRestart() throws Exception {
    String party = "chat-restart";
    upload(party, "chat", false);
    String path = "/parties/" + party + "/" + room("durable");
    try (Ws a = host.ws(path + "?_pk=a");
        Ws b = host.ws(path + "?_pk=b")) {
      assertEquals(0, json(a.nextText()).get("messages").size());
      b.nextText();
      for (String text : List.of("one", "two", "three")) {
        a.send(text);
        // The output gate: b sees a message only once the hook that stored it is durable.
        JsonNode m = json(b.nextText());
        assertEquals("message", m.get("type").asText());
        assertEquals(text, m.get("text").asText());
      }
      upload(party, "chat", true);
      assertEquals(1012, a.awaitClose());
      assertEquals(1012, b.awaitClose());
    }
    // A new instance: the history can only come from storage.
    try (Ws c = host.ws(path + "?_pk=c");
        Ws d = host.ws(path + "?_pk=d")) {
      JsonNode history = json(c.nextText());
      assertEquals("history", history.get("type").asText());
      assertEquals(List.of("one", "two", "three"), texts(history));
      assertEquals("a", history.get("messages").get(0).get("from").asText());
      d.nextText();
      // New messages continue after the stored ones.
      c.send("four");
      assertEquals("four", json(d.nextText()).get("text").asText());
    }
    upload(party, "chat", true);
    assertEquals(List.of("one", "two", "three", "four"), texts(json(host.get(path).body())));
  }

  @Test
  void chatKeepsTheLast100MessagesAcrossAHostRestart() throws Exception {
    TestHost own = TestHost.start();
    try {
      String path = "/parties/chat/" + room("restart");
      try (Ws w = own.ws(path + "?_pk=w");
          Ws r = own.ws(path + "?_pk=r")) {
        w.nextText();
        r.nextText();
        for (int i = 0; i < 103; i++) {
          w.send("m" + i);
          assertEquals("m" + i, json(r.nextText()).get("text").asText()); // stored and durable
        }
      }
      JsonNode before = json(own.get(path).body());
      own = own.restart();
      JsonNode history;
      try (Ws again = own.ws(path + "?_pk=again")) {
        history = json(again.nextText());
      }
      assertEquals(before, history);
      assertEquals(100, history.get("messages").size());
      assertEquals("m3", history.get("messages").get(0).get("text").asText());
      assertEquals("m102", history.get("messages").get(99).get("text").asText());
    } finally {
      own.close();
    }
  }

  // --- counter
  // ------------------------------------------------------------------------------------

  @Test
  void cursorsShowEveryoneToEveryone() throws Exception {
    String path = "/parties/cursors/" + room("cur");
    try (Ws ada = host.ws(path + "?_pk=ada&name=Ada&color=%23E11D48");
        Ws carol = host.ws(path + "?_pk=carol")) {
      ada.expectText("{\"type\":\"sync\",\"you\":\"ada\",\"users\":[]}");
      ada.expectText(
          "{\"type\":\"join\",\"id\":\"carol\",\"name\":\"guest\",\"color\":\"#64748b\","
              + "\"x\":null,\"y\":null}");
      carol.nextText(); // its sync
      ada.send("{\"type\":\"move\",\"x\":0.5,\"y\":0.25}");
      // Once carol has the move, the room has it: a newcomer's sync shows it.
      carol.expectText("{\"type\":\"move\",\"id\":\"ada\",\"x\":0.5,\"y\":0.25}");
      try (Ws bo = host.ws(path + "?_pk=bo&name=" + "b".repeat(40) + "&color=red")) {
        String b32 = "b".repeat(32);
        JsonNode sync = json(bo.nextText());
        assertEquals("bo", sync.get("you").asText());
        Map<String, String> users = new java.util.TreeMap<>();
        sync.get("users").forEach(u -> users.put(u.get("id").asText(), u.toString()));
        assertEquals(
            Map.of(
                "ada",
                "{\"id\":\"ada\",\"name\":\"Ada\",\"color\":\"#e11d48\",\"x\":0.5,\"y\":0.25}",
                "carol",
                "{\"id\":\"carol\",\"name\":\"guest\",\"color\":\"#64748b\",\"x\":null,\"y\":null}"),
            users);
        ada.expectText(
            "{\"type\":\"join\",\"id\":\"bo\",\"name\":\""
                + b32
                + "\",\"color\":\"#64748b\",\"x\":null,\"y\":null}");
        bo.send("{\"type\":\"move\",\"x\":2,\"y\":0.75}");
        ada.expectText("{\"type\":\"move\",\"id\":\"bo\",\"x\":1,\"y\":0.75}");
        bo.send("{\"type\":\"hello\",\"name\":\"Bo\",\"color\":\"#2563eb\"}");
        ada.expectText(
            "{\"type\":\"join\",\"id\":\"bo\",\"name\":\"Bo\",\"color\":\"#2563eb\","
                + "\"x\":1,\"y\":0.75}");
        bo.send("{\"type\":\"hide\"}");
        ada.expectText("{\"type\":\"move\",\"id\":\"bo\",\"x\":null,\"y\":null}");
        bo.send("nonsense");
        bo.send("{\"type\":\"move\",\"x\":\"1\",\"y\":0}");
        ada.expectNothing(100);
        bo.expectNothing(0);
      }
      ada.expectText("{\"type\":\"leave\",\"id\":\"bo\"}");
    }
  }

  @Test
  void counterCountsOverHttpAndWebSocketsAndBroadcastsToEveryone() throws Exception {
    String path = "/parties/counter/" + room("c1");
    assertEquals("{\"count\":0}", host.get(path).body());
    assertEquals("{\"count\":1}", host.post(path, "").body());
    try (Ws a = host.ws(path + "?_pk=a");
        Ws b = host.ws(path + "?_pk=b")) {
      a.expectText("{\"count\":1}");
      b.expectText("{\"count\":1}");
      a.send("inc");
      a.expectText("{\"count\":2}");
      b.expectText("{\"count\":2}");
      b.send("something else");
      a.expectNothing(100);
    }
    assertEquals("{\"count\":2}", host.get(path).body());
    assertEquals(
        405, host.send(HttpRequest.newBuilder(URI.create(host.url(path))).DELETE()).statusCode());
  }

  @Test
  void counterKeepsItsCountInStorageAcrossRestarts() throws Exception {
    String party = "counter-restart";
    upload(party, "counter", false);
    String path = "/parties/" + party + "/" + room("durable");
    assertEquals("{\"count\":0}", host.get(path).body());
    assertEquals("{\"count\":1}", host.post(path, "").body());
    assertEquals("{\"count\":2}", host.post(path, "").body());
    upload(party, "counter", true); // a new instance
    assertEquals("{\"count\":2}", host.get(path).body());
    assertEquals("{\"count\":3}", host.post(path, "").body());
    try (Ws a = host.ws(path + "?_pk=a")) {
      a.expectText("{\"count\":3}");
      a.send("inc");
      a.expectText("{\"count\":4}");
      upload(party, "counter", true);
      assertEquals(1012, a.awaitClose());
    }
    try (Ws a = host.ws(path + "?_pk=a")) {
      a.expectText("{\"count\":4}");
    }
    // Rooms of a party count apart.
    assertEquals("{\"count\":0}", host.get("/parties/" + party + "/" + room("other")).body());
  }

  @Test
  void counterSurvivesAHostRestart() throws Exception {
    TestHost own = TestHost.start();
    try {
      String path = "/parties/counter/" + room("restart");
      for (int i = 1; i <= 3; i++) assertEquals("{\"count\":" + i + "}", own.post(path, "").body());
      own = own.restart();
      assertEquals("{\"count\":3}", own.get(path).body());
      assertEquals("{\"count\":4}", own.post(path, "").body());
    } finally {
      own.close();
    }
  }

  // --- poll
  // ---------------------------------------------------------------------------------------

  @Test
  void pollClosesOnItsAlarmAndEveryConnectionGetsTheResult() throws Exception {
    String path = "/parties/poll/" + room("p");
    assertEquals(json("{\"type\":\"none\"}"), json(host.get(path).body()));
    try (Ws a = host.ws(path + "?_pk=a");
        Ws b = host.ws(path + "?_pk=b")) {
      assertEquals("none", json(a.nextText()).get("type").asText());
      assertEquals("none", json(b.nextText()).get("type").asText());
      a.send("vote:tea");
      assertEquals(json("{\"type\":\"error\",\"error\":\"no poll is open\"}"), json(a.nextText()));
      assertEquals(400, host.post(path + "?seconds=0", "Tea or coffee?").statusCode());
      assertEquals(400, host.post(path + "?seconds=3601", "Tea or coffee?").statusCode());
      assertEquals(400, host.post(path + "?seconds=1", "").statusCode());

      long before = System.currentTimeMillis();
      HttpResponse<String> opened = host.post(path + "?seconds=1", "Tea or coffee?");
      assertEquals(200, opened.statusCode(), opened.body());
      JsonNode open = json(opened.body());
      assertEquals("open", open.get("type").asText());
      assertEquals("Tea or coffee?", open.get("question").asText());
      assertEquals(0, open.get("votes").size());
      long closesAt = open.get("closesAt").asLong();
      assertTrue(
          closesAt >= before + 1000 && closesAt <= System.currentTimeMillis() + 1000,
          opened.body());
      // Connections hear about the new poll; a second one cannot open while it runs.
      assertEquals(open, json(a.nextText()));
      assertEquals(open, json(b.nextText()));
      assertEquals(409, host.post(path + "?seconds=5", "Another?").statusCode());

      a.send("vote:tea");
      for (Ws ws : new Ws[] {a, b})
        assertEquals(json("{\"tea\":1}"), json(ws.nextText()).get("votes"));
      b.send("vote:coffee");
      for (Ws ws : new Ws[] {a, b})
        assertEquals(json("{\"coffee\":1,\"tea\":1}"), json(ws.nextText()).get("votes"));

      // The alarm closes the poll about a second after it opened, and everyone gets the result.
      JsonNode closed =
          json(
              "{\"type\":\"closed\",\"question\":\"Tea or coffee?\",\"votes\":{\"coffee\":1,\"tea\":1}}");
      assertEquals(closed, json(a.nextText()));
      assertEquals(closed, json(b.nextText()));
      assertTrue(
          System.currentTimeMillis() - before < 5000,
          "closed after " + (System.currentTimeMillis() - before) + " ms");

      // The result stays: over HTTP, for new connections, and votes no longer count.
      assertEquals(closed, json(host.get(path).body()));
      try (Ws c = host.ws(path + "?_pk=c")) {
        assertEquals(closed, json(c.nextText()));
        c.send("vote:tea");
        assertEquals(
            json("{\"type\":\"error\",\"error\":\"no poll is open\"}"), json(c.nextText()));
      }
      a.expectNothing(100);
    }
    assertEquals(
        405, host.send(HttpRequest.newBuilder(URI.create(host.url(path))).DELETE()).statusCode());
  }

  @Test
  void pollVotesAreOnePerConnectionIdAndOutliveARestart() throws Exception {
    String party = "poll-restart";
    upload(party, "poll", false);
    String path = "/parties/" + party + "/" + room("durable");
    assertEquals(200, host.post(path + "?seconds=3600", "Best editor?").statusCode());
    try (Ws a = host.ws(path + "?_pk=alice");
        Ws b = host.ws(path + "?_pk=bob")) {
      a.nextText();
      b.nextText();
      a.send("vote:vi");
      b.nextText();
      b.send("vote:emacs");
      b.nextText();
      a.send("vote:emacs"); // replaces alice's vote
      assertEquals(json("{\"emacs\":2}"), json(b.nextText()).get("votes"));
    }
    // Same id on a new connection: still one vote.
    try (Ws a = host.ws(path + "?_pk=alice")) {
      assertEquals(json("{\"emacs\":2}"), json(a.nextText()).get("votes"));
      a.send("vote:nano");
      assertEquals(json("{\"emacs\":1,\"nano\":1}"), json(a.nextText()).get("votes"));
    }
    upload(party, "poll", true);
    JsonNode state = json(host.get(path).body());
    assertEquals("open", state.get("type").asText());
    assertEquals("Best editor?", state.get("question").asText());
    assertEquals(json("{\"emacs\":1,\"nano\":1}"), state.get("votes"));
  }

  @Test
  void pollAlarmIsKeptAcrossAHostRestart() throws Exception {
    TestHost own = TestHost.start();
    try {
      String path = "/parties/poll/" + room("restart");
      HttpResponse<String> opened = own.post(path + "?seconds=2", "Still there?");
      assertEquals(200, opened.statusCode(), opened.body());
      try (Ws a = own.ws(path + "?_pk=a")) {
        a.nextText();
        a.send("vote:yes");
        assertEquals(json("{\"yes\":1}"), json(a.nextText()).get("votes"));
      }
      // Down across (or just before) the deadline: the stored alarm fires after the start.
      own = own.restart();
      try (Ws b = own.ws(path + "?_pk=b")) {
        JsonNode closed =
            json("{\"type\":\"closed\",\"question\":\"Still there?\",\"votes\":{\"yes\":1}}");
        JsonNode state = json(b.nextText());
        if (!"closed".equals(state.get("type").asText())) {
          assertEquals("open", state.get("type").asText());
          assertEquals(json("{\"yes\":1}"), state.get("votes"));
          state = json(b.nextText()); // the closed broadcast
        }
        assertEquals(closed, state);
      }
    } finally {
      own.close();
    }
  }

  @Test
  void pollAlarmWakesARoomThatHasNoInstance() throws Exception {
    // Rooms without connections are dropped after 100 ms here: the alarm finds the room gone.
    try (TestHost quick = TestHost.start(c -> c.roomIdleMs = 100)) {
      String path = "/parties/poll/" + room("cold");
      HttpResponse<String> opened = quick.post(path + "?seconds=1", "Anyone?");
      assertEquals(200, opened.statusCode(), opened.body());
      // Not a request before the alarm: the room leaves, and nothing but the alarm brings it back,
      // which loads its data a second time.
      JsonNode[] gone = new JsonNode[1];
      Poll.until(
          () -> {
            gone[0] = quick.stats();
            return gone[0].get("rooms").asInt() == 0;
          },
          Ws.TIMEOUT_MS);
      assertEquals(
          1,
          gone[0].get("loads").get("count").asLong(),
          "the room was gone before its alarm: " + gone[0]);
      Poll.until(() -> quick.stats().get("loads").get("count").asLong() == 2, Ws.TIMEOUT_MS);
      JsonNode state = json(quick.get(path).body());
      for (int tries = 0; tries < 50 && !"closed".equals(state.get("type").asText()); tries++) {
        Thread.sleep(100);
        state = json(quick.get(path).body());
      }
      assertEquals(json("{\"type\":\"closed\",\"question\":\"Anyone?\",\"votes\":{}}"), state);
    }
  }
}
