package dev.partyhost;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.partyhost.support.ClusterNodes;
import dev.partyhost.support.Poll;
import org.junit.jupiter.api.Test;

/**
 * Node leases in PostgreSQL with real processes: three nodes join and renew theirs; a killed node's
 * runs out within its lease; a node stopped with SIGTERM gives its lease up at once; a restarted node
 * takes its name again.
 */
class ClusterLeaseTest {
  @Test
  void leasesAreRenewedRunOutWhenANodeIsKilledAndAreGivenUpOnSigterm() throws Exception {
    try (ClusterNodes cluster = ClusterNodes.start(3)) {
      assertEquals(3, cluster.liveMembers(1));
      Thread.sleep(4_000); // longer than a lease (3 s): they are renewed
      assertEquals(3, cluster.liveMembers(0));

      cluster.kill(2); // kill -9: nobody gives its lease up
      Poll.until(() -> cluster.liveMembers(0) == 2, 10_000);

      assertEquals(143, cluster.stop(1)); // SIGTERM (128 + 15): given up before the process exits
      assertEquals(1, cluster.liveMembers(0), "a stopped node's lease is given up at once");

      cluster.restart(2);
      Poll.until(() -> cluster.liveMembers(0) == 2, 30_000);
    }
  }
}
