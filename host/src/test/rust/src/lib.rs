//! Drives the Rust SDK from the host's tests (`SdkGuestsTest`).
//!
//! - room `panic-in-new`: `Party::new` panics;
//! - text message `panic TEXT`: the hook panics with TEXT;
//! - text message `json TEXT`: parses TEXT, answers `ok ` and the value written back, or `error `
//!   and the parser's error;
//! - `on_close` logs `on_close CODE REASON` at INFO;
//! - HTTP request with `?panic`: the before hook panics; other requests answer `ok`.

use partyhost::{Connection, Gate, Json, Level, Message, Party, Request, Response, Room, Verdict};

struct Probe;

impl Party for Probe {
    fn new(room: &Room) -> Self {
        if room.id() == "panic-in-new" {
            panic!("no room may be called {}", room.id());
        }
        Probe
    }

    fn on_message(&mut self, _room: &Room, conn: &Connection, msg: Message) {
        let text = msg.as_text().unwrap_or("");
        if let Some(what) = text.strip_prefix("panic ") {
            panic!("asked to panic: {}", what);
        }
        if let Some(json) = text.strip_prefix("json ") {
            let reply = match Json::parse(json) {
                // Written, compared with a copy and dropped: each recurses once per level.
                Ok(v) => format!("ok {}{}", v, if v.clone() == v { "" } else { " (a copy differs)" }),
                Err(e) => format!("error {}", e),
            };
            let _ = conn.send_text(&reply);
            return;
        }
        let _ = conn.send_text(text);
    }

    fn on_close(&mut self, _room: &Room, _conn: &Connection, code: u16, reason: &str) {
        partyhost::log(Level::Info, &format!("on_close {} {}", code, reason));
    }

    fn on_request(&mut self, _room: &Room, _req: &Request) -> Response {
        Response::text("ok")
    }
}

fn before_request(_gate: &Gate, req: &Request) -> Verdict {
    if req.query_param("panic").is_some() {
        panic!("the gate panics");
    }
    Verdict::Pass
}

partyhost::party!(Probe, before_request = before_request);
