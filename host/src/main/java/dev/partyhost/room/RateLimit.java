package dev.partyhost.room;

/**
 * A token bucket: {@code perSecond} tokens a second, holding at most as many (one second of burst).
 * Used by one thread (a socket's event loop).
 */
final class RateLimit {
  private static final RateLimit NONE = new RateLimit(0, 0);

  private final double perNano;
  private final double capacity;
  private double tokens;
  private long last;

  private RateLimit(int perSecond, long nowNanos) {
    this.perNano = perSecond / 1e9;
    this.capacity = perSecond;
    this.tokens = perSecond;
    this.last = nowNanos;
  }

  /** A limit of {@code perSecond} messages, or none when it is 0. */
  static RateLimit perSecond(int perSecond) {
    return perSecond(perSecond, System.nanoTime());
  }

  // The time is an argument (System.nanoTime() in production) so that RateLimitTest can give it.
  static RateLimit perSecond(int perSecond, long nowNanos) {
    return perSecond == 0 ? NONE : new RateLimit(perSecond, nowNanos);
  }

  /** Takes a token; false when there is none left. */
  boolean allows() {
    return allows(System.nanoTime());
  }

  /** Takes a token at {@code nowNanos} (a System.nanoTime() reading); false when there is none left. */
  boolean allows(long nowNanos) {
    if (this == NONE) return true;
    tokens = Math.min(capacity, tokens + (nowNanos - last) * perNano);
    last = nowNanos;
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  }
}
