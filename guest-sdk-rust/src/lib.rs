//! # partyhost guest SDK (ABI v1)
//!
//! Write a multiplayer room in Rust, compile it to `wasm32-unknown-unknown`, and run it on a
//! partyhost server. Implement [`Party`] (every hook but [`Party::new`] has a no-op default) and
//! export it with [`party!`]:
//!
//! ```
//! use partyhost::{Connection, Message, Party, Request, Response, Room};
//!
//! struct Echo;
//!
//! impl Party for Echo {
//!     fn new(_room: &Room) -> Self {
//!         Echo
//!     }
//!     fn on_message(&mut self, _room: &Room, conn: &Connection, msg: Message) {
//!         let _ = conn.send(msg);
//!     }
//!     fn on_request(&mut self, room: &Room, _req: &Request) -> Response {
//!         Response::text(format!("room {}", room.id()))
//!     }
//! }
//!
//! partyhost::party!(Echo);
//! # fn main() {}
//! ```
//!
//! One instance of the type serves one room. Hooks run one at a time, so `&mut self` is all the
//! synchronization there is. Effects of host calls (sends, closes) are released after the hook
//! returns, once its [storage](Storage) writes are durable. A panic traps the instance, after the
//! SDK has logged its message and `file:line:column` at ERROR: the host discards the hook's writes,
//! closes the room's connections with 1011 and starts a fresh instance on the next event.
//!
//! An instance is not forever: after a trap, a host restart or a hibernation (a quiet room loses
//! its instance while its WebSockets stay open) the next event creates a new one with
//! [`Party::new`]. What must outlive it belongs in [`Room::storage`] (or in connection state).
//!
//! Messages are mostly JSON: [`Json`] parses, queries and writes it.
//!
//! Before hooks (ABI v1.2) check requests before they reach a room, e.g. for a token: plain
//! functions `fn(&Gate, &Request) -> Verdict`, exported with
//! `party!(MyParty, before_connect = f, before_request = g)` (see [`party!`] and [`Gate`]).
//!
//! Rooms call other rooms and, where the operator allows it, the web (ABI v1.4):
//! [`Room::call_room`] and [`Room::call_http`] send a [`CallRequest`] once the hook's writes are
//! durable, and the answer comes later to [`Party::on_response`]; no hook waits.

mod calls;
mod codec;
mod gate;
mod heap;
mod http;
mod json;
mod storage;
mod sys;
pub mod yjs;

#[doc(hidden)]
pub mod rt;

#[cfg(not(target_arch = "wasm32"))]
pub mod testing;

use std::fmt;

pub use calls::{CallError, CallId, CallRequest};
pub use codec::{decode_list, encode_list};
pub use gate::{Gate, Verdict};
pub use http::{Request, Response};
pub use json::{json_string, push_json_string, Json, JsonError, JSON_MAX_DEPTH};
pub use storage::{ListOptions, Storage};

use rt::{check, read_out, read_out_string};
use sys::{len, ptr};

/// A room's logic. One value of the implementing type lives per room, created by [`new`] when
/// the room's instance starts (`partyhost_on_start`).
///
/// [`new`]: Party::new
pub trait Party: Sized + 'static {
    /// Creates the room's state. Called once per instance, before any other hook: when the room
    /// starts, and again after a reset (a panic), a hibernation or a host restart. The room's
    /// [storage](Room::storage) is already readable here, so load what you keep in fields from it.
    fn new(room: &Room) -> Self;

    /// A WebSocket connection joined; `req` is its upgrade request. The connection is open: it
    /// can be sent to, tagged with [`Connection::set_tags`] (only here), or rejected with
    /// [`Connection::close`].
    fn on_connect(&mut self, room: &Room, conn: &Connection, req: &Request) {
        let _ = (room, conn, req);
    }

    /// A whole message arrived from `conn`. The message borrows a buffer that is freed when the
    /// hook returns; copy what you keep.
    fn on_message(&mut self, room: &Room, conn: &Connection, msg: Message) {
        let _ = (room, conn, msg);
    }

    /// `conn` closed with `code`: the peer's (or yours, from [`Connection::close`]), 1000 if its close
    /// frame had none, 1006 if the connection ended without one. Sends to it fail with
    /// [`Error::Closed`]; its id, URI, state and tags still answer. Afterwards the handle is dead.
    fn on_close(&mut self, room: &Room, conn: &Connection, code: u16, reason: &str) {
        let _ = (room, conn, code, reason);
    }

    /// A transport error happened on `conn`; [`on_close`](Party::on_close) follows.
    fn on_error(&mut self, room: &Room, conn: &Connection, error: &str) {
        let _ = (room, conn, error);
    }

    /// An HTTP request (not a WebSocket upgrade) for the room or a path under it. The default
    /// answers 404.
    fn on_request(&mut self, room: &Room, req: &Request) -> Response {
        let _ = (room, req);
        Response::not_found()
    }

    /// The room's alarm ([`Room::set_alarm`]) is due. The host wakes the room for it (creating the
    /// instance with [`new`](Party::new) first if the room was not live). When this runs the alarm
    /// is already cleared, so the hook may set the next one. Delivery is at least once: if the hook
    /// panics the alarm stays set and is retried with backoff.
    fn on_alarm(&mut self, room: &Room) {
        let _ = room;
    }

    /// The answer to `call`, made earlier with [`Room::call_room`] or [`Room::call_http`]: the
    /// response, or why there is none ([`CallError`]). Every call gets one answer, unless the
    /// instance that made it is gone first (a panic resets the room, or the host stopped).
    fn on_response(&mut self, room: &Room, call: CallId, answer: Result<Response, CallError>) {
        let _ = (room, call, answer);
    }
}

/// Exports a [`Party`] type as the module's party: `partyhost::party!(MyParty);` once, at the
/// crate root of a `cdylib`. Generates the ABI exports `partyhost_abi_version`, `partyhost_alloc`
/// and every room hook (`partyhost_on_start`, `partyhost_on_connect`, ...).
///
/// Before hooks are added by name, each a function `fn(&Gate, &Request) -> Verdict` (or a
/// closure):
///
/// ```
/// # use partyhost::{Gate, Party, Request, Room, Verdict};
/// # struct MyParty;
/// # impl Party for MyParty { fn new(_: &Room) -> Self { MyParty } }
/// fn check(gate: &Gate, req: &Request) -> Verdict {
///     match (gate.config("token"), req.query_param("token")) {
///         (Some(want), Some(got)) if want == got => Verdict::Pass,
///         _ => Verdict::deny(401, "bad token"),
///     }
/// }
/// partyhost::party!(MyParty, before_connect = check, before_request = check);
/// # fn main() {}
/// ```
///
/// `before_connect` exports `partyhost_on_before_connect` (WebSocket upgrades), `before_request`
/// exports `partyhost_on_before_request` (other HTTP requests); name one or both. Only the named
/// hooks are exported, since the host calls an exported before hook for every request. They run
/// in a gate instance of the party, which has no `MyParty` value: see [`Gate`].
#[macro_export]
macro_rules! party {
    ($ty:ty, $($hook:ident = $f:expr),+ $(,)?) => {
        $crate::party!($ty);
        $( $crate::__party_before_hook!($hook, $f); )+
    };
    ($ty:ty) => {
        const _: () = {
            static mut __PARTYHOST_INSTANCE: ::core::option::Option<$ty> = ::core::option::Option::None;

            #[inline(always)]
            fn __slot() -> &'static mut ::core::option::Option<$ty> {
                // SAFETY: Wasm instances are single-threaded and hooks never re-enter, so this is
                // the only live reference while a hook runs.
                unsafe { &mut *::core::ptr::addr_of_mut!(__PARTYHOST_INSTANCE) }
            }

            #[no_mangle]
            pub extern "C" fn partyhost_abi_version() -> i32 {
                $crate::rt::ABI_VERSION
            }
            #[no_mangle]
            pub extern "C" fn partyhost_alloc(len: i32) -> i32 {
                $crate::rt::alloc(len) as i32
            }
            #[no_mangle]
            pub extern "C" fn partyhost_on_start() -> i32 {
                $crate::rt::on_start::<$ty>(__slot())
            }
            #[no_mangle]
            pub extern "C" fn partyhost_on_connect(conn: i32, ptr: i32, len: i32) -> i32 {
                unsafe { $crate::rt::on_connect::<$ty>(__slot(), conn, ptr as _, len) }
            }
            #[no_mangle]
            pub extern "C" fn partyhost_on_message(conn: i32, ptr: i32, len: i32, kind: i32) -> i32 {
                unsafe { $crate::rt::on_message::<$ty>(__slot(), conn, ptr as _, len, kind) }
            }
            #[no_mangle]
            pub extern "C" fn partyhost_on_close(conn: i32, code: i32, ptr: i32, len: i32) -> i32 {
                unsafe { $crate::rt::on_close::<$ty>(__slot(), conn, code, ptr as _, len) }
            }
            #[no_mangle]
            pub extern "C" fn partyhost_on_error(conn: i32, ptr: i32, len: i32) -> i32 {
                unsafe { $crate::rt::on_error::<$ty>(__slot(), conn, ptr as _, len) }
            }
            #[no_mangle]
            pub extern "C" fn partyhost_on_request(ptr: i32, len: i32) -> i32 {
                unsafe { $crate::rt::on_request::<$ty>(__slot(), ptr as _, len) }
            }
            #[no_mangle]
            pub extern "C" fn partyhost_on_alarm() -> i32 {
                $crate::rt::on_alarm::<$ty>(__slot())
            }
            #[no_mangle]
            pub extern "C" fn partyhost_on_response(call: i32, ptr: i32, len: i32, status: i32) -> i32 {
                unsafe { $crate::rt::on_response::<$ty>(__slot(), call, ptr as _, len, status) }
            }
        };
    };
}

/// One before hook of [`party!`]. Not part of the public API.
#[doc(hidden)]
#[macro_export]
macro_rules! __party_before_hook {
    (before_connect, $f:expr) => {
        const _: () = {
            #[no_mangle]
            pub extern "C" fn partyhost_on_before_connect(ptr: i32, len: i32) -> i32 {
                let hook = $crate::rt::before_hook_fn($f);
                unsafe { $crate::rt::before_hook(ptr as _, len, hook) }
            }
        };
    };
    (before_request, $f:expr) => {
        const _: () = {
            #[no_mangle]
            pub extern "C" fn partyhost_on_before_request(ptr: i32, len: i32) -> i32 {
                let hook = $crate::rt::before_hook_fn($f);
                unsafe { $crate::rt::before_hook(ptr as _, len, hook) }
            }
        };
    };
    ($other:ident, $f:expr) => {
        ::core::compile_error!(::core::concat!(
            "partyhost::party!: unknown hook `", ::core::stringify!($other),
            "` (expected before_connect or before_request)"
        ));
    };
}

/// A failed host call: one variant per ABI status code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Error {
    /// No such key, connection id, config value or alarm.
    NotFound,
    /// The connection handle does not name a connection of this room.
    BadHandle,
    /// A buffer lies outside linear memory (an SDK bug).
    BadPointer,
    /// An argument exceeds a host limit (message size, state size, tags, reason, ...).
    TooLarge,
    /// A malformed argument (bad UTF-8, bad close code, ...).
    Invalid,
    /// The host does not implement this call (ABI v1.0 hosts answer this for storage and alarms).
    NotImplemented,
    /// The room's storage quota would be exceeded.
    QuotaExceeded,
    /// Not allowed in the current hook (e.g. `set_tags` outside `on_connect`).
    WrongHook,
    /// The connection is closed or closing; nothing was sent.
    Closed,
    /// The room has as many calls in flight as it may; nothing was sent (v1.4).
    Busy,
    /// A call to a host not on the party's allowlist, or to a private address (v1.4).
    NotAllowed,
    /// A call got no answer within its deadline (v1.4; in [`Party::on_response`]).
    TimedOut,
    /// A call ended without a response: the callee failed, or the connection did (v1.4).
    Failed,
    /// A status code this SDK does not know.
    Unknown(i32),
}

impl Error {
    /// The error for a negative ABI status code.
    pub fn from_code(code: i32) -> Error {
        match code {
            sys::NOT_FOUND => Error::NotFound,
            sys::BAD_HANDLE => Error::BadHandle,
            sys::BAD_POINTER => Error::BadPointer,
            sys::TOO_LARGE => Error::TooLarge,
            sys::INVALID => Error::Invalid,
            sys::NOT_IMPLEMENTED => Error::NotImplemented,
            sys::QUOTA_EXCEEDED => Error::QuotaExceeded,
            sys::WRONG_HOOK => Error::WrongHook,
            sys::CLOSED => Error::Closed,
            sys::BUSY => Error::Busy,
            sys::NOT_ALLOWED => Error::NotAllowed,
            sys::TIMED_OUT => Error::TimedOut,
            sys::FAILED => Error::Failed,
            other => Error::Unknown(other),
        }
    }

    /// The ABI status code.
    pub fn code(&self) -> i32 {
        match *self {
            Error::NotFound => sys::NOT_FOUND,
            Error::BadHandle => sys::BAD_HANDLE,
            Error::BadPointer => sys::BAD_POINTER,
            Error::TooLarge => sys::TOO_LARGE,
            Error::Invalid => sys::INVALID,
            Error::NotImplemented => sys::NOT_IMPLEMENTED,
            Error::QuotaExceeded => sys::QUOTA_EXCEEDED,
            Error::WrongHook => sys::WRONG_HOOK,
            Error::Closed => sys::CLOSED,
            Error::Busy => sys::BUSY,
            Error::NotAllowed => sys::NOT_ALLOWED,
            Error::TimedOut => sys::TIMED_OUT,
            Error::Failed => sys::FAILED,
            Error::Unknown(c) => c,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match *self {
            Error::NotFound => "not found",
            Error::BadHandle => "bad connection handle",
            Error::BadPointer => "bad pointer",
            Error::TooLarge => "too large",
            Error::Invalid => "invalid argument",
            Error::NotImplemented => "not implemented by the host",
            Error::QuotaExceeded => "storage quota exceeded",
            Error::WrongHook => "not allowed in this hook",
            Error::Closed => "connection closed",
            Error::Busy => "too many calls in flight",
            Error::NotAllowed => "not allowed",
            Error::TimedOut => "timed out",
            Error::Failed => "failed",
            Error::Unknown(c) => return write!(f, "unknown status {}", c),
        };
        f.write_str(s)
    }
}

impl std::error::Error for Error {}

/// A WebSocket message, text or binary. Borrowed: received messages point into a buffer that
/// lives until the hook returns. `&str`, `&String`, `&[u8]` and `&Vec<u8>` convert into it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Message<'a> {
    Text(&'a str),
    Binary(&'a [u8]),
}

impl<'a> Message<'a> {
    /// The payload bytes (UTF-8 for text).
    pub fn as_bytes(&self) -> &'a [u8] {
        match *self {
            Message::Text(s) => s.as_bytes(),
            Message::Binary(b) => b,
        }
    }

    /// The text, if this is a text message.
    pub fn as_text(&self) -> Option<&'a str> {
        match *self {
            Message::Text(s) => Some(s),
            Message::Binary(_) => None,
        }
    }

    /// The ABI message kind: 0 text, 1 binary.
    fn kind(&self) -> i32 {
        match self {
            Message::Text(_) => 0,
            Message::Binary(_) => 1,
        }
    }
}

impl<'a> From<&'a str> for Message<'a> {
    fn from(s: &'a str) -> Self {
        Message::Text(s)
    }
}
impl<'a> From<&'a String> for Message<'a> {
    fn from(s: &'a String) -> Self {
        Message::Text(s)
    }
}
impl<'a> From<&'a [u8]> for Message<'a> {
    fn from(b: &'a [u8]) -> Self {
        Message::Binary(b)
    }
}
impl<'a> From<&'a Vec<u8>> for Message<'a> {
    fn from(b: &'a Vec<u8>) -> Self {
        Message::Binary(b)
    }
}

/// One WebSocket connection of the room, named by its handle. Cheap to copy and to keep in your
/// state; the handle is valid until [`Party::on_close`] for it returns (calls on a dead handle
/// fail with [`Error::BadHandle`]).
#[repr(transparent)] // a `&[Connection]` is an `i32` array, passed to `broadcast` as is
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Connection {
    handle: i32,
}

impl Connection {
    /// The connection with this raw ABI handle (the host checks it on every call).
    pub const fn from_handle(handle: i32) -> Connection {
        Connection { handle }
    }

    /// The raw ABI handle.
    pub const fn handle(&self) -> i32 {
        self.handle
    }

    /// The connection id (the `_pk` query parameter, or a UUID the host made). Empty if the
    /// handle is dead.
    pub fn id(&self) -> String {
        read_out_string(|p, n| unsafe { sys::conn_id(self.handle, p, n) }).unwrap_or_default()
    }

    /// The absolute URL the connection was opened with. Empty if the handle is dead.
    pub fn uri(&self) -> String {
        read_out_string(|p, n| unsafe { sys::conn_uri(self.handle, p, n) }).unwrap_or_default()
    }

    /// Queues a message to this connection (sent after the hook).
    pub fn send<'a>(&self, msg: impl Into<Message<'a>>) -> Result<(), Error> {
        let msg = msg.into();
        let b = msg.as_bytes();
        check(unsafe { sys::conn_send(self.handle, ptr(b.as_ptr()), len(b.len()), msg.kind()) })
            .map(drop)
    }

    /// Queues a text message.
    pub fn send_text(&self, text: &str) -> Result<(), Error> {
        self.send(Message::Text(text))
    }

    /// Queues a binary message.
    pub fn send_binary(&self, bytes: &[u8]) -> Result<(), Error> {
        self.send(Message::Binary(bytes))
    }

    /// Closes the connection after the hook with `code` (1000 or 3000–4999) and a reason of at
    /// most 123 bytes. In `on_connect` this rejects the connection.
    pub fn close(&self, code: u16, reason: &str) -> Result<(), Error> {
        check(unsafe {
            sys::conn_close(self.handle, code as i32, ptr(reason.as_ptr()), len(reason.len()))
        })
        .map(drop)
    }

    /// The state bytes the room attached to this connection (empty until set, or if the handle is
    /// dead).
    pub fn state(&self) -> Vec<u8> {
        read_out(|p, n| unsafe { sys::conn_state_get(self.handle, p, n) }).unwrap_or_default()
    }

    /// Replaces the connection's state (at most 2 KiB, kept by the host).
    pub fn set_state(&self, state: &[u8]) -> Result<(), Error> {
        check(unsafe { sys::conn_state_set(self.handle, ptr(state.as_ptr()), len(state.len())) })
            .map(drop)
    }

    /// The connection's tags (empty if none, or if the handle is dead).
    pub fn tags(&self) -> Vec<String> {
        let bytes = read_out(|p, n| unsafe { sys::conn_tags(self.handle, p, n) }).unwrap_or_default();
        decode_list(&bytes)
            .unwrap_or_default()
            .into_iter()
            .map(|t| String::from_utf8_lossy(t).into_owned())
            .collect()
    }

    /// Sets the connection's tags (at most 10, each 1–256 bytes). Only in `on_connect`.
    pub fn set_tags(&self, tags: &[&str]) -> Result<(), Error> {
        let list = encode_list(tags.iter());
        check(unsafe { sys::conn_set_tags(self.handle, ptr(list.as_ptr()), len(list.len())) })
            .map(drop)
    }
}

/// The room the hooks run for. Every hook receives it; it holds no data of its own.
#[derive(Clone, Copy, Debug)]
pub struct Room {
    _private: (),
}

impl Room {
    pub(crate) const fn new() -> Room {
        Room { _private: () }
    }

    /// The room id (decoded UTF-8).
    pub fn id(&self) -> String {
        read_out_string(|p, n| unsafe { sys::room_id(p, n) }).unwrap_or_default()
    }

    /// The party's name (the resolved name, never the alias `main`).
    pub fn party(&self) -> String {
        read_out_string(|p, n| unsafe { sys::party_name(p, n) }).unwrap_or_default()
    }

    /// Queues `msg` to every open connection except those in `exclude`; returns the number of
    /// recipients. Copies nothing: `room.broadcast(msg, &[*conn])` sends a received message on.
    pub fn broadcast<'a>(&self, msg: impl Into<Message<'a>>, exclude: &[Connection]) -> Result<u32, Error> {
        let msg = msg.into();
        let b = msg.as_bytes();
        check(unsafe {
            // `Connection` is `repr(transparent)` over the `i32` handle.
            sys::broadcast(ptr(b.as_ptr()), len(b.len()), msg.kind(), ptr(exclude.as_ptr()), len(exclude.len()))
        })
        .map(|n| n as u32)
    }

    /// The open connection with this id.
    pub fn connection(&self, id: &str) -> Option<Connection> {
        let h = unsafe { sys::conn_find(ptr(id.as_ptr()), len(id.len())) };
        if h > 0 { Some(Connection::from_handle(h)) } else { None }
    }

    /// The open connections in connection order; with `Some(tag)`, only those carrying the tag.
    pub fn connections(&self, tag: Option<&str>) -> Vec<Connection> {
        let tag = tag.unwrap_or("");
        let bytes = read_out(|p, n| unsafe { sys::conn_list(ptr(tag.as_ptr()), len(tag.len()), p, n) })
            .unwrap_or_default();
        codec::decode_i32s(&bytes).into_iter().map(Connection::from_handle).collect()
    }

    /// A per-party configuration value set by the operator, as text (lossy if not UTF-8).
    pub fn config(&self, key: &str) -> Option<String> {
        self.config_bytes(key).map(|v| String::from_utf8_lossy(&v).into_owned())
    }

    /// A per-party configuration value as bytes.
    pub fn config_bytes(&self, key: &str) -> Option<Vec<u8>> {
        read_out(|p, n| unsafe { sys::config_get(ptr(key.as_ptr()), len(key.len()), p, n) }).ok()
    }

    /// The room's durable key-value storage (see [`Storage`] for the transaction rules).
    pub fn storage(&self) -> Storage {
        Storage::new()
    }

    /// Sets (or replaces) the room's one alarm: [`Party::on_alarm`] runs at `epoch_ms` (Unix ms;
    /// a time in the past fires as soon as possible). Durable with the hook's writes: it survives
    /// hibernation and host restarts.
    pub fn set_alarm(&self, epoch_ms: i64) -> Result<(), Error> {
        check(unsafe { sys::alarm_set(epoch_ms) }).map(drop)
    }

    /// The pending alarm time, if any.
    pub fn alarm(&self) -> Result<Option<i64>, Error> {
        let mut at = [0u8; 8];
        match check(unsafe { sys::alarm_get(ptr(at.as_mut_ptr())) }) {
            Ok(_) => Ok(Some(i64::from_le_bytes(at))),
            Err(Error::NotFound) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Cancels the room's alarm.
    pub fn delete_alarm(&self) -> Result<(), Error> {
        check(unsafe { sys::alarm_delete() }).map(drop)
    }

    /// Sends `req` to room `room` of party `party` (`""`: this party) once the hook's writes are
    /// durable; [`Party::on_response`] gets the answer with the returned id. The callee's
    /// `on_request` sees `req.url` below its own address, and the header `x-partyhost-caller:
    /// <party>/<room>` naming this room. Fails at once with [`Error::Busy`] (too many calls in
    /// flight), [`Error::Invalid`] or [`Error::TooLarge`]; an unknown party is an answer.
    pub fn call_room(&self, party: &str, room: &str, req: &CallRequest) -> Result<CallId, Error> {
        let record = req.encode();
        check(unsafe {
            sys::room_call(
                ptr(party.as_ptr()),
                len(party.len()),
                ptr(room.as_ptr()),
                len(room.len()),
                ptr(record.as_ptr()),
                len(record.len()),
            )
        })
        .map(CallId::from_raw)
    }

    /// Sends `req` to its absolute `http(s)` URL once the hook's writes are durable, if the
    /// operator put its host on the party's allowlist ([`Error::NotAllowed`] otherwise);
    /// [`Party::on_response`] gets the answer with the returned id.
    pub fn call_http(&self, req: &CallRequest) -> Result<CallId, Error> {
        let record = req.encode();
        check(unsafe { sys::http_call(ptr(record.as_ptr()), len(record.len())) }).map(CallId::from_raw)
    }
}

/// Log levels of [`log`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    Debug = 0,
    Info = 1,
    Warn = 2,
    Error = 3,
}

/// Writes a line to the host log, tagged with party and room (truncated over 16 KiB).
pub fn log(level: Level, line: &str) {
    unsafe { sys::log(level as i32, ptr(line.as_ptr()), len(line.len())) };
}

/// Wall-clock time, milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    unsafe { sys::now_ms() }
}

/// Fills `buf` with cryptographically strong random bytes.
pub fn random_fill(buf: &mut [u8]) -> Result<(), Error> {
    for chunk in buf.chunks_mut(64 * 1024) {
        check(unsafe { sys::random_fill(ptr(chunk.as_mut_ptr()), len(chunk.len())) })?;
    }
    Ok(())
}

/// A cryptographically strong random `u64`.
pub fn random_u64() -> Result<u64, Error> {
    let mut b = [0u8; 8];
    random_fill(&mut b)?;
    Ok(u64::from_le_bytes(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_codes_round_trip() {
        for code in -13..0 {
            assert_eq!(Error::from_code(code).code(), code);
        }
        assert_eq!(Error::from_code(-1), Error::NotFound);
        assert_eq!(Error::from_code(-9), Error::Closed);
        assert_eq!(Error::from_code(-13), Error::Failed);
        assert_eq!(Error::from_code(-42), Error::Unknown(-42));
        assert_eq!(Error::WrongHook.to_string(), "not allowed in this hook");
    }

    #[test]
    fn message_conversions() {
        let s = String::from("hi");
        let v = vec![1u8, 2];
        assert_eq!(Message::from("hi"), Message::Text("hi"));
        assert_eq!(Message::from(&s).as_bytes(), b"hi");
        assert_eq!(Message::from(&v), Message::Binary(&[1, 2]));
        assert_eq!(Message::Binary(&[1]).as_text(), None);
        assert_eq!(Message::Text("a").kind(), 0);
        assert_eq!(Message::Binary(b"a").kind(), 1);
    }

    #[test]
    fn connection_is_an_i32() {
        assert_eq!(std::mem::size_of::<Connection>(), 4);
        assert_eq!(std::mem::align_of::<Connection>(), std::mem::align_of::<i32>());
    }

    /// Off wasm32 there is no host: every host call is a stub answering NOT_IMPLEMENTED (see
    /// `sys`). Calls that can fail hand the status to the caller as an `Err`; plain getters fall
    /// back to their documented defaults. (Storage: `storage::tests`.)
    #[test]
    fn host_errors_reach_the_caller_and_getters_fall_back() {
        let room = Room::new();
        let conn = Connection::from_handle(1);
        assert_eq!(conn.send_text("x"), Err(Error::NotImplemented));
        assert_eq!(conn.send_binary(b"x"), Err(Error::NotImplemented));
        assert_eq!(conn.close(1000, ""), Err(Error::NotImplemented));
        assert_eq!(conn.set_state(b"s"), Err(Error::NotImplemented));
        assert_eq!(conn.set_tags(&["t"]), Err(Error::NotImplemented));
        assert_eq!((conn.id(), conn.uri()), (String::new(), String::new()));
        assert!(conn.state().is_empty() && conn.tags().is_empty());
        assert_eq!(room.broadcast("x", &[conn]), Err(Error::NotImplemented));
        assert_eq!((room.id(), room.party()), (String::new(), String::new()));
        assert!(room.connection("a").is_none());
        assert!(room.connections(None).is_empty());
        assert_eq!(room.config("k"), None);
        // An error is not "no alarm": only NOT_FOUND means that.
        assert_eq!(room.alarm(), Err(Error::NotImplemented));
        assert_eq!(room.set_alarm(0), Err(Error::NotImplemented));
        assert_eq!(room.delete_alarm(), Err(Error::NotImplemented));
        assert_eq!(room.call_room("p", "r", &CallRequest::get("/")), Err(Error::NotImplemented));
        assert_eq!(room.call_http(&CallRequest::get("https://example.com/")), Err(Error::NotImplemented));
        assert_eq!(random_u64(), Err(Error::NotImplemented));
    }

    #[test]
    fn out_buffer_convention() {
        // A fake host call returning a 1000-byte value: too big for the 256-byte stack buffer.
        let value: Vec<u8> = (0..1000u32).map(|i| i as u8).collect();
        let mut calls = 0;
        // Off wasm32 pointers may not fit an i32, so the fake only reports lengths here; the
        // write path is covered by the wasm build. Check the call sequence and sizes.
        let r = read_out(|_p, cap| {
            calls += 1;
            if calls == 1 { assert_eq!(cap, 256) } else { assert_eq!(cap, 1000) }
            value.len() as i32
        })
        .unwrap();
        assert_eq!(calls, 2);
        assert_eq!(r.len(), 1000);
        let small = read_out(|_p, _cap| 3).unwrap();
        assert_eq!(small.len(), 3);
        assert_eq!(read_out(|_p, _cap| -1), Err(Error::NotFound));
    }
}
