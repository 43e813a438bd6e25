package dev.partyhost.storage;

import io.vertx.core.Future;
import java.util.List;
import java.util.Map;

/**
 * Where uploaded parties are kept, in the host's storage engine: each distinct module once, by the
 * SHA-256 of its bytes; per party, its versions (the modules uploaded under its name) and which one
 * is current. Implementations never block the calling thread; their futures may complete on any
 * thread. Callers serialize the changes of one party (the admin API holds a lock per party).
 */
public interface PartyStore {
  /**
   * One version of a party.
   *
   * @param uploadedAt when these bytes were last uploaded under the party's name (epoch ms)
   * @param current whether new rooms of the party get this version
   */
  record Version(String sha256, long bytes, long uploadedAt, boolean current) {}

  /** Every stored party, with the SHA-256 of its current version. */
  Future<Map<String, String>> currentVersions();

  /** A party's versions, the most recently uploaded first; empty when it has none. */
  Future<List<Version>> versions(String party);

  /** A stored module's bytes, or null when no party has it. */
  Future<byte[]> module(String sha256);

  /**
   * Keeps {@code bytes} (once per SHA-256) as a version of the party and makes it current, in one
   * transaction. The same bytes uploaded again are the same version, with a new upload time.
   */
  Future<Void> upload(String party, String sha256, byte[] bytes, long uploadedAt);

  /** Makes one of the party's versions current; false (nothing changed) when it has no such version. */
  Future<Boolean> setCurrent(String party, String sha256);

  /** Removes the party's versions, and the modules no other party has; false when it had none. */
  Future<Boolean> delete(String party);
}
