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

/**
 * A live instance of a party's module, serving one room. Calls its hooks and hands it data through
 * its allocator (ABI section 3). Not thread-safe: its room calls it from one thread at a time.
 * Every failure inside the guest surfaces as a {@link GuestTrap}; {@link #run} turns it into a
 * {@link HookResult}, the one outcome rooms and gates handle.
 */
public final class Guest {
  private static final Logger LOG = System.getLogger("partyhost.guest");

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
      int onBeforeRequest) {
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
          function(module, Abi.ON_BEFORE_REQUEST));
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
    try {
      List<HostFunction> wasi =
          module.usesWasi() ? Wasi.functions(stdout, stderr, time.clock()) : List.of();
      return new Guest(module, module.instantiate(owner, hostCalls, wasi));
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

  public boolean hasOnRequest() {
    return hooks.onRequest() >= 0;
  }

  /** Runs the reactor's {@code _initialize} (if any), then {@code on_start}: a room's instance. */
  public int start() {
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
    if (hooks.onConnect() < 0) return 0;
    return call(hooks.onConnect(), conn, pass(request), request.length);
  }

  public int onMessage(int conn, byte[] data, int kind) {
    if (hooks.onMessage() < 0) return 0;
    return call(hooks.onMessage(), conn, pass(data), data.length, kind);
  }

  public int onClose(int conn, int code, byte[] reason) {
    if (hooks.onClose() < 0) return 0;
    return call(hooks.onClose(), conn, code, pass(reason), reason.length);
  }

  public int onError(int conn, byte[] message) {
    if (hooks.onError() < 0) return 0;
    return call(hooks.onError(), conn, pass(message), message.length);
  }

  public int onRequest(byte[] request) {
    if (hooks.onRequest() < 0) return 0;
    return call(hooks.onRequest(), pass(request), request.length);
  }

  public int onAlarm() {
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
