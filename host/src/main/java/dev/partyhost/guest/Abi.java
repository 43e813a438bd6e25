package dev.partyhost.guest;

import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.ValType;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Names, numbers and signatures of ABI v1 (abi/v1/README.md): what modules are validated against and
 * what the host's bindings must match. {@code AbiManifestTest} checks all of it against abi/v1/abi.json.
 */
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
  public static final int BUSY = -10;
  public static final int NOT_ALLOWED = -11;
  public static final int TIMED_OUT = -12;
  public static final int FAILED = -13;

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
  public static final String ON_RESPONSE = "partyhost_on_response";

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
  public static final int MAX_ROOM_ID_BYTES = 256;

  /** Redirects an {@code http_call} follows before it answers with the redirect itself. */
  public static final int MAX_CALL_REDIRECTS = 5;

  /** WASI preview 1 functions a guest may import (section 9). */
  public static final Set<String> WASI_ALLOWED =
      Set.of(
          "clock_time_get",
          "clock_res_get",
          "random_get",
          "fd_write",
          "fd_close",
          "fd_seek",
          "fd_fdstat_get",
          "environ_get",
          "environ_sizes_get",
          "args_get",
          "args_sizes_get",
          "proc_exit",
          "sched_yield");

  private static final List<ValType> I32 = List.of(ValType.I32);

  /** Signatures of the guest exports the host calls (abi.json "exports"). */
  public static final Map<String, FunctionType> EXPORTS =
      Map.ofEntries(
          Map.entry(ABI_VERSION, FunctionType.of(List.of(), I32)),
          Map.entry(ALLOC, FunctionType.of(I32, I32)),
          Map.entry(ON_START, FunctionType.of(List.of(), I32)),
          Map.entry(ON_CONNECT, i32(3)),
          Map.entry(ON_MESSAGE, i32(4)),
          Map.entry(ON_CLOSE, i32(4)),
          Map.entry(ON_ERROR, i32(3)),
          Map.entry(ON_REQUEST, i32(2)),
          Map.entry(ON_ALARM, i32(0)),
          Map.entry(ON_BEFORE_CONNECT, i32(2)),
          Map.entry(ON_BEFORE_REQUEST, i32(2)),
          Map.entry(ON_RESPONSE, i32(4)));

  /** Signatures of the host calls (section 7; abi.json "imports"), in the spec's order. */
  public static final Map<String, FunctionType> IMPORTS =
      imports(
          "conn_send",
          i32(4),
          "broadcast",
          i32(5),
          "conn_close",
          i32(4),
          "conn_id",
          i32(3),
          "conn_uri",
          i32(3),
          "conn_find",
          i32(2),
          "conn_state_get",
          i32(3),
          "conn_state_set",
          i32(3),
          "conn_set_tags",
          i32(3),
          "conn_tags",
          i32(3),
          "conn_list",
          i32(4),
          "room_id",
          i32(2),
          "party_name",
          i32(2),
          "respond",
          i32(5),
          "config_get",
          i32(4),
          "log",
          i32(3),
          "now_ms",
          FunctionType.of(List.of(), List.of(ValType.I64)),
          "random_fill",
          i32(2),
          "storage_get",
          i32(4),
          "storage_put",
          i32(4),
          "storage_put_many",
          i32(2),
          "storage_delete",
          i32(2),
          "storage_delete_many",
          i32(2),
          "storage_list",
          i32(10),
          "storage_delete_all",
          i32(0),
          "alarm_set",
          FunctionType.of(List.of(ValType.I64), I32),
          "alarm_get",
          i32(1),
          "alarm_delete",
          i32(0),
          "request_set_header",
          i32(4),
          "room_call",
          i32(6),
          "http_call",
          i32(2));

  /** {@code params} i32 parameters, one i32 result: the shape of almost every call and hook. */
  public static FunctionType i32(int params) {
    return FunctionType.of(Collections.nCopies(params, ValType.I32), I32);
  }

  private static Map<String, FunctionType> imports(Object... nameThenType) {
    Map<String, FunctionType> out = new LinkedHashMap<>();
    for (int i = 0; i < nameThenType.length; i += 2)
      out.put((String) nameThenType[i], (FunctionType) nameThenType[i + 1]);
    return Collections.unmodifiableMap(out);
  }

  /**
   * Header names that belong to the host ({@code x-partyhost-caller} names a calling room): a
   * before hook may not set them (since v1.4), and the host removes them from clients' requests.
   */
  public static final String HOST_HEADER_PREFIX = "x-partyhost-";

  /**
   * An HTTP token (RFC 9110 tchars, one or more): what the ABI takes as a header name or method
   * ({@code respond}, {@code request_set_header}, call requests).
   */
  public static boolean isHttpToken(byte[] name) {
    if (name.length == 0) return false;
    for (byte b : name) {
      boolean tchar =
          (b >= '0' && b <= '9')
              || (b >= 'a' && b <= 'z')
              || (b >= 'A' && b <= 'Z')
              || "!#$%&'*+-.^_`|~".indexOf(b) >= 0;
      if (!tchar) return false;
    }
    return true;
  }

  /** An HTTP header value the host may send: no CR, LF or NUL (nothing that ends or folds a line). */
  public static boolean isHttpFieldValue(byte[] value) {
    for (byte b : value) if (b == '\r' || b == '\n' || b == 0) return false;
    return true;
  }
}
