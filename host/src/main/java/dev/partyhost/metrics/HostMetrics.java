package dev.partyhost.metrics;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The host's meters in one Prometheus registry, for {@code /metrics}: each party's ({@link
 * PartyMeters}), the rooms' census, storage commits, and Vert.x's and the JVM's own (Vert.x's
 * Micrometer binding, which also binds the JVM's memory, GC, threads and class loading). Metrics off:
 * no registry, every meter a no-op.
 */
public final class HostMetrics {
  /** A party's rooms as a scrape sees them: active (an instance running), hibernated, sockets. */
  public record PartyCensus(int active, int hibernated, int connections) {}

  private static final PartyCensus NONE = new PartyCensus(0, 0, 0);

  /** A census is counted over every live room: at most once a second, however many gauges read it. */
  private static final long CENSUS_MAX_AGE_NANOS = TimeUnit.SECONDS.toNanos(1);

  private static final Duration[] COMMIT_BUCKETS = {
    Duration.ofNanos(500_000),
    Duration.ofMillis(1),
    Duration.ofMillis(2),
    Duration.ofMillis(5),
    Duration.ofMillis(10),
    Duration.ofMillis(20),
    Duration.ofMillis(50),
    Duration.ofMillis(100),
    Duration.ofMillis(500),
    Duration.ofSeconds(1)
  };

  /**
   * Vert.x registers its HTTP server's active-requests gauge once per server instance (the host runs
   * one per event loop), and Micrometer warns at every duplicate after the first: that gauge counts
   * the first server's requests only. Its warning is silenced; kept here so the level holds.
   */
  private static final java.util.logging.Logger DUPLICATE_METERS =
      java.util.logging.Logger.getLogger("io.micrometer.core.instrument.MeterRegistry");

  private static final AtomicInteger HOSTS = new AtomicInteger();

  private final PrometheusMeterRegistry registry;
  private final Map<String, PartyMeters> parties = new ConcurrentHashMap<>();
  private final PartyMeters off = new PartyMeters(null, "");

  private volatile Supplier<Map<String, PartyCensus>> census = Map::of;
  private Map<String, PartyCensus> lastCensus = Map.of();
  private long lastCensusAt;

  private final Timer commits;
  private final Timer failedCommits;
  private final DistributionSummary batches;

  private HostMetrics(boolean on) {
    registry = on ? new PrometheusMeterRegistry(PrometheusConfig.DEFAULT) : null;
    if (on) DUPLICATE_METERS.setLevel(java.util.logging.Level.SEVERE);
    if (registry == null) {
      commits = failedCommits = null;
      batches = null;
      return;
    }
    commits = commitTimer("ok");
    failedCommits = commitTimer("failed");
    batches =
        DistributionSummary.builder("partyhost.storage.commit.batch")
            .description("hooks' changes written by one group commit")
            .serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64, 128, 256, 1024)
            .register(registry);
  }

  private Timer commitTimer(String outcome) {
    return Timer.builder("partyhost.storage.commit")
        .description("time of one group commit, from its start to durable (or failed)")
        .tag("outcome", outcome)
        .serviceLevelObjectives(COMMIT_BUCKETS)
        .register(registry);
  }

  /** Metrics on: a registry that {@link #scrape} renders; off: nothing is kept. */
  public static HostMetrics create(boolean on) {
    return new HostMetrics(on);
  }

  public boolean on() {
    return registry != null;
  }

  /**
   * Vert.x with its own meters (pools, event bus, HTTP server and clients, verticles) and the JVM's in
   * this registry; unchanged with metrics off.
   */
  public VertxBuilder instrument(VertxBuilder builder, VertxOptions options) {
    if (registry == null) return builder;
    // Vert.x keeps registries by name, process-wide: each host (tests run several in one JVM) needs
    // a name of its own, or its Vert.x meters would land in the first host's registry.
    options.setMetricsOptions(
        new MicrometerMetricsOptions()
            .setEnabled(true)
            .setJvmMetricsEnabled(true)
            .setRegistryName("partyhost-" + HOSTS.incrementAndGet()));
    return builder.with(options).withMetrics(new MicrometerMetricsFactory(registry));
  }

  /** Where the rooms' census comes from (counted over every live room). */
  public void census(Supplier<Map<String, PartyCensus>> rooms) {
    this.census = rooms;
  }

  /** Host-wide gauges: what {@code value} reads, under {@code name}. */
  public void gauge(String name, String description, LongSupplier value) {
    if (registry == null) return;
    Gauge.builder(name, value, v -> v.getAsLong())
        .description(description)
        .strongReference(true) // the supplier is held by nothing else
        .register(registry);
  }

  /** The meters of a party, made on first use (parties are few: a room id is never a label). */
  public PartyMeters party(String party) {
    if (registry == null) return off;
    return parties.computeIfAbsent(party, this::newParty);
  }

  private PartyMeters newParty(String party) {
    roomGauge(party, "active", PartyCensus::active);
    roomGauge(party, "hibernated", PartyCensus::hibernated);
    Gauge.builder("partyhost.connections", () -> census(party).connections())
        .description("WebSockets open in the party's rooms")
        .tag("party", party)
        .strongReference(true)
        .register(registry);
    return new PartyMeters(registry, party);
  }

  private void roomGauge(
      String party, String state, java.util.function.ToIntFunction<PartyCensus> count) {
    Gauge.builder("partyhost.rooms", () -> count.applyAsInt(census(party)))
        .description(
            "live rooms: active (an instance runs) or hibernated (sockets open, no instance)")
        .tags("party", party, "state", state)
        .strongReference(true)
        .register(registry);
  }

  private synchronized PartyCensus census(String party) {
    long now = System.nanoTime();
    if (now - lastCensusAt > CENSUS_MAX_AGE_NANOS || lastCensusAt == 0) {
      lastCensus = census.get();
      lastCensusAt = now;
    }
    return lastCensus.getOrDefault(party, NONE);
  }

  /** A group commit of {@code hooks} hooks' changes ended after {@code nanos}. */
  public void committed(int hooks, long nanos, boolean ok) {
    if (registry == null) return;
    (ok ? commits : failedCommits).record(nanos, TimeUnit.NANOSECONDS);
    batches.record(hooks);
  }

  /** The Prometheus text exposition of every meter (blocking: JVM meters read MXBeans). */
  public String scrape() {
    return registry == null ? "" : registry.scrape();
  }

  /** The content type of {@link #scrape}. */
  public static String contentType() {
    return "text/plain; version=0.0.4; charset=utf-8";
  }

  /** Stops the JVM meters' listeners (GC notifications). */
  public void close() {
    if (registry != null) registry.close();
  }
}
