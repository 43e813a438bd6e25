//! Raw host calls of ABI v1 (import module `partyhost`), exactly as listed in `abi/v1/abi.json`.
//!
//! On `wasm32` these are Wasm imports. On every other target (unit tests on the build machine)
//! there is no host: they are stubs that answer `NOT_IMPLEMENTED` (what a host without the call
//! would say), so nothing is linked against a host and every wrapper's error path can be tested.

pub const OK: i32 = 0;
pub const NOT_FOUND: i32 = -1;
pub const BAD_HANDLE: i32 = -2;
pub const BAD_POINTER: i32 = -3;
pub const TOO_LARGE: i32 = -4;
pub const INVALID: i32 = -5;
pub const NOT_IMPLEMENTED: i32 = -6;
pub const QUOTA_EXCEEDED: i32 = -7;
pub const WRONG_HOOK: i32 = -8;
pub const CLOSED: i32 = -9;

macro_rules! host_calls {
    ($( fn $name:ident($($arg:ident: $t:ty),*) -> $r:ty; )*) => {
        #[cfg(target_arch = "wasm32")]
        #[link(wasm_import_module = "partyhost")]
        extern "C" {
            $( pub fn $name($($arg: $t),*) -> $r; )*
        }

        $(
            #[cfg(not(target_arch = "wasm32"))]
            #[allow(unused_variables)]
            pub unsafe fn $name($($arg: $t),*) -> $r {
                NOT_IMPLEMENTED as $r
            }
        )*
    };
}

host_calls! {
    // Connections
    fn conn_send(conn: i32, ptr: i32, len: i32, kind: i32) -> i32;
    fn broadcast(ptr: i32, len: i32, kind: i32, exclude_ptr: i32, exclude_count: i32) -> i32;
    fn conn_close(conn: i32, code: i32, reason_ptr: i32, reason_len: i32) -> i32;
    fn conn_id(conn: i32, out_ptr: i32, out_cap: i32) -> i32;
    fn conn_uri(conn: i32, out_ptr: i32, out_cap: i32) -> i32;
    fn conn_find(id_ptr: i32, id_len: i32) -> i32;
    fn conn_state_get(conn: i32, out_ptr: i32, out_cap: i32) -> i32;
    fn conn_state_set(conn: i32, ptr: i32, len: i32) -> i32;
    fn conn_set_tags(conn: i32, list_ptr: i32, list_len: i32) -> i32;
    fn conn_tags(conn: i32, out_ptr: i32, out_cap: i32) -> i32;
    fn conn_list(tag_ptr: i32, tag_len: i32, out_ptr: i32, out_cap: i32) -> i32;
    // Room
    fn room_id(out_ptr: i32, out_cap: i32) -> i32;
    fn party_name(out_ptr: i32, out_cap: i32) -> i32;
    fn respond(status: i32, headers_ptr: i32, headers_len: i32, body_ptr: i32, body_len: i32) -> i32;
    fn config_get(key_ptr: i32, key_len: i32, out_ptr: i32, out_cap: i32) -> i32;
    // Utilities
    fn log(level: i32, ptr: i32, len: i32) -> i32;
    fn now_ms() -> i64;
    fn random_fill(ptr: i32, len: i32) -> i32;
    // Storage
    fn storage_get(key_ptr: i32, key_len: i32, out_ptr: i32, out_cap: i32) -> i32;
    fn storage_put(key_ptr: i32, key_len: i32, val_ptr: i32, val_len: i32) -> i32;
    fn storage_put_many(list_ptr: i32, list_len: i32) -> i32; // since v1.1
    fn storage_delete(key_ptr: i32, key_len: i32) -> i32;
    fn storage_delete_many(list_ptr: i32, list_len: i32) -> i32; // since v1.1
    fn storage_list(prefix_ptr: i32, prefix_len: i32, start_ptr: i32, start_len: i32,
                    end_ptr: i32, end_len: i32, limit: i32, reverse: i32,
                    out_ptr: i32, out_cap: i32) -> i32;
    fn storage_delete_all() -> i32;
    // Alarm
    fn alarm_set(epoch_ms: i64) -> i32;
    fn alarm_get(out_ptr: i32) -> i32;
    fn alarm_delete() -> i32;
    // Before hooks
    fn request_set_header(name_ptr: i32, name_len: i32, value_ptr: i32, value_len: i32) -> i32; // since v1.2
}

/// A guest pointer as the ABI's `i32` (linear memory is 32-bit on wasm32).
#[inline]
pub fn ptr<T>(p: *const T) -> i32 {
    p as usize as i32
}

/// A length as the ABI's `i32`. Lengths over `i32::MAX` cannot exist in 32-bit memory; on other
/// targets they saturate (the stubs never look at them).
#[inline]
pub fn len(n: usize) -> i32 {
    if n > i32::MAX as usize { i32::MAX } else { n as i32 }
}
