//! Raw host calls of ABI v1 (import module `partyhost`), exactly as listed in `abi/v1/abi.json`.
//!
//! On `wasm32` these are Wasm imports. On every other target (unit tests on the build machine)
//! they go to the test kit's host ([`crate::testing`]) while a [`TestRoom`](crate::testing::TestRoom)
//! runs a hook on the calling thread; otherwise they answer `NOT_IMPLEMENTED` (what a host without
//! the call would say), so every wrapper's error path can be tested too.

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
pub const BUSY: i32 = -10; // since v1.4
pub const NOT_ALLOWED: i32 = -11;
pub const TIMED_OUT: i32 = -12;
pub const FAILED: i32 = -13;

/// A pointer argument of a host call: the ABI's `i32` on wasm32; a native address off it, where
/// the test kit's host reads and writes the caller's memory directly.
#[cfg(target_arch = "wasm32")]
pub type Ptr = i32;
#[cfg(not(target_arch = "wasm32"))]
pub type Ptr = usize;

macro_rules! host_calls {
    ($( fn $name:ident($($arg:ident: $t:ty),*) -> $r:ty; )*) => {
        #[cfg(target_arch = "wasm32")]
        #[link(wasm_import_module = "partyhost")]
        extern "C" {
            $( pub fn $name($($arg: $t),*) -> $r; )*
        }

        $(
            #[cfg(not(target_arch = "wasm32"))]
            pub unsafe fn $name($($arg: $t),*) -> $r {
                crate::testing::host::$name($($arg),*)
            }
        )*
    };
}

host_calls! {
    // Connections
    fn conn_send(conn: i32, ptr: Ptr, len: i32, kind: i32) -> i32;
    fn broadcast(ptr: Ptr, len: i32, kind: i32, exclude_ptr: Ptr, exclude_count: i32) -> i32;
    fn conn_close(conn: i32, code: i32, reason_ptr: Ptr, reason_len: i32) -> i32;
    fn conn_id(conn: i32, out_ptr: Ptr, out_cap: i32) -> i32;
    fn conn_uri(conn: i32, out_ptr: Ptr, out_cap: i32) -> i32;
    fn conn_find(id_ptr: Ptr, id_len: i32) -> i32;
    fn conn_state_get(conn: i32, out_ptr: Ptr, out_cap: i32) -> i32;
    fn conn_state_set(conn: i32, ptr: Ptr, len: i32) -> i32;
    fn conn_set_tags(conn: i32, list_ptr: Ptr, list_len: i32) -> i32;
    fn conn_tags(conn: i32, out_ptr: Ptr, out_cap: i32) -> i32;
    fn conn_list(tag_ptr: Ptr, tag_len: i32, out_ptr: Ptr, out_cap: i32) -> i32;
    // Room
    fn room_id(out_ptr: Ptr, out_cap: i32) -> i32;
    fn party_name(out_ptr: Ptr, out_cap: i32) -> i32;
    fn respond(status: i32, headers_ptr: Ptr, headers_len: i32, body_ptr: Ptr, body_len: i32) -> i32;
    fn config_get(key_ptr: Ptr, key_len: i32, out_ptr: Ptr, out_cap: i32) -> i32;
    // Utilities
    fn log(level: i32, ptr: Ptr, len: i32) -> i32;
    fn now_ms() -> i64;
    fn random_fill(ptr: Ptr, len: i32) -> i32;
    // Storage
    fn storage_get(key_ptr: Ptr, key_len: i32, out_ptr: Ptr, out_cap: i32) -> i32;
    fn storage_put(key_ptr: Ptr, key_len: i32, val_ptr: Ptr, val_len: i32) -> i32;
    fn storage_put_many(list_ptr: Ptr, list_len: i32) -> i32; // since v1.1
    fn storage_delete(key_ptr: Ptr, key_len: i32) -> i32;
    fn storage_delete_many(list_ptr: Ptr, list_len: i32) -> i32; // since v1.1
    fn storage_list(prefix_ptr: Ptr, prefix_len: i32, start_ptr: Ptr, start_len: i32,
                    end_ptr: Ptr, end_len: i32, limit: i32, reverse: i32,
                    out_ptr: Ptr, out_cap: i32) -> i32;
    fn storage_delete_all() -> i32;
    // Alarm
    fn alarm_set(epoch_ms: i64) -> i32;
    fn alarm_get(out_ptr: Ptr) -> i32;
    fn alarm_delete() -> i32;
    // Before hooks
    fn request_set_header(name_ptr: Ptr, name_len: i32, value_ptr: Ptr, value_len: i32) -> i32; // since v1.2
    // Calls (since v1.4)
    fn room_call(party_ptr: Ptr, party_len: i32, room_ptr: Ptr, room_len: i32, req_ptr: Ptr, req_len: i32) -> i32;
    fn http_call(req_ptr: Ptr, req_len: i32) -> i32;
}

/// A guest pointer as host calls take it (on wasm32 the ABI's `i32`: linear memory is 32-bit).
#[inline]
pub fn ptr<T>(p: *const T) -> Ptr {
    p as usize as Ptr
}

/// A length as the ABI's `i32`. Lengths over `i32::MAX` cannot exist in 32-bit memory; on other
/// targets they saturate.
#[inline]
pub fn len(n: usize) -> i32 {
    if n > i32::MAX as usize { i32::MAX } else { n as i32 }
}
