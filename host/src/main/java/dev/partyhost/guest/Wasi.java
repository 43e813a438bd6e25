package dev.partyhost.guest;

import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.wasi.WasiOptions;
import com.dylibso.chicory.wasi.WasiPreview1;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.List;

/** The WASI preview 1 subset guests get: clocks, random and stdio into the host log; nothing else. */
public final class Wasi {
  private Wasi() {}

  /** @param output where fds 1 and 2 go (null: nowhere) */
  public static List<HostFunction> functions(OutputStream output) {
    OutputStream sink = output != null ? output : OutputStream.nullOutputStream();
    WasiOptions options = WasiOptions.builder().withStdout(sink).withStderr(sink).build();
    HostFunction[] all = WasiPreview1.builder().withOptions(options).build().toHostFunctions();
    return Arrays.stream(all).filter(f -> Abi.WASI_ALLOWED.contains(f.name())).toList();
  }
}
