//! Live cursors: everyone in a room sees everyone else's pointer, name and colour. Presence is
//! ephemeral, so nothing is stored: each person lives in their connection's state (kept by the
//! host across hibernation), which makes the open connections the whole truth of the room.
//!
//! Protocol (text frames, JSON; coordinates are fractions of the page, 0 to 1):
//! - Connect with `?name=NAME&color=%23RRGGBB` (a name of at most 32 characters, trimmed; else
//!   "guest" and a grey). The newcomer gets `{"type":"sync","you":ID,"users":[USER,...]}` with
//!   everyone else, and everyone else gets `{"type":"join",...USER}`.
//!   USER: `{"id":ID,"name":N,"color":C,"x":X,"y":Y}` (x and y null while the pointer is away).
//! - `{"type":"move","x":X,"y":Y}` moves your pointer: others get `{"type":"move","id":ID,"x":X,"y":Y}`.
//! - `{"type":"hide"}` (the pointer left the page): others get `{"type":"move","id":ID,"x":null,"y":null}`.
//! - `{"type":"hello","name":N,"color":C}` renames you: others get `{"type":"join",...USER}` again.
//! - A closed connection: others get `{"type":"leave","id":ID}`.
//!
//! Anything else (binary, malformed, out of range) is ignored: a bad client cannot break the room.

use partyhost::{Connection, Json, Message, Party, Request, Room};

const MAX_NAME_CHARS: usize = 32;
const DEFAULT_COLOR: &str = "#64748b";

/// One person: what their connection's state holds, as JSON.
#[derive(Debug, PartialEq)]
struct User {
    name: String,
    color: String,
    pos: Option<(f64, f64)>,
}

impl User {
    fn new(name: Option<&str>, color: Option<&str>) -> User {
        User { name: clean_name(name), color: clean_color(color), pos: None }
    }

    fn load(conn: &Connection) -> User {
        let state = Json::parse_bytes(&conn.state()).unwrap_or(Json::Null);
        let pos = match (state.get("x").and_then(Json::as_f64), state.get("y").and_then(Json::as_f64)) {
            (Some(x), Some(y)) => Some((x, y)),
            _ => None,
        };
        let mut user = User::new(state.get("name").and_then(Json::as_str), state.get("color").and_then(Json::as_str));
        user.pos = pos;
        user
    }

    fn save(&self, conn: &Connection) {
        let (x, y) = coords(self.pos);
        let state = Json::object([("name", Json::from(&self.name)), ("color", Json::from(&self.color)), ("x", x), ("y", y)]);
        let _ = conn.set_state(state.to_string().as_bytes());
    }

    /// `{"id":..,"name":..,"color":..,"x":..,"y":..}`, with `type` first when given.
    fn to_json(&self, kind: Option<&str>, id: &str) -> Json {
        let (x, y) = coords(self.pos);
        let mut fields = Vec::with_capacity(6);
        if let Some(kind) = kind {
            fields.push(("type", Json::from(kind)));
        }
        fields.extend(vec![("id", Json::from(id)), ("name", Json::from(&self.name)), ("color", Json::from(&self.color)), ("x", x), ("y", y)]);
        Json::object(fields)
    }
}

fn coords(pos: Option<(f64, f64)>) -> (Json, Json) {
    match pos {
        Some((x, y)) => (Json::Number(x), Json::Number(y)),
        None => (Json::Null, Json::Null),
    }
}

fn clean_name(name: Option<&str>) -> String {
    let name: String = name.unwrap_or("").trim().chars().filter(|c| !c.is_control()).take(MAX_NAME_CHARS).collect();
    if name.is_empty() {
        "guest".to_string()
    } else {
        name
    }
}

/// `#rrggbb` only: the colour lands in other people's pages, so nothing else gets through.
fn clean_color(color: Option<&str>) -> String {
    match color {
        Some(c) if c.len() == 7 && c.starts_with('#') && c[1..].chars().all(|ch| ch.is_ascii_hexdigit()) => c.to_ascii_lowercase(),
        _ => DEFAULT_COLOR.to_string(),
    }
}

/// A coordinate of a move: a finite fraction of the page (a little outside is clamped).
fn fraction(v: Option<&Json>) -> Option<f64> {
    let v = v.and_then(Json::as_f64)?;
    if v.is_finite() {
        Some(v.max(0.0).min(1.0))
    } else {
        None
    }
}

/// What a client's message asks for, if it is one of ours.
#[derive(Debug, PartialEq)]
enum Command {
    Move(f64, f64),
    Hide,
    Hello(Option<String>, Option<String>),
}

fn parse(text: &str) -> Option<Command> {
    let msg = Json::parse(text).ok()?;
    match msg.get("type").and_then(Json::as_str)? {
        "move" => Some(Command::Move(fraction(msg.get("x"))?, fraction(msg.get("y"))?)),
        "hide" => Some(Command::Hide),
        "hello" => Some(Command::Hello(msg.get("name").and_then(Json::as_str).map(String::from), msg.get("color").and_then(Json::as_str).map(String::from))),
        _ => None,
    }
}

struct Cursors;

impl Party for Cursors {
    fn new(_room: &Room) -> Self {
        Cursors
    }

    fn on_connect(&mut self, room: &Room, conn: &Connection, req: &Request) {
        let user = User::new(req.query_param("name").as_deref(), req.query_param("color").as_deref());
        user.save(conn);
        let me = conn.id();
        let others: Vec<Json> = room.connections(None).iter().filter(|c| c.handle() != conn.handle()).map(|c| User::load(c).to_json(None, &c.id())).collect();
        let sync = Json::object([("type", Json::from("sync")), ("you", Json::from(&me)), ("users", Json::array(others))]);
        let _ = conn.send_text(&sync.to_string());
        let _ = room.broadcast(&user.to_json(Some("join"), &me).to_string(), &[*conn]);
    }

    fn on_message(&mut self, room: &Room, conn: &Connection, msg: Message) {
        let command = match msg {
            Message::Text(text) => parse(text),
            Message::Binary(_) => None,
        };
        let mut user = User::load(conn);
        let id = conn.id();
        let out = match command {
            Some(Command::Move(x, y)) => {
                user.pos = Some((x, y));
                Json::object([("type", Json::from("move")), ("id", Json::from(&id)), ("x", Json::Number(x)), ("y", Json::Number(y))])
            }
            Some(Command::Hide) => {
                user.pos = None;
                Json::object([("type", Json::from("move")), ("id", Json::from(&id)), ("x", Json::Null), ("y", Json::Null)])
            }
            Some(Command::Hello(name, color)) => {
                user.name = clean_name(name.as_deref());
                user.color = clean_color(color.as_deref());
                user.to_json(Some("join"), &id)
            }
            None => return,
        };
        user.save(conn);
        let _ = room.broadcast(&out.to_string(), &[*conn]);
    }

    fn on_close(&mut self, room: &Room, conn: &Connection, _code: u16, _reason: &str) {
        let leave = Json::object([("type", Json::from("leave")), ("id", Json::from(&conn.id()))]);
        let _ = room.broadcast(&leave.to_string(), &[*conn]);
    }
}

partyhost::party!(Cursors);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_colors_are_cleaned() {
        assert_eq!(clean_name(Some("  Ada \n")), "Ada");
        assert_eq!(clean_name(Some("   ")), "guest");
        assert_eq!(clean_name(None), "guest");
        assert_eq!(clean_name(Some(&"é".repeat(40))).chars().count(), MAX_NAME_CHARS);
        assert_eq!(clean_color(Some("#A1B2C3")), "#a1b2c3");
        assert_eq!(clean_color(Some("red")), DEFAULT_COLOR);
        assert_eq!(clean_color(Some("#12345g")), DEFAULT_COLOR);
        assert_eq!(clean_color(Some("#1234567")), DEFAULT_COLOR);
        assert_eq!(clean_color(Some("\"><img")), DEFAULT_COLOR);
    }

    #[test]
    fn commands() {
        assert_eq!(parse(r#"{"type":"move","x":0.25,"y":1.5}"#), Some(Command::Move(0.25, 1.0)));
        assert_eq!(parse(r#"{"type":"move","x":-3,"y":0}"#), Some(Command::Move(0.0, 0.0)));
        assert_eq!(parse(r#"{"type":"move","x":"1","y":0}"#), None);
        assert_eq!(parse(r#"{"type":"move","x":1}"#), None);
        assert_eq!(parse(r#"{"type":"hide"}"#), Some(Command::Hide));
        assert_eq!(parse(r#"{"type":"hello","name":"Bo"}"#), Some(Command::Hello(Some("Bo".into()), None)));
        assert_eq!(parse(r#"{"type":"dance"}"#), None);
        assert_eq!(parse("not json"), None);
    }

    /// The party under the SDK's test kit: positions live in connection state, so a newcomer
    /// sees them after the room hibernated.
    #[test]
    fn joins_moves_and_leaves_reach_the_others() {
        use partyhost::testing::{TestRequest, TestRoom};
        let mut room = TestRoom::<Cursors>::new("page");
        let ada = room.try_connect("a", TestRequest::get("?name=Ada&color=%23ff0000")).unwrap();
        assert_eq!(room.received_text(ada), [r#"{"type":"sync","you":"a","users":[]}"#]);
        let bob = room.connect("b");
        assert_eq!(room.received_text(ada), [r##"{"type":"join","id":"b","name":"guest","color":"#64748b","x":null,"y":null}"##]);
        room.received(bob);
        room.send(ada, r#"{"type":"move","x":0.5,"y":0.25}"#);
        assert_eq!(room.received_text(bob), [r#"{"type":"move","id":"a","x":0.5,"y":0.25}"#]);
        room.send(ada, "not json");
        assert!(room.received(bob).is_empty());
        room.hibernate();
        let cy = room.connect("c");
        let sync = room.received_text(cy).remove(0);
        assert!(sync.contains(r##""id":"a","name":"Ada","color":"#ff0000","x":0.5,"y":0.25"##), "{}", sync);
        room.close(ada, 1000, "");
        assert_eq!(room.received_text(bob).last().unwrap(), r#"{"type":"leave","id":"a"}"#);
    }

    #[test]
    fn user_json() {
        let mut user = User::new(Some("Ada"), Some("#ff0000"));
        assert_eq!(user.to_json(Some("join"), "a").to_string(), r##"{"type":"join","id":"a","name":"Ada","color":"#ff0000","x":null,"y":null}"##);
        user.pos = Some((0.5, 0.25));
        assert_eq!(user.to_json(None, "a").to_string(), r##"{"id":"a","name":"Ada","color":"#ff0000","x":0.5,"y":0.25}"##);
    }
}
