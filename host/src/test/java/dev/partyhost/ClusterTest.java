package dev.partyhost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.partyhost.support.ClusterNodes;
import dev.partyhost.support.NodeScript;
import dev.partyhost.support.Poll;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Three real nodes on loopback, shared by these tests (each brings back what it took down): node
 * leases in PostgreSQL, and failover checked as Jepsen checks it: clients send increments to one counter room through every
 * node, a fault strikes the room's owner meanwhile (SIGKILL; SIGSTOP past its lease, then SIGCONT),
 * and a checker compares what the clients saw
 * acknowledged with the final count. An increment is acknowledged when its POST answered 200 with the
 * new count; it definitely failed when no connection was made; any other outcome is unknown (it may
 * have reached the room).
 */
class ClusterTest {
  private static final Pattern COUNT = Pattern.compile("\\{\"count\":(\\d+)\\}");

  private static ClusterNodes cluster;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = ClusterNodes.start(3);
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) cluster.close();
  }

  /** The counter room of the test under way. */
  private String room;

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  /** What the clients saw. */
  private final List<Long> acknowledged = Collections.synchronizedList(new ArrayList<>());

  private final AtomicLong unknown = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();

  @Test
  void leasesAreRenewedAndAStoppedNodeGivesItsUpAtOnceThenRejoins() throws Exception {
    Thread.sleep(4_000); // longer than a lease (3 s): they are renewed
    assertEquals(3, cluster.liveMembers(0));
    assertEquals(143, cluster.stop(2)); // SIGTERM (128 + 15): given up before the process exits
    assertEquals(2, cluster.liveMembers(0), "a stopped node's lease is given up at once");
    cluster.restart(2);
    Poll.until(() -> cluster.liveMembers(0) == 3, 30_000);
  }

  @Test
  void noAcknowledgedIncrementIsLostWhenTheOwnerIsKilled() throws Exception {
    int owner = 2;
    try {
      String seen = run("killed", owner, () -> cluster.kill(owner));
      long failoverMs = (firstAckAfterFault.get() - faultAt.get()) / 1_000_000;
      System.out.println("cluster kill -9: " + seen + "; first ack " + failoverMs + " ms after");
      assertTrue(failoverMs < 5_000, "failover took " + failoverMs + " ms: " + seen);
      // Nobody gave the killed node's lease up: it ran out.
      assertEquals(2, cluster.liveMembers((owner + 1) % 3));
    } finally {
      cluster.restart(owner);
      Poll.until(() -> cluster.liveMembers(0) == 3, 30_000);
    }
  }

  /**
   * The owner is paused (SIGSTOP) past its lease, another node takes the room over, then the owner
   * wakes (SIGCONT) believing it still owns it: it commits and acknowledges nothing for the room.
   */
  @Test
  void aPausedOwnerThatWakesAfterATakeoverCommitsAndAcknowledgesNothing() throws Exception {
    int owner = 1;
    int[] marks = new int[cluster.size()];
    for (int i = 0; i < marks.length; i++) marks[i] = cluster.node(i).output().length();
    int mark = marks[owner];
    String seen =
        run(
            "paused",
            owner,
            () -> {
              cluster.pause(owner);
              Thread.sleep(5_000); // past the lease (3 s)
              cluster.resume(owner);
            });
    String stale = cluster.node(owner).output().substring(mark);
    assertTrue(stale.contains("lost its lease"), "the woken owner knows: " + stale);
    for (int i = 0; i < marks.length; i++) {
      String since = cluster.node(i).output().substring(marks[i]);
      if (i != owner)
        assertTrue(!since.contains("lost its lease"), "node " + i + " kept its lease: " + since);
    }
    long refused = stale.lines().filter(l -> l.contains("is no longer this node's")).count();
    System.out.println(
        "cluster SIGSTOP: " + seen + "; commits the woken owner had refused: " + refused);
    long epoch =
        cluster.sql("SELECT epoch FROM room_owners WHERE party = 'counter' AND room = 'paused'");
    assertTrue(epoch >= 2, "the takeover raised the epoch: " + epoch);
    // It rejoins as a new incarnation (it once could not: its lease looked live in PostgreSQL, yet
    // it refused every room's output), and serves again: a new room made through it answers.
    Poll.until(() -> cluster.node(owner).output().contains("has a lease again"), 30_000);
    Poll.until(() -> cluster.liveMembers(0) == 3, 30_000);
    room = "/parties/counter/after-pause";
    HttpResponse<String> after = post(cluster.port(owner));
    assertEquals(200, after.statusCode(), after.body());
  }

  /**
   * PartyKit's own client, unmodified, one per node in one chat room: each sender's messages reach
   * every other client, in order, whichever node it came through.
   */
  @Test
  void partysocketClientsOnDifferentNodesChatInOneRoom() throws Exception {
    String[] ports = new String[cluster.size()];
    for (int i = 0; i < ports.length; i++) ports[i] = String.valueOf(cluster.port(i));
    String output = NodeScript.run("partysocket-cluster.mjs", ports);
    assertTrue(output.contains("partysocket-cluster: OK 150 messages"), output);
  }

  /** Every node in turn is stopped with SIGTERM (it drains) and started again, under load. */
  @Test
  void aRollingRestartUnderLoadLosesNothingAcknowledged() throws Exception {
    String seen =
        run(
            "rolling",
            0,
            () -> {
              for (int i = 0; i < cluster.size(); i++) {
                assertEquals(143, cluster.stop(i));
                cluster.restart(i);
                Poll.until(() -> cluster.liveMembers(0) == 3, 30_000);
              }
            });
    System.out.println("cluster rolling restart: " + seen);
  }

  private final AtomicLong firstAckAfterFault = new AtomicLong(-1);
  private final AtomicLong faultAt = new AtomicLong(Long.MAX_VALUE);

  /** A fault to inject into node 0, the room's owner. */
  private interface Fault {
    void inject() throws Exception;
  }

  /**
   * Clients increment counter room {@code name}, made on node {@code owner}, through every node for
   * 2 s, the fault strikes the owner, they go on for 6 s; then the checker. Returns what the clients
   * saw, for the test's report.
   */
  private String run(String name, int owner, Fault fault) throws Exception {
    room = "/parties/counter/" + name;
    // The room is created on the node that first receives a request for it.
    HttpResponse<String> first = post(cluster.port(owner));
    assertEquals(200, first.statusCode(), first.body());
    assertEquals(cluster.nodeId(owner), first.headers().firstValue("x-partyhost-node").orElse(""));
    acknowledged.add(count(first.body()));

    AtomicBoolean running = new AtomicBoolean(true);
    List<Thread> clients = new ArrayList<>();
    for (int c = 0; c < 6; c++) {
      int client = c;
      Thread t =
          new Thread(
              () -> {
                for (long n = 0; running.get(); n++) {
                  int node = (int) ((client + n) % cluster.size());
                  increment(cluster.port(node), node != owner);
                }
              },
              "client-" + c);
      t.start();
      clients.add(t);
    }
    Thread.sleep(2_000);
    int before = acknowledged.size();
    fault.inject();
    faultAt.set(System.nanoTime()); // the owner is dead (or has been paused and woken) from here

    Thread.sleep(6_000);
    running.set(false);
    for (Thread t : clients) t.join(10_000);

    HttpResponse<String> last = get(cluster.port((owner + 1) % cluster.size()));
    assertEquals(200, last.statusCode(), last.body());
    long finalCount = count(last.body());
    Set<Long> distinct = new HashSet<>(acknowledged);
    String seen =
        "acknowledged "
            + acknowledged.size()
            + " ("
            + before
            + " before the fault), unknown "
            + unknown
            + ", failed "
            + failed
            + ", final count "
            + finalCount;
    assertEquals(acknowledged.size(), distinct.size(), "two acks saw the same count: " + seen);
    assertTrue(finalCount >= acknowledged.size(), "acknowledged increments lost: " + seen);
    assertTrue(
        finalCount <= acknowledged.size() + unknown.get(), "increments from nowhere: " + seen);
    assertTrue(
        Collections.max(acknowledged) <= finalCount, "an acknowledged count was undone: " + seen);
    assertTrue(firstAckAfterFault.get() > 0, "nothing was acknowledged after the fault: " + seen);
    return seen;
  }

  private void increment(int port, boolean survivor) {
    long sentAt = System.nanoTime();
    HttpResponse<String> r;
    try {
      r = post(port);
    } catch (ConnectException refused) {
      failed.incrementAndGet(); // never reached a node
      return;
    } catch (IOException cut) {
      unknown.incrementAndGet(); // may have reached the room
      return;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    if (r.statusCode() == 200) {
      acknowledged.add(count(r.body()));
      if (survivor && sentAt > faultAt.get()) // sent after the fault
      firstAckAfterFault.compareAndSet(-1, System.nanoTime());
    } else {
      unknown.incrementAndGet(); // a 503 from a forwarding node may come after the owner got it
    }
  }

  private HttpResponse<String> post(int port) throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + room))
            .POST(HttpRequest.BodyPublishers.noBody())
            .timeout(Duration.ofSeconds(5))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(int port) throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + room))
            .timeout(Duration.ofSeconds(5))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static long count(String body) {
    Matcher m = COUNT.matcher(body);
    if (!m.find()) throw new AssertionError("no count in " + body);
    return Long.parseLong(m.group(1));
  }
}
