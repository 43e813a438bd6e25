package dev.partyhost;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partyhost.guest.ExecutionMode;
import dev.partyhost.guest.GuestModule;
import dev.partyhost.guest.ModuleRejectedException;
import dev.partyhost.room.HostCalls;
import dev.partyhost.support.TestHost;
import java.nio.file.Files;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** What the loader refuses beyond the conformance material: garbage, truncation, size and memory limits. */
class ModuleValidationTest {
  private static String rejection(byte[] bytes, int maxBytes, int maxPages) {
    return assertThrows(ModuleRejectedException.class,
        () -> GuestModule.load(bytes, HostCalls.SIGNATURES, ExecutionMode.COMPILED, maxBytes, maxPages)).getMessage();
  }

  @Test
  void garbageAndTruncatedModulesAreRefused() throws Exception {
    assertTrue(rejection(new byte[0], 1 << 20, 256).startsWith("not a valid wasm module"));
    assertTrue(rejection("hello".getBytes(), 1 << 20, 256).startsWith("not a valid wasm module"));
    byte[] chat = Files.readAllBytes(TestHost.wasm("wasm", "chat"));
    for (int cut : new int[] {8, 100, chat.length / 2, chat.length - 1}) {
      // Chicory may parse a cut module as a shorter one; then validation refuses what is missing.
      assertTrue(!rejection(Arrays.copyOf(chat, cut), 1 << 20, 256).isBlank());
    }
  }

  @Test
  void sizeAndMemoryLimits() throws Exception {
    byte[] chat = Files.readAllBytes(TestHost.wasm("wasm", "chat"));
    assertTrue(rejection(chat, chat.length - 1, 256).startsWith("module too large"));
    assertTrue(rejection(chat, chat.length, 1).startsWith("memory too large"));
  }

  @Test
  void theExamplesLoadInBothModes() throws Exception {
    for (String name : new String[] {"chat", "counter", "relay-c", "relay-rust"}) {
      byte[] bytes = Files.readAllBytes(TestHost.wasm("wasm", name));
      for (ExecutionMode mode : ExecutionMode.values()) GuestModule.load(bytes, HostCalls.SIGNATURES, mode, 1 << 24, 256);
    }
  }
}
