package dev.partyhost.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partyhost.storage.RoomKey;
import dev.partyhost.support.ClusterNodes;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Placement by hashing ({@code --placement hash}): where rooms go, on paper and on real nodes. */
class HashPlacementTest {
  /** The node of {@code nodes} that {@code room} hashes highest with. */
  private static String preferred(List<String> nodes, RoomKey room) {
    String best = null;
    long bestScore = Long.MIN_VALUE;
    for (String node : nodes) {
      long score = HashPlacement.score(node, room);
      if (best == null || score > bestScore) {
        best = node;
        bestScore = score;
      }
    }
    return best;
  }

  @Test
  void roomsSpreadEvenlyAndANodeThatLeavesMovesOnlyItsOwnRooms() {
    List<String> three = List.of("node-1999", "node-2000", "node-2001");
    List<String> two = List.of("node-1999", "node-2001");
    Map<String, Integer> won = new HashMap<>();
    int rooms = 30_000;
    for (int i = 0; i < rooms; i++) {
      RoomKey room = new RoomKey("chat", "room-" + i);
      String before = preferred(three, room);
      won.merge(before, 1, Integer::sum);
      String after = preferred(two, room);
      if (!before.equals("node-2000"))
        assertEquals(before, after, room + " moved though its node stayed");
    }
    for (String node : three) {
      int share = won.getOrDefault(node, 0);
      assertTrue(Math.abs(share - rooms / 3) < rooms / 30, node + " won " + share + " of " + rooms);
    }
  }

  /**
   * Two real nodes placing by hash: rooms first reached through node 0 start on the node they hash
   * to, and are reached there through either node.
   */
  @Test
  void roomsFirstReachedThroughOneNodeStartWhereTheyHash() throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    try (ClusterNodes cluster = ClusterNodes.start(2, "--placement", "hash")) {
      // Each node reads the live nodes every REFRESH_MS: let both have read the other's lease.
      Thread.sleep(2 * HashPlacement.REFRESH_MS);
      List<String> nodes = List.of(cluster.nodeId(0), cluster.nodeId(1));
      Map<String, Integer> owners = new HashMap<>();
      for (int i = 0; i < 20; i++) {
        String room = "spread-" + i;
        String expected = preferred(nodes, new RoomKey("counter", room));
        for (int through : new int[] {0, 1}) {
          HttpResponse<String> r =
              http.send(
                  HttpRequest.newBuilder(
                          URI.create(
                              "http://127.0.0.1:"
                                  + cluster.port(through)
                                  + "/parties/counter/"
                                  + room))
                      .POST(HttpRequest.BodyPublishers.noBody())
                      .timeout(Duration.ofSeconds(10))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
          assertEquals(200, r.statusCode(), r.body());
          assertEquals(expected, r.headers().firstValue("x-partyhost-node").orElse(""), room);
        }
        owners.merge(expected, 1, Integer::sum);
      }
      assertEquals(2, owners.size(), "both nodes own rooms: " + owners);
    }
  }
}
