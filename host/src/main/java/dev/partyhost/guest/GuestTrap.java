package dev.partyhost.guest;

/** A guest call that did not complete: a Wasm trap, a bad allocation, an exit, a stack overflow. */
public class GuestTrap extends RuntimeException {
  public GuestTrap(String message, Throwable cause) {
    super(message, cause);
  }
}
