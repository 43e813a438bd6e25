package dev.partyhost;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partyhost.support.NodeScript;
import dev.partyhost.support.TestHost;
import org.junit.jupiter.api.Test;

/** PartyKit's own npm client, unmodified, against the host (host/src/test/node, versions in its package-lock). */
class PartysocketTest {
  @Test
  void partysocketTalksToTheChatParty() throws Exception {
    try (TestHost host = TestHost.start()) {
      String output = NodeScript.run("partysocket-check.mjs", Integer.toString(host.port()));
      assertTrue(output.contains(", 0 failed"), output);
    }
  }
}
