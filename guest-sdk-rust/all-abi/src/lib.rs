use partyhost::{CallRequest, Connection, Gate, ListOptions, Message, Party, Request, Response, Room, Verdict};

struct AllAbi;

impl Party for AllAbi {
    fn new(_room: &Room) -> Self {
        AllAbi
    }

    fn on_connect(&mut self, room: &Room, conn: &Connection, _req: &Request) {
        let _ = conn.set_tags(&["a"]);
        let _ = (conn.id(), conn.uri(), conn.tags(), conn.state());
        let _ = conn.set_state(b"s");
        let _ = conn.send(Message::Text("hi"));
        let _ = room.broadcast("all", &[*conn]);
        let _ = (room.id(), room.party(), room.connection("x"), room.connections(Some("a")), room.config("k"));
        let storage = room.storage();
        let _ = storage.put("k", "v");
        let _ = storage.put_many(&[("k", "v"), ("l", "w")]);
        let _ = storage.get("k");
        let _ = storage.get_many(&["k", "l"]);
        let _ = storage.delete("k");
        let _ = storage.delete_many(&["k", "l"]);
        let _ = storage.list(&ListOptions::default());
        let _ = storage.delete_all();
        let _ = (room.set_alarm(0), room.alarm(), room.delete_alarm());
        partyhost::log(partyhost::Level::Info, "all-abi");
        let _ = (partyhost::now_ms(), partyhost::random_u64());
        let _ = room.call_room("chat", "r", &CallRequest::get("/"));
        let _ = room.call_http(&CallRequest::get("https://example.com/"));
        let _ = conn.close(4000, "bye");
    }

    fn on_request(&mut self, _room: &Room, _req: &Request) -> Response {
        Response::text("ok")
    }
}

fn before(gate: &Gate, req: &Request) -> Verdict {
    let _ = (gate.room_id(), gate.party(), gate.config("k"));
    match gate.set_request_header("x-all-abi", req.method()) {
        Ok(()) => Verdict::Pass,
        Err(_) => Verdict::deny(500, "x"),
    }
}

partyhost::party!(AllAbi, before_connect = before, before_request = before);
