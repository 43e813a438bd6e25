package dev.partyhost.room;

import dev.partyhost.guest.Guest;
import dev.partyhost.guest.GuestModule;
import dev.partyhost.guest.GuestTrap;
import dev.partyhost.guest.MemoryBudget;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Spare instances: for each party and event loop that started a room, one instance built ahead on a
 * worker thread, so that the next room to start there (a first event, a wake, a reset) runs only
 * {@code _initialize} and {@code on_start}; building the instance was the largest part of a cold
 * start. No code of a spare has run (Chicory runs no start function), and its host calls and stdio
 * are bound to the room that takes it, before its first hook. While the guest memory budget is more
 * than three quarters used, no spare is built, and a room that finds the budget full has the spares
 * dropped before it gives up.
 */
final class Spares {
  /** An instance that belongs to no room yet. */
  static final class Spare {
    final GuestModule module;
    final Guest guest;
    private final RoomCalls calls;
    private final Stdio stdout = new Stdio();
    private final Stdio stderr = new Stdio();

    private Spare(GuestModule module, String party, Rooms rooms) {
      this.module = module;
      this.calls = new RoomCalls(null);
      this.guest =
          Guest.instantiate(
              module,
              "a spare instance of party " + party,
              RoomCalls.TABLE.functions(calls),
              stdout,
              stderr,
              rooms.config().time);
    }

    /** The instance, now {@code room}'s: its host calls and stdio go to the room from here on. */
    Guest bind(Room room, OutputStream out, OutputStream err) {
      calls.bind(room);
      stdout.to = out;
      stderr.to = err;
      return guest;
    }
  }

  /** A spare's fd 1 or 2: nowhere until a room takes it, then that room's log. */
  private static final class Stdio extends OutputStream {
    private OutputStream to = OutputStream.nullOutputStream();

    @Override
    public void write(int b) throws IOException {
      to.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      to.write(b, off, len);
    }
  }

  private record Key(String party, Context loop) {}

  private final Rooms rooms;
  private final Vertx vertx;
  private final boolean enabled;
  private final Map<Key, Spare> ready = new ConcurrentHashMap<>();
  private final Set<Key> building = ConcurrentHashMap.newKeySet();
  private final LongAdder taken = new LongAdder();

  Spares(Rooms rooms, Vertx vertx, boolean enabled) {
    this.rooms = rooms;
    this.vertx = vertx;
    this.enabled = enabled;
  }

  /**
   * A spare of {@code module} for a room of {@code party} on {@code loop}, or null; either way one
   * is built for the next room.
   */
  Spare take(String party, GuestModule module, Context loop) {
    // A recorded room's instance wraps its clock and random calls: it builds its own.
    if (!enabled || rooms.taps().records(party)) return null;
    Key key = new Key(party, loop);
    Spare spare = ready.remove(key);
    if (spare != null && spare.module != module) { // the party changed since it was built
      spare.guest.close();
      spare = null;
    }
    build(key, module);
    if (spare != null) taken.increment();
    return spare;
  }

  /** Spares ready now. */
  int ready() {
    return ready.size();
  }

  /** Rooms started from a spare so far. */
  long taken() {
    return taken.sum();
  }

  private void build(Key key, GuestModule module) {
    MemoryBudget budget = rooms.parties().memoryBudget();
    if (budget.reserved() > budget.limit() / 4 * 3 || !building.add(key)) return;
    var unused =
        vertx.executeBlocking(
            () -> {
              try {
                Spare spare = new Spare(module, key.party, rooms);
                // Dropped if the party changed or left meanwhile, or the host is stopping.
                if (rooms.parties().get(key.party) != module
                    || rooms.stopping()
                    || ready.putIfAbsent(key, spare) != null) spare.guest.close();
              } catch (GuestTrap | MemoryBudget.Exhausted e) {
                // No spare: the room that comes next instantiates its own, and says why if it
                // fails.
              } finally {
                building.remove(key);
              }
              return null;
            },
            false);
  }

  /** Drops the spares of {@code party} (null: every party); returns how many there were. */
  int drop(String party) {
    int n = 0;
    for (Key key : List.copyOf(ready.keySet())) {
      if (party != null && !key.party.equals(party)) continue;
      Spare spare = ready.remove(key);
      if (spare != null) {
        spare.guest.close(); // its memory goes back to the budget now
        n++;
      }
    }
    return n;
  }
}
