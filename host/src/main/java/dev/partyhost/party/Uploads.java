package dev.partyhost.party;

import dev.partyhost.guest.GuestModule;
import dev.partyhost.guest.ModuleRejectedException;
import dev.partyhost.storage.PartyStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * Uploaded parties, kept durably with their versions in the host's {@link PartyStore}: the store is
 * the truth for uploaded parties, and an upload of a name overrides the {@code --parties} folder's
 * module of that name, across restarts, until the party is deleted. Changes of one party are
 * serialized (a Vert.x local lock per party), so that the version the store calls current is the one
 * new rooms get. Compiling runs off the event loops. In a cluster the nodes share the store: a node
 * applies the changes made through others with {@link #sync} ({@code cluster.PartyChanges}).
 */
public final class Uploads {
  private static final Logger LOG = System.getLogger("partyhost.parties");

  /** How long a change waits for another change of the same party (a compile takes at most seconds). */
  private static final long LOCK_TIMEOUT_MS = 60_000;

  /** A request the admin API answers with {@code status} and this message. */
  public static final class Refused extends Exception {
    private final int status;

    public Refused(int status, String message) {
      super(message, null, false, false);
      this.status = status;
    }

    public int status() {
      return status;
    }
  }

  /**
   * What a delete did.
   *
   * @param versions how many stored versions went
   * @param folder the folder's module that serves the name now, or null: the party is gone
   */
  public record Deleted(int versions, GuestModule folder) {}

  private final Vertx vertx;
  private final Parties parties;
  private final PartyStore store;

  public Uploads(Vertx vertx, Parties parties, PartyStore store) {
    this.vertx = vertx;
    this.parties = parties;
    this.store = store;
  }

  /** Null when a party may be uploaded under {@code name}, else why not. */
  public static String invalidName(String name) {
    if (!Parties.isValidName(name)) return "Invalid party name: use 1-64 of A-Z a-z 0-9 _ -";
    if (name.equals(Parties.MAIN_ALIAS)) {
      return "Invalid party name: main is the alias of the main party (/parties/main/ROOM); upload the main party under"
          + " its own name (--main-party)";
    }
    return null;
  }

  /**
   * At start, on a thread that may block: serves the current version of every stored party. One that
   * cannot be read or no longer passes validation (the host's limits may have changed) is logged and
   * skipped, unless {@code strict}.
   */
  public void restore(boolean strict) throws ModuleRejectedException {
    Map<String, String> current = new TreeMap<>(store.currentVersions().await());
    for (Map.Entry<String, String> party : current.entrySet()) {
      String name = party.getKey(), sha256 = party.getValue();
      try {
        byte[] bytes = store.module(sha256).await();
        if (bytes == null)
          throw new ModuleRejectedException("its module " + sha256 + " is missing from the store");
        GuestModule module = parties.compile(name, bytes);
        parties.putUploaded(name, module);
      } catch (ModuleRejectedException e) {
        String why =
            "uploaded party "
                + name
                + " (version "
                + sha256
                + ") cannot be served: "
                + e.getMessage();
        if (strict) throw new ModuleRejectedException(why);
        LOG.log(
            Level.WARNING,
            why + (parties.builtIn(name) != null ? "; serving the folder's module" : ""));
      }
    }
  }

  /** Compiles the module (off the event loops), then keeps it as the party's new current version. */
  public Future<GuestModule> upload(String name, byte[] bytes) {
    String invalid = invalidName(name);
    if (invalid != null) return Future.failedFuture(new Refused(400, invalid));
    return compile(name, bytes)
        .compose(
            module ->
                locked(
                    name,
                    () ->
                        store
                            .upload(name, module.sha256(), bytes, System.currentTimeMillis())
                            .map(
                                v -> {
                                  parties.putUploaded(name, module);
                                  return module;
                                })));
  }

  /** Makes an earlier version of the party current again (compiled afresh: the host's limits may have changed). */
  public Future<GuestModule> makeCurrent(String name, String sha256) {
    return locked(
        name,
        () ->
            store
                .versions(name)
                .compose(
                    versions -> {
                      if (versions.stream().noneMatch(v -> v.sha256().equals(sha256))) {
                        return Future.failedFuture(
                            new Refused(
                                404,
                                versions.isEmpty()
                                    ? "Party " + name + " has no uploaded versions"
                                    : "Party " + name + " has no version " + sha256));
                      }
                      return store
                          .module(sha256)
                          .compose(bytes -> compile(name, bytes))
                          .compose(
                              module ->
                                  store
                                      .setCurrent(name, sha256)
                                      .map(
                                          set -> {
                                            parties.putUploaded(name, module);
                                            return module;
                                          }));
                    }));
  }

  /**
   * Removes a party's uploads: the folder's module of that name serves again, else the party is gone.
   * A party that only the folder provides cannot be deleted here (409).
   */
  public Future<Deleted> delete(String name) {
    return locked(
        name,
        () ->
            store
                .versions(name)
                .compose(
                    versions -> {
                      if (versions.isEmpty()) {
                        return Future.failedFuture(
                            parties.builtIn(name) != null
                                ? new Refused(
                                    409,
                                    "Party "
                                        + name
                                        + " comes from the --parties folder, not an upload: remove its file there")
                                : new Refused(404, "Party " + name + " not found"));
                      }
                      return store
                          .delete(name)
                          .map(
                              deleted ->
                                  new Deleted(versions.size(), parties.removeUploaded(name)));
                    }));
  }

  /**
   * What a {@link #sync} did.
   *
   * @param changed whether the version this node serves changed
   * @param deleted whether the store has no version of the party (now or before): no upload serves it
   * @param serving the module that serves the party now (an upload or the folder's), or null
   */
  public record Synced(boolean changed, boolean deleted, GuestModule serving) {}

  /**
   * Serves the party's current version as the store has it now (another node changed it): compiles it
   * (off the event loops) unless it is the upload served already; a party the store no longer has
   * falls back to the folder's module, or is gone. Serialized with this node's own changes.
   */
  public Future<Synced> sync(String name) {
    return locked(
        name,
        () ->
            store
                .versions(name)
                .compose(
                    versions -> {
                      String current =
                          versions.stream()
                              .filter(PartyStore.Version::current)
                              .map(PartyStore.Version::sha256)
                              .findFirst()
                              .orElse(null);
                      if (Objects.equals(current, servedUpload(name)))
                        return Future.succeededFuture(
                            new Synced(false, current == null, parties.get(name)));
                      if (current == null)
                        return Future.succeededFuture(
                            new Synced(true, true, parties.removeUploaded(name)));
                      return store
                          .module(current)
                          .compose(
                              bytes ->
                                  bytes == null
                                      ? Future.failedFuture(
                                          new ModuleRejectedException(
                                              "its module "
                                                  + current
                                                  + " is missing from the store"))
                                      : compile(name, bytes))
                          .map(
                              module -> {
                                parties.putUploaded(name, module);
                                return new Synced(true, false, module);
                              });
                    }));
  }

  /**
   * The parties whose current version in the store is not the upload this node serves (one query; a
   * hint, read without the parties' locks: {@link #sync} looks again under the lock).
   */
  public Future<Set<String>> outOfStep() {
    return store
        .currentVersions()
        .map(
            current -> {
              Set<String> differ = new TreeSet<>();
              current.forEach(
                  (name, sha256) -> {
                    if (!sha256.equals(servedUpload(name))) differ.add(name);
                  });
              for (String name : parties.all().keySet())
                if (parties.isUploaded(name) && !current.containsKey(name)) differ.add(name);
              return differ;
            });
  }

  /** The SHA-256 of the upload that serves the party here, or null (the folder's module, or none). */
  private String servedUpload(String name) {
    GuestModule module = parties.get(name);
    return module != null && parties.isUploaded(name) ? module.sha256() : null;
  }

  /** The party's uploaded versions, the most recent first. */
  public Future<List<PartyStore.Version>> versions(String name) {
    return store.versions(name);
  }

  private Future<GuestModule> compile(String name, byte[] bytes) {
    return vertx.executeBlocking(() -> parties.compile(name, bytes), false);
  }

  /** Runs a change of one party once the changes of that party before it have finished. */
  private <T> Future<T> locked(String name, Supplier<Future<T>> change) {
    return vertx
        .sharedData()
        .getLocalLockWithTimeout("partyhost.party." + name, LOCK_TIMEOUT_MS)
        .compose(
            lock -> {
              Future<T> done;
              try {
                done = change.get();
              } catch (RuntimeException e) {
                done = Future.failedFuture(e);
              }
              return done.andThen(result -> lock.release());
            });
  }
}
