package dev.partyhost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partyhost.support.LogCapture;
import dev.partyhost.support.TestHost;
import dev.partyhost.support.Ws;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.Test;

/** {@code --watch}: modules copied into the parties folder are swapped in while the host runs. */
class FolderWatchTest {
  @Test
  void aChangedModuleIsSwappedInABadOneIsRefusedAndANewOneIsServed() throws Exception {
    Path dir = Files.createTempDirectory(TestHost.root().resolve("host/target"), "watch-");
    Path served = dir.resolve("w.wasm");
    Files.copy(TestHost.wasm("wasm", "relay-rust"), served);
    try (LogCapture log = new LogCapture("partyhost.parties");
        TestHost host =
            TestHost.start(
                c -> {
                  c.parties = dir.toString();
                  c.mainParty = "w";
                  c.watch = true;
                })) {
      // The relay has no on_request; the chat party answers GET with its history.
      assertNotEquals(200, host.get("/parties/w/r").statusCode());
      try (Ws ws = host.ws("/parties/w/r")) {
        Files.copy(TestHost.wasm("wasm", "chat"), served, StandardCopyOption.REPLACE_EXISTING);
        assertEquals(1012, ws.awaitClose(), "a live room restarts for the new version");
      }
      assertTrue(
          log.awaitLine(l -> l.contains("party w reloaded from")).contains("1 rooms restarted"));
      assertEquals(200, host.get("/parties/w/r").statusCode());

      Files.write(served, "not a module".getBytes(StandardCharsets.UTF_8));
      String refused = log.awaitLine(l -> l.contains("not reloaded"));
      assertTrue(refused.contains("the previous version serves on"), refused);
      assertEquals(200, host.get("/parties/w/r").statusCode(), "the chat party serves on");

      Files.copy(TestHost.wasm("wasm", "chat"), dir.resolve("n.wasm"));
      log.awaitLine(l -> l.contains("party n reloaded from"));
      assertEquals(200, host.get("/parties/n/r").statusCode());
    }
  }
}
