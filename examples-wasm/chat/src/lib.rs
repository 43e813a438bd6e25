//! A chat room whose history is durable. Demonstrates room storage: loading in `new` (the room's
//! data is in memory before it runs), writing and trimming in one hook with `put_many` and
//! `delete_many`, and the output gate (a message reaches others only once it is stored).
//!
//! Protocol:
//! - On connect a client gets the last 100 messages, oldest first:
//!   `{"type":"history","messages":[{"from":ID,"text":T},...]}`.
//! - Each text message goes to every other connection as `{"type":"message","from":ID,"text":T}`
//!   (ID: the sender's connection id) and joins the history. Texts over 4 KiB are relayed but not
//!   kept. Binary messages are ignored.
//! - HTTP `GET` on the room answers the history JSON (`GET .../connections`: `{"connections":N}`);
//!   other methods get 405.
//! - The room tells the lobby (`examples-wasm/lobby`) how many people it has whenever someone joins
//!   or leaves: a call to the lobby room named after this party, `POST {"connections":N}`. Without
//!   a lobby party the call is answered NOT_FOUND, and nothing else happens.
//!
//! Storage: `msg:<seq>` (seq zero-padded to 20 digits, so key order is message order) holds the
//! byte-string list `[from, text]` of message `seq`; `seq` holds the next sequence number in
//! decimal. Only the last 100 messages are kept: the hook that stores message n deletes message
//! n - 100. The history in memory is a cache of those keys, rebuilt by `new` after a restart or
//! hibernation.

use std::collections::VecDeque;

use partyhost::{CallRequest, Connection, Error, Json, Level, ListOptions, Message, Party, Request, Response, Room, decode_list, encode_list, log};

const HISTORY: usize = 100;
/// Longer texts are relayed but not stored: 100 of them must fit the history message (1 MiB by
/// default) and the instance's memory, or a room could never start again.
const MAX_STORED_TEXT: usize = 4096;
const MSG_PREFIX: &str = "msg:";
const SEQ_KEY: &str = "seq";

struct Stored {
    seq: u64,
    from: String,
    text: String,
}

struct Chat {
    /// The stored messages, oldest first, at most `HISTORY`.
    history: VecDeque<Stored>,
    /// The sequence number of the next message.
    next_seq: u64,
}

fn msg_key(seq: u64) -> String {
    format!("{}{:020}", MSG_PREFIX, seq)
}

impl Chat {
    /// Loads the last `HISTORY` messages and the sequence counter from storage.
    fn load(room: &Room) -> Result<Chat, Error> {
        let storage = room.storage();
        let opts = ListOptions { prefix: MSG_PREFIX.as_bytes(), limit: HISTORY as u32, reverse: true, ..Default::default() };
        let mut history = VecDeque::with_capacity(HISTORY);
        for (key, value) in storage.list(&opts)? {
            // Newest first: push each in front.
            let seq = std::str::from_utf8(&key[MSG_PREFIX.len()..]).ok().and_then(|s| s.parse().ok());
            let items = decode_list(&value).unwrap_or_default();
            match (seq, items.as_slice()) {
                (Some(seq), [from, text]) => history.push_front(Stored {
                    seq,
                    from: String::from_utf8_lossy(from).into_owned(),
                    text: String::from_utf8_lossy(text).into_owned(),
                }),
                _ => log(Level::Warn, "chat: skipping a malformed stored message"),
            }
        }
        let stored_seq = storage.get(SEQ_KEY)?.and_then(|v| String::from_utf8(v).ok()?.parse::<u64>().ok());
        // The counter is written with every message; the newest message is a fallback floor.
        let after_newest = history.back().map_or(0, |m| m.seq + 1);
        Ok(Chat { history, next_seq: stored_seq.unwrap_or(0).max(after_newest) })
    }

    /// Stores a message and drops the oldest beyond `HISTORY`, all in this hook's transaction.
    fn store(&mut self, room: &Room, from: String, text: &str) -> Result<(), Error> {
        let storage = room.storage();
        let seq = self.next_seq;
        let value = encode_list([from.as_bytes(), text.as_bytes()].iter());
        storage.put_many(&[(msg_key(seq).into_bytes(), value), (SEQ_KEY.into(), (seq + 1).to_string().into_bytes())])?;
        let excess = (self.history.len() + 1).saturating_sub(HISTORY);
        let old: Vec<String> = self.history.iter().take(excess).map(|m| msg_key(m.seq)).collect();
        storage.delete_many(&old)?;
        // Storage accepted everything: update the cache.
        self.history.drain(..excess);
        self.history.push_back(Stored { seq, from, text: text.to_owned() });
        self.next_seq = seq + 1;
        Ok(())
    }

    /// The history message with the newest `n` messages.
    fn history_json(&self, n: usize) -> String {
        let skip = self.history.len().saturating_sub(n);
        let messages = self.history.iter().skip(skip).map(|m| Json::object([("from", Json::from(&m.from)), ("text", Json::from(&m.text))]));
        Json::object([("type", Json::from("history")), ("messages", Json::array(messages))]).to_string()
    }
}

/// `{"connections":N}`: what the lobby is told, and what `GET .../connections` answers.
fn count_json(room: &Room) -> String {
    Json::object([("connections", Json::from(room.connections(None).len() as i64))]).to_string()
}

/// Tells the lobby this room's count; the call leaves after the hook, and its answer is not needed.
fn report_to_lobby(room: &Room) {
    let report = CallRequest::post("", count_json(room)).header("content-type", "application/json");
    if let Err(e) = room.call_room("lobby", &room.party(), &report) {
        log(Level::Warn, &format!("chat: cannot report to the lobby: {}", e));
    }
}

/// What the other connections get for a message: `{"type":"message","from":ID,"text":T}`.
fn message_json(from: &str, text: &str) -> String {
    Json::object([("type", Json::from("message")), ("from", from.into()), ("text", text.into())]).to_string()
}

impl Party for Chat {
    fn new(room: &Room) -> Self {
        match Chat::load(room) {
            Ok(chat) => chat,
            // Panicking would trap on every start; serve an empty history instead.
            Err(e) => {
                log(Level::Error, &format!("chat: cannot load the history: {}", e));
                Chat { history: VecDeque::new(), next_seq: 0 }
            }
        }
    }

    fn on_connect(&mut self, room: &Room, conn: &Connection, _req: &Request) {
        report_to_lobby(room);
        // Over the host's message limit, send fewer (the newest) messages.
        let mut n = self.history.len();
        loop {
            match conn.send_text(&self.history_json(n)) {
                Err(Error::TooLarge) if n > 0 => n /= 2,
                _ => return,
            }
        }
    }

    fn on_close(&mut self, room: &Room, _conn: &Connection, _code: u16, _reason: &str) {
        report_to_lobby(room);
    }

    fn on_message(&mut self, room: &Room, conn: &Connection, msg: Message) {
        let text = match msg {
            Message::Text(t) => t,
            Message::Binary(_) => return,
        };
        let from = conn.id();
        let _ = room.broadcast(&message_json(&from, text), &[*conn]);

        if text.len() <= MAX_STORED_TEXT {
            if let Err(e) = self.store(room, from, text) {
                // E.g. the storage quota. Whatever part of it storage took, the cache follows.
                log(Level::Warn, &format!("chat: message not stored: {}", e));
                if let Ok(chat) = Chat::load(room) {
                    *self = chat;
                }
            }
        }
    }

    fn on_request(&mut self, room: &Room, req: &Request) -> Response {
        match req.method() {
            "GET" if req.path().ends_with("/connections") => Response::json(count_json(room)),
            "GET" => Response::json(self.history_json(HISTORY)),
            _ => Response::new(405).header("allow", "GET"),
        }
    }
}

partyhost::party!(Chat);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_escape_what_json_requires() {
        let json = |text: &str| message_json("a\"b", text);
        assert_eq!(json("plain"), r#"{"type":"message","from":"a\"b","text":"plain"}"#);
        assert_eq!(json("l1\nl2\r\t\u{8}\u{c}\\"), r#"{"type":"message","from":"a\"b","text":"l1\nl2\r\t\b\f\\"}"#);
        assert_eq!(json("\u{0}\u{1f}x\u{7f}"), "{\"type\":\"message\",\"from\":\"a\\\"b\",\"text\":\"\\u0000\\u001fx\u{7f}\"}");
        assert_eq!(json("héllo ✓ 😀 /</script>"), r#"{"type":"message","from":"a\"b","text":"héllo ✓ 😀 /</script>"}"#);
    }

    #[test]
    fn history_shape() {
        let mut chat = Chat { history: VecDeque::new(), next_seq: 0 };
        assert_eq!(chat.history_json(HISTORY), r#"{"type":"history","messages":[]}"#);
        chat.history.push_back(Stored { seq: 0, from: "a".into(), text: "hi".into() });
        chat.history.push_back(Stored { seq: 1, from: "b".into(), text: "q\"".into() });
        assert_eq!(
            chat.history_json(HISTORY),
            r#"{"type":"history","messages":[{"from":"a","text":"hi"},{"from":"b","text":"q\""}]}"#
        );
        assert_eq!(chat.history_json(1), r#"{"type":"history","messages":[{"from":"b","text":"q\""}]}"#);
        assert_eq!(chat.history_json(0), r#"{"type":"history","messages":[]}"#);
    }

    // The whole party under the SDK's test kit: a simulated host, no Wasm.
    use partyhost::testing::{TestRequest, TestRoom};

    #[test]
    fn messages_reach_the_others_and_the_history_survives_a_restart() {
        let mut room = TestRoom::<Chat>::new("lobby");
        let (a, b) = (room.connect("a"), room.connect("b"));
        assert_eq!(room.received_text(a), [r#"{"type":"history","messages":[]}"#]);
        room.received(b);
        room.send(a, "hi");
        assert!(room.received(a).is_empty());
        assert_eq!(room.received_text(b), [r#"{"type":"message","from":"a","text":"hi"}"#]);
        room.restart();
        let c = room.connect("c");
        assert_eq!(room.received_text(c), [r#"{"type":"history","messages":[{"from":"a","text":"hi"}]}"#]);
        let r = room.request(TestRequest::get(""));
        assert_eq!((r.status, r.text()), (200, r#"{"type":"history","messages":[{"from":"a","text":"hi"}]}"#.to_string()));
        assert_eq!(room.request(TestRequest::post("", "x")).status, 405);
    }

    #[test]
    fn only_the_last_hundred_messages_are_kept() {
        let mut room = TestRoom::<Chat>::new("lobby");
        let a = room.connect("a");
        for i in 0..150 {
            room.send(a, format!("m{}", i).as_str());
        }
        let stored = room.storage().keys().filter(|k| k.starts_with(b"msg:")).count();
        assert_eq!(stored, HISTORY);
        assert_eq!(room.get("seq"), Some(&b"150"[..]));
        room.hibernate();
        let b = room.connect("b");
        let history = room.received_text(b).remove(0);
        assert!(history.contains(r#"{"from":"a","text":"m50"}"#) && !history.contains(r#""m49""#), "{}", history);
    }

    #[test]
    fn joins_and_leaves_are_reported_to_the_lobby() {
        use partyhost::testing::CallTarget;
        let mut room = TestRoom::<Chat>::new("general").party_name("chat");
        let a = room.connect("a");
        let b = room.connect("b");
        room.close(a, 1000, "");
        let reports: Vec<(CallTarget, String)> =
            room.calls().into_iter().map(|c| (c.to, String::from_utf8(c.request.body).unwrap())).collect();
        let lobby = CallTarget::Room { party: "lobby".into(), room: "chat".into() };
        assert_eq!(
            reports,
            vec![
                (lobby.clone(), r#"{"connections":1}"#.to_string()),
                (lobby.clone(), r#"{"connections":2}"#.to_string()),
                (lobby, r#"{"connections":1}"#.to_string()),
            ]
        );
        let r = room.request(TestRequest::get("/connections"));
        assert_eq!((r.status, r.text()), (200, r#"{"connections":1}"#.to_string()));
        assert!(room.is_open(b));
    }

    #[test]
    fn keys_sort_in_message_order() {
        assert_eq!(msg_key(42), "msg:00000000000000000042");
        assert!(msg_key(9) < msg_key(10) && msg_key(99_999) < msg_key(100_000));
        assert_eq!(msg_key(u64::MAX).len(), 4 + 20);
    }
}
