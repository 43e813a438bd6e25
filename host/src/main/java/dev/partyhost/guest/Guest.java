package dev.partyhost.guest;

import com.dylibso.chicory.runtime.ExportFunction;
import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasm.types.ExportSection;
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
  private final Instance instance;
  private final Memory memory;
  private final ExportFunction alloc;
  private final ExportFunction initialize;
  private final ExportFunction onStart;
  private final ExportFunction onConnect;
  private final ExportFunction onMessage;
  private final ExportFunction onClose;
  private final ExportFunction onError;
  private final ExportFunction onRequest;
  private final ExportFunction onAlarm;
  private final ExportFunction onBeforeConnect;
  private final ExportFunction onBeforeRequest;

  /**
   * A new instance of {@code module} with these host calls (and WASI, if the module imports it, with
   * its stdout and stderr into these streams). Its start function is not run.
   */
  public static Guest instantiate(
      GuestModule module, List<HostFunction> hostCalls, OutputStream stdout, OutputStream stderr) {
    return instantiate(
        module, "an instance of module " + module.sha256(), hostCalls, stdout, stderr);
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
      OutputStream stderr) {
    try {
      return new Guest(
          module.instantiate(
              owner, hostCalls, module.usesWasi() ? Wasi.functions(stdout, stderr) : List.of()));
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

  public Guest(Instance instance) {
    this.instance = instance;
    this.memory = instance.memory();
    this.alloc = instance.export(Abi.ALLOC);
    this.initialize = optional(Abi.INITIALIZE);
    this.onStart = optional(Abi.ON_START);
    this.onConnect = optional(Abi.ON_CONNECT);
    this.onMessage = optional(Abi.ON_MESSAGE);
    this.onClose = optional(Abi.ON_CLOSE);
    this.onError = optional(Abi.ON_ERROR);
    this.onRequest = optional(Abi.ON_REQUEST);
    this.onAlarm = optional(Abi.ON_ALARM);
    this.onBeforeConnect = optional(Abi.ON_BEFORE_CONNECT);
    this.onBeforeRequest = optional(Abi.ON_BEFORE_REQUEST);
  }

  /**
   * The export, or null. Looked up in the module first: Chicory throws for an absent one, and an
   * exception with its stack trace for every hook a party lacks slowed every room's start.
   */
  private ExportFunction optional(String name) {
    ExportSection exports = instance.module().exportSection();
    for (int i = 0; i < exports.exportCount(); i++) {
      if (exports.getExport(i).name().equals(name)) return instance.export(name);
    }
    return null;
  }

  public Memory memory() {
    return memory;
  }

  /**
   * The instance is dropped: its memory and tables go back to the host's budget now, not when the
   * collector finds them. Call it wherever an instance is let go; the instance must not run after.
   */
  public void close() {
    if (memory instanceof BudgetedMemory budgeted) budgeted.release();
  }

  public boolean hasOnRequest() {
    return onRequest != null;
  }

  /** Runs the reactor's {@code _initialize} (if any), then {@code on_start}: a room's instance. */
  public int start() {
    initialize();
    return onStart == null ? 0 : call(onStart);
  }

  /** Runs the reactor's {@code _initialize} (if any) only: a gate's instance. */
  public int initialize() {
    return initialize == null ? 0 : call(initialize);
  }

  /** The module's {@code partyhost_abi_version}. */
  public int abiVersion() {
    return call(instance.export(Abi.ABI_VERSION));
  }

  public int onBeforeConnect(byte[] request) {
    return onBeforeConnect == null ? 0 : call(onBeforeConnect, pass(request), request.length);
  }

  public int onBeforeRequest(byte[] request) {
    return onBeforeRequest == null ? 0 : call(onBeforeRequest, pass(request), request.length);
  }

  public int onConnect(int conn, byte[] request) {
    if (onConnect == null) return 0;
    return call(onConnect, conn, pass(request), request.length);
  }

  public int onMessage(int conn, byte[] data, int kind) {
    if (onMessage == null) return 0;
    return call(onMessage, conn, pass(data), data.length, kind);
  }

  public int onClose(int conn, int code, byte[] reason) {
    if (onClose == null) return 0;
    return call(onClose, conn, code, pass(reason), reason.length);
  }

  public int onError(int conn, byte[] message) {
    if (onError == null) return 0;
    return call(onError, conn, pass(message), message.length);
  }

  public int onRequest(byte[] request) {
    if (onRequest == null) return 0;
    return call(onRequest, pass(request), request.length);
  }

  public int onAlarm() {
    return onAlarm == null ? 0 : call(onAlarm);
  }

  /** Copies data into memory the guest allocated for it; ownership passes to the guest. */
  private long pass(byte[] data) {
    if (data.length == 0) return 0;
    long ptr = Integer.toUnsignedLong(call(alloc, data.length));
    if (ptr == 0 || ptr + data.length > (long) memory.pages() * Memory.PAGE_SIZE) {
      throw new GuestTrap(
          "partyhost_alloc(" + data.length + ") returned an unusable pointer " + ptr, null);
    }
    memory.write((int) ptr, data);
    return ptr;
  }

  private static int call(ExportFunction function, long... args) {
    try {
      long[] results = function.apply(args);
      return results == null ? 0 : (int) results[0]; // _initialize returns nothing
    } catch (GuestTrap e) {
      throw e;
    } catch (RuntimeException | StackOverflowError e) {
      throw new GuestTrap(e.getClass().getSimpleName() + ": " + e.getMessage(), e);
    }
  }
}
