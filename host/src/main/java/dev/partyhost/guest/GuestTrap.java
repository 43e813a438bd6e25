package dev.partyhost.guest;

/**
 * The one failure of guest code: a Wasm trap, a bad allocation, an exit, a stack overflow, a failed
 * instantiation or the CPU deadline ({@link Watchdog.DeadlineExceeded}). Only the guest layer throws
 * it; rooms and gates see a {@link HookResult}.
 */
public class GuestTrap extends RuntimeException {
  public GuestTrap(String message, Throwable cause) {
    super(message, cause);
  }
}
