package dev.partyhost.replay;

import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.WasmFunctionHandle;
import java.util.Map;

/**
 * Where the answers that are not a pure function of the room's data come from: the host's clock and
 * random ({@link #LIVE}, while recording), or a recording (a replay). The calls are these imports;
 * what each writes into guest memory, besides its result, is {@link #written}.
 */
interface Answers {
  /**
   * The imports whose answers are recorded: name → where the bytes it writes are. A call's id
   * depends on the calls the room made before this instance started; replayed, a call returns its
   * recorded id and leaves nowhere (its answer is an event of the recording).
   */
  Map<String, Written> NON_PURE =
      Map.of(
          "now_ms", new Written(-1, -1, 0),
          "random_fill", new Written(0, 1, 0),
          "random_get", new Written(0, 1, 0),
          "clock_time_get", new Written(2, -1, 8),
          "clock_res_get", new Written(1, -1, 8),
          "room_call", new Written(-1, -1, 0),
          "http_call", new Written(-1, -1, 0));

  /**
   * Where a call writes its answer when it returns 0 (success, in the ABI and in WASI): the pointer is
   * argument {@code ptrArg} (-1: it writes nothing), the length argument {@code lenArg} or, if that
   * is -1, {@code fixedLen} bytes.
   */
  record Written(int ptrArg, int lenArg, int fixedLen) {
    int ptr(long[] args) {
      return (int) args[ptrArg];
    }

    int len(long[] args) {
      return lenArg >= 0 ? (int) args[lenArg] : fixedLen;
    }
  }

  /** Answers one call of a non-pure import; {@code real} is the host's own. */
  long[] answer(String name, Instance instance, long[] args, WasmFunctionHandle real);

  /** The host's own answers. */
  Answers LIVE = (name, instance, args, real) -> real.apply(instance, args);

  /** The bytes the call wrote into guest memory (empty if it writes none or failed). */
  static byte[] written(String name, Instance instance, long[] args, long result) {
    Written w = NON_PURE.get(name);
    if (w == null || w.ptrArg < 0 || result != 0) return new byte[0];
    int len = w.len(args);
    if (len <= 0) return new byte[0];
    try {
      return instance.memory().readBytes(w.ptr(args), len);
    } catch (RuntimeException outOfBounds) {
      return new byte[0];
    }
  }
}
