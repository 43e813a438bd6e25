package dev.partyhost.guest;

/**
 * How a guest call ended: it returned {@code code} (0 is success by the ABI's convention), or it
 * trapped ({@code trap} says why: a Wasm trap, the CPU deadline, a bad allocation, or a host failure
 * inside it, which the host treats the same way).
 */
public record HookResult(int code, String trap) {
  public static HookResult returned(int code) {
    return new HookResult(code, null);
  }

  public static HookResult trapped(String why) {
    return new HookResult(0, why);
  }

  public boolean trapped() {
    return trap != null;
  }

  /** Returned 0. */
  public boolean ok() {
    return trap == null && code == 0;
  }
}
