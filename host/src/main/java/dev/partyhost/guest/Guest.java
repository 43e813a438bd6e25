package dev.partyhost.guest;

import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.Export;
import com.dylibso.chicory.wasm.types.ExportSection;
import com.dylibso.chicory.wasm.types.ExternalType;
import java.io.OutputStream;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.function.ToIntFunction;
import java.util.function.UnaryOperator;

/**
 * A live instance of a party's module, serving one room. Calls its hooks and hands it data through
 * its allocator (ABI section 3). Not thread-safe: its room calls it from one thread at a time.
 * Every failure inside the guest surfaces as a {@link GuestTrap}; {@link #run} turns it into a
 * {@link HookResult}, the one outcome rooms and gates handle.
 */
public final class Guest {
  private static final Logger LOG = System.getLogger("partyhost.guest");
  private static final byte[] EMPTY = new byte[0];
  private static final int[] NO_INTS = new int[0];

  /**
   * The function index of each export the host calls (-1: not exported), resolved once per module
   * and shared by its instances: an instance holds no per-export objects.
   */
  record Hooks(
      int alloc,
      int abiVersion,
      int initialize,
      int onStart,
      int onConnect,
      int onMessage,
      int onClose,
      int onError,
      int onRequest,
      int onAlarm,
      int onBeforeConnect,
      int onBeforeRequest,
      int onResponse) {
    static Hooks of(WasmModule module) {
      return new Hooks(
          function(module, Abi.ALLOC),
          function(module, Abi.ABI_VERSION),
          function(module, Abi.INITIALIZE),
          function(module, Abi.ON_START),
          function(module, Abi.ON_CONNECT),
          function(module, Abi.ON_MESSAGE),
          function(module, Abi.ON_CLOSE),
          function(module, Abi.ON_ERROR),
          function(module, Abi.ON_REQUEST),
          function(module, Abi.ON_ALARM),
          function(module, Abi.ON_BEFORE_CONNECT),
          function(module, Abi.ON_BEFORE_REQUEST),
          function(module, Abi.ON_RESPONSE));
    }

    /** The index of the function exported as {@code name}, or -1. */
    private static int function(WasmModule module, String name) {
      ExportSection exports = module.exportSection();
      for (int i = 0; i < exports.exportCount(); i++) {
        Export e = exports.getExport(i);
        if (e.name().equals(name) && e.exportType() == ExternalType.FUNCTION) return e.index();
      }
      return -1;
    }
  }

  private final Instance instance;
  private final Memory memory;
  private final Hooks hooks;

  /** Hears each hook call (a recording), or null. */
  private HookListener listener;

  /**
   * A new instance of {@code module} with these host calls (and WASI, if the module imports it, with
   * its stdout and stderr into these streams). Its start function is not run.
   */
  public static Guest instantiate(
      GuestModule module, List<HostFunction> hostCalls, OutputStream stdout, OutputStream stderr) {
    return instantiate(
        module,
        "an instance of module " + module.sha256(),
        hostCalls,
        stdout,
        stderr,
        GuestTime.SYSTEM);
  }

  /**
   * As above; its memory and tables are reserved from the host's memory budget, and {@link #close}
   * gives them back. Throws {@link MemoryBudget.Exhausted} when they do not fit ({@code owner} names
   * the instance in the budget's log line).
   */
  public static Guest instantiate(
      GuestModule module,
      String owner,
      List<HostFunction> hostCalls,
      OutputStream stdout,
      OutputStream stderr,
      GuestTime time) {
    return instantiate(module, owner, hostCalls, stdout, stderr, time, UnaryOperator.identity());
  }

  /**
   * As above, with every import (host calls, then WASI) passed through {@code imports} first: a
   * recording or a replay wraps the calls whose answers are not a pure function of the room's data.
   */
  public static Guest instantiate(
      GuestModule module,
      String owner,
      List<HostFunction> hostCalls,
      OutputStream stdout,
      OutputStream stderr,
      GuestTime time,
      UnaryOperator<List<HostFunction>> imports) {
    try {
      List<HostFunction> wasi =
          module.usesWasi() ? Wasi.functions(stdout, stderr, time.clock()) : List.of();
      return new Guest(
          module, module.instantiate(owner, imports.apply(hostCalls), imports.apply(wasi)));
    } catch (GuestTrap | MemoryBudget.Exhausted e) {
      throw e;
    } catch (RuntimeException | StackOverflowError e) {
      throw new GuestTrap("instantiation failed: " + e, e);
    }
  }

  /**
   * Runs one guest call under a CPU deadline. A trap, the deadline or a failure of the host inside the
   * call (a bug, or the JVM out of memory) is a trapped result: the caller resets whatever the
   * instance served.
   */
  public HookResult run(long deadlineMs, ToIntFunction<Guest> call) {
    try {
      return HookResult.returned(Watchdog.shared().run(deadlineMs, () -> call.applyAsInt(this)));
    } catch (GuestTrap trap) {
      return HookResult.trapped(trap.getMessage());
    } catch (RuntimeException | Error bug) {
      LOG.log(Level.ERROR, "host failure in a guest call", bug);
      return HookResult.trapped("host failure: " + bug);
    }
  }

  /** A guest on {@code instance}, an instance of {@code module} ({@link GuestModule#instantiate}). */
  public Guest(GuestModule module, Instance instance) {
    this.instance = instance;
    this.memory = instance.memory();
    this.hooks = module.hooks();
  }

  public Memory memory() {
    return memory;
  }

  /** The instance, for a {@link MemoryImage}. */
  Instance instance() {
    return instance;
  }

  /**
   * The instance is dropped: its memory and tables go back to the host's budget now, not when the
   * collector finds them. Call it wherever an instance is let go; the instance must not run after.
   */
  public void close() {
    if (memory instanceof BudgetedMemory budgeted) budgeted.release();
  }

  /** From now on, {@code listener} (null: none) hears each hook call with its arguments. */
  public void listen(HookListener listener) {
    this.listener = listener;
  }

  public boolean hasOnRequest() {
    return hooks.onRequest() >= 0;
  }

  /** Runs the reactor's {@code _initialize} (if any), then {@code on_start}: a room's instance. */
  public int start() {
    if (listener != null) listener.calling("start", NO_INTS, EMPTY);
    initialize();
    return hooks.onStart() >= 0 ? call(hooks.onStart()) : 0;
  }

  /** Runs the reactor's {@code _initialize} (if any) only: a gate's instance. */
  public int initialize() {
    return hooks.initialize() >= 0 ? call(hooks.initialize()) : 0;
  }

  /** The module's {@code partyhost_abi_version}. */
  public int abiVersion() {
    return call(hooks.abiVersion());
  }

  public int onBeforeConnect(byte[] request) {
    if (hooks.onBeforeConnect() < 0) return 0;
    return call(hooks.onBeforeConnect(), pass(request), request.length);
  }

  public int onBeforeRequest(byte[] request) {
    if (hooks.onBeforeRequest() < 0) return 0;
    return call(hooks.onBeforeRequest(), pass(request), request.length);
  }

  public int onConnect(int conn, byte[] request) {
    if (listener != null) listener.calling("connect", new int[] {conn}, request);
    if (hooks.onConnect() < 0) return 0;
    return call(hooks.onConnect(), conn, pass(request), request.length);
  }

  public int onMessage(int conn, byte[] data, int kind) {
    if (listener != null) listener.calling("message", new int[] {conn, kind}, data);
    if (hooks.onMessage() < 0) return 0;
    return call(hooks.onMessage(), conn, pass(data), data.length, kind);
  }

  public int onClose(int conn, int code, byte[] reason) {
    if (listener != null) listener.calling("close", new int[] {conn, code}, reason);
    if (hooks.onClose() < 0) return 0;
    return call(hooks.onClose(), conn, code, pass(reason), reason.length);
  }

  public int onError(int conn, byte[] message) {
    if (listener != null) listener.calling("error", new int[] {conn}, message);
    if (hooks.onError() < 0) return 0;
    return call(hooks.onError(), conn, pass(message), message.length);
  }

  public int onRequest(byte[] request) {
    if (listener != null) listener.calling("request", NO_INTS, request);
    if (hooks.onRequest() < 0) return 0;
    return call(hooks.onRequest(), pass(request), request.length);
  }

  public boolean hasOnResponse() {
    return hooks.onResponse() >= 0;
  }

  /** The answer to call {@code call}: a response record and an HTTP status, or [message] and a status code. */
  public int onResponse(int call, byte[] record, int status) {
    if (listener != null) listener.calling("response", new int[] {call, status}, record);
    if (hooks.onResponse() < 0) return 0;
    return call(hooks.onResponse(), call, pass(record), record.length, status);
  }

  public int onAlarm() {
    if (listener != null) listener.calling("alarm", NO_INTS, EMPTY);
    return hooks.onAlarm() >= 0 ? call(hooks.onAlarm()) : 0;
  }

  /** Copies data into memory the guest allocated for it; ownership passes to the guest. */
  private long pass(byte[] data) {
    if (data.length == 0) return 0;
    long ptr = Integer.toUnsignedLong(call(hooks.alloc(), data.length));
    if (ptr == 0 || ptr + data.length > (long) memory.pages() * Memory.PAGE_SIZE) {
      throw new GuestTrap(
          "partyhost_alloc(" + data.length + ") returned an unusable pointer " + ptr, null);
    }
    memory.write((int) ptr, data);
    return ptr;
  }

  /** Calls a function by index, as Chicory's exported function would ({@code Instance.export}). */
  private int call(int function, long... args) {
    try {
      long[] results = instance.getMachine().call(function, args);
      return results == null ? 0 : (int) results[0]; // _initialize returns nothing
    } catch (GuestTrap e) {
      throw e;
    } catch (RuntimeException | StackOverflowError e) {
      throw new GuestTrap(e.getClass().getSimpleName() + ": " + e.getMessage(), e);
    }
  }
}
