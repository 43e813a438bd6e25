package dev.partyhost.guest;

import com.dylibso.chicory.compiler.Cache;
import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasm.WasmModule;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.Properties;
import java.util.Set;

/**
 * Compiled guest code on disk, so that a restart does not compile every module again. Chicory's
 * compiler asks its {@link Cache} for a module's classes before compiling, and hands it what it
 * compiled; this is that cache. One file per module, {@code SHA256.chicory}, named by the SHA-256 of
 * the module's bytes: a header line {@code partyhost-compiled 1 FINGERPRINT MODULE_SHA256 PAYLOAD_SHA256},
 * then Chicory's payload (a jar of JVM classes).
 *
 * <p>The host loads these classes and runs them, so an entry is used only if every check passes: the
 * fingerprint (Chicory's version and jars and the compile options, so an upgraded host never loads
 * classes an older one wrote), the module hash (an entry copied under another name) and the payload
 * hash (a truncated or corrupt file). Anything else is a miss: the module is compiled and the entry
 * rewritten, through a temporary file and a rename so that no reader sees half a file. The cache is
 * only an optimisation: no error here fails a load. Thread-safe.
 */
public final class CompileCache {
  private static final Logger LOG = System.getLogger("partyhost.compile");
  private static final String MAGIC = "partyhost-compiled 1";

  /** The header line is ASCII and short; a file without a newline this early is not an entry. */
  private static final int MAX_HEADER = 256;

  private final Path dir;
  private final String fingerprint;

  /** A cache in {@code dir}, created when first written. */
  public CompileCache(Path dir) {
    this.dir = dir.toAbsolutePath().normalize();
    this.fingerprint = fingerprint(GuestModule.COMPILER_OPTIONS);
  }

  public Path dir() {
    return dir;
  }

  /** Chicory's cache for one module, by the SHA-256 of its bytes (hex). */
  Entry entry(String moduleSha256) {
    return new Entry(moduleSha256);
  }

  /**
   * One module's entry, as Chicory sees it. What Chicory compiles is held until {@link #save()}, so a
   * module that compiles but is then rejected (its ABI version) leaves nothing on disk.
   */
  final class Entry implements Cache {
    private final String moduleSha256;

    /** The key Chicory will use: its parser's digest of the module, "sha-256:" and base64. */
    private final String chicoryKey;

    private final Path file;
    private boolean hit;
    private boolean discarded;
    private byte[] compiled;

    private Entry(String moduleSha256) {
      this.moduleSha256 = moduleSha256;
      this.chicoryKey =
          "sha-256:" + Base64.getEncoder().encodeToString(HexFormat.of().parseHex(moduleSha256));
      this.file = dir.resolve(moduleSha256 + ".chicory");
    }

    @Override
    public byte[] get(String key) {
      // Another key means Chicory digested something else (its digest algorithm is a system
      // property): then this entry does not describe that module, and is neither read nor written.
      if (!key.equals(chicoryKey) || discarded) return null;
      byte[] payload = read();
      hit = payload != null;
      return payload;
    }

    @Override
    public void putIfAbsent(String key, byte[] data) {
      if (key.equals(chicoryKey)) compiled = data;
    }

    /** Whether Chicory's classes came from the disk rather than the compiler. */
    boolean hit() {
      return hit;
    }

    /** An entry that passed its checks but did not load: delete it and never read it again. */
    void discard(Throwable why) {
      LOG.log(
          Level.WARNING, "compile cache: " + file + " did not load (" + why + "), compiling again");
      discarded = true;
      hit = false;
      try {
        Files.deleteIfExists(file);
      } catch (IOException e) {
        LOG.log(Level.WARNING, "compile cache: cannot delete " + file + ": " + e);
      }
    }

    /** Writes what Chicory compiled (if anything) as this module's entry, replacing any old one. */
    void save() {
      if (compiled == null) return;
      byte[] header =
          (MAGIC + " " + fingerprint + " " + moduleSha256 + " " + Sha256.hex(compiled) + "\n")
              .getBytes(StandardCharsets.US_ASCII);
      Path temp = null;
      try {
        createDir();
        temp = Files.createTempFile(dir, moduleSha256 + ".", ".tmp");
        try (var out = Files.newOutputStream(temp)) {
          out.write(header);
          out.write(compiled);
        }
        // No fsync: a file that a power cut leaves empty or half-written fails its hash and is
        // rewritten.
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        temp = null;
      } catch (IOException | UnsupportedOperationException e) {
        LOG.log(Level.WARNING, "compile cache: cannot write " + file + ": " + e);
      } finally {
        compiled = null;
        if (temp != null) {
          try {
            Files.deleteIfExists(temp);
          } catch (IOException ignored) {
            // already warned
          }
        }
      }
    }

    /** The payload, or null for a missing entry or one that fails a check (logged). */
    private byte[] read() {
      byte[] bytes;
      try {
        bytes = Files.readAllBytes(file);
      } catch (NoSuchFileException e) {
        return null;
      } catch (IOException | OutOfMemoryError e) {
        return ignore("cannot be read: " + e);
      }
      int newline = -1;
      for (int i = 0; i < Math.min(bytes.length, MAX_HEADER); i++) {
        if (bytes[i] == '\n') {
          newline = i;
          break;
        }
      }
      if (newline < 0) return ignore("has no header");
      String[] header = new String(bytes, 0, newline, StandardCharsets.US_ASCII).split(" ");
      if (header.length != 5 || !(header[0] + " " + header[1]).equals(MAGIC))
        return ignore("has no header");
      if (!header[2].equals(fingerprint))
        return ignore("was compiled by another version (" + header[2] + ")");
      if (!header[3].equals(moduleSha256))
        return ignore("belongs to another module (" + header[3] + ")");
      byte[] payload = Arrays.copyOfRange(bytes, newline + 1, bytes.length);
      if (!header[4].equals(Sha256.hex(payload)))
        return ignore("is corrupt (its hash does not match)");
      return payload;
    }

    private byte[] ignore(String why) {
      LOG.log(Level.WARNING, "compile cache: " + file + " " + why + "; compiling again");
      return null;
    }
  }

  /**
   * Creates the folder, readable and writable by this user only where the file system allows: anyone who
   * can write there can make the host run their code. Its parent (the data directory) is created as usual.
   */
  private void createDir() throws IOException {
    if (Files.isDirectory(dir)) return;
    Files.createDirectories(dir.getParent());
    try {
      Files.createDirectory(
          dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    } catch (UnsupportedOperationException notPosix) {
      Files.createDirectories(dir);
    } catch (FileAlreadyExistsException raced) {
      // another thread or host made it
    }
  }

  /**
   * What compiled classes depend on besides the module: the options the host compiles with, and
   * Chicory's build: its version and the size and modification time of the jars its compiler, runtime
   * and parser come from (in a packaged host, the host's own jar, so a new host build compiles afresh
   * once). Hashing the jars' bytes instead would cost more at each start than loading every example
   * module from the cache.
   */
  private static String fingerprint(String compilerOptions) {
    StringBuilder material = new StringBuilder(compilerOptions);
    Set<Path> jars = new LinkedHashSet<>();
    for (Class<?> c :
        new Class<?>[] {MachineFactoryCompiler.class, Instance.class, WasmModule.class}) {
      try {
        var source = c.getProtectionDomain().getCodeSource();
        if (source != null) jars.add(Path.of(source.getLocation().toURI()));
      } catch (URISyntaxException | IllegalArgumentException | SecurityException e) {
        // no jar to describe: the version still counts
      }
    }
    for (Path jar : jars) {
      material.append('\n').append(jar);
      try {
        material
            .append(' ')
            .append(Files.size(jar))
            .append(' ')
            .append(Files.getLastModifiedTime(jar).toMillis());
      } catch (IOException e) {
        // a folder of classes, or gone: its path still counts
      }
    }
    String version = chicoryVersion();
    material.append('\n').append(version);
    return "chicory-"
        + version
        + "-"
        + Sha256.hex(material.toString().getBytes(StandardCharsets.UTF_8)).substring(0, 16);
  }

  private static String chicoryVersion() {
    try (InputStream in =
        MachineFactoryCompiler.class.getResourceAsStream(
            "/META-INF/maven/com.dylibso.chicory/compiler/pom.properties")) {
      if (in == null) return "unknown";
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version", "unknown").replaceAll("[^A-Za-z0-9._-]", "_");
    } catch (IOException e) {
      return "unknown";
    }
  }
}
