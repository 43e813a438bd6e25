package dev.partyhost.cluster;

import dev.partyhost.party.Parties;
import dev.partyhost.party.Uploads;
import dev.partyhost.room.Rooms;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Keeps this node's parties in step with the store the nodes share. A change made through one node's
 * admin API (an upload, a rollback, a delete) is announced to the others on the clustered event bus;
 * each node that hears it reads the party's current version from the store, compiles it if it is not
 * the one it serves, and closes its own live rooms of the party as the admin API closed the changing
 * node's. A message says only which party changed, how, and whether its rooms close, never what it
 * changed to: the store is the truth, so a message that arrives late, twice or after a later one does
 * no harm. A node that missed one (paused, cut off) finds the difference when it next compares the
 * store's current versions with its own, every {@code partyReconcileMs} and as soon as it has a lease
 * again; it then serves the new version, but closes live rooms only of a party that was deleted (it
 * cannot know whether a restart was asked).
 */
public final class PartyChanges {
  private static final Logger LOG = System.getLogger("partyhost.parties");

  /** The event-bus address of the announcements. */
  static final String ADDRESS = "partyhost.party-changes";

  private final Vertx vertx;
  private final String node;
  private final Uploads uploads;
  private final Rooms rooms;
  private final long reconcileMs;

  /** A comparison with the store is under way: the timer's next one is skipped, not stacked up. */
  private final AtomicBoolean reconciling = new AtomicBoolean();

  /**
   * Per party (or {@link #STORE} for the comparison itself), the last reason it could not be brought
   * in step: logged when it first happens, not on every comparison.
   */
  private final Map<String, String> failing = new ConcurrentHashMap<>();

  private static final String STORE = ""; // never a party's name

  private MessageConsumer<JsonObject> consumer;
  private long timer = -1;

  public PartyChanges(Vertx vertx, String node, Uploads uploads, Rooms rooms, long reconcileMs) {
    this.vertx = vertx;
    this.node = node;
    this.uploads = uploads;
    this.rooms = rooms;
    this.reconcileMs = reconcileMs;
  }

  /**
   * Tells the other nodes that a change of {@code party} ({@code change}: upload, rollback or delete)
   * succeeded through this node; {@code closeRooms}: their live rooms of the party close (a restart
   * was asked, or it was deleted).
   */
  public static void announce(
      Vertx vertx, String node, String party, String change, boolean closeRooms) {
    vertx
        .eventBus()
        .publish(
            ADDRESS,
            new JsonObject()
                .put("party", party)
                .put("change", change)
                .put("closeRooms", closeRooms)
                .put("node", node));
  }

  /**
   * Listens for announcements and compares with the store every {@code reconcileMs}; the first
   * comparison runs once the listener is registered, so that a change made while this node started
   * is not missed.
   */
  public void start() {
    consumer = vertx.eventBus().consumer(ADDRESS, this::heard);
    consumer.completion().onComplete(registered -> reconcile());
    timer = vertx.setPeriodic(reconcileMs, t -> reconcile());
    rooms.cluster().lease().onRejoined(this::reconcile);
  }

  public void stop() {
    vertx.cancelTimer(timer);
    var unused = consumer.unregister();
  }

  private void heard(Message<JsonObject> message) {
    JsonObject m = message.body();
    String from = m.getString("node");
    String party = m.getString("party");
    if (node.equals(from) || party == null || !Parties.isValidName(party))
      return; // this node made the change, and applied it already
    boolean closeRooms = m.getBoolean("closeRooms", false);
    String what = "party " + party + " " + m.getString("change") + " through " + from + " heard";
    uploads
        .sync(party)
        .onComplete(
            result -> {
              if (result.failed()) {
                failed(party, what + ", but not applied here", result.cause());
                return;
              }
              failing.remove(party);
              Uploads.Synced synced = result.result();
              String closed =
                  closeRooms(party, synced, closeRooms || (synced.changed() && synced.deleted()));
              LOG.log(Level.INFO, what + ": " + served(synced) + closed);
            });
  }

  /** Compares the store's current versions with this node's, and brings any party that differs in step. */
  void reconcile() {
    if (!reconciling.compareAndSet(false, true)) return;
    uploads
        .outOfStep()
        .compose(parties -> Future.join(parties.stream().map(this::catchUp).toList()))
        .onComplete(
            done -> {
              reconciling.set(false);
              if (done.failed()) failed(STORE, "parties cannot be compared", done.cause());
              else failing.remove(STORE);
            });
  }

  /** A party whose change this node did not hear of: served as the store has it; never fails. */
  private Future<Void> catchUp(String party) {
    return uploads
        .sync(party)
        .transform(
            result -> {
              if (result.failed()) {
                failed(
                    party,
                    "party " + party + " changed in the store, not applied here",
                    result.cause());
              } else {
                failing.remove(party);
                Uploads.Synced synced = result.result();
                if (synced.changed()) {
                  String closed = closeRooms(party, synced, synced.deleted());
                  LOG.log(
                      Level.INFO,
                      "party "
                          + party
                          + " changed in the store, unheard of here: "
                          + served(synced)
                          + closed);
                }
              }
              return Future.succeededFuture();
            });
  }

  /**
   * Closes the party's live rooms on this node if {@code close}, as the admin API does: with 1012
   * (restart) when a module serves it, so that clients reconnect to it, else with 1001 (going away).
   * Says how many, for the log.
   */
  private String closeRooms(String party, Uploads.Synced synced, boolean close) {
    if (!close) return "";
    int n =
        synced.serving() == null ? rooms.close(party, 1001, "party deleted") : rooms.restart(party);
    return ", " + n + " rooms closed" + (synced.serving() == null ? " (1001)" : " (1012)");
  }

  private static String served(Uploads.Synced synced) {
    if (synced.serving() == null) return synced.changed() ? "no longer served" : "not served";
    String sha256 = synced.serving().sha256();
    if (!synced.changed()) return "already serving " + sha256;
    return synced.deleted()
        ? "the folder's module " + sha256 + " serves it again"
        : "now serving " + sha256;
  }

  /** Logs a failure once, until it changes or the party is in step again. */
  private void failed(String key, String what, Throwable cause) {
    String why = String.valueOf(cause.getMessage());
    if (!why.equals(failing.put(key, why)))
      LOG.log(Level.WARNING, what + ": " + why + "; the comparison with the store retries it");
  }
}
