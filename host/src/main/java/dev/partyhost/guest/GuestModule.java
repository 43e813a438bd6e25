package dev.partyhost.guest;

import com.dylibso.chicory.compiler.InterpreterFallback;
import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.CompiledModule;
import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.Export;
import com.dylibso.chicory.wasm.types.ExportSection;
import com.dylibso.chicory.wasm.types.ExternalType;
import com.dylibso.chicory.wasm.types.FunctionBody;
import com.dylibso.chicory.wasm.types.FunctionImport;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.Import;
import com.dylibso.chicory.wasm.types.Instruction;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import com.dylibso.chicory.wasm.types.OpCode;
import com.dylibso.chicory.wasm.types.Table;
import com.dylibso.chicory.wasm.types.TableLimits;
import com.dylibso.chicory.wasm.types.TableSection;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * One version of a party's code: parsed, validated against ABI v1 and compiled once, then
 * instantiated per room. A room costs an instance, never a parse or a compile.
 */
public final class GuestModule {
  private static final Logger LOG = System.getLogger("partyhost.compile");
  private final String sha256;
  private final WasmModule module;

  /**
   * The module as its instances get it: without exports. The host calls a guest by function index
   * ({@link Guest.Hooks}), and Chicory 1.6.1 builds a map of a module's exports in every instance: a
   * room would hold a copy (a HashMap node per export, 12 in a Rust relay) that nothing reads.
   */
  private final WasmModule instanceModule;

  private final Guest.Hooks hooks;

  private final Function<Instance, Machine> machineFactory;
  private final MemoryLimits memoryLimits;

  /**
   * Each table's limits as declared (capped), read before any instance ran. Chicory 1.6.1's {@code
   * table.grow} raises the minimum of the parsed module's {@code TableLimits}, which every instance
   * shares: a table one room grew would start that large in every later room. So an instance whose
   * tables can grow gets a module of its own with fresh tables (the rest shared, as is the compiled
   * code); tables that cannot grow stay shared.
   */
  private final List<TableLimits> tableLimits;

  private final boolean growableTables;

  /**
   * The heap an instance's tables may hold: each entry, at each table's capped maximum, is an int and
   * a reference in Chicory's {@code TableInstance} (8 bytes with compressed references, 12 without).
   */
  private final long tableBytes;

  /** Where instances reserve their memory and tables. */
  private final MemoryBudget budget;

  private final boolean usesWasi;

  /** What the module imports, as {@code module.name}. */
  private final Set<String> imports;

  private final int byteSize;
  private final boolean hasBeforeConnect;
  private final boolean hasBeforeRequest;

  /** Why an instance's state cannot be captured by a {@link MemoryImage}, or null if it can. */
  private final String imageRefusal;

  /** Where the active data segments land: pairs of start and end addresses. */
  private final int[] dataRanges;

  private GuestModule(
      String sha256,
      WasmModule module,
      Function<Instance, Machine> machineFactory,
      MemoryLimits memoryLimits,
      List<TableLimits> tableLimits,
      MemoryBudget budget,
      boolean usesWasi,
      int byteSize) {
    this.sha256 = sha256;
    this.module = module;
    // Compiled code checks that an instance's module is the very one it was compiled from; an
    // instance's module is a copy (no exports, perhaps tables of its own), with the same code: it
    // takes the compiled machines directly.
    this.machineFactory =
        machineFactory instanceof CompiledModule compiled
            ? compiled.machineFactory()
            : machineFactory;
    this.memoryLimits = memoryLimits;
    this.tableLimits = tableLimits;
    // Decided on the declared limits: a table the host's cap keeps from growing would still grow
    // the shared module's limits if its instance used them.
    boolean growable = false;
    for (int i = 0; i < module.tableSection().tableCount(); i++) {
      TableLimits declared = module.tableSection().getTable(i).limits();
      growable |= declared.max() > declared.min();
    }
    this.growableTables = growable;
    long entries = 0;
    for (TableLimits l : tableLimits) entries += l.max();
    this.tableBytes = entries * TABLE_ENTRY_BYTES;
    this.budget = budget;
    this.usesWasi = usesWasi;
    Set<String> imports = new HashSet<>();
    for (int i = 0; i < module.importSection().importCount(); i++) {
      Import imp = module.importSection().getImport(i);
      imports.add(imp.module() + "." + imp.name());
    }
    this.imports = Set.copyOf(imports);
    this.byteSize = byteSize;
    this.hooks = Guest.Hooks.of(module);
    this.hasBeforeConnect = hooks.onBeforeConnect() >= 0;
    this.hasBeforeRequest = hooks.onBeforeRequest() >= 0;
    this.instanceModule = growableTables ? null : copy(module.tableSection());
    this.imageRefusal = MemoryImage.refusal(module);
    this.dataRanges = imageRefusal == null ? MemoryImage.dataRanges(module) : new int[0];
  }

  /**
   * Why a snapshot of an instance of this module could not be restored exactly (it changes its
   * tables or drops segments), or null if it can.
   */
  public String imageRefusal() {
    return imageRefusal;
  }

  int[] dataRanges() {
    return dataRanges;
  }

  /** The hooks' function indexes, shared by the module's guests. */
  Guest.Hooks hooks() {
    return hooks;
  }

  /** The module has a before hook for WebSocket upgrades: requests pass its gate first. */
  public boolean hasBeforeConnect() {
    return hasBeforeConnect;
  }

  /** The module has a before hook for HTTP requests. */
  public boolean hasBeforeRequest() {
    return hasBeforeRequest;
  }

  /**
   * Parses, validates against the ABI ({@link Abi#IMPORTS}, {@link Abi#EXPORTS}) and compiles a module.
   * Every rejection says why, in words an uploader can act on.
   */
  public static GuestModule load(
      byte[] bytes, ExecutionMode mode, int maxModuleBytes, int maxMemoryPages)
      throws ModuleRejectedException {
    return load(bytes, mode, maxModuleBytes, maxMemoryPages, null);
  }

  /**
   * As above, with compiled code read from and saved to {@code cache} (null: none; the interpreted mode
   * never uses it). An entry is saved only for a module that passed every check.
   */
  public static GuestModule load(
      byte[] bytes, ExecutionMode mode, int maxModuleBytes, int maxMemoryPages, CompileCache cache)
      throws ModuleRejectedException {
    return load(bytes, mode, maxModuleBytes, maxMemoryPages, DEFAULT_MAX_TABLE_ELEMENTS, cache);
  }

  /** The host's default cap on the entries of each of an instance's tables. */
  public static final int DEFAULT_MAX_TABLE_ELEMENTS = 100_000;

  /** As above, with each of an instance's tables capped at {@code maxTableElements} entries. */
  public static GuestModule load(
      byte[] bytes,
      ExecutionMode mode,
      int maxModuleBytes,
      int maxMemoryPages,
      int maxTableElements,
      CompileCache cache)
      throws ModuleRejectedException {
    return load(
        bytes,
        mode,
        maxModuleBytes,
        maxMemoryPages,
        maxTableElements,
        cache,
        MemoryBudget.unlimited());
  }

  /** Bytes counted per table entry against the memory budget (see {@link #tableBytes}). */
  static final long TABLE_ENTRY_BYTES = 12;

  /**
   * As above, with every instance's memory and tables reserved from {@code budget} (the module's
   * version probe too, for the moment it runs).
   */
  public static GuestModule load(
      byte[] bytes,
      ExecutionMode mode,
      int maxModuleBytes,
      int maxMemoryPages,
      int maxTableElements,
      CompileCache cache,
      MemoryBudget budget)
      throws ModuleRejectedException {
    if (bytes.length > maxModuleBytes) {
      throw new ModuleRejectedException(
          "module too large: " + bytes.length + " bytes, the limit is " + maxModuleBytes);
    }
    checkTypeSection(bytes);
    WasmModule module;
    try {
      module = Parser.parse(bytes);
    } catch (RuntimeException e) {
      throw new ModuleRejectedException("not a valid wasm module: " + e.getMessage());
    } catch (AssertionError e) {
      // With assertions enabled (as in the tests), Chicory's parser asserts invariants that a
      // malformed module can break before its own validation rejects it (found by fuzzing; without
      // -ea the same module is rejected with a message).
      throw new ModuleRejectedException("not a valid wasm module: malformed code");
    }
    boolean usesWasi = checkImports(module);
    checkExports(module);
    MemoryLimits limits = memoryLimits(module, maxMemoryPages);
    List<TableLimits> tables = tableLimits(module, maxTableElements); // before any guest code runs
    if (mode == ExecutionMode.COMPILED) checkBranchTables(module);
    String sha256 = Sha256.hex(bytes);
    CompileCache.Entry cached =
        mode == ExecutionMode.COMPILED && cache != null ? cache.entry(sha256) : null;
    long started = System.nanoTime();
    Function<Instance, Machine> factory;
    try {
      factory = mode == ExecutionMode.COMPILED ? compile(module, cached) : TracingInterpreter::new;
    } catch (RuntimeException e) {
      throw new ModuleRejectedException("module does not compile: " + e.getMessage());
    }
    long ms = (System.nanoTime() - started) / 1_000_000;
    GuestModule guestModule =
        new GuestModule(sha256, module, factory, limits, tables, budget, usesWasi, bytes.length);
    guestModule.checkAbiVersion();
    if (cached != null) {
      cached.save();
      LOG.log(
          Level.INFO,
          "module "
              + sha256
              + (cached.hit()
                  ? " loaded from the compile cache in " + ms + " ms"
                  : " compiled in " + ms + " ms, saved to the compile cache"));
    }
    return guestModule;
  }

  /**
   * FAIL, not the default fallback to the interpreter for a function too large for one JVM method:
   * the interpreter does not check for interrupts at every loop back-edge, so the CPU deadline could
   * not stop such a function.
   */
  private static final InterpreterFallback FALLBACK = InterpreterFallback.FAIL;

  /** The options the host compiles with, part of every cache entry's fingerprint: changing them makes old entries misses. */
  static final String COMPILER_OPTIONS = "interpreterFallback=" + FALLBACK;

  /** Compiles to JVM bytecode, or loads what an earlier run compiled. */
  private static Function<Instance, Machine> compile(WasmModule module, CompileCache.Entry cached) {
    try {
      return compiler(module, cached).compile();
    } catch (RuntimeException | LinkageError | AssertionError e) {
      if (cached == null || !cached.hit()) throw e;
      // Classes that passed the entry's checks and still fail to load or verify: compile afresh.
      cached.discard(e);
      return compiler(module, cached).compile();
    }
  }

  private static MachineFactoryCompiler.Builder compiler(
      WasmModule module, CompileCache.Entry cached) {
    MachineFactoryCompiler.Builder builder =
        MachineFactoryCompiler.builder(module).withInterpreterFallback(FALLBACK);
    return cached == null ? builder : builder.withCache(cached);
  }

  /**
   * Chicory's parser sizes a function type's parameter and result arrays by the counts the module
   * declares, before it reads them: a few bytes claiming a billion parameters would cost gigabytes
   * (found by fuzzing). Each value type takes at least a byte, so a count larger than the bytes left
   * in the type section is malformed; refuse it before parsing.
   */
  private static void checkTypeSection(byte[] b) throws ModuleRejectedException {
    int[] at = {8}; // after the magic number and the version
    try {
      while (at[0] < b.length) {
        int id = b[at[0]++] & 0xff;
        long size = leb(b, at);
        long end = at[0] + size;
        if (end > b.length) return; // truncated: the parser says so
        if (id == 1) {
          long types = leb(b, at);
          for (long t = 0; t < types && at[0] < end; t++) {
            at[0]++; // the 0x60 form
            for (int vec = 0; vec < 2; vec++) {
              long count = leb(b, at);
              if (count > end - at[0]) {
                throw new ModuleRejectedException(
                    "not a valid wasm module: function type "
                        + t
                        + " declares "
                        + count
                        + " value types in a section of "
                        + size
                        + " bytes");
              }
              at[0] += (int) count;
            }
          }
          return;
        }
        at[0] = (int) end;
      }
    } catch (ArrayIndexOutOfBoundsException truncated) {
      // a truncated number: the parser reports it
    }
  }

  /** An unsigned LEB128 number at {@code at[0]}, which moves past it. */
  private static long leb(byte[] b, int[] at) {
    long value = 0;
    for (int shift = 0; shift < 35; shift += 7) {
      int x = b[at[0]++] & 0xff;
      value |= (long) (x & 0x7f) << shift;
      if ((x & 0x80) == 0) return value;
    }
    return value;
  }

  private static boolean checkImports(WasmModule module) throws ModuleRejectedException {
    boolean usesWasi = false;
    for (int i = 0; i < module.importSection().importCount(); i++) {
      Import imp = module.importSection().getImport(i);
      String name = imp.module() + "." + imp.name();
      if (!(imp instanceof FunctionImport function)) {
        throw new ModuleRejectedException(
            "unknown import " + name + " (only functions may be imported)");
      }
      FunctionType type = type(module, function.typeIndex(), "import " + name);
      Map<String, FunctionType> known =
          imp.module().equals(Abi.IMPORT_MODULE)
              ? Abi.IMPORTS
              : imp.module().equals(Abi.WASI_MODULE) ? Wasi.SIGNATURES : Map.of();
      FunctionType expected = known.get(imp.name());
      if (expected == null) throw new ModuleRejectedException("unknown import " + name);
      if (!expected.typesMatch(type)) {
        throw new ModuleRejectedException(
            "wrong signature for import " + name + ": " + type + ", ABI v1 says " + expected);
      }
      usesWasi |= known == Wasi.SIGNATURES;
    }
    return usesWasi;
  }

  private static void checkExports(WasmModule module) throws ModuleRejectedException {
    Map<String, Export> exports = new HashMap<>();
    for (int i = 0; i < module.exportSection().exportCount(); i++) {
      Export e = module.exportSection().getExport(i);
      exports.put(e.name(), e);
    }
    Export memory = exports.get(Abi.MEMORY);
    if (memory == null || memory.exportType() != ExternalType.MEMORY) {
      throw new ModuleRejectedException("missing export memory");
    }
    for (String required : List.of(Abi.ABI_VERSION, Abi.ALLOC)) {
      if (!exports.containsKey(required))
        throw new ModuleRejectedException("missing export " + required);
    }
    for (Map.Entry<String, FunctionType> hook : Abi.EXPORTS.entrySet()) {
      Export e = exports.get(hook.getKey());
      if (e == null) continue;
      if (e.exportType() != ExternalType.FUNCTION) {
        throw new ModuleRejectedException("export " + hook.getKey() + " is not a function");
      }
      FunctionType actual = functionType(module, e.index(), "export " + hook.getKey());
      if (!hook.getValue().typesMatch(actual)) {
        throw new ModuleRejectedException(
            "wrong signature for export "
                + hook.getKey()
                + ": "
                + actual
                + ", ABI v1 says "
                + hook.getValue());
      }
    }
  }

  /**
   * The type of function {@code funcIndex} (every import is a function by now). Chicory's parser does
   * not check the indexes exports and imports hold (instantiation does), so they are checked here: an
   * index past the end is a rejection, not an exception (found by fuzzing).
   */
  private static FunctionType functionType(WasmModule module, int funcIndex, String what)
      throws ModuleRejectedException {
    int imported = module.importSection().count(ExternalType.FUNCTION);
    int defined = module.functionSection().functionCount();
    if (funcIndex < 0 || funcIndex >= imported + defined) {
      throw new ModuleRejectedException(
          what
              + " names function "
              + Integer.toUnsignedString(funcIndex)
              + ", which does not exist");
    }
    int typeIndex =
        funcIndex < imported
            ? ((FunctionImport) module.importSection().getImport(funcIndex)).typeIndex()
            : module.functionSection().getFunctionType(funcIndex - imported);
    return type(module, typeIndex, what);
  }

  private static FunctionType type(WasmModule module, int typeIndex, String what)
      throws ModuleRejectedException {
    if (typeIndex < 0 || typeIndex >= module.typeSection().typeCount()) {
      throw new ModuleRejectedException(
          what + " has type " + Integer.toUnsignedString(typeIndex) + ", which does not exist");
    }
    return module.typeSection().getType(typeIndex);
  }

  /** The instance's memory limits: the module's own, capped at the host's maximum. */
  private static MemoryLimits memoryLimits(WasmModule module, int maxPages)
      throws ModuleRejectedException {
    if (module.memorySection().isEmpty() || module.memorySection().get().memoryCount() == 0) {
      throw new ModuleRejectedException("missing export memory");
    }
    MemoryLimits declared = module.memorySection().get().getMemory(0).limits();
    if (declared.initialPages() > maxPages) {
      throw new ModuleRejectedException(
          "memory too large: the module asks for "
              + declared.initialPages()
              + " pages at start, the limit is "
              + maxPages
              + " pages");
    }
    return new MemoryLimits(declared.initialPages(), Math.min(declared.maximumPages(), maxPages));
  }

  /** How long the version probe may run: it must return a constant. */
  private static final long PROBE_DEADLINE_MS = 1000;

  /**
   * Every ABI host call, answering NOT_IMPLEMENTED whatever it is asked: for an instance that runs
   * no room (the version probe, tests of memory).
   */
  public static List<HostFunction> inertHostCalls() {
    List<HostFunction> inert = new ArrayList<>();
    Abi.IMPORTS.forEach(
        (name, type) ->
            inert.add(
                new HostFunction(
                    Abi.IMPORT_MODULE,
                    name,
                    type,
                    (instance, args) -> new long[] {Abi.NOT_IMPLEMENTED})));
    return inert;
  }

  /** Instantiates once with inert host calls and asks the module which ABI it was built for. */
  private void checkAbiVersion() throws ModuleRejectedException {
    List<HostFunction> inert = inertHostCalls();
    HookResult version;
    Guest probe = null;
    try {
      probe =
          Guest.instantiate(
              this, "the version probe of module " + sha256, inert, null, null, GuestTime.SYSTEM);
      version = probe.run(PROBE_DEADLINE_MS, Guest::abiVersion);
    } catch (GuestTrap e) {
      version = HookResult.trapped(e.getMessage());
    } catch (MemoryBudget.Exhausted e) {
      throw new ModuleRejectedException(
          "the host's guest memory budget has no room to check the module now (retry later),"
              + " or the module's initial memory and tables exceed the whole budget: "
              + e.getMessage());
    } finally {
      if (probe != null) probe.close();
    }
    if (version.trapped()) {
      throw new ModuleRejectedException(
          version.trap().startsWith(Watchdog.DeadlineExceeded.PREFIX)
              ? Abi.ABI_VERSION + " " + version.trap() + " (it must return a constant)"
              : "module failed to start: " + version.trap());
    }
    if (!Abi.SUPPORTED_VERSIONS.contains(version.code())) {
      throw new ModuleRejectedException(
          "unsupported abi version "
              + version.code()
              + " (this host serves "
              + Abi.SUPPORTED_VERSIONS
              + ")");
    }
  }

  /**
   * A new instance for one room; its memory starts from the module's data, its start function is not
   * run. Of the functions given, only those the module imports are passed on: Chicory matches each
   * import against the whole list, once per instance.
   */
  public Instance instantiate(List<HostFunction> hostCalls, List<HostFunction> wasi) {
    return instantiate("an instance of module " + sha256, hostCalls, wasi);
  }

  /**
   * As above, its memory and tables reserved from the module's budget ({@link BudgetedMemory}, whose
   * {@code release} gives them back); {@code owner} names it in the budget's log line. Throws {@link
   * MemoryBudget.Exhausted} when they do not fit.
   */
  public Instance instantiate(String owner, List<HostFunction> hostCalls, List<HostFunction> wasi) {
    List<HostFunction> functions = new ArrayList<>(imports.size());
    for (HostFunction f : hostCalls)
      if (imports.contains(f.module() + "." + f.name())) functions.add(f);
    if (usesWasi) {
      for (HostFunction f : wasi)
        if (imports.contains(f.module() + "." + f.name())) functions.add(f);
    }
    BudgetedMemory[] made = {null};
    try {
      return Instance.builder(growableTables ? withOwnTables() : instanceModule)
          .withImportValues(
              ImportValues.builder().withFunctions(new ArrayList<>(functions)).build())
          .withStart(false)
          .withMachineFactory(machineFactory)
          .withMemoryLimits(memoryLimits)
          .withMemoryFactory(
              limits -> made[0] = new BudgetedMemory(limits, budget, tableBytes, owner))
          .build();
    } catch (RuntimeException | Error e) {
      if (made[0] != null) made[0].release(); // reserved, but no instance holds it
      throw e;
    }
  }

  /** The module with tables of its own, from their limits as declared: no instance shares them. */
  private WasmModule withOwnTables() {
    TableSection.Builder tables = TableSection.builder();
    for (int i = 0; i < tableLimits.size(); i++) {
      Table t = module.tableSection().getTable(i);
      TableLimits l = tableLimits.get(i);
      tables.addTable(
          new Table(t.elementType(), new TableLimits(l.min(), l.max()), t.initialize()));
    }
    return copy(tables.build());
  }

  /** The module as an instance gets it: these tables, no exports, the rest (and its code) shared. */
  private WasmModule copy(TableSection tables) {
    WasmModule.Builder copy =
        WasmModule.builder()
            .setTypeSection(module.typeSection())
            .setImportSection(module.importSection())
            .setFunctionSection(module.functionSection())
            .setTableSection(tables)
            .setGlobalSection(module.globalSection())
            .setExportSection(ExportSection.builder().build())
            .setElementSection(module.elementSection())
            .setCodeSection(module.codeSection())
            .setDataSection(module.dataSection())
            .withValidation(false);
    module.memorySection().ifPresent(copy::setMemorySection);
    module.startSection().ifPresent(copy::setStartSection);
    module.dataCountSection().ifPresent(copy::setDataCountSection);
    module.tagSection().ifPresent(copy::setTagSection);
    return copy.build();
  }

  /**
   * The most targets one {@code br_table} may have. Chicory's compiler takes time quadratic in a
   * branch table's size (on this machine 0.2 s for 10,000 targets, 2 s for 100,000, 18 s for 300,000)
   * and cannot fit one of more than about 15,000 into a JVM method anyway: a larger one is refused
   * before compiling, quickly, with the reason.
   */
  public static final int MAX_BRANCH_TABLE_TARGETS = 10_000;

  private static void checkBranchTables(WasmModule module) throws ModuleRejectedException {
    int imported = module.importSection().count(ExternalType.FUNCTION);
    FunctionBody[] bodies = module.codeSection().functionBodies();
    for (int f = 0; f < bodies.length; f++) {
      for (Instruction i : bodies[f].instructions()) {
        if (i.opcode() == OpCode.BR_TABLE && i.operandCount() - 1 > MAX_BRANCH_TABLE_TARGETS) {
          throw new ModuleRejectedException(
              "function "
                  + (imported + f)
                  + " has a br_table of "
                  + (i.operandCount() - 1)
                  + " targets, the limit is "
                  + MAX_BRANCH_TABLE_TARGETS
                  + " (compiling it would take too long)");
        }
      }
    }
  }

  /** Each table's limits, its maximum capped; a table that starts over the cap is refused. */
  private static List<TableLimits> tableLimits(WasmModule module, int maxElements)
      throws ModuleRejectedException {
    List<TableLimits> limits = new ArrayList<>();
    for (int i = 0; i < module.tableSection().tableCount(); i++) {
      TableLimits declared = module.tableSection().getTable(i).limits();
      if (declared.min() > maxElements) {
        throw new ModuleRejectedException(
            "table too large: the module asks for "
                + declared.min()
                + " entries at start, the limit is "
                + maxElements);
      }
      limits.add(new TableLimits(declared.min(), Math.min(declared.max(), maxElements)));
    }
    return List.copyOf(limits);
  }

  public boolean usesWasi() {
    return usesWasi;
  }

  public String sha256() {
    return sha256;
  }

  public int byteSize() {
    return byteSize;
  }
}
