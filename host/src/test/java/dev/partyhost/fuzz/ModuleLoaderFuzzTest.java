package dev.partyhost.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.dylibso.chicory.runtime.HostFunction;
import dev.partyhost.guest.Abi;
import dev.partyhost.guest.ExecutionMode;
import dev.partyhost.guest.Guest;
import dev.partyhost.guest.GuestModule;
import dev.partyhost.guest.ModuleRejectedException;
import dev.partyhost.guest.Wasi;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;

/**
 * The module loader (upload and start) on arbitrary bytes, interpreted: it returns a module or throws
 * {@link ModuleRejectedException}, nothing else, and does not hang. A module it accepts instantiates
 * as a room's would. Seeds: {@code ModuleLoaderFuzzTestInputs/}, small real modules.
 */
class ModuleLoaderFuzzTest {
  /** The host's defaults: 16 MiB modules, 16 MiB (256 pages) of memory. */
  static final int MAX_MODULE_BYTES = 16 << 20;

  static final int MAX_MEMORY_PAGES = 256;

  /**
   * When fuzzing, most of the loader's code is Chicory's parser, validator and compiler: instrument
   * them as well as the host, but not the classes Chicory's compiler makes of each module (new ones
   * for every input, which would exhaust Jazzer's coverage counters). Jazzer reads these properties
   * when the fuzz test starts, after {@code @BeforeAll}.
   */
  @BeforeAll
  static void instrumentChicory() {
    if (System.getenv("JAZZER_FUZZ") != null && System.getProperty("jazzer.instrument") == null) {
      System.setProperty("jazzer.instrument", "dev.partyhost.**,com.dylibso.chicory.**");
      System.setProperty("jazzer.instrumentation_excludes", "com.dylibso.chicory.$gen.**");
    }
  }

  @FuzzTest
  void interpreted(byte[] module) {
    load(module, ExecutionMode.INTERPRETED);
  }

  static void load(byte[] bytes, ExecutionMode mode) {
    GuestModule module;
    try {
      module = GuestModule.load(bytes, mode, MAX_MODULE_BYTES, MAX_MEMORY_PAGES);
    } catch (ModuleRejectedException expected) {
      return;
    } catch (OutOfMemoryError tolerated) {
      return; // the brief's allowance; a small module that costs gigabytes is reported separately
    }
    assertNotNull(module);
    assertEquals(bytes.length, module.byteSize());
    // What a room does with it (without running its code: a hook may loop, and deadlines are not
    // this test's).
    List<HostFunction> inert = new ArrayList<>();
    Abi.IMPORTS.forEach(
        (name, type) ->
            inert.add(new HostFunction("partyhost", name, type, (i, a) -> new long[] {-6})));
    new Guest(module, module.instantiate(inert, Wasi.functions(null)));
  }
}
