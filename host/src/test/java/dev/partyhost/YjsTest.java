package dev.partyhost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partyhost.support.LogCapture;
import dev.partyhost.support.NodeScript;
import dev.partyhost.support.TestHost;
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
   * A document of 1.2 MB, over the 1 MiB message limit and one stored value's half: a late joiner
   * gets it in parts at its first sync, and it is whole after a restart.
   */
  @Test
  void aDocumentLargerThanOneMessageReachesALateJoinerAndSurvivesARestart() throws Exception {
    String room = "big-" + Long.toString(System.nanoTime(), 36);
    TestHost host = TestHost.start();
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
