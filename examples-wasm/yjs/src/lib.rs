//! A Yjs room: unmodified Yjs clients (`y-websocket`'s `WebsocketProvider`, y-partykit's provider)
//! connect to `/parties/yjs/<room>` and edit one document together. The room is the SDK's
//! [`partyhost::yjs::server`] (sync, awareness, storage with compaction, batches) plus what a party
//! decides for itself:
//! - **Who may write.** With the party setting `write-token` (in the host's config file, `"vars":
//!   {"yjs": {"write-token": "..."}}`), only clients that send it (`?token=...`, the providers'
//!   `params: { token }`) may change the document; the others connect read-only. With
//!   `read-token` as well, a client with neither token is refused (401). Without settings, everyone
//!   writes. The before hooks decide, and tell the room through the `x-yjs-access` header, which
//!   the gate always sets (a client cannot send its own).
//! - **Changes** are logged (debounced: 2 s after the last edit, at most 10 s after the first), where a
//!   real party would save a copy elsewhere or tell a search index.
//! - HTTP `GET` on the room answers the document as one V1 update (`Y.applyUpdate` reads it); with
//!   a `read-token` set it takes a token too.

use partyhost::yjs::server::{Options, Server, READ_ONLY};
use partyhost::{log, Connection, Gate, Level, Message, Party, Request, Response, Room, Verdict};

const ACCESS_HEADER: &str = "x-yjs-access";

struct YjsRoom(Server);

impl Party for YjsRoom {
    fn new(room: &Room) -> Self {
        let opts = Options { debounce_ms: Some(2_000), ..Options::default() };
        match Server::load(room, opts) {
            Ok(server) => YjsRoom(server),
            // An empty document in its place would be served to newcomers as if it were the
            // room's: refuse to start instead (the host logs the panic and resets the room).
            Err(e) => panic!("yjs: cannot load the document: {}", e),
        }
    }

    fn on_connect(&mut self, room: &Room, conn: &Connection, req: &Request) {
        if req.header(ACCESS_HEADER) == Some("read") {
            let _ = conn.set_tags(&[READ_ONLY]);
        }
        self.0.on_connect(room, conn);
    }

    fn on_message(&mut self, room: &Room, conn: &Connection, msg: Message) {
        self.0.on_message(room, conn, msg);
    }

    fn on_close(&mut self, room: &Room, conn: &Connection, _code: u16, _reason: &str) {
        self.0.on_close(room, conn);
    }

    fn on_alarm(&mut self, room: &Room) {
        if self.0.on_alarm(room) {
            let size = self.0.document().map(|d| d.len()).unwrap_or(0);
            log(Level::Info, &format!("yjs: document {} changed ({} bytes merged)", room.id(), size));
        }
    }

    fn on_request(&mut self, _room: &Room, req: &Request) -> Response {
        match (req.method(), self.0.document()) {
            ("GET", Ok(doc)) => Response::new(200).header("content-type", "application/octet-stream").body(doc),
            ("GET", Err(e)) => Response::text(format!("document does not merge: {}", e)).with_status(500),
            _ => Response::new(405).header("allow", "GET"),
        }
    }
}

/// `write` or `read` for the room, or a refusal.
fn access(gate: &Gate, req: &Request) -> Result<&'static str, Verdict> {
    let token = req.query_param("token");
    let matches = |key: &str| gate.config(key).filter(|t| !t.is_empty()).map(|t| Some(&t) == token.as_ref());
    match (matches("write-token"), matches("read-token")) {
        (None, _) | (Some(true), _) => Ok("write"),
        (Some(false), None) | (Some(false), Some(true)) => Ok("read"),
        (Some(false), Some(false)) => Err(Verdict::deny(401, "a token is needed")),
    }
}

fn before(gate: &Gate, req: &Request) -> Verdict {
    match access(gate, req) {
        Ok(level) => match gate.set_request_header(ACCESS_HEADER, level) {
            Ok(()) => Verdict::Pass,
            Err(_) => Verdict::deny(500, "cannot pass the access level"),
        },
        Err(refused) => refused,
    }
}

partyhost::party!(YjsRoom, before_connect = before, before_request = before);
