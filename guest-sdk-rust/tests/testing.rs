//! The test kit (`partyhost::testing`) against the ABI's rules, with a party that uses every kind of
//! host call.

use partyhost::testing::{Frame, TestRequest, TestRoom};
use partyhost::{Connection, Error, Gate, Level, ListOptions, Message, Party, Request, Response, Room, Verdict};

/// Commands by text message: `say X` (broadcast to the others), `store K V`, `alarm MS`, `boom`
/// (store then panic), `close`, `state X`, `tag`, `big`; keeps a count of `on_start`s in storage.
struct Probe {
    started: u64,
}

impl Party for Probe {
    fn new(room: &Room) -> Self {
        let storage = room.storage();
        let started = storage.get("starts").unwrap().map_or(0, |v| String::from_utf8(v).unwrap().parse().unwrap()) + 1;
        storage.put("starts", started.to_string()).unwrap();
        Probe { started }
    }

    fn on_connect(&mut self, room: &Room, conn: &Connection, req: &Request) {
        if req.query_param("reject").is_some() {
            conn.close(4001, "rejected").unwrap();
            return;
        }
        if let Some(user) = req.header("x-user") {
            conn.set_tags(&[user]).unwrap();
        }
        let hello = format!("hello {} in {}/{} (start {})", conn.id(), room.party(), room.id(), self.started);
        conn.send_text(&hello).unwrap();
    }

    fn on_message(&mut self, room: &Room, conn: &Connection, msg: Message) {
        let text = match msg {
            Message::Text(t) => t,
            Message::Binary(b) => {
                conn.send_binary(&b.iter().rev().copied().collect::<Vec<u8>>()).unwrap();
                return;
            }
        };
        let (cmd, arg) = text.split_once(' ').unwrap_or((text, ""));
        match cmd {
            "say" => {
                let n = room.broadcast(arg, &[*conn]).unwrap();
                conn.send_text(&format!("said to {}", n)).unwrap();
            }
            "store" => {
                let (k, v) = arg.split_once(' ').unwrap();
                room.storage().put(k, v).unwrap();
            }
            "alarm" => room.set_alarm(partyhost::now_ms() + arg.parse::<i64>().unwrap()).unwrap(),
            "boom" => {
                room.storage().put("lost", "yes").unwrap();
                conn.send_text("never seen").unwrap();
                panic!("boom");
            }
            "close" => conn.close(1000, "bye").unwrap(),
            "state" => conn.set_state(arg.as_bytes()).unwrap(),
            "tag" => assert_eq!(conn.set_tags(&["late"]), Err(Error::WrongHook)),
            "big" => assert_eq!(conn.send_text(&"x".repeat((1 << 20) + 1)), Err(Error::TooLarge)),
            "tagged" => {
                let n = room.connections(Some(arg)).len();
                conn.send_text(&n.to_string()).unwrap();
            }
            "random" => {
                let mut b = [0u8; 4];
                partyhost::random_fill(&mut b).unwrap();
                conn.send_binary(&b).unwrap();
            }
            _ => partyhost::log(Level::Warn, &format!("unknown command {}", cmd)),
        }
    }

    fn on_close(&mut self, room: &Room, conn: &Connection, code: u16, reason: &str) {
        assert_eq!(conn.send_text("x"), Err(Error::Closed));
        let line = format!("{} left with {} {} (state {:?})", conn.id(), code, reason, String::from_utf8_lossy(&conn.state()));
        let _ = room.broadcast(line.as_str(), &[]);
    }

    fn on_request(&mut self, room: &Room, req: &Request) -> Response {
        let keys = room.storage().list(&ListOptions::default()).unwrap().len();
        let who = req.header("x-user").unwrap_or("nobody");
        Response::text(format!("{} {} {} keys, user {}", req.method(), req.path(), keys, who)).header("x-probe", "1")
    }

    fn on_alarm(&mut self, room: &Room) {
        let fired = room.storage().get("fired").unwrap().map_or(0, |v| v[0]) + 1;
        room.storage().put("fired", [fired]).unwrap();
        if room.storage().get("fail-alarm").unwrap().is_some() {
            panic!("alarm failed");
        }
        let _ = room.broadcast("alarm", &[]);
    }
}

fn gate(g: &Gate, req: &Request) -> Verdict {
    match req.query_param("token").as_deref() {
        Some("good") => {
            g.set_request_header("x-user", "alice").unwrap();
            Verdict::Pass
        }
        _ => Verdict::deny(401, "bad token"),
    }
}

#[test]
fn connections_messages_and_broadcasts() {
    let mut room = TestRoom::<Probe>::new("r1").party_name("probe");
    let a = room.connect("a");
    let b = room.connect("b");
    assert_eq!(room.received_text(a), ["hello a in probe/r1 (start 1)"]);
    room.send(a, "say hi");
    assert_eq!(room.received_text(a), ["said to 1"]);
    assert_eq!(room.received(b), [Frame::Text("hello b in probe/r1 (start 1)".into()), Frame::Text("hi".into())]);
    room.send(b, &[1u8, 2, 3][..]);
    assert_eq!(room.received(b), [Frame::Binary(vec![3, 2, 1])]);
    room.send(a, "big");
    room.send(a, "unknown");
    assert_eq!(room.take_logs(), [(Level::Warn, "unknown command unknown".to_string())]);
    assert_eq!(room.starts(), 1);
}

#[test]
fn closes_from_either_side_run_on_close() {
    let mut room = TestRoom::<Probe>::new("r");
    let a = room.connect("a");
    let b = room.connect("b");
    room.send(a, "state away");
    room.send(a, "close");
    assert_eq!(room.closed(a), Some((1000, "bye")));
    assert!(!room.is_open(a));
    assert_eq!(room.received_text(b)[1], "a left with 1000 bye (state \"away\")");
    room.close(b, 4000, "done");
    assert_eq!(room.closed(b), Some((4000, "done")));
    let c = room.connect("c?reject=1"); // the id is taken as given
    assert_eq!(room.closed(c), None); // a query in the id is not the URL's
    let d = room.try_connect("d", TestRequest::get("?reject=1")).unwrap();
    assert_eq!(room.closed(d), Some((4001, "rejected")));
    assert!(room.received(d).is_empty());
}

#[test]
fn a_panic_drops_the_hooks_writes_and_output_and_resets_the_room() {
    let mut room = TestRoom::<Probe>::new("r");
    let a = room.connect("a");
    let b = room.connect("b");
    room.send(a, "store k v");
    room.send(a, "boom");
    assert_eq!(room.take_traps(), ["boom"]);
    assert_eq!(room.closed(a), Some((1011, "room reset")));
    assert_eq!(room.closed(b), Some((1011, "room reset")));
    assert_eq!(room.get("k"), Some(&b"v"[..]));
    assert_eq!(room.get("lost"), None);
    assert!(!room.received_text(a).iter().any(|t| t == "never seen"));
    let c = room.connect("c");
    assert_eq!(room.received_text(c), ["hello c in test/r (start 2)"]);
    assert_eq!(room.starts(), 2);
}

#[test]
#[should_panic(expected = "did not look")]
fn an_unread_trap_fails_the_test() {
    let mut room = TestRoom::<Probe>::new("r");
    let a = room.connect("a");
    room.send(a, "boom");
}

#[test]
fn hibernation_keeps_connections_and_a_restart_does_not() {
    let mut room = TestRoom::<Probe>::new("r");
    let a = room.connect("a");
    room.hibernate();
    room.send(a, "say x"); // wakes the room: a new value first
    assert_eq!(room.starts(), 2);
    assert_eq!(room.get("starts"), Some(&b"2"[..]));
    assert!(room.is_open(a));
    room.restart();
    assert_eq!(room.closed(a), Some((1006, "")));
    let b = room.connect("b");
    assert_eq!(room.received_text(b), ["hello b in test/r (start 3)"]);
}

#[test]
fn alarms_fire_as_the_clock_moves_and_retry_after_a_panic() {
    let mut room = TestRoom::<Probe>::new("r");
    let a = room.connect("a");
    let t0 = room.now();
    room.send(a, "alarm 1000");
    assert_eq!(room.alarm(), Some(t0 + 1000));
    room.advance(999);
    assert_eq!(room.get("fired"), None);
    room.advance(1);
    assert_eq!(room.get("fired"), Some(&[1u8][..]));
    assert_eq!(room.alarm(), None);
    assert_eq!(room.received_text(a).last().map(String::as_str), Some("alarm"));
    // Asleep, the alarm wakes the room.
    room.send(a, "alarm 10");
    room.send(a, "store fail-alarm 1");
    room.hibernate();
    room.advance(10);
    assert_eq!(room.take_traps(), ["alarm failed"]);
    assert_eq!(room.alarm(), Some(room.now() + 2000)); // retried in 2 s
    assert_eq!(room.get("fired"), Some(&[1u8][..])); // the failed hook wrote nothing
    room.advance(2000 + 4000 + 8000 + 16000 + 32000 + 64000);
    assert_eq!(room.take_traps().len(), 6);
    assert_eq!(room.alarm(), None); // then dropped
}

#[test]
fn requests_and_before_hooks() {
    let mut room = TestRoom::<Probe>::new("r").before_connect(gate).before_request(gate);
    let r = room.request(TestRequest::get("/sub?token=good").header("X-User", "mallory"));
    assert_eq!((r.status, r.text().as_str()), (200, "GET /parties/test/r/sub 1 keys, user alice"));
    assert_eq!(r.header("X-Probe"), Some("1"));
    let refused = room.request(TestRequest::post("", "x"));
    assert_eq!((refused.status, refused.text().as_str()), (401, "bad token"));
    assert_eq!(room.try_connect("a", TestRequest::get("")).unwrap_err().status, 401);
    let a = room.try_connect("a", TestRequest::get("?token=good")).unwrap();
    assert_eq!(room.tags(a), ["alice"]);
    room.send(a, "tag");
    room.send(a, "tagged alice");
    assert_eq!(room.received_text(a).last().map(String::as_str), Some("1"));
    assert!(room.take_traps().is_empty());
}

#[test]
fn storage_limits_and_deterministic_randomness() {
    struct Limits;
    impl Party for Limits {
        fn new(room: &Room) -> Self {
            let s = room.storage();
            assert_eq!(s.put("", "v"), Err(Error::Invalid));
            assert_eq!(s.put("k".repeat(2049), "v"), Err(Error::TooLarge));
            assert_eq!(s.put("big", vec![0u8; 60]), Err(Error::QuotaExceeded));
            assert_eq!(s.put_many(&[("a", "1"), ("b", "2")]), Ok(()));
            assert_eq!(s.delete_many(&["a", "a", "zz"]), Ok(1));
            let opts = ListOptions { prefix: b"", reverse: true, ..Default::default() };
            assert_eq!(s.list(&opts).unwrap(), [(b"pre".to_vec(), b"set".to_vec()), (b"b".to_vec(), b"2".to_vec())]);
            Limits
        }
    }
    let mut room = TestRoom::<Limits>::new("r").stored("pre", "set").storage_quota(64);
    let a = room.connect("a");
    assert!(room.is_open(a));
    assert!(room.take_traps().is_empty());

    let mut one = TestRoom::<Probe>::new("r").seed(7);
    let mut two = TestRoom::<Probe>::new("r").seed(7);
    let (x, y) = (one.connect("a"), two.connect("a"));
    one.send(x, "random");
    two.send(y, "random");
    assert_eq!(one.received(x), two.received(y));
}
