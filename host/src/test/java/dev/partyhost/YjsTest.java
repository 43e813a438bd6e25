package dev.partyhost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partyhost.support.LogCapture;
import dev.partyhost.support.NodeScript;
import dev.partyhost.support.TestHost;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Real Yjs clients (yjs and y-websocket's provider, host/src/test/node, versions in its
 * package-lock) editing through the {@code yjs} example party.
 */
class YjsTest {
  /**
   * Three clients edit at once and converge; the room hibernates; a late joiner is complete at its
   * first sync and sees the awareness the others announced before; awareness disappears with its
   * connection; after a host restart a new client reads the same document.
   */
  @Test
  void yjsClientsConvergeAndTheDocumentSurvivesHibernationAndARestart() throws Exception {
    String room = "doc-" + Long.toString(System.nanoTime(), 36);
    TestHost host = TestHost.start(c -> c.roomIdleMs = 300);
    try (LogCapture log = new LogCapture("partyhost.room")) {
      String edited = NodeScript.run("yjs-check.mjs", Integer.toString(host.port()), "edit", room);
      assertTrue(edited.contains("yjs-check: OK"), edited);
      String hibernated = "[yjs/" + room + "] hibernating with 3 connections";
      assertTrue(
          log.messages().stream().anyMatch(m -> m.contains(hibernated)), log.messages()::toString);
      host = host.restart();
      String reloaded =
          NodeScript.run("yjs-check.mjs", Integer.toString(host.port()), "reload", room);
      assertTrue(reloaded.contains("yjs-check: OK"), reloaded);
      assertEquals(stateLine(edited), stateLine(reloaded));
    } finally {
      host.close();
    }
  }

  /**
   * A document of 2.7 MB, over the 1 MiB message limit and one stored value: updates of 400 KB, then
   * one of 1.5 MB that y-partykit's provider sends in chunks; a follower gets them (the big one in
   * parts), a late joiner gets it all in parts at its first sync, and it is whole after a restart.
   */
  @Test
  void aDocumentLargerThanOneMessageReachesALateJoinerAndSurvivesARestart() throws Exception {
    String room = "big-" + Long.toString(System.nanoTime(), 36);
    // The room merges every update into the whole document: on a cold host (Wasm not yet
    // JIT-compiled)
    // a merge of megabytes can take longer than the default 100 ms CPU deadline.
    TestHost host = TestHost.start(c -> c.partyLimits.put("yjs", Map.of("hookDeadlineMs", 2_000L)));
    try {
      String written = NodeScript.run("yjs-check.mjs", Integer.toString(host.port()), "big", room);
      assertTrue(written.contains("yjs-check: OK"), written);
      host = host.restart();
      String reloaded =
          NodeScript.run("yjs-check.mjs", Integer.toString(host.port()), "reload", room);
      assertEquals(stateLine(written), stateLine(reloaded));
    } finally {
      host.close();
    }
  }

  private static String stateLine(String output) {
    return output
        .lines()
        .filter(l -> l.startsWith("yjs-state: "))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no yjs-state line in:\n" + output));
  }
}
