package dev.partyhost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partyhost.support.TestHost;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** PartyKit's own npm client, unmodified, against the host (host/src/test/node, versions in its package-lock). */
class PartysocketTest {
  @Test
  void partysocketTalksToTheChatParty() throws Exception {
    try (TestHost host = TestHost.start()) {
      Process node =
          new ProcessBuilder(
                  "node", "host/src/test/node/partysocket-check.mjs", Integer.toString(host.port()))
              .directory(TestHost.root().toFile())
              .redirectErrorStream(true)
              .start();
      boolean done = node.waitFor(60, TimeUnit.SECONDS);
      String output = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!done) node.destroyForcibly();
      assertTrue(done, "node did not finish:\n" + output);
      assertEquals(0, node.exitValue(), output);
      assertTrue(output.contains(", 0 failed"), output);
    }
  }
}
