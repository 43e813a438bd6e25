package dev.partyhost.guest;

import java.util.Set;

/** Names and numbers of ABI v1 (abi/v1/README.md). The host's bindings are tested against abi/v1/abi.json. */
public final class Abi {
  private Abi() {}

  public static final String IMPORT_MODULE = "partyhost";
  public static final String WASI_MODULE = "wasi_snapshot_preview1";
  public static final Set<Integer> SUPPORTED_VERSIONS = Set.of(1);

  // Status codes (section 4).
  public static final int OK = 0;
  public static final int NOT_FOUND = -1;
  public static final int BAD_HANDLE = -2;
  public static final int BAD_POINTER = -3;
  public static final int TOO_LARGE = -4;
  public static final int INVALID = -5;
  public static final int NOT_IMPLEMENTED = -6;
  public static final int QUOTA_EXCEEDED = -7;
  public static final int WRONG_HOOK = -8;
  public static final int CLOSED = -9;

  // Message kinds and log levels (section 5).
  public static final int TEXT = 0;
  public static final int BINARY = 1;
  public static final int LOG_DEBUG = 0;
  public static final int LOG_ERROR = 3;

  // Exports (section 6).
  public static final String MEMORY = "memory";
  public static final String ABI_VERSION = "partyhost_abi_version";
  public static final String ALLOC = "partyhost_alloc";
  public static final String INITIALIZE = "_initialize";
  public static final String ON_START = "partyhost_on_start";
  public static final String ON_CONNECT = "partyhost_on_connect";
  public static final String ON_MESSAGE = "partyhost_on_message";
  public static final String ON_CLOSE = "partyhost_on_close";
  public static final String ON_ERROR = "partyhost_on_error";
  public static final String ON_REQUEST = "partyhost_on_request";
  public static final String ON_ALARM = "partyhost_on_alarm";
  public static final String ON_BEFORE_CONNECT = "partyhost_on_before_connect";
  public static final String ON_BEFORE_REQUEST = "partyhost_on_before_request";

  // Limits (section 8) that are part of the ABI rather than host configuration.
  public static final int MAX_STATE_BYTES = 2048;
  public static final int MAX_TAGS = 10;
  public static final int MAX_TAG_BYTES = 256;
  public static final int MAX_CLOSE_REASON_BYTES = 123;
  public static final int MAX_LOG_LINE_BYTES = 16 * 1024;
  public static final int MAX_RANDOM_BYTES = 64 * 1024;
  public static final int MAX_RESPONSE_BODY_BYTES = 16 * 1024 * 1024;
  public static final int MAX_KEY_BYTES = 2048;
  public static final int MAX_HEADER_NAME_BYTES = 256;
  public static final int MAX_HEADER_VALUE_BYTES = 8 * 1024;
  public static final int MAX_VALUE_BYTES = 2 * 1024 * 1024;

  /** WASI preview 1 functions a guest may import (section 9). */
  public static final Set<String> WASI_ALLOWED = Set.of(
      "clock_time_get", "clock_res_get", "random_get", "fd_write", "fd_close", "fd_seek",
      "fd_fdstat_get", "environ_get", "environ_sizes_get", "args_get", "args_sizes_get",
      "proc_exit", "sched_yield");
}
