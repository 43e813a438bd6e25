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

#[cfg(test)]
mod tests {
    use super::*;
    use partyhost::testing::{Frame, TestRequest, TestRoom};
    use partyhost::yjs::protocol::Message as Y;

    fn unhex(s: &str) -> Vec<u8> {
        (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
    }

    fn bytes(frames: Vec<Frame>) -> Vec<Vec<u8>> {
        frames.into_iter().map(|f| f.bytes().to_vec()).collect()
    }

    /// The party under the SDK's test kit, with an update made by yjs 13.6.33 (`text.insert(0,
    /// "wörld")`, from the SDK's fixtures): relayed, stored, compacted, served to a newcomer and over
    /// HTTP, after a restart too; a read-only client's update is dropped.
    #[test]
    fn an_update_is_relayed_stored_compacted_and_served() {
        let update = unhex("01010200040104746578740677c3b6726c6400");
        let mut room = TestRoom::<YjsRoom>::new("doc").config("write-token", "w");
        room = room.before_connect(before).before_request(before);
        let writer = room.try_connect("w", TestRequest::get("?token=w")).unwrap();
        let reader = room.connect("r");
        assert_eq!(bytes(room.received(writer)), [Y::SyncStep1(&[0]).encode()]);
        room.received(reader);
        room.send(reader, &Y::Update(&update).encode()[..]); // read-only: dropped
        assert!(room.received(writer).is_empty());
        assert_eq!(room.request(TestRequest::get("")).body, [0, 0]);
        room.send(writer, &Y::Update(&update).encode()[..]);
        assert_eq!(bytes(room.received(reader)), [Y::Update(&update).encode()]);
        assert_eq!(room.request(TestRequest::get("")).body, update);
        assert!(room.storage().keys().any(|k| k.starts_with(b"yjs:log:")));

        room.advance(2_000); // compacted after 1 s, reported 2 s after the last change
        assert!(room.storage().keys().all(|k| !k.starts_with(b"yjs:log:")));
        assert!(room.storage().keys().any(|k| k.starts_with(b"yjs:seg:")));
        let logs = room.take_logs();
        assert!(logs.iter().any(|(_, l)| l.starts_with("yjs: document doc changed")), "{:?}", logs);

        room.restart();
        let late = room.connect("late");
        room.received(late);
        room.send(late, &Y::SyncStep1(&[0]).encode()[..]);
        let frames = bytes(room.received(late));
        assert_eq!(frames.last(), Some(&Y::SyncStep2(&[0, 0]).encode()));
        assert_eq!(frames[..frames.len() - 1], [Y::Update(&update).encode()]);
        assert_eq!(room.request(TestRequest::get("?token=x")).body, update);
    }
}
