package dev.partyhost.party;

import dev.partyhost.HostConfig;
import dev.partyhost.guest.CompileCache;
import dev.partyhost.guest.GuestLoggers;
import dev.partyhost.guest.GuestModule;
import dev.partyhost.guest.MemoryBudget;
import dev.partyhost.guest.ModuleRejectedException;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The module registry: the version of each party that new rooms get, by name. A party comes from the
 * {@code --parties} folder (built in) or from an upload ({@link Uploads}); an upload of a name
 * overrides the folder's module of that name. Thread-safe.
 */
public final class Parties {
  private static final Logger LOG = System.getLogger("partyhost.parties");
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");

  /** The alias of the main party in URLs ({@code /parties/main/ROOM}): no party can be uploaded under it. */
  public static final String MAIN_ALIAS = "main";

  private final HostConfig config;

  /** Compiled code kept across restarts; null when off. */
  private final CompileCache cache;

  /** What every instance of this host's modules (rooms, gates, version probes) reserves its memory from. */
  private final MemoryBudget memoryBudget;

  private final Map<String, GuestModule> current = new ConcurrentHashMap<>();

  /** The folder's modules, by party: what serves a name that has no upload. */
  private final Map<String, GuestModule> builtIn = new ConcurrentHashMap<>();

  /** Parties whose current module is an upload. */
  private final Set<String> uploaded = ConcurrentHashMap.newKeySet();

  public Parties(HostConfig config) {
    this.config = config;
    Path dir = config.compileCachePath();
    this.cache = dir == null ? null : new CompileCache(dir);
    this.memoryBudget = new MemoryBudget(config.maxGuestMemoryBytes);
  }

  /** The host-wide budget of guest memory. */
  public MemoryBudget memoryBudget() {
    return memoryBudget;
  }

  public static boolean isValidName(String name) {
    return NAME.matcher(name).matches();
  }

  /** The {@code NAME.wasm} files of a folder, in name order. */
  static List<Path> moduleFiles(Path dir) throws IOException {
    try (Stream<Path> list = Files.list(dir)) {
      return list.filter(p -> p.getFileName().toString().endsWith(".wasm")).sorted().toList();
    }
  }

  /** The party a module file serves: its name without {@code .wasm}, if that is a valid name. */
  static String partyName(Path file) throws ModuleRejectedException {
    String name = file.getFileName().toString().replaceFirst("\\.wasm$", "");
    if (!isValidName(name)) throw new ModuleRejectedException("invalid party name " + name);
    return name;
  }

  /** Parses, validates and compiles a module for party {@code name} (slow: call it off the event loops). */
  public GuestModule compile(String name, byte[] bytes) throws ModuleRejectedException {
    return GuestModule.load(
        bytes,
        config.mode,
        config.maxModuleBytes,
        config.limits(name).maxMemoryPages(),
        config.maxTableElements,
        cache,
        memoryBudget);
  }

  /** Makes {@code module} the version that new rooms of {@code name} get. */
  public void put(String name, GuestModule module) {
    if (!isValidName(name)) throw new IllegalArgumentException("invalid party name " + name);
    GuestLoggers.setLevel(name, config.limits(name).logLevel());
    current.put(name, module);
  }

  /** Makes an uploaded module the version that new rooms of {@code name} get. */
  void putUploaded(String name, GuestModule module) {
    put(name, module);
    uploaded.add(name);
  }

  /**
   * The uploads of {@code name} are gone: the folder's module of that name serves again (returned),
   * else the party is no more (null).
   */
  GuestModule removeUploaded(String name) {
    uploaded.remove(name);
    GuestModule folder = builtIn.get(name);
    if (folder == null) current.remove(name);
    else current.put(name, folder);
    return folder;
  }

  /**
   * The folder's module of {@code name} changed ({@code --watch}): it serves new rooms unless an
   * upload does. Whether it serves.
   */
  public boolean replaceBuiltIn(String name, GuestModule module) {
    builtIn.put(name, module);
    if (uploaded.contains(name)) return false;
    put(name, module);
    return true;
  }

  public GuestModule get(String name) {
    return current.get(name);
  }

  /** The folder's module of that name, or null. */
  public GuestModule builtIn(String name) {
    return builtIn.get(name);
  }

  /** Whether the party's current module is an upload (else it is the folder's). */
  public boolean isUploaded(String name) {
    return uploaded.contains(name);
  }

  public Map<String, GuestModule> all() {
    return new TreeMap<>(current);
  }

  /**
   * Loads every {@code NAME.wasm} of a folder. A module that cannot serve (a bad name, unreadable, or
   * refused by validation) is logged with its reason and skipped, unless {@code strict}: then it stops
   * the load, naming the file.
   */
  public void loadDirectory(Path dir, boolean strict) throws IOException, ModuleRejectedException {
    for (Path file : moduleFiles(dir)) {
      try {
        String name = partyName(file);
        GuestModule module = compile(name, Files.readAllBytes(file));
        builtIn.put(name, module);
        if (!uploaded.contains(name)) put(name, module);
      } catch (ModuleRejectedException | IOException e) {
        String why = e instanceof IOException ? "cannot read it: " + e : e.getMessage();
        if (strict) throw new ModuleRejectedException(file + ": " + why);
        LOG.log(Level.WARNING, "module " + file + " not served: " + why);
      }
    }
  }
}
