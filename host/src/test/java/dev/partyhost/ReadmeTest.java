package dev.partyhost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partyhost.support.TestHost;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The README's commands, run as written (with the test host's port), from the repository root. */
class ReadmeTest {
  /** The node one-liner of "Try it": `ws` resolves from the repository root, where `make run` installs it. */
  @Test
  void theNodeOneLinerReceivesTheMainPartysFirstMessage() throws Exception {
    String readme = Files.readString(TestHost.root().resolve("README.md"));
    String line = readme.lines().filter(l -> l.startsWith("node -e '")).findFirst().orElseThrow();
    try (TestHost host = TestHost.start()) { // main party: chat, as in `make run`
      String command = line.replace("127.0.0.1:1999", "127.0.0.1:" + host.port());
      assertTrue(!command.equals(line), "the line no longer names 127.0.0.1:1999: " + line);
      Process node =
          new ProcessBuilder("bash", "-c", command)
              .directory(TestHost.root().toFile())
              .redirectErrorStream(true)
              .start();
      boolean done = node.waitFor(30, TimeUnit.SECONDS);
      String output = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!done) node.destroyForcibly();
      assertTrue(done, "node did not finish:\n" + output);
      assertEquals(0, node.exitValue(), output);
      assertEquals("{\"type\":\"history\",\"messages\":[]}\n", output);
    }
  }
}
