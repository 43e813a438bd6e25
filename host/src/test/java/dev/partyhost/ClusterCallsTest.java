package dev.partyhost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partyhost.guest.Abi;
import dev.partyhost.guest.ByteList;
import dev.partyhost.support.ClusterNodes;
import dev.partyhost.support.RawWs;
import dev.partyhost.support.TestHost;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A room call to a room another node of a cluster runs (ABI v1.4): it goes to that node, whose room
 * sees the caller's name and answers; a callee that traps there is FAILED here. Two node processes
 * serving the host's test guests, on the test PostgreSQL.
 */
class ClusterCallsTest {
  @Test
  void aCallReachesTheRoomOnTheNodeThatRunsIt() throws Exception {
    String guests = TestHost.root().resolve("build/test-wasm").toString();
    try (ClusterNodes cluster = ClusterNodes.start(2, "--parties", guests);
        // Room b starts on node 1, which gets its first request (placement "first").
        RawWs b = RawWs.open(cluster.port(1), "/parties/caller/b");
        RawWs a = RawWs.open(cluster.port(0), "/parties/caller/a")) {
      byte[] req = CallsTest.request("POST", "/x?y=1", "over there", "x-partyhost-caller", "me");
      a.send(true, RawWs.BINARY, CallsTest.roomCall('r', "", "b", req));
      int call = result(a);
      assertTrue(call > 0, "call id " + call);
      assertEquals("over there", new String(b.read().payload(), StandardCharsets.UTF_8));
      CallsTest.Answer answer = CallsTest.decode(a.read().payload());
      assertEquals(call, answer.call());
      assertEquals(200, answer.status());
      List<byte[]> seen = ByteList.decode(answer.record().get(0));
      assertEquals("http://partyhost.internal/parties/caller/b/x?y=1", CallsTest.text(seen.get(1)));
      assertEquals(
          List.of("caller/a"), CallsTest.headers(seen, 3).get("x-partyhost-caller"), "the caller");

      a.send(
          true, RawWs.BINARY, CallsTest.roomCall('r', "", "b", CallsTest.request("POST", "", "T")));
      result(a);
      // (b's report of the body left with its trapping hook's output: never)
      assertEquals(Abi.FAILED, CallsTest.decode(a.read().payload()).status()); // b trapped there
    }
  }

  private static int result(RawWs ws) throws Exception {
    byte[] p = ws.read().payload();
    assertEquals(4, p.length, "expected a call's result");
    return ByteBuffer.wrap(p).order(ByteOrder.LITTLE_ENDIAN).getInt();
  }
}
