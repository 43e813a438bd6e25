package dev.partyhost.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A Node.js script of host/src/test/node (real npm clients such as partysocket), run to its end. */
public final class NodeScript {
  private NodeScript() {}

  /** Runs {@code script} with {@code args} from the repository root; its output, once it exited 0. */
  public static String run(String script, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("node", "host/src/test/node/" + script));
    command.addAll(List.of(args));
    Process node =
        new ProcessBuilder(command)
            .directory(TestHost.root().toFile())
            .redirectErrorStream(true)
            .start();
    boolean done = node.waitFor(60, TimeUnit.SECONDS);
    if (!done) node.destroyForcibly();
    String output = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(done, "node did not finish:\n" + output);
    assertEquals(0, node.exitValue(), output);
    return output;
  }
}
