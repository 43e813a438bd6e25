package dev.partyhost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partyhost.support.TestHost;
import dev.partyhost.support.Ws;
import org.junit.jupiter.api.Test;

/**
 * The WASI calls the host binds itself (guest.Wasi), through the "wasi-calls" test guest: the clock
 * and random answer, and proc_exit is a trap that resets only its room. (fd_write, stdout and stderr:
 * GuestServicesTest.)
 */
class WasiTest {
  @Test
  void theClockAndRandomAnswerAndExitResetsTheRoom() {
    try (TestHost host = TestHost.start();
        Ws a = host.ws("/parties/wasi-calls/one?_pk=a");
        Ws other = host.ws("/parties/wasi-calls/two?_pk=b")) {
      long before = System.currentTimeMillis() * 1_000_000;
      a.send("clock");
      long nanos = Long.parseLong(a.nextText());
      assertTrue(
          nanos >= before && nanos <= (System.currentTimeMillis() + 1000) * 1_000_000,
          "clock_time_get said " + nanos);
      a.send("random").expectText("0 y");
      a.send("exit");
      assertEquals(1011, a.awaitClose());
      other.send("random").expectText("0 y"); // the other room goes on
    }
  }
}
