package dev.partyhost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.partyhost.support.HostProcess;
import dev.partyhost.support.LogCapture;
import dev.partyhost.support.TestHost;
import dev.partyhost.support.Ws;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

/** {@code --log-format json} (one JSON object per line) and the DEBUG lines of connections and requests. */
class LogFormatTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * A host process with {@code --log-format json}: every line it prints is a JSON object, its start
   * and stop lines too, and a guest's lines have party and room as fields of their own.
   */
  @Test
  void withJsonEveryLineIsAnObjectAndGuestLinesKeepPartyAndRoom() throws Exception {
    int port = HostProcess.freePort();
    String dataDir =
        Files.createTempDirectory(
                Files.createDirectories(TestHost.root().resolve("host/target")), "data-")
            .toString();
    HostProcess host =
        HostProcess.start(
            port,
            List.of("--data-dir", dataDir, "--guest-log-level", "DEBUG", "--log-format", "json"),
            Map.of());
    try {
      HttpResponse<String> r =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + port + "/parties/stdio-config/dbg"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertEquals("none", r.body());
      host.process.destroy(); // SIGTERM: the stop lines too
      assertEquals(143, host.awaitExit(30), host.output());
    } finally {
      host.process.destroyForcibly();
    }
    List<JsonNode> lines = new ArrayList<>();
    for (String line : host.output().split("\n")) {
      if (line.isBlank()) continue;
      JsonNode json = JSON.readTree(line); // throws on a line that is not JSON
      assertTrue(json.isObject(), line);
      assertNotNull(Instant.parse(json.get("time").asText()), line);
      assertNotNull(json.get("level").textValue(), line);
      assertNotNull(json.get("logger").textValue(), line);
      assertNotNull(json.get("message").textValue(), line);
      lines.add(json);
    }
    assertTrue(
        lines.stream()
            .anyMatch(l -> l.get("message").asText().startsWith("partyhost listening on http://")),
        host.output());
    assertTrue(
        lines.stream().anyMatch(l -> l.get("message").asText().equals("partyhost stopped")),
        host.output());
    JsonNode debug =
        lines.stream()
            .filter(l -> "a debug line".equals(l.get("message").asText()))
            .findFirst()
            .orElseThrow(() -> new AssertionError(host.output()));
    assertEquals("DEBUG", debug.get("level").asText());
    assertEquals("partyhost.guest.stdio-config", debug.get("logger").asText());
    assertEquals("stdio-config", debug.get("party").asText());
    assertEquals("dbg", debug.get("room").asText());
    JsonNode stderr =
        lines.stream()
            .filter(l -> "oops on stderr".equals(l.get("message").asText()))
            .findFirst()
            .orElseThrow(() -> new AssertionError(host.output()));
    assertEquals("WARNING", stderr.get("level").asText());
  }

  /** A record with an exception: its stack trace in {@code thrown}; control characters stay escaped. */
  @Test
  void aThrownExceptionIsItsStackTraceOnTheSameLine() throws Exception {
    LogRecord record = new LogRecord(Level.SEVERE, "commit failed\nsecond line");
    record.setLoggerName("partyhost.room");
    record.setThrown(new IllegalStateException("disk gone"));
    String line = new JsonLogFormatter().format(record);
    assertEquals(1, line.strip().split("\n").length, line);
    JsonNode json = JSON.readTree(line);
    assertEquals("ERROR", json.get("level").asText());
    assertEquals("partyhost.room", json.get("logger").asText());
    assertEquals("commit failed\nsecond line", json.get("message").asText());
    assertTrue(
        json.get("thrown").asText().startsWith("java.lang.IllegalStateException: disk gone"), line);
  }

  /** At DEBUG: a line per WebSocket opened and closed (with its code) and per HTTP request to a room. */
  @Test
  void debugLinesForConnectionsAndRequests() throws Exception {
    try (LogCapture room = new LogCapture("partyhost.room");
        LogCapture http = new LogCapture("partyhost.http");
        TestHost host = TestHost.start()) {
      try (Ws ws = host.ws("/parties/relay-c/logged?_pk=alice")) {
        room.awaitLine(m -> m.equals("[relay-c/logged] WebSocket alice opened"));
      }
      room.awaitLine(m -> m.equals("[relay-c/logged] WebSocket alice closed, code 1000"));
      assertEquals(200, host.post("/parties/counter/logged", "").statusCode());
      http.awaitLine(m -> m.matches("HTTP POST /parties/counter/logged 200 in \\d+ ms"));
      assertEquals(404, host.get("/parties/nope/logged").statusCode());
      http.awaitLine(m -> m.matches("HTTP GET /parties/nope/logged 404 in \\d+ ms"));
    }
  }
}
