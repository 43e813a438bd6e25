package dev.partyhost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.partyhost.support.TestHost;
import java.lang.ref.WeakReference;
import org.junit.jupiter.api.Test;

/**
 * A host that stopped leaves nothing reachable behind in its JVM: not its rooms, modules or Vert.x.
 * (The CPU-deadline watchdog, one per JVM, held every event-loop thread that ever ran a guest, and
 * through it the whole host: about 22 MiB per test host, growing with every host a test JVM ran.)
 */
class StoppedHostTest {
  @Test
  void aStoppedHostCanBeCollected() throws Exception {
    WeakReference<Object> rooms;
    try (TestHost host = TestHost.start()) {
      // A room runs hooks on an event loop: the watchdog watches that thread.
      assertEquals("{\"count\":1}", host.post("/parties/counter/r", "").body());
      rooms = new WeakReference<>(host.host.rooms());
    }
    for (int i = 0; i < 100 && rooms.get() != null; i++) {
      System.gc();
      Thread.sleep(50);
    }
    assertNull(rooms.get(), "the stopped host's rooms are still reachable");
  }
}
