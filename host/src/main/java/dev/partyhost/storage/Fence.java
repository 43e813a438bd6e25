package dev.partyhost.storage;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;
import java.util.List;
import java.util.Set;

/**
 * Who may write (cluster mode): checked inside each commit's transaction, so that a node that lost a
 * room, or its lease, writes nothing for it. The check takes row locks that last until the
 * transaction ends: a takeover of one of these rooms waits for the commit, and then loads what it
 * wrote.
 */
public interface Fence {
  /**
   * A commit this node may not make: the room is another node's now, or this node's lease has run
   * out. Its room's clients should reconnect (1012), to reach the room where it runs.
   */
  final class Refused extends RuntimeException {
    public Refused(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * Of {@code rooms}, those this node no longer owns under the epoch it loaded them with: their
   * changes are not written. Fails with {@link Refused} (and nothing is written) when this node's
   * lease has run out.
   */
  Future<Set<RoomKey>> refused(SqlConnection transaction, List<RoomKey> rooms);
}
