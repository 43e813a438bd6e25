//! A test kit for parties: drive your [`Party`] with `cargo test` on your own machine, without a
//! host, a network or Wasm. A [`TestRoom`] is one room of a simulated host that follows the ABI
//! (`abi/v1/README.md`): the SDK's host calls reach it (off wasm32 only), so your party runs
//! exactly as written, with the host's rules:
//!
//! - **Connections** send, close and are closed; each client's received frames and close are kept
//!   for the test to read ([`received`](TestRoom::received), [`closed`](TestRoom::closed)).
//! - **One hook, one transaction**: frames and closes leave when the hook returns; a panic is a
//!   trap: its storage writes and output are dropped, every connection is closed with 1011 and the
//!   next event creates the party again with [`Party::new`] (the host's reset).
//! - **Storage and the alarm** with the ABI's limits; **a clock** that moves only with
//!   [`advance`](TestRoom::advance), which fires the alarm when it falls due (with the host's
//!   retries after a panic); deterministic [`random_fill`](crate::random_fill).
//! - **Hibernation and restarts**: [`hibernate`](TestRoom::hibernate) drops the party's value and
//!   keeps the connections; [`restart`](TestRoom::restart) drops both, as a host restart does.
//! - **Before hooks**, given as the functions `party!` exports.
//! - **Calls** to rooms and to the web: the calls a hook made leave when it returns
//!   ([`calls`](TestRoom::calls)); the test answers each ([`answer`](TestRoom::answer),
//!   [`answer_error`](TestRoom::answer_error)) and `on_response` runs.
//!
//! ```
//! # use partyhost::{Connection, Message, Party, Request, Room};
//! # use partyhost::testing::{Frame, TestRoom};
//! struct Echo;
//! impl Party for Echo {
//!     fn new(_: &Room) -> Self { Echo }
//!     fn on_message(&mut self, _: &Room, conn: &Connection, msg: Message) {
//!         let _ = conn.send(msg);
//!     }
//! }
//!
//! let mut room = TestRoom::<Echo>::new("room-1");
//! let alice = room.connect("alice");
//! room.send(alice, "hi");
//! assert_eq!(room.received(alice), vec![Frame::Text("hi".into())]);
//! ```
//!
//! A panic in a hook is recorded, not raised, as on the host. A `TestRoom` dropped with traps that
//! the test did not take with [`take_traps`](TestRoom::take_traps) fails the test, so none goes
//! unnoticed.

pub(crate) mod host;

use std::collections::BTreeMap;
use std::panic::{self, AssertUnwindSafe};

use crate::codec::encode_list;
use crate::sys::{len, Ptr};
use crate::{rt, CallId, Error, Gate, Level, Message, Party, Request, Verdict};
use host::{Conn, Effect, Hook, Host};

pub use host::{CallTarget, Frame, OutgoingCall, TestResponse};

/// A simulated client's connection, as [`TestRoom::connect`] returns it: the room's handle.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Client(i32);

impl Client {
    /// The handle the party sees ([`Connection::handle`](crate::Connection::handle)).
    pub fn handle(&self) -> i32 {
        self.0
    }
}

/// An HTTP request to a room, or the upgrade request of a connection: a method, a path under the
/// room (`""`, `"/sub?x=1"`), headers and a body.
#[derive(Clone, Debug, Default)]
pub struct TestRequest {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl TestRequest {
    pub fn new(method: &str, path: &str) -> TestRequest {
        TestRequest { method: method.to_ascii_uppercase(), path: path.into(), ..Default::default() }
    }

    pub fn get(path: &str) -> TestRequest {
        TestRequest::new("GET", path)
    }

    pub fn post(path: &str, body: impl Into<Vec<u8>>) -> TestRequest {
        TestRequest::new("POST", path).body(body)
    }

    /// Adds a header (the name lower-cased, as the host passes it).
    pub fn header(mut self, name: &str, value: &str) -> TestRequest {
        self.headers.push((name.to_ascii_lowercase(), value.into()));
        self
    }

    pub fn body(mut self, body: impl Into<Vec<u8>>) -> TestRequest {
        self.body = body.into();
        self
    }
}

/// What a client saw of its connection.
#[derive(Default)]
struct Seen {
    frames: Vec<Frame>,
    closed: Option<(u16, String)>,
}

type BeforeHook = Box<dyn Fn(&Gate, &Request) -> Verdict>;

/// How many times an alarm may fire within one [`TestRoom::advance`]: a party that always sets its
/// alarm in the past would otherwise never let the clock move.
const MAX_ALARMS_PER_ADVANCE: u32 = 100_000;
/// The host's retries of an alarm whose hook panicked: after 2 s, then 4, 8, 16, 32 and 64 s.
const ALARM_RETRY_MS: [i64; 6] = [2_000, 4_000, 8_000, 16_000, 32_000, 64_000];

/// One room of a simulated host, running the party `P`. See the [module](self).
pub struct TestRoom<P: Party> {
    /// `None` only while a hook runs (then the host calls have it).
    host: Option<Host>,
    party: Option<P>,
    next_handle: i32,
    seen: BTreeMap<i32, Seen>,
    before_connect: Option<BeforeHook>,
    before_request: Option<BeforeHook>,
    traps: Vec<String>,
    starts: u32,
    alarm_retries: usize,
    /// Calls that left, not yet taken by [`calls`](TestRoom::calls).
    calls: Vec<OutgoingCall>,
}

impl<P: Party> TestRoom<P> {
    /// A room with this id of the party `test`, at 2026-01-01T00:00:00Z, with nothing stored.
    /// The party's value is created by the first event, as on the host.
    pub fn new(room_id: &str) -> TestRoom<P> {
        TestRoom {
            host: Some(Host::new("test", room_id)),
            party: None,
            next_handle: 1,
            seen: BTreeMap::new(),
            before_connect: None,
            before_request: None,
            traps: Vec::new(),
            starts: 0,
            alarm_retries: 0,
            calls: Vec::new(),
        }
    }

    fn host(&mut self) -> &mut Host {
        self.host.as_mut().expect("no hook is running")
    }

    fn host_ref(&self) -> &Host {
        self.host.as_ref().expect("no hook is running")
    }

    // --- setup ---

    /// Names the party (`Room::party`); `test` by default.
    pub fn party_name(mut self, name: &str) -> Self {
        self.host().party = name.into();
        self
    }

    /// A per-party configuration value (`Room::config`).
    pub fn config(mut self, key: &str, value: &str) -> Self {
        self.host().config.insert(key.into(), value.as_bytes().to_vec());
        self
    }

    /// Stores a value before the room starts, as if an earlier run had.
    pub fn stored(mut self, key: impl AsRef<[u8]>, value: impl AsRef<[u8]>) -> Self {
        self.host().put(key.as_ref().to_vec(), value.as_ref().to_vec());
        self
    }

    /// The room's storage quota (128 MiB by default).
    pub fn storage_quota(mut self, bytes: u64) -> Self {
        self.host().quota = bytes;
        self
    }

    /// The clock's start, in Unix milliseconds.
    pub fn time(mut self, epoch_ms: i64) -> Self {
        self.host().now = epoch_ms;
        self
    }

    /// The seed of `random_fill`'s bytes (fixed by default, so every run sees the same).
    pub fn seed(mut self, seed: u64) -> Self {
        self.host().rng = seed | 1;
        self
    }

    /// The party's `before_connect` hook, as given to `party!`.
    pub fn before_connect(mut self, hook: impl Fn(&Gate, &Request) -> Verdict + 'static) -> Self {
        self.before_connect = Some(Box::new(hook));
        self
    }

    /// The party's `before_request` hook, as given to `party!`.
    /// Puts a host (`example.com`) or a host and port (`127.0.0.1:8080`) on the party's allowlist
    /// for [`call_http`](crate::Room::call_http), as the operator's configuration does.
    pub fn allow_http(mut self, host: &str) -> Self {
        self.host().http_allowlist.push(host.into());
        self
    }

    pub fn before_request(mut self, hook: impl Fn(&Gate, &Request) -> Verdict + 'static) -> Self {
        self.before_request = Some(Box::new(hook));
        self
    }

    // --- events ---

    /// A client connects with id `id` (partysocket's `_pk`): `on_connect` runs. Panics if a
    /// before hook refuses it (see [`try_connect`](TestRoom::try_connect)).
    pub fn connect(&mut self, id: &str) -> Client {
        match self.try_connect(id, TestRequest::get("")) {
            Ok(c) => c,
            Err(r) => panic!("the before hook refused {}: {} {}", id, r.status, r.text()),
        }
    }

    /// A client connects with id `id` and this upgrade request (its path, query and headers). The
    /// before hook, if any, runs first; its response, if it gives one, is the `Err`.
    pub fn try_connect(&mut self, id: &str, req: TestRequest) -> Result<Client, TestResponse> {
        let separator = if req.path.contains('?') { '&' } else { '?' };
        let mut req = TestRequest { method: "GET".into(), body: Vec::new(), ..req };
        req.path = format!("{}{}_pk={}", req.path, separator, id);
        let record = self.pass_gate(true, &req)?;
        let handle = self.next_handle;
        self.next_handle += 1;
        let uri = self.url(&req.path);
        let conn = Conn { id: id.into(), uri, state: Vec::new(), tags: Vec::new(), closing: false };
        self.host().conns.insert(handle, conn);
        self.seen.insert(handle, Seen::default());
        if !self.started() {
            self.close_now(handle, 1011, "room failed to start");
            return Ok(Client(handle));
        }
        let rc = self.hook(Hook::Connect(handle), |p| {
            let (p_, n) = arg(&record);
            unsafe { rt::on_connect(p, handle, p_, n) }
        });
        if matches!(rc, Some(rc) if rc != 0) && self.is_open(Client(handle)) {
            self.close_now(handle, 1011, "connection rejected");
        }
        Ok(Client(handle))
    }

    /// The client sends a message (`&str` is text, `&[u8]` binary): `on_message` runs.
    pub fn send<'a>(&mut self, client: Client, msg: impl Into<Message<'a>>) {
        self.expect_open(client, "send");
        let msg = msg.into();
        if msg.as_bytes().len() > host::MAX_MESSAGE_BYTES {
            self.close_now(client.0, 1009, "message too big"); // as the host closes such a client
            return;
        }
        if !self.started() {
            return;
        }
        let kind = msg.kind();
        self.hook(Hook::Room, |p| {
            let (p_, n) = arg(msg.as_bytes());
            unsafe { rt::on_message(p, client.0, p_, n, kind) }
        });
    }

    /// The client closes its connection with `code` and `reason`: `on_close` runs.
    pub fn close(&mut self, client: Client, code: u16, reason: &str) {
        self.expect_open(client, "close");
        self.closed_by_client(client.0, code, reason);
    }

    /// The client's connection fails (a transport error): `on_error`, then `on_close` with 1006.
    pub fn fail(&mut self, client: Client, error: &str) {
        self.expect_open(client, "fail");
        if self.started() {
            self.hook(Hook::Room, |p| {
                let (p_, n) = arg(error.as_bytes());
                unsafe { rt::on_error(p, client.0, p_, n) }
            });
        }
        if self.host_ref().conns.contains_key(&client.0) {
            self.closed_by_client(client.0, 1006, "");
        }
    }

    /// An HTTP request to the room: the before hook, if any, then `on_request`.
    pub fn request(&mut self, req: TestRequest) -> TestResponse {
        let record = match self.pass_gate(false, &req) {
            Ok(record) => record,
            Err(refused) => return refused,
        };
        if !self.started() {
            return TestResponse::plain(500, "Room failed to start");
        }
        let rc = self.hook(Hook::Request, |p| {
            let (p_, n) = arg(&record);
            unsafe { rt::on_request(p, p_, n) }
        });
        let response = self.host().response.take();
        match (rc, response) {
            (None, _) => TestResponse::plain(500, "Room failed while handling the request"),
            (Some(_), Some(r)) => r,
            (Some(_), None) => TestResponse::plain(500, "Room did not respond"),
        }
    }

    /// The calls that left the room since the last call, oldest first: each made by a hook that
    /// returned (a panicking hook's calls never leave).
    pub fn calls(&mut self) -> Vec<OutgoingCall> {
        std::mem::take(&mut self.calls)
    }

    /// Answers `call` with a response: `on_response` runs. Panics if the call is not awaiting an
    /// answer (never made, answered already, or dropped when a panic reset the room).
    pub fn answer(&mut self, call: CallId, response: TestResponse) {
        let mut items: Vec<Vec<u8>> = vec![response.body];
        for (name, value) in response.headers {
            items.push(name.to_ascii_lowercase().into());
            items.push(value.into());
        }
        self.deliver_answer(call, i32::from(response.status), encode_list(items.iter()));
    }

    /// Answers `call` with a failure ([`Error::NotFound`], [`Error::TooLarge`],
    /// [`Error::NotAllowed`], [`Error::TimedOut`] or [`Error::Failed`], as the host would).
    pub fn answer_error(&mut self, call: CallId, error: Error, message: &str) {
        self.deliver_answer(call, error.code(), encode_list([message].iter()));
    }

    fn deliver_answer(&mut self, call: CallId, status: i32, record: Vec<u8>) {
        assert!(
            self.host().calls_in_flight.remove(&call.raw()),
            "call {} is not awaiting an answer",
            call.raw()
        );
        if !self.started() {
            return;
        }
        self.hook(Hook::Room, |p| {
            let (p_, n) = arg(&record);
            unsafe { rt::on_response(p, call.raw(), p_, n, status) }
        });
    }

    /// Moves the clock forward by `ms`, firing the alarm each time it falls due on the way.
    pub fn advance(&mut self, ms: i64) {
        let until = self.now() + ms.max(0);
        for _ in 0..MAX_ALARMS_PER_ADVANCE {
            match self.host_ref().alarm {
                Some(at) if at <= until => {
                    let host = self.host();
                    host.now = host.now.max(at);
                    self.fire_alarm();
                }
                _ => {
                    self.host().now = until;
                    return;
                }
            }
        }
        panic!("the alarm fired {} times in one advance of {} ms", MAX_ALARMS_PER_ADVANCE, ms);
    }

    /// The room hibernates: the party's value is dropped; connections, their state and tags stay.
    /// The next event creates it again with [`Party::new`]. A room awaiting answers to its calls
    /// does not hibernate (as on the host).
    pub fn hibernate(&mut self) {
        if self.host_ref().calls_in_flight.is_empty() {
            self.party = None; // a room awaiting answers does not hibernate
        }
    }

    /// The host restarts: every connection is gone (its client sees 1006, the party no `on_close`)
    /// and so is the party's value; storage and the alarm stay.
    pub fn restart(&mut self) {
        self.party = None;
        self.host().calls_in_flight.clear(); // their answers never come
        let handles: Vec<i32> = self.host_ref().conns.keys().copied().collect();
        for h in handles {
            self.close_now(h, 1006, "");
        }
    }

    // --- what the test reads ---

    /// The frames `client` received since the last call, oldest first.
    pub fn received(&mut self, client: Client) -> Vec<Frame> {
        self.seen.get_mut(&client.0).map(|s| std::mem::take(&mut s.frames)).unwrap_or_default()
    }

    /// The text frames `client` received since the last call (binary ones are skipped).
    pub fn received_text(&mut self, client: Client) -> Vec<String> {
        self.received(client).into_iter().filter_map(|f| f.text().map(String::from)).collect()
    }

    /// The code and reason of the client's close, once its connection closed.
    pub fn closed(&self, client: Client) -> Option<(u16, &str)> {
        self.seen.get(&client.0).and_then(|s| s.closed.as_ref()).map(|(c, r)| (*c, r.as_str()))
    }

    /// Whether the client's connection is still open.
    pub fn is_open(&self, client: Client) -> bool {
        self.host_ref().conns.get(&client.0).map_or(false, |c| !c.closing)
    }

    /// The room's storage, sorted by key.
    pub fn storage(&self) -> &BTreeMap<Vec<u8>, Vec<u8>> {
        &self.host_ref().storage
    }

    /// One stored value.
    pub fn get(&self, key: impl AsRef<[u8]>) -> Option<&[u8]> {
        self.host_ref().storage.get(key.as_ref()).map(|v| v.as_slice())
    }

    /// The room's alarm, in Unix milliseconds.
    pub fn alarm(&self) -> Option<i64> {
        self.host_ref().alarm
    }

    /// The clock, in Unix milliseconds.
    pub fn now(&self) -> i64 {
        self.host_ref().now
    }

    /// A connection's state, as the host keeps it.
    pub fn state(&self, client: Client) -> Option<&[u8]> {
        self.host_ref().conns.get(&client.0).map(|c| c.state.as_slice())
    }

    /// A connection's tags.
    pub fn tags(&self, client: Client) -> Vec<String> {
        self.host_ref().conns.get(&client.0).map(|c| c.tags.clone()).unwrap_or_default()
    }

    /// The lines the party logged since the last call.
    pub fn take_logs(&mut self) -> Vec<(Level, String)> {
        std::mem::take(&mut self.host().logs)
    }

    /// The panics (traps) since the last call, each as its message.
    pub fn take_traps(&mut self) -> Vec<String> {
        std::mem::take(&mut self.traps)
    }

    /// How many times the party's value was created ([`Party::new`]).
    pub fn starts(&self) -> u32 {
        self.starts
    }

    // --- the host's side ---

    fn url(&self, path: &str) -> String {
        let h = self.host_ref();
        format!("http://localhost/parties/{}/{}{}", h.party, h.room, path)
    }

    fn record(&self, req: &TestRequest, set: &[(String, Vec<u8>)]) -> Vec<u8> {
        let mut items: Vec<Vec<u8>> = vec![req.method.clone().into(), self.url(&req.path).into(), req.body.clone()];
        for (name, value) in &req.headers {
            if !set.iter().any(|(n, _)| n == name) {
                items.push(name.clone().into());
                items.push(value.clone().into());
            }
        }
        for (name, value) in set {
            items.push(name.clone().into());
            items.push(value.clone());
        }
        encode_list(items.iter())
    }

    /// Runs the before hook of this kind, if any: the room's request record, or the hook's response.
    fn pass_gate(&mut self, upgrade: bool, req: &TestRequest) -> Result<Vec<u8>, TestResponse> {
        let gated = if upgrade { self.before_connect.take() } else { self.before_request.take() };
        let gate = match gated {
            Some(g) => g,
            None => return Ok(self.record(req, &[])),
        };
        let record = self.record(req, &[]);
        let mut host = self.host.take().expect("no hook is running");
        host.begin(Hook::Before);
        host::lend(host);
        let rc = panic::catch_unwind(AssertUnwindSafe(|| {
            let (p, n) = arg(&record);
            unsafe { rt::before_hook(p, n, |g: &Gate, r: &Request| gate(g, r)) }
        }));
        let mut host = host::reclaim();
        let (response, set) = (host.response.take(), std::mem::take(&mut host.set_headers));
        host.hook = Hook::None;
        self.host = Some(host);
        if upgrade { self.before_connect = Some(gate) } else { self.before_request = Some(gate) }
        match rc {
            Err(e) => {
                self.traps.push(format!("before hook: {}", panic_message(&e)));
                Err(TestResponse::plain(500, "Internal Server Error"))
            }
            Ok(_) if response.is_some() => Err(response.unwrap_or_else(|| TestResponse::plain(500, ""))),
            Ok(0) => Ok(self.record(req, &set)),
            Ok(_) => Err(TestResponse::plain(500, "Internal Server Error")),
        }
    }

    /// Creates the party's value if the room has none (`on_start`); false if that panicked.
    fn started(&mut self) -> bool {
        if self.party.is_some() {
            return true;
        }
        self.starts += 1;
        self.hook(Hook::Room, |p| rt::on_start(p)).is_some()
    }

    /// Runs one hook as one transaction: its output leaves if it returns (`Some` of its code); a
    /// panic drops its writes and output and resets the room (`None`).
    fn hook(&mut self, kind: Hook, call: impl FnOnce(&mut Option<P>) -> i32) -> Option<i32> {
        let mut host = self.host.take().expect("hooks do not nest");
        let before = (host.storage.clone(), host.size, host.alarm);
        host.begin(kind);
        host::lend(host);
        let party = &mut self.party;
        let result = panic::catch_unwind(AssertUnwindSafe(|| call(party)));
        let mut host = host::reclaim();
        host.hook = Hook::None;
        let effects = std::mem::take(&mut host.effects);
        self.host = Some(host);
        match result {
            Ok(rc) => {
                self.release(effects);
                Some(rc)
            }
            Err(e) => {
                let host = self.host();
                host.storage = before.0;
                host.size = before.1;
                host.alarm = before.2;
                self.reset(panic_message(&e));
                None
            }
        }
    }

    /// A hook's output reaches its clients; the connections it closed then run `on_close`.
    fn release(&mut self, effects: Vec<Effect>) {
        let mut closed = Vec::new();
        for effect in effects {
            match effect {
                Effect::Send(h, frame) => {
                    if let Some(s) = self.seen.get_mut(&h) {
                        if s.closed.is_none() {
                            s.frames.push(frame);
                        }
                    }
                }
                Effect::Close(h, code, reason) => {
                    if let Some(s) = self.seen.get_mut(&h) {
                        s.closed.get_or_insert((code, reason.clone()));
                    }
                    closed.push((h, code, reason));
                }
                Effect::Call(call) => self.calls.push(call),
            }
        }
        for (h, code, reason) in closed {
            self.run_on_close(h, code, &reason);
        }
    }

    /// A trap: the party's value is dropped and every connection closed with 1011.
    fn reset(&mut self, why: String) {
        self.traps.push(why);
        self.party = None;
        self.host().calls_in_flight.clear(); // the instance that awaits their answers is gone
        let handles: Vec<i32> = self.host_ref().conns.keys().copied().collect();
        for h in handles {
            self.close_now(h, 1011, "room reset");
        }
    }

    fn closed_by_client(&mut self, handle: i32, code: u16, reason: &str) {
        if let Some(s) = self.seen.get_mut(&handle) {
            s.closed.get_or_insert((code, reason.into()));
        }
        self.run_on_close(handle, code, reason);
    }

    /// `on_close` for a connection that closed; then its handle is gone.
    fn run_on_close(&mut self, handle: i32, code: u16, reason: &str) {
        match self.host().conns.get_mut(&handle) {
            Some(c) => c.closing = true,
            None => return,
        }
        if self.started() {
            self.hook(Hook::Room, |p| {
                let (p_, n) = arg(reason.as_bytes());
                unsafe { rt::on_close(p, handle, i32::from(code), p_, n) }
            });
        }
        self.host().conns.remove(&handle);
    }

    /// The host closes a connection without a hook (a reset, a restart, a refused start).
    fn close_now(&mut self, handle: i32, code: u16, reason: &str) {
        self.host().conns.remove(&handle);
        if let Some(s) = self.seen.get_mut(&handle) {
            s.closed.get_or_insert((code, reason.into()));
        }
    }

    fn fire_alarm(&mut self) {
        // `on_start` runs first and sees the alarm; if it moves it away, that stands.
        if !self.started() || !matches!(self.host_ref().alarm, Some(at) if at <= self.now()) {
            return;
        }
        self.host().alarm = None;
        let rc = self.hook(Hook::Room, |p| rt::on_alarm(p));
        if rc == Some(0) {
            self.alarm_retries = 0;
        } else if self.host_ref().alarm.is_none() {
            let retry = ALARM_RETRY_MS.get(self.alarm_retries).copied();
            self.alarm_retries = if retry.is_some() { self.alarm_retries + 1 } else { 0 };
            let now = self.now();
            self.host().alarm = retry.map(|ms| now + ms);
        }
    }

    fn expect_open(&self, client: Client, what: &str) {
        assert!(self.is_open(client), "{}: connection {} is not open (closed: {:?})", what, client.0, self.closed(client));
    }
}

impl<P: Party> Drop for TestRoom<P> {
    fn drop(&mut self) {
        if !self.traps.is_empty() && !std::thread::panicking() {
            panic!("the party trapped and the test did not look (take_traps): {:?}", self.traps);
        }
    }
}

/// A hook argument as the host passes it: copied into memory from `partyhost_alloc`, which the
/// hook frees when it returns.
fn arg(bytes: &[u8]) -> (Ptr, i32) {
    if bytes.is_empty() {
        return (0, 0);
    }
    let p = rt::alloc(len(bytes.len()));
    // SAFETY: `alloc` returned `bytes.len()` writable bytes.
    unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), p as *mut u8, bytes.len()) };
    (p, len(bytes.len()))
}

fn panic_message(e: &Box<dyn std::any::Any + Send>) -> String {
    match (e.downcast_ref::<&str>(), e.downcast_ref::<String>()) {
        (Some(s), _) => s.to_string(),
        (_, Some(s)) => s.clone(),
        _ => "panic".into(),
    }
}
