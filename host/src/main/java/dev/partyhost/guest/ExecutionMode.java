package dev.partyhost.guest;

/** How guest code runs: compiled to JVM bytecode once per module version (default), or interpreted. */
public enum ExecutionMode {
  COMPILED,
  INTERPRETED
}
