package dev.partyhost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partyhost.support.TestHost;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The demo page that {@code make run} serves at / (build/web, made by {@code make web}) in a real
 * browser: Debian's Chromium, headless, driven by playwright-core (host/src/test/node/browser-demo.mjs
 * says what it checks). Two people see each other's cursors and chat; the host restarts on the same
 * port and data; both pages reconnect and go on. The screenshot is kept in
 * host/target/browser-demo.png.
 */
class BrowserDemoTest {
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");

  @Test
  @Timeout(value = 150, unit = TimeUnit.SECONDS)
  void twoPeopleChatAndSeeEachOthersCursorsAcrossAHostRestart() throws Exception {
    Path web = TestHost.root().resolve("build/web");
    assertTrue(
        Files.exists(web.resolve("index.html")) && Files.exists(web.resolve("app.js")),
        web + " is missing: run the tests with `make test` (it runs `make web`)");
    assertTrue(
        Files.isExecutable(CHROMIUM),
        CHROMIUM + " is missing: `make test` installs Debian's chromium (as root)");
    Path screenshot = TestHost.root().resolve("host/target/browser-demo.png");
    long started = System.nanoTime();
    Files.deleteIfExists(screenshot);

    TestHost host = TestHost.start(c -> c.staticDir = web.toString());
    Process node =
        new ProcessBuilder(
                List.of(
                    "node",
                    "host/src/test/node/browser-demo.mjs",
                    Integer.toString(host.port()),
                    "demo-" + System.nanoTime(),
                    screenshot.toString()))
            .directory(TestHost.root().toFile())
            .redirectErrorStream(true)
            .start();
    StringBuilder output = new StringBuilder();
    try (BufferedReader lines =
            new BufferedReader(
                new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8));
        Writer toNode = new OutputStreamWriter(node.getOutputStream(), StandardCharsets.UTF_8)) {
      String line;
      while ((line = lines.readLine()) != null) {
        output.append(line).append('\n');
        if (line.equals("READY")) {
          output.append("(host restart at ").append(seconds(started)).append(" s)\n");
          host = host.restart();
          toNode.write("RESTARTED\n");
          toNode.flush();
          output.append("(host up again at ").append(seconds(started)).append(" s)\n");
        }
      }
      System.out.print(output); // the script's timings, in the test's report
      assertTrue(node.waitFor(30, TimeUnit.SECONDS), output.toString());
      assertEquals(0, node.exitValue(), output.toString());
      assertTrue(output.toString().contains("\nOK\n"), output.toString());
      System.out.println("(done at " + seconds(started) + " s)");
      assertTrue(Files.size(screenshot) > 10_000, "no screenshot:\n" + output);
    } finally {
      // The script closes its browser itself, also on failure; this ends a hung one (Chromium
      // quits when its pipe to the script closes).
      node.destroyForcibly();
      host.close();
    }
  }

  private static String seconds(long since) {
    return String.format(java.util.Locale.ROOT, "%.1f", (System.nanoTime() - since) / 1e9);
  }
}
