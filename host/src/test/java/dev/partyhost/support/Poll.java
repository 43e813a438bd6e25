package dev.partyhost.support;

import java.util.function.BooleanSupplier;

/** Waiting for something the host does asynchronously. */
public final class Poll {
  private Poll() {}

  /** Returns once {@code condition} holds; fails the test after {@code timeoutMs}. */
  public static void until(BooleanSupplier condition, long timeoutMs) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (!condition.getAsBoolean()) {
      if (System.currentTimeMillis() > deadline)
        throw new AssertionError("condition not met within " + timeoutMs + " ms");
      Thread.sleep(20);
    }
  }
}
