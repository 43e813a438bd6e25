package dev.partyhost.guest;

import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.ValType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The host calls one kind of instance gets (a room's, a gate's), each bound once to a method of the
 * scope type {@code S}: {@code bind("conn_send", RoomCalls::connSend)}. The method's Java shape gives
 * the call's signature, which must be the ABI's ({@link Abi#IMPORTS}): a mismatch fails when the table
 * is built, at class initialisation. Every import of the ABI that a table does not bind answers
 * {@code WRONG_HOOK} in that kind of instance, so every module links everywhere.
 */
public final class HostCallTable<S> {
  /** How one host call runs: its scope object, the instance's memory, the raw arguments. */
  @FunctionalInterface
  private interface Invoker<S> {
    long invoke(S scope, Memory memory, long[] args);
  }

  // The shapes of the ABI's host calls: i32 arguments and result, except for the two clock-sized
  // ones.
  public interface I0<S> {
    int call(S s, Memory m);
  }

  public interface I1<S> {
    int call(S s, Memory m, int a);
  }

  public interface I2<S> {
    int call(S s, Memory m, int a, int b);
  }

  public interface I3<S> {
    int call(S s, Memory m, int a, int b, int c);
  }

  public interface I4<S> {
    int call(S s, Memory m, int a, int b, int c, int d);
  }

  public interface I5<S> {
    int call(S s, Memory m, int a, int b, int c, int d, int e);
  }

  public interface I6<S> {
    int call(S s, Memory m, int a, int b, int c, int d, int e, int f);
  }

  public interface I10<S> {
    int call(S s, Memory m, int a, int b, int c, int d, int e, int f, int g, int h, int i, int j);
  }

  /** One i64 argument (a time), an i32 result. */
  public interface L1<S> {
    int call(S s, Memory m, long a);
  }

  /** No argument, an i64 result (a time). */
  public interface ToLong<S> {
    long call(S s, Memory m);
  }

  private record Binding<S>(String name, FunctionType type, Invoker<S> invoker) {}

  private final List<Binding<S>> bindings;

  private HostCallTable(Map<String, Binding<S>> bound) {
    List<Binding<S>> all = new ArrayList<>(Abi.IMPORTS.size());
    Abi.IMPORTS.forEach(
        (name, type) -> {
          Binding<S> b = bound.get(name);
          all.add(b != null ? b : new Binding<>(name, type, (s, m, a) -> Abi.WRONG_HOOK));
        });
    this.bindings = List.copyOf(all);
  }

  public static <S> Builder<S> builder() {
    return new Builder<>();
  }

  /** The host functions of one instance, every one bound to {@code scope}. */
  public List<HostFunction> functions(S scope) {
    List<HostFunction> functions = new ArrayList<>(bindings.size());
    for (Binding<S> b : bindings) {
      Invoker<S> invoker = b.invoker;
      functions.add(
          new HostFunction(
              Abi.IMPORT_MODULE,
              b.name,
              b.type,
              (instance, args) -> new long[] {call(invoker, scope, instance.memory(), args)}));
    }
    return functions;
  }

  /**
   * Runs one call. A call answers bad input with a status and never throws: an exception is a host
   * bug, and becomes an {@link Error} so that it is not taken for the guest's trap (the room still
   * resets, and the host logs it as a host failure with its stack trace). The deadline's stop inside
   * a long call stays a trap.
   */
  private static <S> long call(Invoker<S> invoker, S scope, Memory memory, long[] args) {
    try {
      return invoker.invoke(scope, memory, args);
    } catch (GuestTrap | java.util.concurrent.CancellationException trap) {
      throw trap;
    } catch (RuntimeException bug) {
      throw new HostCallFailure(bug);
    }
  }

  /** A host call threw: the host's bug, not the guest's. */
  public static final class HostCallFailure extends Error {
    private static final long serialVersionUID = 1L;

    HostCallFailure(RuntimeException cause) {
      super("host call failed: " + cause, cause);
    }
  }

  /** Builds a table; each {@code bind} checks the method's shape against the ABI's signature. */
  public static final class Builder<S> {
    private final Map<String, Binding<S>> bound = new LinkedHashMap<>();

    public Builder<S> bind(String name, I0<S> f) {
      return add(name, Abi.i32(0), (s, m, a) -> f.call(s, m));
    }

    public Builder<S> bind(String name, I1<S> f) {
      return add(name, Abi.i32(1), (s, m, a) -> f.call(s, m, (int) a[0]));
    }

    public Builder<S> bind(String name, I2<S> f) {
      return add(name, Abi.i32(2), (s, m, a) -> f.call(s, m, (int) a[0], (int) a[1]));
    }

    public Builder<S> bind(String name, I3<S> f) {
      return add(name, Abi.i32(3), (s, m, a) -> f.call(s, m, (int) a[0], (int) a[1], (int) a[2]));
    }

    public Builder<S> bind(String name, I4<S> f) {
      return add(
          name,
          Abi.i32(4),
          (s, m, a) -> f.call(s, m, (int) a[0], (int) a[1], (int) a[2], (int) a[3]));
    }

    public Builder<S> bind(String name, I5<S> f) {
      return add(
          name,
          Abi.i32(5),
          (s, m, a) -> f.call(s, m, (int) a[0], (int) a[1], (int) a[2], (int) a[3], (int) a[4]));
    }

    public Builder<S> bind(String name, I6<S> f) {
      return add(
          name,
          Abi.i32(6),
          (s, m, a) ->
              f.call(s, m, (int) a[0], (int) a[1], (int) a[2], (int) a[3], (int) a[4], (int) a[5]));
    }

    public Builder<S> bind(String name, I10<S> f) {
      return add(
          name,
          Abi.i32(10),
          (s, m, a) ->
              f.call(
                  s,
                  m,
                  (int) a[0],
                  (int) a[1],
                  (int) a[2],
                  (int) a[3],
                  (int) a[4],
                  (int) a[5],
                  (int) a[6],
                  (int) a[7],
                  (int) a[8],
                  (int) a[9]));
    }

    /** A call that takes or returns a time in milliseconds (i64): named apart so that no int method binds here by widening. */
    public Builder<S> bindTime(String name, L1<S> f) {
      return add(
          name,
          FunctionType.of(List.of(ValType.I64), List.of(ValType.I32)),
          (s, m, a) -> f.call(s, m, a[0]));
    }

    public Builder<S> bindTime(String name, ToLong<S> f) {
      return add(name, FunctionType.of(List.of(), List.of(ValType.I64)), (s, m, a) -> f.call(s, m));
    }

    private Builder<S> add(String name, FunctionType shape, Invoker<S> invoker) {
      FunctionType abi = Abi.IMPORTS.get(name);
      if (abi == null) throw new IllegalStateException("host call " + name + " is not in the ABI");
      if (!abi.typesMatch(shape))
        throw new IllegalStateException(
            "host call " + name + " bound as " + shape + ", the ABI says " + abi);
      if (bound.put(name, new Binding<>(name, abi, invoker)) != null)
        throw new IllegalStateException(name + " bound twice");
      return this;
    }

    public HostCallTable<S> build() {
      return new HostCallTable<>(bound);
    }
  }
}
