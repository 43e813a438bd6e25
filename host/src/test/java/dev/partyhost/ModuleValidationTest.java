package dev.partyhost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.dylibso.chicory.wasm.Parser;
import dev.partyhost.guest.Abi;
import dev.partyhost.guest.ExecutionMode;
import dev.partyhost.guest.GuestModule;
import dev.partyhost.guest.ModuleRejectedException;
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
    return assertThrows(
            ModuleRejectedException.class,
            () -> GuestModule.load(bytes, ExecutionMode.COMPILED, maxBytes, maxPages))
        .getMessage();
  }

  @Test
  void garbageAndTruncatedModulesAreRefused() throws Exception {
    assertTrue(rejection(new byte[0], 1 << 20, 256).startsWith("not a valid wasm module"));
    assertTrue(
        rejection("hello".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 1 << 20, 256)
            .startsWith("not a valid wasm module"));
    byte[] chat = Files.readAllBytes(TestHost.wasm("wasm", "chat"));
    for (int cut : new int[] {8, 100, chat.length / 2, chat.length - 1}) {
      // Chicory may parse a cut module as a shorter one; then validation refuses what is missing.
      assertTrue(!rejection(Arrays.copyOf(chat, cut), 1 << 20, 256).isBlank());
    }
  }

  @Test
  void aFunctionTooLargeToCompileIsRefusedRatherThanInterpreted() throws Exception {
    // The interpreter does not check for interrupts at every back-edge: the deadline needs compiled
    // code.
    String why = rejection(moduleWithOnStartOf(40_000), 1 << 24, 256);
    assertTrue(why.startsWith("module does not compile"), why);
    GuestModule.load(
        moduleWithOnStartOf(10), ExecutionMode.COMPILED, 1 << 24, 256); // a small one loads
  }

  /** A valid ABI v1 module whose on_start is {@code pairs} times (i32.const 0, drop), built byte by byte. */
  private static byte[] moduleWithOnStartOf(int pairs) {
    java.io.ByteArrayOutputStream code = new java.io.ByteArrayOutputStream();
    code.write(0); // no locals
    for (int i = 0; i < pairs; i++) code.writeBytes(new byte[] {0x41, 0x00, 0x1a});
    code.writeBytes(new byte[] {0x41, 0x00, 0x0b});
    return moduleWithOnStart(code.toByteArray());
  }

  /** A valid ABI v1 module whose on_start is one br_table of {@code targets} targets, all to one block. */
  static byte[] moduleWithBranchTableOf(int targets) {
    java.io.ByteArrayOutputStream code = new java.io.ByteArrayOutputStream();
    code.write(0); // no locals
    code.writeBytes(new byte[] {0x02, 0x40, 0x41, 0x00, 0x0e}); // block, i32.const 0, br_table
    leb(code, targets);
    for (int i = 0; i <= targets; i++) code.write(0); // every target, then the default: the block
    code.writeBytes(new byte[] {0x0b, 0x41, 0x00, 0x0b}); // end of block, i32.const 0, end
    return moduleWithOnStart(code.toByteArray());
  }

  /** A valid ABI v1 module with this on_start body (locals and code, with its end). */
  private static byte[] moduleWithOnStart(byte[] big) {
    java.io.ByteArrayOutputStream m = new java.io.ByteArrayOutputStream();
    m.writeBytes(new byte[] {0, 'a', 's', 'm', 1, 0, 0, 0});
    section(
        m, 1, new byte[] {2, 0x60, 0, 1, 0x7f, 0x60, 1, 0x7f, 1, 0x7f}); // () -> i32, (i32) -> i32
    section(m, 3, new byte[] {3, 0, 1, 0});
    section(m, 5, new byte[] {1, 0, 1}); // one memory, 1 page
    java.io.ByteArrayOutputStream exports = new java.io.ByteArrayOutputStream();
    exports.write(4);
    export(exports, "memory", 2, 0);
    export(exports, "partyhost_abi_version", 0, 0);
    export(exports, "partyhost_alloc", 0, 1);
    export(exports, "partyhost_on_start", 0, 2);
    section(m, 7, exports.toByteArray());
    java.io.ByteArrayOutputStream bodies = new java.io.ByteArrayOutputStream();
    bodies.write(3);
    body(bodies, new byte[] {0, 0x41, 1, 0x0b});
    body(bodies, new byte[] {0, 0x41, 0, 0x0b});
    body(bodies, big);
    section(m, 10, bodies.toByteArray());
    return m.toByteArray();
  }

  private static void section(java.io.ByteArrayOutputStream out, int id, byte[] content) {
    out.write(id);
    leb(out, content.length);
    out.writeBytes(content);
  }

  private static void export(java.io.ByteArrayOutputStream out, String name, int kind, int index) {
    leb(out, name.length());
    out.writeBytes(name.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    out.write(kind);
    leb(out, index);
  }

  private static void body(java.io.ByteArrayOutputStream out, byte[] body) {
    leb(out, body.length);
    out.writeBytes(body);
  }

  private static void leb(java.io.ByteArrayOutputStream out, int v) {
    do {
      int b = v & 0x7f;
      v >>>= 7;
      out.write(v != 0 ? b | 0x80 : b);
    } while (v != 0);
  }

  @Test
  void aBranchTableTooLargeToCompileQuicklyIsRefusedBeforeCompiling() throws Exception {
    // 1,000,000 targets: Chicory's compiler would take minutes (quadratic); refused at once
    // instead.
    long start = System.nanoTime();
    String why = rejection(moduleWithBranchTableOf(1_000_000), 1 << 24, 256);
    long ms = (System.nanoTime() - start) / 1_000_000;
    assertEquals(
        "function 2 has a br_table of 1000000 targets, the limit is 10000 (compiling it would take"
            + " too long)",
        why);
    assertTrue(ms < 10_000, "refused after " + ms + " ms");
    GuestModule.load(moduleWithBranchTableOf(10_000), ExecutionMode.COMPILED, 1 << 24, 256);
    // The interpreter has no compile step: there the table is fine.
    GuestModule.load(moduleWithBranchTableOf(1_000_000), ExecutionMode.INTERPRETED, 1 << 24, 256);
  }

  @Test
  void aTypeThatClaimsMoreValuesThanItsSectionHoldsIsRefusedBeforeParsing() throws Exception {
    // 21 bytes claiming 300 million parameters: parsed naively, gigabytes of arrays (found by
    // fuzzing).
    byte[] module =
        Files.readAllBytes(
            TestHost.root()
                .resolve(
                    "host/src/test/resources/dev/partyhost/fuzz/ModuleLoaderFuzzTestInputs/crash-huge-param-count.wasm"));
    String why = rejection(module, 1 << 20, 256);
    assertTrue(why.contains("declares 300000000 value types"), why);
  }

  @Test
  void sizeAndMemoryLimits() throws Exception {
    byte[] chat = Files.readAllBytes(TestHost.wasm("wasm", "chat"));
    assertTrue(rejection(chat, chat.length - 1, 256).startsWith("module too large"));
    assertTrue(rejection(chat, chat.length, 0).startsWith("memory too large"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"c-sdk-all-abi", "rust-sdk-all-abi"})
  void eachSdkDeclaresEveryHostCallAsTheHostDefinesIt(String module) throws Exception {
    byte[] bytes = Files.readAllBytes(TestHost.wasm("test-wasm", module));
    GuestModule.load(bytes, ExecutionMode.COMPILED, 1 << 24, 256); // signatures match
    Set<String> imported = new TreeSet<>();
    Parser.parse(bytes).importSection().stream()
        .filter(i -> i.module().equals(Abi.IMPORT_MODULE))
        .forEach(i -> imported.add(i.name()));
    assertEquals(new TreeSet<>(Abi.IMPORTS.keySet()), imported);
  }

  @Test
  void theExamplesLoadInBothModes() throws Exception {
    for (String name :
        new String[] {
          "auth", "chat", "counter", "lobby", "poll", "relay-c", "relay-rust", "webhook", "yjs"
        }) {
      byte[] bytes = Files.readAllBytes(TestHost.wasm("wasm", name));
      for (ExecutionMode mode : ExecutionMode.values()) GuestModule.load(bytes, mode, 1 << 24, 256);
    }
  }
}
