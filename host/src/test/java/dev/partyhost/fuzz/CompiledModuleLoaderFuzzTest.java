package dev.partyhost.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.partyhost.guest.ExecutionMode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link ModuleLoaderFuzzTest} with Chicory's compiler (the host's default mode), which turns every
 * accepted module into JVM bytecode: slower per input, but it reaches the compiler. A class of its
 * own, so that one Maven run can fuzz every target (Jazzer fuzzes one test per JVM, and the fuzz
 * runs fork one JVM per class). Seeds: those of {@link ModuleLoaderFuzzTest}, plus its own inputs
 * directory for findings.
 */
class CompiledModuleLoaderFuzzTest {
  @BeforeAll
  static void instrumentChicory() {
    ModuleLoaderFuzzTest.instrumentChicory();
  }

  @MethodSource("seeds")
  @FuzzTest
  void compiled(byte[] module) {
    ModuleLoaderFuzzTest.load(module, ExecutionMode.COMPILED);
  }

  static Stream<byte[]> seeds() throws URISyntaxException, IOException {
    Path dir =
        Path.of(ModuleLoaderFuzzTest.class.getResource("ModuleLoaderFuzzTestInputs").toURI());
    List<Path> files;
    try (Stream<Path> list = Files.list(dir)) {
      files = list.filter(Files::isRegularFile).sorted().toList();
    }
    return files.stream()
        .map(
            f -> {
              try {
                return Files.readAllBytes(f);
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            });
  }
}
