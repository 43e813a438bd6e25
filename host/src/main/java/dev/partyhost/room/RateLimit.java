package dev.partyhost.room;

/**
 * A token bucket: {@code perSecond} tokens a second, holding at most as many (one second of burst).
 * Used by one thread (a socket's event loop).
 */
final class RateLimit {
  private static final RateLimit NONE = new RateLimit(0);

  private final double perNano;
  private final double capacity;
  private double tokens;
  private long last = System.nanoTime();

  private RateLimit(int perSecond) {
    this.perNano = perSecond / 1e9;
    this.capacity = perSecond;
    this.tokens = perSecond;
  }

  /** A limit of {@code perSecond} messages, or none when it is 0. */
  static RateLimit perSecond(int perSecond) {
    return perSecond == 0 ? NONE : new RateLimit(perSecond);
  }

  /** Takes a token; false when there is none left. */
  boolean allows() {
    if (this == NONE) return true;
    long now = System.nanoTime();
    tokens = Math.min(capacity, tokens + (now - last) * perNano);
    last = now;
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  }
}
