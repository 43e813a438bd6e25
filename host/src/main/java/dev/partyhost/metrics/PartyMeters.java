package dev.partyhost.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * One party's meters. The per-message counts are {@link LongAdder}s that the rooms' loops add to (an
 * uncontended add is one compare-and-set) and that the registry reads only when scraped; the rarer
 * events (traps, alarms, limits, starts) go to Micrometer directly. With metrics off nothing is
 * registered and hooks are not timed.
 */
public final class PartyMeters {
  /** Hook timers' buckets: a relay's hook takes microseconds, a deadline is 100 ms. */
  static final Duration[] HOOK_BUCKETS = {
    Duration.ofNanos(10_000),
    Duration.ofNanos(50_000),
    Duration.ofNanos(100_000),
    Duration.ofNanos(500_000),
    Duration.ofMillis(1),
    Duration.ofMillis(5),
    Duration.ofMillis(10),
    Duration.ofMillis(50),
    Duration.ofMillis(100),
    Duration.ofMillis(500),
    Duration.ofSeconds(1)
  };

  /** Room starts and loads: from a fraction of a millisecond to a slow storage engine's seconds. */
  static final Duration[] START_BUCKETS = {
    Duration.ofNanos(100_000),
    Duration.ofNanos(500_000),
    Duration.ofMillis(1),
    Duration.ofMillis(5),
    Duration.ofMillis(10),
    Duration.ofMillis(50),
    Duration.ofMillis(100),
    Duration.ofMillis(500),
    Duration.ofSeconds(1),
    Duration.ofSeconds(5)
  };

  /**
   * One hook in this many has its CPU time read: reading a thread's CPU clock is a system call
   * (about a microsecond here), too dear for every message; wall time is read for every hook.
   */
  static final int CPU_SAMPLE = 16;

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  private static final boolean CPU_TIME = THREADS.isCurrentThreadCpuTimeSupported();

  private final MeterRegistry registry;
  private final String party;

  private final LongAdder messagesIn = new LongAdder();
  private final LongAdder bytesIn = new LongAdder();
  private final LongAdder messagesOut = new LongAdder();
  private final LongAdder bytesOut = new LongAdder();

  /** Wall and (sampled) CPU time of one kind of hook. */
  private record HookTimers(Timer wall, Timer cpu) {}

  /** Per hook kind, made on first use. */
  private final Map<Enum<?>, HookTimers> hookTimers = new ConcurrentHashMap<>();

  /**
   * Counts hooks for the CPU sample. Written by every loop that runs a room of the party without
   * synchronization: a lost increment only shifts the sample.
   */
  private int hooks;

  private final Map<String, Timer> starts = new ConcurrentHashMap<>();

  /** Null with metrics off. Held, not looked up per load: registering again costs a cold start 3%. */
  private final Timer loads;

  // Registered up front, so that a party's series exist (at 0) before the first event.
  private final Counter traps;
  private final Counter deadlineKills;
  private final Counter alarmsFired;
  private final Counter alarmsRetried;
  private final Counter alarmsDropped;

  /** Meters for {@code party} in {@code registry}; null registry: metrics off, nothing recorded. */
  PartyMeters(MeterRegistry registry, String party) {
    this.registry = registry;
    this.party = party;
    traps = count("partyhost.guest.traps", "hook calls that trapped (deadline kills included)");
    deadlineKills =
        count("partyhost.hook.deadline.kills", "hook calls stopped at their CPU deadline");
    alarmsFired = count("partyhost.alarms.fired", "alarm hook runs");
    alarmsRetried = count("partyhost.alarms.retried", "failed alarm runs that will be retried");
    alarmsDropped = count("partyhost.alarms.dropped", "alarms given up after their retries");
    loads =
        registry == null
            ? null
            : Timer.builder("partyhost.room.load")
                .description("time to load a room's data before its instance starts")
                .tag("party", party)
                .serviceLevelObjectives(START_BUCKETS)
                .register(registry);
    if (registry == null) return;
    counter("partyhost.messages.received", messagesIn, "WebSocket messages from clients");
    counter("partyhost.received.bytes", bytesIn, "bytes of WebSocket messages from clients");
    counter(
        "partyhost.messages.sent", messagesOut, "WebSocket messages guests sent, per recipient");
    counter("partyhost.sent.bytes", bytesOut, "bytes of WebSocket messages guests sent");
  }

  private void counter(String name, LongAdder adder, String description) {
    FunctionCounter.builder(name, adder, LongAdder::sum)
        .description(description)
        .tag("party", party)
        .register(registry);
  }

  /** Whether hooks are timed (metrics on). */
  public boolean timing() {
    return registry != null;
  }

  /** A message from a client reached its room. */
  public void received(int bytes) {
    messagesIn.increment();
    bytesIn.add(bytes);
  }

  /** A guest sent a message of {@code bytes} to {@code recipients} connections. */
  public void sent(int recipients, int bytes) {
    messagesOut.add(recipients);
    bytesOut.add((long) recipients * bytes);
  }

  /** The clock at a hook's start ({@link System#nanoTime}), or 0 with metrics off. */
  public long hookStarting() {
    return registry == null ? 0 : System.nanoTime();
  }

  /** The thread's CPU clock at a hook's start for one hook in {@link #CPU_SAMPLE}, else -1. */
  public long cpuStarting() {
    if (registry == null || !CPU_TIME || (hooks++ % CPU_SAMPLE) != 0) return -1;
    return THREADS.getCurrentThreadCpuTime();
  }

  /** A hook of kind {@code hook} ended; {@code started} and {@code cpuStarted} are from the above. */
  public void hookEnded(Enum<?> hook, long started, long cpuStarted) {
    if (registry == null) return;
    long now = System.nanoTime();
    HookTimers timers = hookTimers.computeIfAbsent(hook, this::hookTimers);
    timers.wall().record(now - started, TimeUnit.NANOSECONDS);
    if (cpuStarted >= 0) {
      long cpu = THREADS.getCurrentThreadCpuTime() - cpuStarted;
      timers.cpu().record(cpu, TimeUnit.NANOSECONDS);
    }
  }

  private HookTimers hookTimers(Enum<?> hook) {
    return new HookTimers(
        hookTimer("partyhost.hook.duration", hook, "wall time of guest hook calls"),
        hookTimer(
            "partyhost.hook.cpu",
            hook,
            "CPU time of guest hook calls, one call in " + CPU_SAMPLE + " sampled"));
  }

  private Timer hookTimer(String name, Enum<?> hook, String description) {
    return Timer.builder(name)
        .description(description)
        .tags("party", party, "hook", hook.name().toLowerCase(Locale.ROOT))
        .serviceLevelObjectives(HOOK_BUCKETS)
        .register(registry);
  }

  /**
   * A room's instance started (instantiation, {@code _initialize} and {@code on_start}) in {@code
   * nanos}; {@code cause}: {@code new} (the room's first start), {@code wake} (after hibernation) or
   * {@code reset} (after a trap or a failed commit).
   */
  public void started(String cause, long nanos) {
    if (registry == null) return;
    starts
        .computeIfAbsent(
            cause,
            c ->
                Timer.builder("partyhost.room.start")
                    .description("time to start a room's instance, on_start included")
                    .tags("party", party, "cause", c)
                    .serviceLevelObjectives(START_BUCKETS)
                    .register(registry))
        .record(nanos, TimeUnit.NANOSECONDS);
  }

  /** A room's data was loaded from storage in {@code nanos} (at its start, and at every wake). */
  public void loaded(long nanos) {
    if (loads != null) loads.record(nanos, TimeUnit.NANOSECONDS);
  }

  /** A hook trapped; {@code deadline}: it was stopped at its CPU deadline. */
  public void trapped(boolean deadline) {
    if (registry == null) return;
    traps.increment();
    if (deadline) {
      deadlineKills.increment();
      limitHit("hookDeadlineMs");
    }
  }

  /** A room's alarm hook runs. */
  public void alarmFired() {
    if (registry != null) alarmsFired.increment();
  }

  /** A failed alarm run will be retried. */
  public void alarmRetried() {
    if (registry != null) alarmsRetried.increment();
  }

  /** A failed alarm's retries are used up. */
  public void alarmDropped() {
    if (registry != null) alarmsDropped.increment();
  }

  /** A limit stopped something; {@code limit} is the setting's name ({@code maxInboxBytes}). */
  public void limitHit(String limit) {
    if (registry == null) return;
    registry
        .counter("partyhost.limits.hit", "party", party, "limit", limit)
        .increment(); // rare: the registry's lookup is fine here
  }

  /** A counter of the party's, or null with metrics off. */
  private Counter count(String name, String description) {
    if (registry == null) return null;
    return Counter.builder(name).description(description).tag("party", party).register(registry);
  }
}
