package dev.partyhost.party;

import dev.partyhost.HostConfig;
import dev.partyhost.guest.CompileCache;
import dev.partyhost.guest.GuestModule;
import dev.partyhost.guest.ModuleRejectedException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** The module registry: the current version of each party, by name. Thread-safe. */
public final class Parties {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");

  private final HostConfig config;
  /** Compiled code kept across restarts; null when off. */
  private final CompileCache cache;
  private final Map<String, GuestModule> current = new ConcurrentHashMap<>();

  public Parties(HostConfig config) {
    this.config = config;
    Path dir = config.compileCachePath();
    this.cache = dir == null ? null : new CompileCache(dir);
  }

  public static boolean isValidName(String name) {
    return NAME.matcher(name).matches();
  }

  /** Parses, validates and compiles a module for party {@code name} (slow: call it off the event loops). */
  public GuestModule compile(String name, byte[] bytes) throws ModuleRejectedException {
    return GuestModule.load(bytes, config.mode, config.maxModuleBytes,
        config.limits(name).maxMemoryPages(), cache);
  }

  /** Makes {@code module} the version that new rooms of {@code name} get. */
  public void put(String name, GuestModule module) {
    if (!isValidName(name)) throw new IllegalArgumentException("invalid party name " + name);
    current.put(name, module);
  }

  public GuestModule get(String name) {
    return current.get(name);
  }

  public Map<String, GuestModule> all() {
    return new TreeMap<>(current);
  }

  /** Loads every {@code NAME.wasm} of a folder; the first bad module stops the load, naming the file. */
  public void loadDirectory(Path dir) throws IOException, ModuleRejectedException {
    List<Path> files;
    try (Stream<Path> list = Files.list(dir)) {
      files = list.filter(p -> p.getFileName().toString().endsWith(".wasm")).sorted().toList();
    }
    for (Path file : files) {
      String name = file.getFileName().toString().replaceFirst("\\.wasm$", "");
      if (!isValidName(name)) throw new ModuleRejectedException(file + ": invalid party name " + name);
      try {
        put(name, compile(name, Files.readAllBytes(file)));
      } catch (ModuleRejectedException e) {
        throw new ModuleRejectedException(file + ": " + e.getMessage());
      }
    }
  }
}
