//! poll: a timed poll per room. Demonstrates the room alarm: opening a poll sets it, and
//! `on_alarm` closes the poll and tells everyone, even if the room's instance is gone by then (the
//! host wakes the room, `new` reloads it from storage, then the alarm hook runs). The poll, its
//! votes and its result live in storage, so they survive restarts and hibernation.
//!
//! Protocol (every message the room sends is JSON text):
//! - `POST /parties/poll/<room>?seconds=N` with the question as the body (UTF-8, 1 to 1000 bytes,
//!   trimmed) opens a poll that closes in N seconds (1 to 3600; 60 without the parameter). It
//!   replaces a closed poll; while one is open the answer is 409. Answers 200 with the state (below),
//!   which also goes to every connection; 400 for a bad question or N.
//! - `GET` answers the state; other methods get 405.
//! - A WebSocket client gets the state on connect. It votes with the text message
//!   `vote:<option>` (option: 1 to 100 bytes, any text): one vote per connection id (`_pk`); voting
//!   again replaces the vote. Every vote sends the new state to every connection. A message that is
//!   not a vote, or a vote while no poll is open, gets `{"type":"error","error":MESSAGE}`.
//! - The state is one of
//!   `{"type":"none"}` (no poll yet),
//!   `{"type":"open","question":Q,"closesAt":EPOCH_MS,"votes":{OPTION:COUNT,...}}`,
//!   `{"type":"closed","question":Q,"votes":{OPTION:COUNT,...}}`,
//!   with options in byte order. When the alarm closes the poll, every connection gets the
//!   closed state.
//!
//! Storage: `question` (text), `closes_at` (epoch ms, decimal), `vote:<connection id>` (the
//! option) while the poll is open; `result` (the closed state's JSON) once it closed, when the
//! votes are deleted. Opening a poll deletes everything first.

use std::collections::BTreeMap;

use partyhost::{Connection, Error, Json, Level, ListOptions, Message, Party, Request, Response, Room, log, now_ms};

const MAX_QUESTION: usize = 1000;
const MAX_OPTION: usize = 100;
const DEFAULT_SECONDS: i64 = 60;
const MAX_SECONDS: i64 = 3600;

const QUESTION: &str = "question";
const CLOSES_AT: &str = "closes_at";
const RESULT: &str = "result";
const VOTE_PREFIX: &str = "vote:";

enum Phase {
    None,
    Open { question: String, closes_at: i64, votes: BTreeMap<String, u32> },
    /// The closed state's JSON, as stored.
    Closed(String),
}

struct Poll {
    /// A cache of what storage holds, loaded by `new`.
    phase: Phase,
}

fn text(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

impl Poll {
    fn load(room: &Room) -> Result<Phase, Error> {
        let storage = room.storage();
        if let Some(result) = storage.get(RESULT)? {
            return Ok(Phase::Closed(text(result)));
        }
        let question = match storage.get(QUESTION)? {
            Some(q) => text(q),
            None => return Ok(Phase::None),
        };
        let closes_at = storage.get(CLOSES_AT)?.and_then(|v| text(v).parse().ok()).unwrap_or(0);
        let mut votes = BTreeMap::new();
        for (_, option) in storage.list(&ListOptions { prefix: VOTE_PREFIX.as_bytes(), ..Default::default() })? {
            *votes.entry(text(option)).or_insert(0) += 1;
        }
        Ok(Phase::Open { question, closes_at, votes })
    }

    fn state_json(&self) -> String {
        match &self.phase {
            Phase::None => r#"{"type":"none"}"#.to_owned(),
            Phase::Open { question, closes_at, votes } => state_json("open", question, Some(*closes_at), votes),
            Phase::Closed(result) => result.clone(),
        }
    }

    /// `POST`: a new poll, after the previous one closed.
    fn open(&mut self, room: &Room, req: &Request) -> Response {
        if let Phase::Open { closes_at, .. } = self.phase {
            return error_response(409, &format!("a poll is open until {}", closes_at));
        }
        let seconds = match req.query().and_then(|q| query_param(q, "seconds")) {
            None => DEFAULT_SECONDS,
            Some(s) => match s.parse::<i64>() {
                Ok(n) if (1..=MAX_SECONDS).contains(&n) => n,
                _ => return error_response(400, "seconds must be 1 to 3600"),
            },
        };
        let question = match req.text().map(str::trim) {
            Some(q) if !q.is_empty() && q.len() <= MAX_QUESTION => q.to_owned(),
            _ => return error_response(400, "the body must be a question of 1 to 1000 bytes of UTF-8"),
        };
        let closes_at = now_ms() + seconds * 1000;
        let storage = room.storage();
        let written = storage
            .delete_all()
            .and_then(|_| storage.put_many(&[(QUESTION, question.clone()), (CLOSES_AT, closes_at.to_string())]))
            .and_then(|_| room.set_alarm(closes_at));
        if let Err(e) = written {
            self.reload(room);
            return error_response(500, &format!("cannot store the poll: {}", e));
        }
        self.phase = Phase::Open { question, closes_at, votes: BTreeMap::new() };
        let state = self.state_json();
        let _ = room.broadcast(&state, &[]);
        Response::json(state)
    }

    /// A vote from `conn`; the error message to send back if it does not count.
    fn vote(&mut self, room: &Room, conn: &Connection, option: &str) -> Result<(), String> {
        let votes = match &mut self.phase {
            Phase::Open { closes_at, votes, .. } if now_ms() < *closes_at => votes,
            Phase::Open { .. } => return Err("the poll is closing".into()),
            _ => return Err("no poll is open".into()),
        };
        let storage = room.storage();
        let key = format!("{}{}", VOTE_PREFIX, conn.id());
        let previous = storage.get(&key).map_err(|e| e.to_string())?;
        storage.put(&key, option).map_err(|e| format!("vote not stored: {}", e))?;
        if let Some(previous) = previous {
            let previous = text(previous);
            if let Some(n) = votes.get_mut(&previous) {
                *n -= 1;
                if *n == 0 {
                    votes.remove(&previous);
                }
            }
        }
        *votes.entry(option.to_owned()).or_insert(0) += 1;
        Ok(())
    }

    fn reload(&mut self, room: &Room) {
        match Poll::load(room) {
            Ok(phase) => self.phase = phase,
            Err(e) => log(Level::Error, &format!("poll: cannot load the poll: {}", e)),
        }
    }
}

impl Party for Poll {
    fn new(room: &Room) -> Self {
        let mut poll = Poll { phase: Phase::None };
        poll.reload(room);
        poll
    }

    fn on_connect(&mut self, _room: &Room, conn: &Connection, _req: &Request) {
        let _ = conn.send_text(&self.state_json());
    }

    fn on_message(&mut self, room: &Room, conn: &Connection, msg: Message) {
        let option = match msg.as_text().and_then(|t| t.strip_prefix("vote:")) {
            Some(o) if !o.is_empty() && o.len() <= MAX_OPTION => o,
            _ => return send_error(conn, "send vote:<option>, the option 1 to 100 bytes"),
        };
        match self.vote(room, conn, option) {
            Ok(()) => {
                let _ = room.broadcast(&self.state_json(), &[]);
            }
            Err(e) => send_error(conn, &e),
        }
    }

    fn on_request(&mut self, room: &Room, req: &Request) -> Response {
        match req.method() {
            "GET" => Response::json(self.state_json()),
            "POST" => self.open(room, req),
            _ => Response::new(405).header("allow", "GET, POST"),
        }
    }

    fn on_alarm(&mut self, room: &Room) {
        let (question, closes_at, votes) = match &self.phase {
            Phase::Open { question, closes_at, votes } => (question, *closes_at, votes),
            _ => return, // nothing to close (a poll replaced meanwhile, or closed already)
        };
        if now_ms() < closes_at {
            // Early (a clock step back?): wait for the real deadline.
            let _ = room.set_alarm(closes_at);
            return;
        }
        let result = state_json("closed", question, None, votes);
        let total: u32 = votes.values().sum();
        let storage = room.storage();
        let closed = storage.put(RESULT, &result).and_then(|_| {
            let opts = ListOptions { prefix: VOTE_PREFIX.as_bytes(), ..Default::default() };
            let keys: Vec<Vec<u8>> = storage.list(&opts)?.into_iter().map(|(k, _)| k).collect();
            storage.delete_many(&keys)
        });
        if let Err(e) = closed {
            // Returning normally would drop the alarm; try again in a few seconds.
            log(Level::Warn, &format!("poll: cannot store the result ({}), retrying", e));
            self.reload(room);
            let _ = room.set_alarm(now_ms() + 2000);
            return;
        }
        log(Level::Info, &format!("poll closed in room {} of party {}: {} votes", room.id(), room.party(), total));
        let _ = room.broadcast(&result, &[]);
        self.phase = Phase::Closed(result);
    }
}

partyhost::party!(Poll);

/// `{"type":TYPE,"question":Q[,"closesAt":T],"votes":{...}}`.
fn state_json(kind: &str, question: &str, closes_at: Option<i64>, votes: &BTreeMap<String, u32>) -> String {
    let mut state = Json::object([("type", Json::from(kind)), ("question", question.into())]);
    if let Some(t) = closes_at {
        state.set("closesAt", t);
    }
    state.set("votes", Json::object(votes.iter().map(|(option, n)| (option.as_str(), Json::from(*n)))));
    state.to_string()
}

fn error_json(message: &str) -> String {
    Json::object([("type", Json::from("error")), ("error", message.into())]).to_string()
}

fn send_error(conn: &Connection, message: &str) {
    let _ = conn.send_text(&error_json(message));
}

fn error_response(status: u16, message: &str) -> Response {
    Response::json(error_json(message)).with_status(status)
}

/// The raw value of the first `name=value` pair of a query string.
fn query_param<'a>(query: &'a str, name: &str) -> Option<&'a str> {
    query.split('&').find_map(|pair| {
        let mut kv = pair.splitn(2, '=');
        if kv.next() == Some(name) { Some(kv.next().unwrap_or("")) } else { None }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use partyhost::testing::{TestRequest, TestRoom};

    /// The whole party under the SDK's test kit: the alarm closes the poll even while it sleeps.
    #[test]
    fn a_poll_opens_takes_votes_and_closes_by_its_alarm() {
        let mut room = TestRoom::<Poll>::new("lunch").party_name("poll");
        let a = room.connect("a");
        assert_eq!(room.received_text(a), [r#"{"type":"none"}"#]);
        let opened = room.request(TestRequest::post("?seconds=30", " Tea or coffee? "));
        let closes_at = room.now() + 30_000;
        let open = format!(r#"{{"type":"open","question":"Tea or coffee?","closesAt":{},"votes":{{}}}}"#, closes_at);
        assert_eq!((opened.status, opened.text()), (200, open.clone()));
        assert_eq!(room.received_text(a), [open]);
        assert_eq!(room.request(TestRequest::post("", "again")).status, 409);
        assert_eq!(room.alarm(), Some(closes_at));
        room.send(a, "vote:tea");
        room.send(a, "vote:coffee"); // replaces a's vote
        let b = room.connect("b");
        room.send(b, "vote:tea");
        room.send(b, "hello");
        assert_eq!(room.received_text(b).last().unwrap(), r#"{"type":"error","error":"send vote:<option>, the option 1 to 100 bytes"}"#);
        room.hibernate();
        room.advance(30_000);
        let closed = r#"{"type":"closed","question":"Tea or coffee?","votes":{"coffee":1,"tea":1}}"#;
        assert_eq!(room.received_text(a).last().unwrap(), closed);
        assert_eq!(room.received_text(b).last().unwrap(), closed);
        assert!(room.storage().keys().all(|k| !k.starts_with(b"vote:")));
        room.restart();
        assert_eq!(room.request(TestRequest::get("")).text(), closed);
    }

    #[test]
    fn states() {
        let mut votes = BTreeMap::new();
        assert_eq!(state_json("open", "Q?", Some(5), &votes), r#"{"type":"open","question":"Q?","closesAt":5,"votes":{}}"#);
        votes.insert("tea".to_owned(), 2);
        votes.insert("\"c\"\n".to_owned(), 1);
        assert_eq!(
            state_json("closed", "Tea\tor \"coffee\"?", None, &votes),
            r#"{"type":"closed","question":"Tea\tor \"coffee\"?","votes":{"\"c\"\n":1,"tea":2}}"#
        );
        assert_eq!(Poll { phase: Phase::None }.state_json(), r#"{"type":"none"}"#);
        assert_eq!(error_json("no \"poll\""), r#"{"type":"error","error":"no \"poll\""}"#);
    }

    #[test]
    fn query() {
        assert_eq!(query_param("seconds=5", "seconds"), Some("5"));
        assert_eq!(query_param("x=1&seconds=10&seconds=3", "seconds"), Some("10"));
        assert_eq!(query_param("seconds", "seconds"), Some(""));
        assert_eq!(query_param("secondsx=1&x=seconds", "seconds"), None);
    }
}
