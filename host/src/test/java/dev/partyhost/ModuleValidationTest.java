package dev.partyhost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.dylibso.chicory.wasm.Parser;
import dev.partyhost.guest.Abi;
import dev.partyhost.guest.ExecutionMode;
import dev.partyhost.guest.GuestModule;
import dev.partyhost.guest.ModuleRejectedException;
import dev.partyhost.room.HostCalls;
import dev.partyhost.support.TestHost;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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
  void aTypeThatClaimsMoreValuesThanItsSectionHoldsIsRefusedBeforeParsing() throws Exception {
    // 21 bytes claiming 300 million parameters: parsed naively, gigabytes of arrays (found by fuzzing).
    byte[] module = Files.readAllBytes(TestHost.root().resolve(
        "host/src/test/resources/dev/partyhost/fuzz/ModuleLoaderFuzzTestInputs/crash-huge-param-count.wasm"));
    String why = rejection(module, 1 << 20, 256);
    assertTrue(why.contains("declares 300000000 value types"), why);
  }

  @Test
  void sizeAndMemoryLimits() throws Exception {
    byte[] chat = Files.readAllBytes(TestHost.wasm("wasm", "chat"));
    assertTrue(rejection(chat, chat.length - 1, 256).startsWith("module too large"));
    assertTrue(rejection(chat, chat.length, 1).startsWith("memory too large"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"c-sdk-all-abi", "rust-sdk-all-abi"})
  void eachSdkDeclaresEveryHostCallAsTheHostDefinesIt(String module) throws Exception {
    byte[] bytes = Files.readAllBytes(TestHost.wasm("test-wasm", module));
    GuestModule.load(bytes, HostCalls.SIGNATURES, ExecutionMode.COMPILED, 1 << 24, 256); // signatures match
    Set<String> imported = new TreeSet<>();
    Parser.parse(bytes).importSection().stream()
        .filter(i -> i.module().equals(Abi.IMPORT_MODULE)).forEach(i -> imported.add(i.name()));
    assertEquals(new TreeSet<>(HostCalls.SIGNATURES.keySet()), imported);
  }

  @Test
  void theExamplesLoadInBothModes() throws Exception {
    for (String name : new String[] {"auth", "chat", "counter", "poll", "relay-c", "relay-rust"}) {
      byte[] bytes = Files.readAllBytes(TestHost.wasm("wasm", name));
      for (ExecutionMode mode : ExecutionMode.values()) GuestModule.load(bytes, HostCalls.SIGNATURES, mode, 1 << 24, 256);
    }
  }
}
