package dev.partyhost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.partyhost.support.ClusterNodes;
import dev.partyhost.support.NodeScript;
import dev.partyhost.support.Poll;
import dev.partyhost.support.RawWs;
import dev.partyhost.support.TestHost;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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
 * have reached the room). And parties changed through one node, served and closed by all.
 */
class ClusterTest {
  private static final Pattern COUNT = Pattern.compile("\\{\"count\":(\\d+)\\}");
  private static final ObjectMapper JSON = new ObjectMapper();

  private static ClusterNodes cluster;

  /**
   * How often the nodes compare the parties' current versions in the store with their own: short,
   * so that the test of that backstop waits little (the event bus, not it, carries the others).
   */
  private static final long PARTY_RECONCILE_MS = 1_000;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = ClusterNodes.start(3, "--party-reconcile-ms", String.valueOf(PARTY_RECONCILE_MS));
    // An observer inside PostgreSQL: every row a commit writes to kv is recorded with the room's
    // owner and epoch as the commit saw them, and with the node that wrote it (each node's
    // connections carry its name). Rolled back with a commit the fence refuses.
    cluster.sql(
        "CREATE TABLE commit_audit (party text, room text, epoch bigint, owner text, writer text);"
            + " CREATE FUNCTION audit_commit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
            + " INSERT INTO commit_audit SELECT NEW.party, NEW.room, o.epoch, o.node,"
            + " current_setting('application_name') FROM room_owners o"
            + " WHERE o.party = NEW.party AND o.room = NEW.room; RETURN NULL; END $$;"
            + " CREATE TRIGGER audit_commit AFTER INSERT OR UPDATE ON kv"
            + " FOR EACH ROW EXECUTE FUNCTION audit_commit(); SELECT 1");
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
    JsonNode held = cluster.admin(owner, "stats").get("cluster");
    System.out.println(
        "cluster SIGSTOP: "
            + seen
            + "; the woken owner's commits refused by the fence: "
            + held.get("refusedCommits").asLong()
            + ", outputs held back as its lease had lapsed: "
            + held.get("lapsedOutputs").asLong());
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
   * Two more nodes, placing by hash (in this class, so that their start never overlaps the shared
   * cluster's in another test fork): rooms first reached through one node start on both, and each
   * is reached at its owner through either node.
   */
  @Test
  void withHashPlacementRoomsFirstReachedThroughOneNodeSpreadOverBoth() throws Exception {
    try (ClusterNodes hashed = ClusterNodes.start(2, "--placement", "hash")) {
      // Each node reads the live nodes every second: let both have read the other's lease.
      Thread.sleep(2_000);
      Set<String> owners = new HashSet<>();
      for (int i = 0; i < 20; i++) {
        room = "/parties/counter/spread-" + i;
        HttpResponse<String> first = post(hashed.port(0));
        assertEquals(200, first.statusCode(), first.body());
        String owner = first.headers().firstValue("x-partyhost-node").orElse("");
        HttpResponse<String> again = post(hashed.port(1));
        assertEquals(200, again.statusCode(), again.body());
        assertEquals(owner, again.headers().firstValue("x-partyhost-node").orElse(""), room);
        assertEquals(2, count(again.body()), room);
        owners.add(owner);
      }
      assertEquals(Set.of(hashed.nodeId(0), hashed.nodeId(1)), owners);
    }
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

  /**
   * A party uploaded through one node is served by every node; a new version uploaded with a restart
   * through another node restarts the party's rooms where they run (here on a third node, whose room
   * has a client forwarded by the uploading one); a delete through one node closes the rooms on
   * another, and the party is 404 everywhere.
   */
  @Test
  void aPartyChangedThroughAnyNodeIsServedAndItsRoomsClosedByEveryNode() throws Exception {
    String party = "everywhere";
    try {
      String v1 = sha256(upload(0, party, "relay-c", false));
      for (int i = 0; i < cluster.size(); i++) awaitServing(i, party, v1);
      // A room made on node 1, with a client forwarded to it by node 2.
      try (RawWs a = RawWs.open(cluster.port(1), "/parties/everywhere/r?_pk=a");
          RawWs b = RawWs.open(cluster.port(2), "/parties/everywhere/r?_pk=b")) {
        assertEquals(cluster.nodeId(1), b.header("x-partyhost-node"));
        b.send(true, RawWs.TEXT, "hi".getBytes(StandardCharsets.UTF_8));
        assertEquals("hi", text(a.read()));

        JsonNode v2 = upload(2, party, "counter", true);
        assertEquals(0, v2.get("restartedRooms").asInt(), "node 2 runs none of its rooms: " + v2);
        assertEquals(1012, a.skipToCloseCode(), "node 1 heard of the restart");
        assertEquals(1012, b.skipToCloseCode(), "and its forwarded client was closed too");
        for (int i = 0; i < cluster.size(); i++) awaitServing(i, party, sha256(v2));
        for (int i : new int[] {0, 1})
          assertTrue(
              cluster
                  .node(i)
                  .output()
                  .contains("party everywhere upload through " + cluster.nodeId(2) + " heard"),
              "node " + i + " heard of it on the event bus: " + cluster.node(i).output());

        // The new version serves; a room made on node 0 runs it.
        try (RawWs c = RawWs.open(cluster.port(0), "/parties/everywhere/s?_pk=c")) {
          assertEquals(cluster.nodeId(0), c.header("x-partyhost-node"));
          assertEquals("{\"count\":0}", text(c.read()));
          JsonNode versions = JSON.readTree(admin(0, "GET", party, null).body());
          assertEquals(sha256(v2), versions.get("sha256").asText(), versions.toString());
          assertEquals(1, versions.get("rooms").asInt(), versions.toString());
          JsonNode newest = versions.get("versions").get(0),
              older = versions.get("versions").get(1);
          assertEquals(sha256(v2), newest.get("sha256").asText(), versions.toString());
          assertTrue(newest.get("current").asBoolean(), versions.toString());
          assertEquals(1, newest.get("rooms").asInt(), versions.toString());
          assertEquals(v1, older.get("sha256").asText(), versions.toString());
          assertEquals(0, older.get("rooms").asInt(), versions.toString());

          HttpResponse<String> deleted = admin(1, "DELETE", party, null);
          assertEquals(200, deleted.statusCode(), deleted.body());
          assertEquals(1001, c.skipToCloseCode(), "node 0 heard of the delete: the party is gone");
        }
      }
      for (int i = 0; i < cluster.size(); i++) awaitGone(i, party);
    } finally {
      var unused = admin(0, "DELETE", party, null); // when the test failed before its delete
    }
  }

  /**
   * A change no node announced (written to the store behind their backs, as a node that missed the
   * message sees it) is found by every node's comparison with the store: a rollback serves the older
   * version, a delete closes the party's rooms and makes it 404.
   */
  @Test
  void aChangeNoNodeHeardOfIsFoundInTheStore() throws Exception {
    String party = "unheard";
    try {
      String v1 = sha256(upload(0, party, "relay-c", false));
      String v2 = sha256(upload(0, party, "counter", false));
      for (int i = 0; i < cluster.size(); i++) awaitServing(i, party, v2);

      assertEquals(
          1,
          cluster.sql(
              "WITH u AS (UPDATE parties SET current = '"
                  + v1
                  + "' WHERE party = 'unheard' RETURNING 1) SELECT count(*) FROM u"));
      for (int i = 0; i < cluster.size(); i++) {
        awaitServing(i, party, v1);
        assertTrue(
            cluster
                .node(i)
                .output()
                .contains("party unheard changed in the store, unheard of here: now serving " + v1),
            cluster.node(i).output());
      }

      try (RawWs ws = RawWs.open(cluster.port(2), "/parties/unheard/x?_pk=a")) {
        assertEquals(cluster.nodeId(2), ws.header("x-partyhost-node"));
        assertEquals(1, deleteFromStore(party));
        assertEquals(1001, ws.skipToCloseCode());
      }
      for (int i = 0; i < cluster.size(); i++) awaitGone(i, party);
    } finally {
      deleteFromStore(party);
    }
  }

  /**
   * Deletes the party from the store as {@code PostgresEngine.delete} does, one statement at a time
   * (no node hears of it); how many parties rows went.
   */
  private static long deleteFromStore(String party) throws IOException, InterruptedException {
    long deleted =
        cluster.sql(
            "WITH d AS (DELETE FROM parties WHERE party = '"
                + party
                + "' RETURNING 1) SELECT count(*) FROM d");
    cluster.sql(
        "WITH d AS (DELETE FROM party_versions WHERE party = '"
            + party
            + "' RETURNING 1) SELECT count(*) FROM d");
    cluster.sql(
        "WITH d AS (DELETE FROM modules WHERE sha256 NOT IN (SELECT sha256 FROM party_versions)"
            + " RETURNING 1) SELECT count(*) FROM d");
    return deleted;
  }

  /** Uploads build/wasm/MODULE.wasm as {@code party} through node {@code node}; the 200's JSON. */
  private JsonNode upload(int node, String party, String module, boolean restart)
      throws IOException, InterruptedException {
    HttpResponse<String> r =
        admin(
            node,
            "PUT",
            party + (restart ? "?restart=true" : ""),
            Files.readAllBytes(TestHost.wasm("wasm", module)));
    assertEquals(200, r.statusCode(), r.body());
    return JSON.readTree(r.body());
  }

  private static String sha256(JsonNode uploaded) {
    return uploaded.get("sha256").asText();
  }

  /**
   * A node's room listing shows the rooms it holds and those storage has: a room another node runs
   * is "stored" there, and deleting its data through that node is 409, naming the owner. Every node
   * is ready.
   */
  @Test
  void aNodeListsItsOwnLiveRoomsAndWhatStorageHas() throws Exception {
    Poll.until(() -> cluster.liveMembers(0) == 3, 30_000);
    room = "/parties/counter/listed";
    HttpResponse<String> first = post(cluster.port(0));
    assertEquals(200, first.statusCode(), first.body());
    String ownerId = first.headers().firstValue("x-partyhost-node").orElseThrow();
    int owner = -1;
    for (int i = 0; i < cluster.size(); i++) if (cluster.nodeId(i).equals(ownerId)) owner = i;
    int other = (owner + 1) % cluster.size();
    assertEquals("live", listed(owner).get("state").asText());
    JsonNode elsewhere = listed(other);
    assertEquals("stored", elsewhere.get("state").asText(), elsewhere.toString());
    assertTrue(elsewhere.get("storedBytes").asLong() > 0, elsewhere.toString());
    HttpResponse<String> delete = admin(other, "DELETE", "counter/rooms/listed?data=delete", null);
    assertEquals(409, delete.statusCode(), delete.body());
    assertTrue(delete.body().contains(ownerId), delete.body());
    for (int i = 0; i < cluster.size(); i++) {
      HttpResponse<String> ready =
          http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + cluster.port(i) + "/readyz"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(200, ready.statusCode(), ready.body());
    }
  }

  /** Room "listed" of the counter party as node {@code node} lists it. */
  private JsonNode listed(int node) throws Exception {
    HttpResponse<String> r = admin(node, "GET", "counter/rooms?limit=1000", null);
    assertEquals(200, r.statusCode(), r.body());
    for (JsonNode each : JSON.readTree(r.body()).get("rooms"))
      if (each.get("id").asText().equals("listed")) return each;
    throw new AssertionError("no room listed in " + r.body());
  }

  /** {@code METHOD /_admin/parties/PATH} on node {@code node}, with the admin token. */
  private HttpResponse<String> admin(int node, String method, String path, byte[] body)
      throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + cluster.port(node) + "/_admin/parties/" + path))
            .header("Authorization", "Bearer " + TestHost.ADMIN_TOKEN)
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(body))
            .timeout(Duration.ofSeconds(10))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Waits until node {@code node} serves version {@code sha256} of the party to new rooms. */
  private void awaitServing(int node, String party, String sha256) throws InterruptedException {
    Poll.until(
        () -> {
          try {
            HttpResponse<String> r = admin(node, "GET", party, null);
            return r.statusCode() == 200
                && sha256.equals(JSON.readTree(r.body()).path("sha256").asText());
          } catch (IOException e) {
            return false;
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
          }
        },
        10_000);
  }

  /** Waits until node {@code node} knows the party no more: 404 to the admin API and to a room. */
  private void awaitGone(int node, String party) throws InterruptedException {
    Poll.until(
        () -> {
          try {
            return admin(node, "GET", party, null).statusCode() == 404
                && http.send(
                            HttpRequest.newBuilder(
                                    URI.create(
                                        "http://127.0.0.1:"
                                            + cluster.port(node)
                                            + "/parties/"
                                            + party
                                            + "/any"))
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                            HttpResponse.BodyHandlers.ofString())
                        .statusCode()
                    == 404;
          } catch (IOException e) {
            return false;
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
          }
        },
        10_000);
  }

  private static String text(RawWs.Frame frame) {
    assertEquals(RawWs.TEXT, frame.opcode());
    return new String(frame.payload(), StandardCharsets.UTF_8);
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
    return seen + "; " + oneWriterPerEpoch(name);
  }

  /**
   * Checks what the audit trigger saw of the room: every row was written by the node that owned the
   * room at the epoch its commit saw, so at most one node wrote per epoch, and a stale owner wrote
   * nothing. Returns how many epochs wrote.
   */
  private static String oneWriterPerEpoch(String name) throws Exception {
    String room = "party = 'counter' AND room = '" + name + "'";
    long rows = cluster.sql("SELECT count(*) FROM commit_audit WHERE " + room);
    long strangers =
        cluster.sql(
            "SELECT count(*) FROM commit_audit WHERE "
                + room
                + " AND writer IS DISTINCT FROM 'partyhost/' || owner");
    long shared =
        cluster.sql(
            "SELECT count(*) FROM (SELECT epoch FROM commit_audit WHERE "
                + room
                + " GROUP BY epoch HAVING count(DISTINCT writer) > 1) e");
    long epochs = cluster.sql("SELECT count(DISTINCT epoch) FROM commit_audit WHERE " + room);
    assertTrue(rows > 0, "the audit saw no commit of " + name);
    assertEquals(0, strangers, "rows written by a node that did not own the room at their epoch");
    assertEquals(0, shared, "epochs in which two nodes wrote");
    return "audit: " + rows + " rows over " + epochs + " epochs, one writer each";
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
