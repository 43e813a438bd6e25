//! The test kit's host: the host calls of ABI v1 (`abi/v1/README.md`, section 7) over one room held
//! in memory, with the checks, status codes and limits the spec gives. `sys` sends every host call
//! here off wasm32; a call answers `NOT_IMPLEMENTED` unless a [`TestRoom`](super::TestRoom) is
//! running a hook on this thread (it lends its [`Host`] for the hook's duration).

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

use crate::codec::{decode_list, encode_list};
use crate::sys::{Ptr, BAD_HANDLE, BUSY, CLOSED, INVALID, NOT_ALLOWED, NOT_FOUND, NOT_IMPLEMENTED, OK, QUOTA_EXCEEDED, TOO_LARGE, WRONG_HOOK};
use crate::{CallId, CallRequest, Level};

// The host's defaults (ABI section 8).
pub(crate) const MAX_MESSAGE_BYTES: usize = 1 << 20;
const MAX_HOOK_OUTPUT_BYTES: usize = 64 << 20;
const MAX_STATE_BYTES: usize = 2048;
const MAX_TAGS: usize = 10;
const MAX_TAG_BYTES: usize = 256;
const MAX_CLOSE_REASON_BYTES: usize = 123;
const MAX_LOG_BYTES: usize = 16 << 10;
const MAX_RANDOM_BYTES: usize = 64 << 10;
const MAX_BODY_BYTES: usize = 16 << 20;
const MAX_KEY_BYTES: usize = 2048;
const MAX_VALUE_BYTES: usize = 2 << 20;
pub(crate) const STORAGE_QUOTA_BYTES: u64 = 128 << 20;
const MAX_HEADER_NAME_BYTES: usize = 256;
const MAX_HEADER_VALUE_BYTES: usize = 8192;
const MAX_SET_HEADERS: usize = 64;
pub(crate) const MAX_CALLS_IN_FLIGHT: usize = 16;
const MAX_CALL_REQUEST_BYTES: usize = 1 << 20;
const MAX_ROOM_ID_BYTES: usize = 256;

/// A message on the wire: what a client received.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Frame {
    Text(String),
    Binary(Vec<u8>),
}

impl Frame {
    /// The text of a text frame.
    pub fn text(&self) -> Option<&str> {
        match self {
            Frame::Text(t) => Some(t),
            Frame::Binary(_) => None,
        }
    }

    /// The bytes of either kind.
    pub fn bytes(&self) -> &[u8] {
        match self {
            Frame::Text(t) => t.as_bytes(),
            Frame::Binary(b) => b,
        }
    }
}

/// The hook that runs, for the calls allowed only in some.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Hook {
    None,
    /// `on_connect` of this handle: the only place for `conn_set_tags`.
    Connect(i32),
    /// `on_request`: `respond` is allowed.
    Request,
    /// A before hook: `respond` and `request_set_header`; no connections, storage or alarm.
    Before,
    /// Any other room hook.
    Room,
}

pub(crate) struct Conn {
    pub id: String,
    pub uri: String,
    pub state: Vec<u8>,
    pub tags: Vec<String>,
    /// Closed by the guest in a hook, or by its client: sends answer `CLOSED`.
    pub closing: bool,
}

/// What a hook produced, released when it returns (dropped if it panics).
pub(crate) enum Effect {
    Send(i32, Frame),
    Close(i32, u16, String),
    Call(OutgoingCall),
}

/// Where a call goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CallTarget {
    /// A room of a party (the calling party's name when the guest gave `""`).
    Room { party: String, room: String },
    /// The web: the request's URL.
    Http,
}

/// A call that left the room (after its hook returned), for the test to answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutgoingCall {
    pub id: CallId,
    pub to: CallTarget,
    pub request: CallRequest,
}

/// An HTTP response set with `respond`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TestResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl TestResponse {
    pub(crate) fn plain(status: u16, body: &str) -> TestResponse {
        TestResponse { status, headers: vec![("content-type".into(), "text/plain; charset=utf-8".into())], body: body.into() }
    }

    /// The body as text (lossy).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The first header of this name (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// One room's side of the host: what the room's hooks read and change through host calls.
pub(crate) struct Host {
    pub room: String,
    pub party: String,
    pub config: BTreeMap<String, Vec<u8>>,
    pub now: i64,
    pub rng: u64,
    pub storage: BTreeMap<Vec<u8>, Vec<u8>>,
    /// Keys plus values, against `quota`.
    pub size: u64,
    pub quota: u64,
    pub alarm: Option<i64>,
    /// Connection order is handle order: handles only grow.
    pub conns: BTreeMap<i32, Conn>,
    pub hook: Hook,
    pub effects: Vec<Effect>,
    effect_bytes: usize,
    pub response: Option<TestResponse>,
    /// Headers set by a before hook with `request_set_header`, in order.
    pub set_headers: Vec<(String, Vec<u8>)>,
    pub logs: Vec<(Level, String)>,
    /// Hosts `http_call` may reach (the operator's allowlist).
    pub http_allowlist: Vec<String>,
    /// Calls made and not answered yet (made by hooks that returned, or by the running one).
    pub calls_in_flight: BTreeSet<i32>,
    pub next_call: i32,
}

impl Host {
    pub fn new(party: &str, room: &str) -> Host {
        Host {
            room: room.into(),
            party: party.into(),
            config: BTreeMap::new(),
            now: 1_767_225_600_000, // 2026-01-01T00:00:00Z
            rng: 0x9E37_79B9_7F4A_7C15,
            storage: BTreeMap::new(),
            size: 0,
            quota: STORAGE_QUOTA_BYTES,
            alarm: None,
            conns: BTreeMap::new(),
            hook: Hook::None,
            effects: Vec::new(),
            effect_bytes: 0,
            response: None,
            set_headers: Vec::new(),
            logs: Vec::new(),
            http_allowlist: Vec::new(),
            calls_in_flight: BTreeSet::new(),
            next_call: 1,
        }
    }

    /// Gets ready for a hook of this kind.
    pub fn begin(&mut self, hook: Hook) {
        self.hook = hook;
        self.effects.clear();
        self.effect_bytes = 0;
        self.response = None;
        self.set_headers.clear();
    }

    /// Stores a value directly (the test's own setup, not a hook's write).
    pub fn put(&mut self, key: Vec<u8>, value: Vec<u8>) {
        let add = (key.len() + value.len()) as u64;
        if let Some(old) = self.storage.insert(key.clone(), value) {
            self.size -= (key.len() + old.len()) as u64;
        }
        self.size += add;
    }

    fn open(&self, handle: i32) -> Result<&Conn, i32> {
        match self.conns.get(&handle) {
            None => Err(BAD_HANDLE),
            Some(c) if c.closing => Err(CLOSED),
            Some(c) => Ok(c),
        }
    }

    /// A message to send: its size (`TOO_LARGE`), then its kind and text (`INVALID`).
    fn message(bytes: &[u8], kind: i32) -> Result<Frame, i32> {
        if bytes.len() > MAX_MESSAGE_BYTES {
            return Err(TOO_LARGE);
        }
        match kind {
            0 => std::str::from_utf8(bytes).map(|s| Frame::Text(s.into())).map_err(|_| INVALID),
            1 => Ok(Frame::Binary(bytes.to_vec())),
            _ => Err(INVALID),
        }
    }

    fn spend(&mut self, bytes: usize) -> bool {
        if self.effect_bytes + bytes > MAX_HOOK_OUTPUT_BYTES {
            return false;
        }
        self.effect_bytes += bytes;
        true
    }

    /// The room's size once `writes` (key, new value or `None` to delete) are applied.
    fn size_after<'a>(&self, writes: impl Iterator<Item = (&'a [u8], Option<&'a [u8]>)>) -> u64 {
        let mut last: BTreeMap<&[u8], Option<&[u8]>> = BTreeMap::new();
        for (k, v) in writes {
            last.insert(k, v);
        }
        let mut size = self.size as i64;
        for (k, v) in last {
            if let Some(old) = self.storage.get(k) {
                size -= (k.len() + old.len()) as i64;
            }
            if let Some(v) = v {
                size += (k.len() + v.len()) as i64;
            }
        }
        size as u64
    }

    fn remove(&mut self, key: &[u8]) -> bool {
        match self.storage.remove(key) {
            Some(old) => {
                self.size -= (key.len() + old.len()) as u64;
                true
            }
            None => false,
        }
    }

    fn next_random(&mut self) -> u64 {
        // xorshift64*: deterministic, so a test sees the same bytes every run
        self.rng ^= self.rng >> 12;
        self.rng ^= self.rng << 25;
        self.rng ^= self.rng >> 27;
        self.rng.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

thread_local! {
    static CURRENT: RefCell<Option<Host>> = RefCell::new(None);
}

/// Lends `host` to the host calls of this thread until [`reclaim`].
pub(crate) fn lend(host: Host) {
    CURRENT.with(|c| *c.borrow_mut() = Some(host));
}

pub(crate) fn reclaim() -> Host {
    CURRENT.with(|c| c.borrow_mut().take()).expect("the test kit's host was lent")
}

/// Runs a host call on the lent host; `NOT_IMPLEMENTED` with none (a unit test outside a hook).
fn with(call: impl FnOnce(&mut Host) -> i32) -> i32 {
    CURRENT.with(|c| match c.borrow_mut().as_mut() {
        Some(h) => call(h),
        None => NOT_IMPLEMENTED,
    })
}

/// Calls that a before hook may not make answer `WRONG_HOOK` before any other check.
fn in_room(call: impl FnOnce(&mut Host) -> i32) -> i32 {
    with(|h| if h.hook == Hook::Before { WRONG_HOOK } else { call(h) })
}

/// SAFETY: `(p, n)` is a byte view of the caller's memory (the SDK passes slices).
unsafe fn view<'a>(p: Ptr, n: i32) -> &'a [u8] {
    if n <= 0 { &[] } else { std::slice::from_raw_parts(p as *const u8, n as usize) }
}

/// The out-buffer convention: writes `bytes` if they fit, returns their length.
unsafe fn out(p: Ptr, cap: i32, bytes: &[u8]) -> i32 {
    if bytes.len() > i32::MAX as usize {
        return TOO_LARGE;
    }
    if bytes.len() <= cap.max(0) as usize && !bytes.is_empty() {
        std::ptr::copy_nonoverlapping(bytes.as_ptr(), p as *mut u8, bytes.len());
    }
    bytes.len() as i32
}

// --- connections ---

pub(crate) unsafe fn conn_send(conn: i32, p: Ptr, n: i32, kind: i32) -> i32 {
    in_room(|h| {
        if let Err(e) = h.open(conn) {
            return e;
        }
        let bytes = view(p, n);
        let frame = match Host::message(bytes, kind) {
            Ok(f) => f,
            Err(e) => return e,
        };
        if !h.spend(bytes.len()) {
            return TOO_LARGE;
        }
        h.effects.push(Effect::Send(conn, frame));
        OK
    })
}

pub(crate) unsafe fn broadcast(p: Ptr, n: i32, kind: i32, exclude_ptr: Ptr, exclude_count: i32) -> i32 {
    in_room(|h| {
        let bytes = view(p, n);
        let frame = match Host::message(bytes, kind) {
            Ok(f) => f,
            Err(e) => return e,
        };
        let excluded: BTreeSet<i32> = view(exclude_ptr, exclude_count.saturating_mul(4))
            .chunks_exact(4)
            .map(|b| i32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        let to: Vec<i32> = h.conns.iter().filter(|(k, c)| !c.closing && !excluded.contains(k)).map(|(k, _)| *k).collect();
        if !h.spend(bytes.len() * to.len()) {
            return TOO_LARGE;
        }
        for handle in &to {
            h.effects.push(Effect::Send(*handle, frame.clone()));
        }
        to.len() as i32
    })
}

pub(crate) unsafe fn conn_close(conn: i32, code: i32, p: Ptr, n: i32) -> i32 {
    in_room(|h| {
        if let Err(e) = h.open(conn) {
            return e;
        }
        let reason = view(p, n);
        if reason.len() > MAX_CLOSE_REASON_BYTES {
            return TOO_LARGE;
        }
        let reason = match std::str::from_utf8(reason) {
            Ok(r) if code == 1000 || (3000..=4999).contains(&code) => r.to_string(),
            _ => return INVALID,
        };
        if let Some(c) = h.conns.get_mut(&conn) {
            c.closing = true;
        }
        h.effects.push(Effect::Close(conn, code as u16, reason));
        OK
    })
}

/// A getter of one connection's bytes, which still answers for a closing connection.
unsafe fn conn_get(conn: i32, p: Ptr, cap: i32, what: impl FnOnce(&Conn) -> Vec<u8>) -> i32 {
    in_room(|h| match h.conns.get(&conn) {
        Some(c) => out(p, cap, &what(c)),
        None => BAD_HANDLE,
    })
}

pub(crate) unsafe fn conn_id(conn: i32, p: Ptr, cap: i32) -> i32 {
    conn_get(conn, p, cap, |c| c.id.as_bytes().to_vec())
}

pub(crate) unsafe fn conn_uri(conn: i32, p: Ptr, cap: i32) -> i32 {
    conn_get(conn, p, cap, |c| c.uri.as_bytes().to_vec())
}

pub(crate) unsafe fn conn_state_get(conn: i32, p: Ptr, cap: i32) -> i32 {
    conn_get(conn, p, cap, |c| c.state.clone())
}

pub(crate) unsafe fn conn_tags(conn: i32, p: Ptr, cap: i32) -> i32 {
    conn_get(conn, p, cap, |c| encode_list(c.tags.iter()))
}

pub(crate) unsafe fn conn_find(p: Ptr, n: i32) -> i32 {
    in_room(|h| {
        let id = view(p, n);
        h.conns.iter().find(|(_, c)| !c.closing && c.id.as_bytes() == id).map_or(NOT_FOUND, |(k, _)| *k)
    })
}

pub(crate) unsafe fn conn_state_set(conn: i32, p: Ptr, n: i32) -> i32 {
    in_room(|h| {
        let state = view(p, n);
        match h.conns.get_mut(&conn) {
            None => BAD_HANDLE,
            Some(_) if state.len() > MAX_STATE_BYTES => TOO_LARGE,
            Some(c) => {
                c.state = state.to_vec();
                OK
            }
        }
    })
}

pub(crate) unsafe fn conn_set_tags(conn: i32, p: Ptr, n: i32) -> i32 {
    in_room(|h| {
        if !h.conns.contains_key(&conn) {
            return BAD_HANDLE;
        }
        if h.hook != Hook::Connect(conn) {
            return WRONG_HOOK;
        }
        let items = match decode_list(view(p, n)) {
            Ok(items) => items,
            Err(_) => return INVALID,
        };
        if items.len() > MAX_TAGS || items.iter().any(|t| t.len() > MAX_TAG_BYTES) {
            return TOO_LARGE;
        }
        let mut tags = Vec::with_capacity(items.len());
        for item in items {
            match std::str::from_utf8(item) {
                Ok(t) if !t.is_empty() => tags.push(t.to_string()),
                _ => return INVALID,
            }
        }
        if let Some(c) = h.conns.get_mut(&conn) {
            c.tags = tags;
        }
        OK
    })
}

pub(crate) unsafe fn conn_list(tag_ptr: Ptr, tag_len: i32, p: Ptr, cap: i32) -> i32 {
    in_room(|h| {
        let tag = view(tag_ptr, tag_len);
        let mut handles = Vec::new();
        for (k, c) in &h.conns {
            if !c.closing && (tag.is_empty() || c.tags.iter().any(|t| t.as_bytes() == tag)) {
                handles.extend_from_slice(&k.to_le_bytes());
            }
        }
        out(p, cap, &handles)
    })
}

// --- room ---

pub(crate) unsafe fn room_id(p: Ptr, cap: i32) -> i32 {
    with(|h| out(p, cap, h.room.as_bytes()))
}

pub(crate) unsafe fn party_name(p: Ptr, cap: i32) -> i32 {
    with(|h| out(p, cap, h.party.as_bytes()))
}

fn is_token(name: &[u8]) -> bool {
    !name.is_empty() && name.iter().all(|&b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

fn is_header_value(value: &[u8]) -> bool {
    !value.iter().any(|&b| b == b'\r' || b == b'\n' || b == 0)
}

pub(crate) unsafe fn respond(status: i32, headers_ptr: Ptr, headers_len: i32, body_ptr: Ptr, body_len: i32) -> i32 {
    with(|h| {
        if h.hook != Hook::Request && h.hook != Hook::Before {
            return WRONG_HOOK;
        }
        let body = view(body_ptr, body_len);
        if body.len() > MAX_BODY_BYTES {
            return TOO_LARGE;
        }
        let items = match decode_list(view(headers_ptr, headers_len)) {
            Ok(items) if items.len() % 2 == 0 && (200..=599).contains(&status) => items,
            _ => return INVALID,
        };
        let mut headers = Vec::with_capacity(items.len() / 2);
        for pair in items.chunks(2) {
            if !is_token(pair[0]) || !is_header_value(pair[1]) {
                return INVALID;
            }
            let name = String::from_utf8_lossy(pair[0]).to_ascii_lowercase();
            if name != "content-length" && name != "transfer-encoding" && name != "connection" {
                headers.push((name, String::from_utf8_lossy(pair[1]).into_owned()));
            }
        }
        h.response = Some(TestResponse { status: status as u16, headers, body: body.to_vec() });
        OK
    })
}

pub(crate) unsafe fn config_get(key_ptr: Ptr, key_len: i32, p: Ptr, cap: i32) -> i32 {
    with(|h| {
        let key = String::from_utf8_lossy(view(key_ptr, key_len)).into_owned();
        match h.config.get(&key) {
            Some(v) => out(p, cap, v),
            None => NOT_FOUND,
        }
    })
}

pub(crate) unsafe fn request_set_header(name_ptr: Ptr, name_len: i32, value_ptr: Ptr, value_len: i32) -> i32 {
    with(|h| {
        if h.hook != Hook::Before {
            return WRONG_HOOK;
        }
        let (name, value) = (view(name_ptr, name_len), view(value_ptr, value_len));
        if name.len() > MAX_HEADER_NAME_BYTES || value.len() > MAX_HEADER_VALUE_BYTES {
            return TOO_LARGE;
        }
        if !is_token(name) || !is_header_value(value) || name.to_ascii_lowercase().starts_with(b"x-partyhost-") {
            return INVALID; // x-partyhost-* are the host's (v1.4): x-partyhost-caller names a calling room
        }
        if h.set_headers.len() >= MAX_SET_HEADERS {
            return TOO_LARGE;
        }
        let name = String::from_utf8_lossy(name).to_ascii_lowercase();
        h.set_headers.retain(|(n, _)| *n != name);
        h.set_headers.push((name, value.to_vec()));
        OK
    })
}

// --- utilities ---

pub(crate) unsafe fn log(level: i32, p: Ptr, n: i32) -> i32 {
    with(|h| {
        let level = match level {
            0 => Level::Debug,
            1 => Level::Info,
            2 => Level::Warn,
            3 => Level::Error,
            _ => return INVALID,
        };
        let line = view(p, n);
        let line = String::from_utf8_lossy(&line[..line.len().min(MAX_LOG_BYTES)]).into_owned();
        eprintln!("[{}/{}] {:?} {}", h.party, h.room, level, line); // shown for failing tests
        h.logs.push((level, line));
        OK
    })
}

pub(crate) unsafe fn now_ms() -> i64 {
    CURRENT.with(|c| c.borrow().as_ref().map_or(NOT_IMPLEMENTED as i64, |h| h.now))
}

pub(crate) unsafe fn random_fill(p: Ptr, n: i32) -> i32 {
    with(|h| {
        let n = n.max(0) as usize;
        if n > MAX_RANDOM_BYTES {
            return TOO_LARGE;
        }
        let buf = if n == 0 { &mut [][..] } else { std::slice::from_raw_parts_mut(p as *mut u8, n) };
        for chunk in buf.chunks_mut(8) {
            let r = h.next_random().to_le_bytes();
            chunk.copy_from_slice(&r[..chunk.len()]);
        }
        OK
    })
}

// --- storage and alarm ---

pub(crate) unsafe fn storage_get(key_ptr: Ptr, key_len: i32, p: Ptr, cap: i32) -> i32 {
    in_room(|h| {
        let key = view(key_ptr, key_len);
        if key.len() > MAX_KEY_BYTES {
            return TOO_LARGE;
        }
        match h.storage.get(key) {
            Some(v) => out(p, cap, v),
            None => NOT_FOUND,
        }
    })
}

pub(crate) unsafe fn storage_put(key_ptr: Ptr, key_len: i32, val_ptr: Ptr, val_len: i32) -> i32 {
    in_room(|h| {
        let (key, value) = (view(key_ptr, key_len), view(val_ptr, val_len));
        if key.len() > MAX_KEY_BYTES || value.len() > MAX_VALUE_BYTES {
            return TOO_LARGE;
        }
        if key.is_empty() {
            return INVALID;
        }
        if h.size_after(std::iter::once((key, Some(value)))) > h.quota {
            return QUOTA_EXCEEDED;
        }
        h.put(key.to_vec(), value.to_vec());
        OK
    })
}

pub(crate) unsafe fn storage_put_many(p: Ptr, n: i32) -> i32 {
    in_room(|h| {
        let items = match decode_list(view(p, n)) {
            Ok(items) => items,
            Err(_) => return INVALID,
        };
        let too_large = items.chunks(2).any(|kv| kv[0].len() > MAX_KEY_BYTES || kv.get(1).map_or(false, |v| v.len() > MAX_VALUE_BYTES));
        if too_large {
            return TOO_LARGE;
        }
        if items.len() % 2 != 0 || items.chunks(2).any(|kv| kv[0].is_empty()) {
            return INVALID;
        }
        if h.size_after(items.chunks(2).map(|kv| (kv[0], Some(kv[1])))) > h.quota {
            return QUOTA_EXCEEDED;
        }
        for kv in items.chunks(2) {
            h.put(kv[0].to_vec(), kv[1].to_vec());
        }
        OK
    })
}

pub(crate) unsafe fn storage_delete(key_ptr: Ptr, key_len: i32) -> i32 {
    in_room(|h| {
        let key = view(key_ptr, key_len);
        if key.len() > MAX_KEY_BYTES {
            return TOO_LARGE;
        }
        i32::from(h.remove(key))
    })
}

pub(crate) unsafe fn storage_delete_many(p: Ptr, n: i32) -> i32 {
    in_room(|h| {
        let keys = match decode_list(view(p, n)) {
            Ok(keys) => keys,
            Err(_) => return INVALID,
        };
        if keys.iter().any(|k| k.len() > MAX_KEY_BYTES) {
            return TOO_LARGE;
        }
        keys.iter().filter(|k| h.remove(k)).count() as i32
    })
}

#[allow(clippy::too_many_arguments)] // the ABI's signature
pub(crate) unsafe fn storage_list(
    prefix_ptr: Ptr,
    prefix_len: i32,
    start_ptr: Ptr,
    start_len: i32,
    end_ptr: Ptr,
    end_len: i32,
    limit: i32,
    reverse: i32,
    p: Ptr,
    cap: i32,
) -> i32 {
    in_room(|h| {
        if reverse != 0 && reverse != 1 {
            return INVALID;
        }
        let (prefix, start, end) = (view(prefix_ptr, prefix_len), view(start_ptr, start_len), view(end_ptr, end_len));
        let matching = |(k, _): &(&Vec<u8>, &Vec<u8>)| {
            k.starts_with(prefix) && k.as_slice() >= start && (end.is_empty() || k.as_slice() < end)
        };
        let limit = if limit <= 0 { usize::MAX } else { limit as usize };
        let entries: Vec<(&Vec<u8>, &Vec<u8>)> = if reverse == 1 {
            h.storage.iter().rev().filter(matching).take(limit).collect()
        } else {
            h.storage.iter().filter(matching).take(limit).collect()
        };
        out(p, cap, &encode_list(entries.iter().flat_map(|(k, v)| [k.as_slice(), v.as_slice()])))
    })
}

pub(crate) unsafe fn storage_delete_all() -> i32 {
    in_room(|h| {
        h.storage.clear();
        h.size = 0;
        OK
    })
}

pub(crate) unsafe fn alarm_set(epoch_ms: i64) -> i32 {
    in_room(|h| {
        h.alarm = Some(epoch_ms);
        OK
    })
}

pub(crate) unsafe fn alarm_get(p: Ptr) -> i32 {
    in_room(|h| match h.alarm {
        Some(t) => {
            std::ptr::copy_nonoverlapping(t.to_le_bytes().as_ptr(), p as *mut u8, 8);
            OK
        }
        None => NOT_FOUND,
    })
}

pub(crate) unsafe fn alarm_delete() -> i32 {
    in_room(|h| {
        h.alarm = None;
        OK
    })
}

// --- calls (since v1.4) ---

/// A call request's checks, in the spec's order once the hook and the views passed: its size, then
/// its content. Party and room are checked by `room_call` itself.
fn call_request(record: &[u8]) -> Result<CallRequest, i32> {
    if record.len() > MAX_CALL_REQUEST_BYTES {
        return Err(TOO_LARGE);
    }
    let items = decode_list(record).map_err(|_| INVALID)?;
    if items.len() < 3 || items.len() % 2 == 0 || !is_token(items[0]) {
        return Err(INVALID);
    }
    let text = |b: &[u8]| std::str::from_utf8(b).map(String::from).map_err(|_| INVALID);
    let mut headers = Vec::new();
    for pair in items[3..].chunks_exact(2) {
        if !is_token(pair[0]) || !is_header_value(pair[1]) {
            return Err(INVALID);
        }
        headers.push((text(pair[0])?, String::from_utf8_lossy(pair[1]).into_owned()));
    }
    let url = String::from_utf8_lossy(items[1]).into_owned();
    Ok(CallRequest { method: text(items[0])?, url, headers, body: items[2].to_vec() })
}

/// The call's id, once it is counted in flight; `BUSY` at the limit.
fn make_call(h: &mut Host, to: CallTarget, request: CallRequest) -> i32 {
    if h.calls_in_flight.len() >= MAX_CALLS_IN_FLIGHT {
        return BUSY;
    }
    let id = h.next_call;
    h.next_call += 1;
    h.calls_in_flight.insert(id);
    h.effects.push(Effect::Call(OutgoingCall { id: CallId::from_raw(id), to, request }));
    id
}

pub(crate) unsafe fn room_call(party_ptr: Ptr, party_len: i32, room_ptr: Ptr, room_len: i32, p: Ptr, n: i32) -> i32 {
    let (party, room, record) = (view(party_ptr, party_len), view(room_ptr, room_len), view(p, n));
    in_room(|h| {
        if room.len() > MAX_ROOM_ID_BYTES {
            return TOO_LARGE;
        }
        let request = match call_request(record) {
            Ok(r) => r,
            Err(code) => return code,
        };
        let names = (std::str::from_utf8(party), std::str::from_utf8(room));
        let (party, room) = match names {
            (Ok(p), Ok(r)) if !r.is_empty() => (p, r),
            _ => return INVALID,
        };
        if !(request.url.is_empty() || request.url.starts_with('/')) {
            return INVALID;
        }
        let party = if party.is_empty() { h.party.clone() } else { party.to_string() };
        make_call(h, CallTarget::Room { party, room: room.into() }, request)
    })
}

/// The host (and `host:port`) of an absolute `http(s)` URL.
fn http_authority(url: &str) -> Option<(&str, &str)> {
    let rest = url.strip_prefix("http://").or_else(|| url.strip_prefix("https://"))?;
    let authority = &rest[..rest.find(|c| c == '/' || c == '?' || c == '#').unwrap_or(rest.len())];
    let host = match authority.rfind(':') {
        Some(i) if !authority.ends_with(']') => &authority[..i],
        _ => authority,
    };
    if host.is_empty() { None } else { Some((host, authority)) }
}

pub(crate) unsafe fn http_call(p: Ptr, n: i32) -> i32 {
    let record = view(p, n);
    in_room(|h| {
        let request = match call_request(record) {
            Ok(r) => r,
            Err(code) => return code,
        };
        let (host, authority) = match http_authority(&request.url) {
            Some(a) => a,
            None => return INVALID,
        };
        if !h.http_allowlist.iter().any(|a| a.eq_ignore_ascii_case(host) || a.eq_ignore_ascii_case(authority)) {
            return NOT_ALLOWED;
        }
        make_call(h, CallTarget::Http, request)
    })
}
