package dev.partyhost.party;

import dev.partyhost.guest.GuestModule;
import dev.partyhost.guest.ModuleRejectedException;
import dev.partyhost.guest.Sha256;
import dev.partyhost.room.Rooms;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code --watch}: the parties folders are looked at every {@link #POLL_MS} ms, and a module file
 * that changed (or appeared) is compiled and swapped in: new rooms get it and live rooms restart
 * with 1012, so their clients reconnect to it. A module that does not compile is logged with its
 * reason and the previous version keeps serving. Polling rather than inotify: a file is read once
 * its size and time have stayed the same for one poll, so a module still being written is never
 * read half-way, and it works the same on every file system.
 */
public final class FolderWatch {
  private static final Logger LOG = System.getLogger("partyhost.parties");
  static final long POLL_MS = 300;

  private record Stamp(long size, long modified) {}

  /** A file that changed, compiled or refused. */
  private record Change(String name, Path file, GuestModule module, String refused, long ms) {}

  private final Vertx vertx;
  private final Parties parties;
  private final Rooms rooms;
  private final List<Path> dirs;

  /** Touched only by {@link #scan} (one at a time, on a worker thread). */
  private final Map<Path, Stamp> seen = new HashMap<>();

  private final Map<Path, Stamp> loaded = new HashMap<>();
  private boolean scanning;

  private FolderWatch(Vertx vertx, Parties parties, Rooms rooms, List<Path> dirs) {
    this.vertx = vertx;
    this.parties = parties;
    this.rooms = rooms;
    this.dirs = dirs;
  }

  /** Watches {@code dirs} until Vert.x closes; the files there now count as loaded. */
  public static void start(Vertx vertx, Parties parties, Rooms rooms, List<Path> dirs)
      throws IOException {
    FolderWatch watch = new FolderWatch(vertx, parties, rooms, dirs);
    for (Path file : watch.modules()) {
      Stamp stamp = stamp(file);
      watch.seen.put(file, stamp);
      watch.loaded.put(file, stamp);
    }
    var unused = vertx.setPeriodic(POLL_MS, id -> watch.poll());
    LOG.log(Level.INFO, "watching " + dirs + " for changed modules");
  }

  /** On the timer's event loop: one scan at a time, off the loop, then the swaps on it. */
  private void poll() {
    if (scanning) return;
    scanning = true;
    vertx
        .executeBlocking(this::scan)
        .onComplete(
            r -> {
              scanning = false;
              if (r.failed()) LOG.log(Level.WARNING, "cannot watch " + dirs + ": " + r.cause());
              else r.result().forEach(this::apply);
            });
  }

  private List<Change> scan() throws IOException {
    List<Change> changes = new ArrayList<>();
    for (Path file : modules()) {
      Stamp stamp;
      try {
        stamp = stamp(file);
      } catch (IOException gone) {
        continue; // removed between the listing and now
      }
      Stamp before = seen.put(file, stamp);
      if (!stamp.equals(before) || stamp.equals(loaded.get(file))) continue; // moving, or loaded
      loaded.put(file, stamp); // (a refused file is tried again once it changes again)
      String name = file.getFileName().toString();
      long start = System.nanoTime();
      try {
        name = Parties.partyName(file);
        byte[] bytes = Files.readAllBytes(file);
        GuestModule serving = parties.builtIn(name);
        if (serving != null && serving.sha256().equals(Sha256.hex(bytes))) continue; // touched
        GuestModule module = parties.compile(name, bytes);
        changes.add(new Change(name, file, module, null, (System.nanoTime() - start) / 1_000_000));
      } catch (ModuleRejectedException | IOException e) {
        String why = e instanceof IOException ? "cannot read it: " + e : e.getMessage();
        changes.add(new Change(name, file, null, why, 0));
      }
    }
    return changes;
  }

  private void apply(Change c) {
    if (c.module == null) {
      LOG.log(
          Level.WARNING,
          "module " + c.file + " not reloaded: " + c.refused + "; the previous version serves on");
      return;
    }
    if (!parties.replaceBuiltIn(c.name, c.module)) {
      LOG.log(
          Level.INFO,
          "module "
              + c.file
              + " changed, but party "
              + c.name
              + " serves an upload (the folder's serves once its uploads are deleted)");
      return;
    }
    int restarted = rooms.restart(c.name);
    LOG.log(
        Level.INFO,
        "party "
            + c.name
            + " reloaded from "
            + c.file
            + ": "
            + c.module.sha256()
            + ", compiled in "
            + c.ms
            + " ms, "
            + restarted
            + " rooms restarted");
  }

  private List<Path> modules() throws IOException {
    List<Path> files = new ArrayList<>();
    for (Path dir : dirs) files.addAll(Parties.moduleFiles(dir));
    return files;
  }

  private static Stamp stamp(Path file) throws IOException {
    BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
    return new Stamp(a.size(), a.lastModifiedTime().toMillis());
  }
}
