package dev.partyhost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.partyhost.support.LogCapture;
import dev.partyhost.support.Poll;
import dev.partyhost.support.TestHost;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Spare instances: a room that starts takes an instance built ahead, and that instance is wholly the
 * room's (its host calls, storage and stdio), as one built for it would be.
 */
class SpareInstancesTest {
  private static JsonNode spares(TestHost host) {
    return host.stats().path("spareInstances");
  }

  @Test
  void roomsStartedFromSparesAreTheirOwn() throws Exception {
    try (LogCapture log = new LogCapture("partyhost.guest");
        TestHost host =
            TestHost.start(c -> c.vars = Map.of("stdio-config", Map.of("greeting", "hi")))) {
      // The counter keeps its count in storage: each room's must be its own.
      assertEquals("{\"count\":1}", host.post("/parties/counter/r0", "").body());
      for (int i = 1; i <= 6; i++) {
        Poll.until(() -> spares(host).path("ready").asInt() > 0, 10_000);
        assertEquals("{\"count\":1}", host.post("/parties/counter/r" + i, "").body());
        assertEquals("{\"count\":2}", host.post("/parties/counter/r" + i, "").body());
        // stdio-config writes to WASI stdout when it starts: the line names its own room.
        Poll.until(() -> spares(host).path("ready").asInt() > 0, 10_000);
        assertEquals(200, host.get("/parties/stdio-config/s" + i).statusCode());
      }
      assertTrue(spares(host).path("taken").asInt() >= 6, spares(host).toString());
      for (int i = 1; i <= 6; i++) {
        String line = "[stdio-config/s" + i + "] hello from wasi";
        List<String> lines = log.messages();
        assertEquals(1, lines.stream().filter(m -> m.contains(line)).count(), lines.toString());
      }
      assertEquals("{\"count\":2}", host.get("/parties/counter/r3").body());
    }
  }

  @Test
  void offTheyAreNeitherBuiltNorTaken() throws Exception {
    try (TestHost host = TestHost.start(s -> s.spareInstances = false)) {
      for (int i = 0; i < 3; i++)
        assertEquals("{\"count\":1}", host.post("/parties/counter/r" + i, "").body());
      Thread.sleep(200); // time enough for a spare to be built, were it on
      assertEquals(0, spares(host).path("ready").asInt());
      assertEquals(0, spares(host).path("taken").asInt());
    }
  }
}
