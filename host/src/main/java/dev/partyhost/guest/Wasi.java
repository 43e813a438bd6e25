package dev.partyhost.guest;

import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.wasi.WasiOptions;
import com.dylibso.chicory.wasi.WasiPreview1;
import com.dylibso.chicory.wasm.types.FunctionType;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** The WASI preview 1 subset guests get: clocks, random and stdio into the host log; nothing else. */
public final class Wasi {
  private Wasi() {}

  /** Signatures of the allowed WASI functions, by name: what modules are validated against. */
  public static final Map<String, FunctionType> SIGNATURES =
      functions(null).stream()
          .collect(Collectors.toUnmodifiableMap(HostFunction::name, HostFunction::functionType));

  /** The allowed functions, with fds 1 and 2 into {@code output} (null: nowhere). */
  public static List<HostFunction> functions(OutputStream output) {
    return functions(output, output);
  }

  /** The allowed functions, with fd 1 into {@code stdout} and fd 2 into {@code stderr} (null: nowhere). */
  public static List<HostFunction> functions(OutputStream stdout, OutputStream stderr) {
    WasiOptions options =
        WasiOptions.builder()
            .withStdout(stdout != null ? stdout : OutputStream.nullOutputStream())
            .withStderr(stderr != null ? stderr : OutputStream.nullOutputStream())
            .build();
    HostFunction[] all = WasiPreview1.builder().withOptions(options).build().toHostFunctions();
    return Arrays.stream(all).filter(f -> Abi.WASI_ALLOWED.contains(f.name())).toList();
  }
}
