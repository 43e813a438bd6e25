package dev.partyhost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partyhost.support.TestHost;
import java.net.http.HttpResponse;
import dev.partyhost.support.LogCapture;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the host gives guests besides rooms: WASI stdio into the host log, per-party config values. */
class GuestServicesTest {
  @Test
  void wasiStdoutGoesToTheHostLogAndConfigValuesReachTheGuest() {
    try (LogCapture log = new LogCapture("partyhost.guest");
         TestHost host = TestHost.start(c -> c.vars = Map.of("stdio-config", Map.of("greeting", "hello, room")))) {
      HttpResponse<String> r = host.get("/parties/stdio-config/room-7");
      assertEquals(200, r.statusCode());
      assertEquals("hello, room", r.body());
      assertTrue(log.messages().contains("[stdio-config/room-7] hello from wasi"), log.messages().toString());
    }
    try (TestHost host = TestHost.start()) {
      assertEquals(404, host.get("/parties/stdio-config/room-7").statusCode());
    }
  }
}
