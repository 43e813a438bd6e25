package dev.partyhost.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partyhost.storage.RoomKey;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Placement by hashing ({@code --placement hash}) on paper; {@code ClusterTest} places rooms so on
 * real nodes.
 */
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
}
