//! Calls (ABI v1.4) through the test kit: they leave when their hook returns, a panic drops them,
//! answers run `on_response`, and the calls' checks answer as the spec says.

use partyhost::testing::{CallTarget, TestResponse, TestRoom};
use partyhost::{CallError, CallId, CallRequest, Connection, Error, Message, Party, Response, Room};

/// `ask PARTY ROOM` calls a room, `fetch URL` the web, `ask-then-boom` calls and panics; every
/// answer is told to all connections as `<id> <status> <body>` or `<id> error <why>: <message>`.
struct Asker;

impl Party for Asker {
    fn new(_: &Room) -> Self {
        Asker
    }

    fn on_message(&mut self, room: &Room, conn: &Connection, msg: Message) {
        let text = msg.as_text().unwrap();
        let words: Vec<&str> = text.split(' ').collect();
        let made = match words[0] {
            "ask" => room.call_room(words[1], words[2], &CallRequest::post("/count", "+1")),
            "fetch" => room.call_http(&CallRequest::get(words[1]).header("accept", "text/plain")),
            "ask-then-boom" => {
                room.call_room("", "other", &CallRequest::get("")).unwrap();
                panic!("after the call");
            }
            "bad-url" => room.call_room("", "other", &CallRequest::get("relative")),
            "bad-header" => room.call_room("", "other", &CallRequest::get("/").header("x", "a\r\nb")),
            _ => return,
        };
        let reply = match made {
            Ok(id) => format!("called {}", id.raw()),
            Err(e) => format!("refused {}", e),
        };
        conn.send_text(&reply).unwrap();
    }

    fn on_response(&mut self, room: &Room, call: CallId, answer: Result<Response, CallError>) {
        let line = match answer {
            Ok(r) => format!("{} {} {}", call.raw(), r.status, String::from_utf8_lossy(&r.body)),
            Err(e) => format!("{} error {}", call.raw(), e),
        };
        room.broadcast(line.as_str(), &[]).unwrap();
    }
}

#[test]
fn a_call_leaves_after_its_hook_and_its_answer_runs_on_response() {
    let mut room = TestRoom::<Asker>::new("lobby");
    let alice = room.connect("alice");
    room.send(alice, "ask counter room-7");
    assert_eq!(room.received_text(alice), vec!["called 1"]);
    let calls = room.calls();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].to, CallTarget::Room { party: "counter".into(), room: "room-7".into() });
    assert_eq!((calls[0].request.method.as_str(), calls[0].request.url.as_str()), ("POST", "/count"));
    assert_eq!(calls[0].request.body, b"+1");
    room.answer(calls[0].id, TestResponse { status: 201, headers: vec![], body: b"8".to_vec() });
    assert_eq!(room.received_text(alice), vec!["1 201 8"]);
}

#[test]
fn a_party_name_left_empty_is_the_callers_own() {
    let mut room = TestRoom::<Asker>::new("a").party_name("chat");
    let alice = room.connect("alice");
    room.send(alice, "ask  b"); // party ""
    assert_eq!(room.calls()[0].to, CallTarget::Room { party: "chat".into(), room: "b".into() });
}

#[test]
fn a_panicking_hook_sends_no_call() {
    let mut room = TestRoom::<Asker>::new("lobby");
    let alice = room.connect("alice");
    room.send(alice, "ask-then-boom");
    assert!(room.calls().is_empty());
    assert_eq!(room.take_traps().len(), 1);
}

#[test]
fn failures_are_answers_too() {
    let mut room = TestRoom::<Asker>::new("lobby");
    let alice = room.connect("alice");
    room.send(alice, "ask nowhere r");
    let id = room.calls()[0].id;
    room.received_text(alice);
    room.answer_error(id, Error::NotFound, "no party nowhere");
    assert_eq!(room.received_text(alice), vec!["1 error not found: no party nowhere"]);
}

#[test]
fn calls_are_checked_as_the_spec_says() {
    let mut room = TestRoom::<Asker>::new("lobby").allow_http("example.com");
    let alice = room.connect("alice");
    room.send(alice, "bad-url");
    room.send(alice, "bad-header");
    room.send(alice, "fetch https://evil.example/x");
    room.send(alice, "fetch ftp://example.com/x");
    room.send(alice, "fetch https://example.com/x?y=1");
    assert_eq!(
        room.received_text(alice),
        vec!["refused invalid argument", "refused invalid argument", "refused not allowed", "refused invalid argument", "called 1"]
    );
    let call = &room.calls()[0];
    assert_eq!(call.to, CallTarget::Http);
    assert_eq!(call.request.headers, vec![("accept".to_string(), "text/plain".to_string())]);
}

#[test]
fn calls_in_flight_are_limited_and_an_answer_frees_one() {
    let mut room = TestRoom::<Asker>::new("lobby");
    let alice = room.connect("alice");
    for _ in 0..17 {
        room.send(alice, "ask counter r");
    }
    let replies = room.received_text(alice);
    assert_eq!(replies[15], "called 16");
    assert_eq!(replies[16], "refused too many calls in flight");
    let first = room.calls()[0].id;
    room.answer(first, TestResponse { status: 200, headers: vec![], body: vec![] });
    room.received_text(alice);
    room.send(alice, "ask counter r");
    assert_eq!(room.received_text(alice), vec!["called 17"]); // ids are never reused
}

#[test]
fn a_reset_drops_the_answers_its_instance_awaited() {
    let mut room = TestRoom::<Asker>::new("lobby");
    let alice = room.connect("alice");
    room.send(alice, "ask counter r");
    let id = room.calls()[0].id;
    room.send(alice, "ask-then-boom");
    room.take_traps();
    let answered = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        room.answer(id, TestResponse { status: 200, headers: vec![], body: vec![] })
    }));
    assert!(answered.is_err(), "an answer to a discarded instance's call must not be deliverable");
}
