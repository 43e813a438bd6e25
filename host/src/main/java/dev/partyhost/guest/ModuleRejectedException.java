package dev.partyhost.guest;

/** A module that cannot serve as a party; the message names the reason and is shown to the uploader. */
public final class ModuleRejectedException extends Exception {
  public ModuleRejectedException(String message) {
    super(message);
  }
}
