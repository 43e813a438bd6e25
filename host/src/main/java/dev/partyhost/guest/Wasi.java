package dev.partyhost.guest;

import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasi.WasiOptions;
import com.dylibso.chicory.wasi.WasiPreview1;
import com.dylibso.chicory.wasm.types.FunctionType;
import java.io.OutputStream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The WASI preview 1 subset guests get: clocks, random and stdio into the host log; nothing else. Each
 * instance gets its own Chicory {@link WasiPreview1} (its descriptors are per instance), bound here
 * to the allowed functions only: Chicory's generated {@code toHostFunctions} builds all 46 of them in
 * one method too large for the JIT's C2 compiler, about half of what a WASI guest's instantiation
 * cost.
 */
public final class Wasi {
  private Wasi() {}

  /** Signatures of the allowed WASI functions, by name: what modules are validated against. */
  public static final Map<String, FunctionType> SIGNATURES =
      Arrays.stream(WasiPreview1.builder().build().toHostFunctions())
          .filter(f -> Abi.WASI_ALLOWED.contains(f.name()))
          .collect(Collectors.toUnmodifiableMap(HostFunction::name, HostFunction::functionType));

  /** How one allowed function calls into an instance's {@link WasiPreview1}. */
  @FunctionalInterface
  private interface Call {
    int call(WasiPreview1 wasi, Instance instance, long[] args);
  }

  private static final Map<String, Call> CALLS = calls();

  private static Map<String, Call> calls() {
    Map<String, Call> calls = new LinkedHashMap<>();
    calls.put(
        "clock_time_get", (w, i, a) -> w.clockTimeGet(i.memory(), (int) a[0], a[1], (int) a[2]));
    calls.put("clock_res_get", (w, i, a) -> w.clockResGet(i.memory(), (int) a[0], (int) a[1]));
    calls.put("random_get", (w, i, a) -> w.randomGet(i.memory(), (int) a[0], (int) a[1]));
    calls.put(
        "fd_write",
        (w, i, a) -> w.fdWrite(i.memory(), (int) a[0], (int) a[1], (int) a[2], (int) a[3]));
    calls.put("fd_close", (w, i, a) -> w.fdClose((int) a[0]));
    calls.put(
        "fd_seek", (w, i, a) -> w.fdSeek(i.memory(), (int) a[0], a[1], (int) a[2], (int) a[3]));
    calls.put("fd_fdstat_get", (w, i, a) -> w.fdFdstatGet(i.memory(), (int) a[0], (int) a[1]));
    calls.put("environ_get", (w, i, a) -> w.environGet(i.memory(), (int) a[0], (int) a[1]));
    calls.put(
        "environ_sizes_get", (w, i, a) -> w.environSizesGet(i.memory(), (int) a[0], (int) a[1]));
    calls.put("args_get", (w, i, a) -> w.argsGet(i.memory(), (int) a[0], (int) a[1]));
    calls.put("args_sizes_get", (w, i, a) -> w.argsSizesGet(i.memory(), (int) a[0], (int) a[1]));
    calls.put(
        "proc_exit",
        (w, i, a) -> {
          w.procExit((int) a[0]); // throws: the guest's exit is a trap
          return 0;
        });
    calls.put("sched_yield", (w, i, a) -> w.schedYield());
    if (!calls.keySet().equals(Abi.WASI_ALLOWED) || !SIGNATURES.keySet().equals(Abi.WASI_ALLOWED)) {
      throw new IllegalStateException("the WASI bindings and Abi.WASI_ALLOWED differ");
    }
    return calls;
  }

  /** The allowed functions, with fds 1 and 2 into {@code output} (null: nowhere). */
  public static List<HostFunction> functions(OutputStream output) {
    return functions(output, output, GuestTime.SYSTEM.clock());
  }

  /**
   * The allowed functions, with fd 1 into {@code stdout} and fd 2 into {@code stderr} (null:
   * nowhere), and {@code clock} as the realtime clock.
   */
  public static List<HostFunction> functions(
      OutputStream stdout, OutputStream stderr, Clock clock) {
    WasiOptions options =
        WasiOptions.builder()
            .withStdout(stdout != null ? stdout : OutputStream.nullOutputStream())
            .withStderr(stderr != null ? stderr : OutputStream.nullOutputStream())
            .withClock(clock)
            .build();
    WasiPreview1 wasi = WasiPreview1.builder().withOptions(options).build();
    List<HostFunction> functions = new ArrayList<>(CALLS.size());
    CALLS.forEach(
        (name, call) ->
            functions.add(
                new HostFunction(
                    Abi.WASI_MODULE,
                    name,
                    SIGNATURES.get(name),
                    (instance, args) -> new long[] {call.call(wasi, instance, args)})));
    return functions;
  }
}
