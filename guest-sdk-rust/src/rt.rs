//! The glue between the raw ABI and [`Party`]: out buffers, hook argument buffers, and the hook
//! bodies that [`party!`](crate::party) exports. Not part of the public API.

use std::alloc::{self, Layout};

use crate::sys::{self, len, ptr, Ptr};
use crate::{CallId, Connection, Error, Gate, Message, Party, Request, Response, Room, Verdict};

pub const ABI_VERSION: i32 = 1;

/// A status code as a result: non-negative values pass, negative ones become [`Error`].
#[inline]
pub(crate) fn check(code: i32) -> Result<i32, Error> {
    if code >= sys::OK { Ok(code) } else { Err(Error::from_code(code)) }
}

/// The out-buffer convention (ABI section 3), implemented once: `call(out_ptr, out_cap)` returns
/// the full length `n`; when `n` exceeds the buffer, call again with `n` bytes. Results that fit
/// 256 bytes (ids, URIs, tags, small values) cost one host call and one exact-size allocation.
pub(crate) fn read_out(mut call: impl FnMut(Ptr, i32) -> i32) -> Result<Vec<u8>, Error> {
    let mut small = [0u8; 256];
    let n = check(call(ptr(small.as_mut_ptr()), small.len() as i32))? as usize;
    if n <= small.len() {
        return Ok(small[..n].to_vec());
    }
    let mut cap = n;
    loop {
        let mut buf: Vec<u8> = Vec::with_capacity(cap);
        let n = check(call(ptr(buf.as_mut_ptr()), len(cap)))? as usize;
        if n <= cap {
            // SAFETY: the host wrote exactly `n <= cap` bytes at the buffer.
            unsafe { buf.set_len(n) };
            return Ok(buf);
        }
        cap = n; // the value grew between the calls: try again with the new size
    }
}

/// Like [`read_out`], as text (lossy if the host sent bad UTF-8, which it must not).
pub(crate) fn read_out_string(call: impl FnMut(Ptr, i32) -> i32) -> Result<String, Error> {
    read_out(call).map(|v| match String::from_utf8(v) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    })
}

/// `partyhost_alloc`: `len` bytes for one hook argument, freed by `HostBuf` after the hook.
pub fn alloc(n: i32) -> Ptr {
    if n <= 0 {
        return 0;
    }
    match Layout::from_size_align(n as u32 as usize, 1) {
        // SAFETY: the layout has a non-zero size.
        Ok(layout) => ptr(unsafe { alloc::alloc(layout) }),
        Err(_) => 0,
    }
}

/// A hook argument the host wrote into memory from [`alloc`]; owned by the guest and freed on
/// drop (when the hook returns). `len == 0` comes with `ptr == 0` and owns nothing.
struct HostBuf {
    ptr: *mut u8,
    len: usize,
}

impl HostBuf {
    /// SAFETY: `(ptr, len)` must come from the host per ABI section 3: `len == 0`, or `ptr` was
    /// returned by `partyhost_alloc(len)` and holds `len` initialized bytes.
    unsafe fn new(p: Ptr, n: i32) -> HostBuf {
        let n = n as u32 as usize;
        HostBuf { ptr: if n == 0 { std::ptr::null_mut() } else { p as usize as *mut u8 }, len: n }
    }

    fn bytes(&self) -> &[u8] {
        if self.len == 0 {
            &[]
        } else {
            // SAFETY: see `new`.
            unsafe { std::slice::from_raw_parts(self.ptr, self.len) }
        }
    }
}

impl Drop for HostBuf {
    fn drop(&mut self) {
        if self.len != 0 && !self.ptr.is_null() {
            // SAFETY: allocated by `alloc` with this exact layout.
            unsafe { alloc::dealloc(self.ptr, Layout::from_size_align_unchecked(self.len, 1)) }
        }
    }
}

const ROOM: Room = Room::new();

/// The instance, created on first use if the host skipped `on_start` (it must not).
fn instance<T: Party>(slot: &mut Option<T>) -> &mut T {
    slot.get_or_insert_with(|| T::new(&ROOM))
}

/// Makes a panic say what and where: the hook logs the message and its `file:line:column` with
/// the host's `log` at ERROR, then the panic traps as before (the host alone would only log
/// "unreachable"). Installed by the first hook an instance runs, before hooks included. Only on
/// wasm32: off it (unit tests) the test harness reports panics.
///
/// A flag rather than `std::sync::Once`, and no `format!` in [`panic_line`]: both pulled code into
/// every module (Once's waiter queue and its assertions, integer formatting), 30 of relay-rust's
/// 98 functions and 20 of its 41 table entries, which the host holds once per room.
#[inline]
fn install_panic_hook() {
    #[cfg(target_arch = "wasm32")]
    {
        use std::sync::atomic::{AtomicBool, Ordering};
        static INSTALLED: AtomicBool = AtomicBool::new(false);
        if !INSTALLED.swap(true, Ordering::Relaxed) {
            std::panic::set_hook(Box::new(|info| crate::log(crate::Level::Error, &panic_line(info))));
        }
    }
}

/// `panicked at src/lib.rs:12:9: the message`.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))] // used by the hook and the unit test
pub(crate) fn panic_line(info: &std::panic::PanicInfo<'_>) -> String {
    let payload = info.payload();
    let message = match (payload.downcast_ref::<&str>(), payload.downcast_ref::<String>()) {
        (Some(s), _) => s,
        (_, Some(s)) => s.as_str(),
        _ => "Box<dyn Any>",
    };
    let mut line = String::with_capacity(64 + message.len());
    match info.location() {
        Some(at) => {
            line.push_str("panicked at ");
            line.push_str(at.file());
            line.push(':');
            push_decimal(&mut line, at.line());
            line.push(':');
            push_decimal(&mut line, at.column());
            line.push_str(": ");
        }
        None => line.push_str("panicked: "),
    }
    line.push_str(message);
    line
}

/// `n` in decimal (what `format!` did, without core::fmt's integer code).
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
fn push_decimal(out: &mut String, mut n: u32) {
    let mut digits = [0u8; 10];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &d in &digits[i..] {
        out.push(d as char);
    }
}

pub fn on_start<T: Party>(slot: &mut Option<T>) -> i32 {
    install_panic_hook();
    *slot = None; // drop an old instance first, in case of a second on_start
    *slot = Some(T::new(&ROOM));
    0
}

/// SAFETY (all hooks below): the pointer/length arguments come from the host per ABI section 3.
pub unsafe fn on_connect<T: Party>(slot: &mut Option<T>, conn: i32, p: Ptr, n: i32) -> i32 {
    install_panic_hook();
    let buf = HostBuf::new(p, n);
    let req = match Request::from_record(buf.bytes()) {
        Ok(r) => r,
        Err(e) => return e.code(),
    };
    instance(slot).on_connect(&ROOM, &Connection::from_handle(conn), &req);
    0
}

pub unsafe fn on_message<T: Party>(slot: &mut Option<T>, conn: i32, p: Ptr, n: i32, kind: i32) -> i32 {
    install_panic_hook();
    let buf = HostBuf::new(p, n);
    let msg = match kind {
        0 => match std::str::from_utf8(buf.bytes()) {
            Ok(s) => Message::Text(s),
            Err(_) => return sys::INVALID,
        },
        1 => Message::Binary(buf.bytes()),
        _ => return sys::INVALID,
    };
    instance(slot).on_message(&ROOM, &Connection::from_handle(conn), msg);
    0
}

pub unsafe fn on_close<T: Party>(slot: &mut Option<T>, conn: i32, code: i32, p: Ptr, n: i32) -> i32 {
    install_panic_hook();
    let buf = HostBuf::new(p, n);
    let reason = String::from_utf8_lossy(buf.bytes());
    instance(slot).on_close(&ROOM, &Connection::from_handle(conn), code as u16, &reason);
    0
}

pub unsafe fn on_error<T: Party>(slot: &mut Option<T>, conn: i32, p: Ptr, n: i32) -> i32 {
    install_panic_hook();
    let buf = HostBuf::new(p, n);
    let error = String::from_utf8_lossy(buf.bytes());
    instance(slot).on_error(&ROOM, &Connection::from_handle(conn), &error);
    0
}

pub unsafe fn on_request<T: Party>(slot: &mut Option<T>, p: Ptr, n: i32) -> i32 {
    install_panic_hook();
    let buf = HostBuf::new(p, n);
    let req = match Request::from_record(buf.bytes()) {
        Ok(r) => r,
        Err(e) => return e.code(),
    };
    drop(buf);
    let resp = instance(slot).on_request(&ROOM, &req);
    respond(&resp)
}

/// `respond` with a [`Response`]: 0, or the host's error status.
fn respond(resp: &Response) -> i32 {
    let headers = resp.encode_headers();
    let code = unsafe {
        sys::respond(
            resp.status as i32,
            ptr(headers.as_ptr()),
            len(headers.len()),
            ptr(resp.body.as_ptr()),
            len(resp.body.len()),
        )
    };
    if code < 0 { code } else { 0 }
}

pub fn on_alarm<T: Party>(slot: &mut Option<T>) -> i32 {
    install_panic_hook();
    instance(slot).on_alarm(&ROOM);
    0
}

pub unsafe fn on_response<T: Party>(slot: &mut Option<T>, call: i32, p: Ptr, n: i32, status: i32) -> i32 {
    install_panic_hook();
    let buf = HostBuf::new(p, n);
    let answer = crate::calls::answer(status, buf.bytes());
    drop(buf);
    instance(slot).on_response(&ROOM, CallId::from_raw(call), answer);
    0
}

/// `partyhost_on_before_connect` / `partyhost_on_before_request`, exported by
/// `party!(T, before_connect = f, ...)`. Runs in a gate instance: no `Party` value exists there.
///
/// SAFETY: as for the hooks above.
pub unsafe fn before_hook<F>(p: Ptr, n: i32, hook: F) -> i32
where
    F: FnOnce(&Gate, &Request) -> Verdict,
{
    keep_request_set_header();
    install_panic_hook();
    let buf = HostBuf::new(p, n);
    let req = Request::from_record(buf.bytes());
    drop(buf);
    match req {
        Ok(req) => gate(&req, hook),
        Err(e) => e.code(),
    }
}

/// The identity, typed: makes a closure given to `party!` take its arguments as
/// `for<'a> (&'a Gate, &'a Request)`, and keeps the caller's expression out of `unsafe`.
#[inline(always)]
pub fn before_hook_fn<F>(f: F) -> F
where
    F: FnOnce(&Gate, &Request) -> Verdict,
{
    f
}

/// Runs a before hook on a parsed request: `Pass` is 0, `Respond` calls `respond`.
pub(crate) fn gate<F>(req: &Request, hook: F) -> i32
where
    F: FnOnce(&Gate, &Request) -> Verdict,
{
    match hook(&Gate::new(), req) {
        Verdict::Pass => 0,
        Verdict::Respond(resp) => respond(&resp),
    }
}

/// Keeps the `request_set_header` import (ABI v1.2) in every module that exports a before hook,
/// even one that never sets a header. A host older than v1.2 ignores the before hooks (unknown
/// exports) and would serve the party ungated; with the import it refuses the module at upload.
/// The call never happens: the compiler cannot prove that the volatile read is false.
#[inline(always)]
fn keep_request_set_header() {
    static NEVER: bool = false;
    // SAFETY: a read of a static; the call is never made.
    unsafe {
        if std::ptr::read_volatile(&NEVER) {
            sys::request_set_header(0, 0, 0, 0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::encode_list;

    fn request(items: &[&str]) -> Request {
        Request::from_record(&encode_list(items.iter())).unwrap()
    }

    #[test]
    fn gate_verdicts() {
        let req = request(&["GET", "http://h/parties/p/r?token=t", "", "authorization", "Bearer t"]);
        let mut seen = None;
        assert_eq!(
            gate(&req, |_g, r| {
                seen = Some(r.header("Authorization").map(String::from));
                Verdict::Pass
            }),
            0
        );
        assert_eq!(seen, Some(Some("Bearer t".to_string())));
        // Off wasm32 `respond` is a stub answering NOT_IMPLEMENTED: the hook hands its status on.
        assert_eq!(gate(&req, |_, _| Verdict::deny(401, "no")), sys::NOT_IMPLEMENTED);
    }

    #[test]
    fn panic_lines_say_what_and_where() {
        use std::sync::Mutex;
        static LINES: Mutex<Vec<String>> = Mutex::new(Vec::new());
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(|info| LINES.lock().unwrap().push(panic_line(info))));
        let line = line!() + 1;
        let _ = std::panic::catch_unwind(|| panic!("boom {}", 42));
        let _ = std::panic::catch_unwind(|| panic!("plain"));
        let _ = std::panic::catch_unwind(|| None::<u8>.unwrap());
        std::panic::set_hook(previous);
        let lines = LINES.lock().unwrap();
        assert_eq!(lines[0], format!("panicked at src/rt.rs:{}:45: boom 42", line));
        assert_eq!(lines[1], format!("panicked at src/rt.rs:{}:45: plain", line + 1));
        // #[track_caller]: the place is the caller's.
        assert!(lines[2].starts_with(&format!("panicked at src/rt.rs:{}:", line + 2)), "{}", lines[2]);
        assert!(lines[2].ends_with("on a `None` value"), "{}", lines[2]);
    }

    #[test]
    fn before_hook_refuses_a_malformed_record_without_calling_the_hook() {
        // An empty record (ptr 0, len 0) is not a request: INVALID, and the hook is not called.
        let r = unsafe { before_hook(0, 0, |_: &Gate, _: &Request| -> Verdict { panic!("called") }) };
        assert_eq!(r, sys::INVALID);
    }
}
