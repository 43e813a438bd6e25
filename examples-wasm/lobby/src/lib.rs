//! A lobby: the live list of another party's rooms with their connection counts, kept up to date
//! by those rooms themselves through calls between rooms (ABI v1.4). The lobby room named after a
//! party lists that party's rooms: `GET /parties/lobby/chat` answers
//! `{"party":"chat","rooms":[{"id":"general","connections":2},...]}` (ordered by id).
//!
//! - **Reports.** A room reports its count with a call: `POST` to this room with the body
//!   `{"connections":N}` (the chat example does on every join and leave). Who reports is the
//!   header `x-partyhost-caller: <party>/<room>`, which only the host sets, so a client cannot
//!   fake a report (a `POST` without it gets 403) and a room can only report itself. A room whose
//!   count falls to 0 leaves the list.
//! - **Staleness.** A host that stops closes every socket without telling the rooms, so their
//!   last reports outlive them. When the lobby's instance starts (after a restart, a hibernation or
//!   a reset) it asks every listed room again (`GET /connections`), and drops those that answer 0,
//!   or that no longer exist.
//!
//! Storage: `room:<id>` holds each listed room's count, in decimal.

use std::collections::BTreeMap;

use partyhost::{log, CallError, CallId, CallRequest, Json, Level, ListOptions, Party, Request, Response, Room};

const PREFIX: &str = "room:";

struct Lobby {
    /// The checks `new` started: which room each call asks about.
    checking: BTreeMap<CallId, String>,
}

/// The connection count in a report or a check's answer: `{"connections":N}`.
fn connections(body: &[u8]) -> Option<u64> {
    let n = Json::parse_bytes(body).ok()?.get("connections")?.as_i64()?;
    u64::try_from(n).ok()
}

fn set_count(room: &Room, id: &str, n: u64) {
    let key = format!("{}{}", PREFIX, id);
    let written = if n == 0 { room.storage().delete(&key).map(drop) } else { room.storage().put(&key, n.to_string()) };
    if let Err(e) = written {
        log(Level::Warn, &format!("lobby: cannot record {} for {}: {}", n, id, e));
    }
}

fn listed(room: &Room) -> Vec<(String, u64)> {
    let opts = ListOptions { prefix: PREFIX.as_bytes(), ..Default::default() };
    let entries = room.storage().list(&opts).unwrap_or_default();
    entries
        .into_iter()
        .filter_map(|(k, v)| {
            let id = String::from_utf8(k[PREFIX.len()..].to_vec()).ok()?;
            Some((id, std::str::from_utf8(&v).ok()?.parse().ok()?))
        })
        .collect()
}

impl Party for Lobby {
    fn new(room: &Room) -> Self {
        let party = room.id();
        let mut checking = BTreeMap::new();
        for (id, _) in listed(room) {
            match room.call_room(&party, &id, &CallRequest::get("/connections")) {
                Ok(call) => {
                    checking.insert(call, id);
                }
                Err(e) => log(Level::Warn, &format!("lobby: cannot check {}/{}: {}", party, id, e)),
            }
        }
        Lobby { checking }
    }

    fn on_request(&mut self, room: &Room, req: &Request) -> Response {
        let party = room.id();
        match req.method() {
            "GET" => {
                let rooms = listed(room).into_iter().map(|(id, n)| {
                    Json::object([("id", Json::from(id)), ("connections", Json::from(n as i64))])
                });
                Response::json(Json::object([("party", Json::from(party)), ("rooms", Json::array(rooms))]).to_string())
            }
            "POST" => {
                // "<party>/<room>", set by the host on calls from rooms only.
                let caller = match req.header("x-partyhost-caller").and_then(|c| c.split_once('/')) {
                    Some((p, id)) if p == party => id.to_string(),
                    Some(_) => return Response::new(403).body("this lobby lists another party's rooms"),
                    None => return Response::new(403).body("only rooms report"),
                };
                match connections(req.body()) {
                    Some(n) => {
                        set_count(room, &caller, n);
                        Response::new(204)
                    }
                    None => Response::new(400).body("expected {\"connections\":N}"),
                }
            }
            _ => Response::new(405).header("allow", "GET, POST"),
        }
    }

    fn on_response(&mut self, room: &Room, call: CallId, answer: Result<Response, CallError>) {
        let id = match self.checking.remove(&call) {
            Some(id) => id,
            None => return,
        };
        match answer {
            Ok(r) if r.status == 200 => {
                if let Some(n) = connections(&r.body) {
                    set_count(room, &id, n);
                }
            }
            // The room's party has no such route (an old version), or is gone: not live here.
            Ok(r) if r.status == 404 => set_count(room, &id, 0),
            Err(e) if e.error == partyhost::Error::NotFound => set_count(room, &id, 0),
            Ok(r) => log(Level::Warn, &format!("lobby: checking {} answered {}", id, r.status)),
            Err(e) => log(Level::Warn, &format!("lobby: checking {} failed: {}", id, e)),
        }
    }
}

partyhost::party!(Lobby);

#[cfg(test)]
mod tests {
    use super::*;
    use partyhost::testing::{CallTarget, TestRequest, TestResponse, TestRoom};
    use partyhost::Error;

    fn report(room: &mut TestRoom<Lobby>, caller: &str, n: u64) -> u16 {
        let body = format!("{{\"connections\":{}}}", n);
        room.request(TestRequest::post("", body.as_str()).header("x-partyhost-caller", caller)).status
    }

    fn listing(room: &mut TestRoom<Lobby>) -> String {
        room.request(TestRequest::get("")).text()
    }

    #[test]
    fn rooms_report_themselves_and_leave_at_zero() {
        let mut lobby = TestRoom::<Lobby>::new("chat");
        assert_eq!(listing(&mut lobby), r#"{"party":"chat","rooms":[]}"#);
        assert_eq!(report(&mut lobby, "chat/general", 2), 204);
        assert_eq!(report(&mut lobby, "chat/alpha", 1), 204);
        assert_eq!(
            listing(&mut lobby),
            r#"{"party":"chat","rooms":[{"id":"alpha","connections":1},{"id":"general","connections":2}]}"#
        );
        assert_eq!(report(&mut lobby, "chat/general", 0), 204);
        assert_eq!(listing(&mut lobby), r#"{"party":"chat","rooms":[{"id":"alpha","connections":1}]}"#);
    }

    #[test]
    fn only_rooms_of_the_listed_party_report() {
        let mut lobby = TestRoom::<Lobby>::new("chat");
        assert_eq!(lobby.request(TestRequest::post("", r#"{"connections":5}"#)).status, 403);
        assert_eq!(report(&mut lobby, "poll/x", 5), 403);
        let bad = lobby.request(TestRequest::post("", "5").header("x-partyhost-caller", "chat/x"));
        assert_eq!(bad.status, 400);
        assert_eq!(listing(&mut lobby), r#"{"party":"chat","rooms":[]}"#);
    }

    #[test]
    fn after_a_restart_the_lobby_asks_every_listed_room_again() {
        let mut lobby = TestRoom::<Lobby>::new("chat");
        report(&mut lobby, "chat/a", 3);
        report(&mut lobby, "chat/b", 1);
        report(&mut lobby, "chat/c", 1);
        lobby.restart();
        assert!(lobby.calls().is_empty(), "nothing is asked before the instance starts");
        listing(&mut lobby); // the first event starts it
        let calls = lobby.calls();
        let asked: Vec<CallTarget> = calls.iter().map(|c| c.to.clone()).collect();
        assert_eq!(
            asked,
            ["a", "b", "c"].iter().map(|r| CallTarget::Room { party: "chat".into(), room: r.to_string() }).collect::<Vec<_>>()
        );
        assert_eq!(calls[0].request.url, "/connections");
        let count = |n: u64| TestResponse { status: 200, headers: vec![], body: format!("{{\"connections\":{}}}", n).into() };
        lobby.answer(calls[0].id, count(0)); // a: everyone left while the host was down
        lobby.answer(calls[1].id, count(2));
        lobby.answer_error(calls[2].id, Error::TimedOut, "no answer"); // c: kept as it was
        assert_eq!(
            listing(&mut lobby),
            r#"{"party":"chat","rooms":[{"id":"b","connections":2},{"id":"c","connections":1}]}"#
        );
        assert_eq!(lobby.take_logs().len(), 1);
    }
}
