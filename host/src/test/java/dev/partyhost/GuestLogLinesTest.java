package dev.partyhost;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.partyhost.support.LogCapture;
import dev.partyhost.support.TestHost;
import dev.partyhost.support.Ws;
import org.junit.jupiter.api.Test;

/** A guest's log line reaches the host log on one line, tagged, with no control character left in it. */
class GuestLogLinesTest {
  @Test
  void aGuestCannotEraseItsTagOrForgeAHostLine() {
    String forged =
        "\r\u001b[2K\u001b[1A2026-12-06 03:00:00 INFO    partyhost.room [chat/x] forged\u0085\u2028\u000b\f\b";
    try (LogCapture log = new LogCapture("partyhost.guest");
        TestHost host = TestHost.start();
        Ws ws = host.ws("/parties/hostile-c/logline")) {
      ws.send("log " + forged).expectText("logged 0");
      String line = log.awaitLine(m -> m.startsWith("[hostile-c/logline] "));
      assertEquals(
          "[hostile-c/logline] \\r\\u001b[2K\\u001b[1A2026-12-06 03:00:00 INFO    partyhost.room [chat/x] forged"
              + "\\u0085\\u2028\\u000b\\u000c\\u0008",
          line);
    }
  }
}
