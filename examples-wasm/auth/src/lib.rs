//! A chat room that lets in only clients with the party's token. Demonstrates the before hooks
//! (ABI v1.2), PartyKit's `onBeforeConnect` / `onBeforeRequest`:
//! - they are plain functions exported with `party!(AuthChat, before_connect = .., before_request = ..)`
//!   and run in the party's gate instance, before a request reaches its room: a refused client
//!   never creates or wakes a room, and a refused WebSocket gets an HTTP 401 instead of the
//!   handshake;
//! - they keep no state (the host creates and drops gate instances as it likes): the token is read
//!   with `config` on every call;
//! - a header set with `Gate::set_request_header` is how the gate tells the room who the client
//!   is. The room can trust `x-user`: the gate sets it on every request it lets through, and the
//!   call replaces any `x-user` header the client sent. (This needs both hooks: with only one, a
//!   client could send its own `x-user` through the other kind of request.)
//!
//! Configuration: the per-party value `token`, e.g. in the host's config file
//! `"vars": {"auth": {"token": "s3cret"}}`. Without it (or with an empty one) every request is
//! refused.
//!
//! Protocol:
//! - WebSocket `/parties/auth/<room>?token=T&user=U` (partysocket: `query: { token, user }`). A
//!   missing or wrong token gets HTTP 401 with a short text body instead of the handshake; a user
//!   name over 64 bytes, or with bytes a header cannot carry (CR, LF, NUL), gets 400. Otherwise
//!   the room greets the connection with `{"type":"welcome","user":U}` (U: the `user` parameter,
//!   or `anonymous`) and relays each text message to every other connection as
//!   `{"type":"message","user":U,"text":T}`. Binary messages are ignored; nothing is stored.
//! - HTTP, any method: the token as `Authorization: Bearer T` or `?token=T`, the user as
//!   `?user=U`; the same 401 and 400, else `{"user":U}`.

use partyhost::{Connection, Gate, Json, Message, Party, Request, Response, Room, Verdict};

/// The header that carries the admitted user from the gate to the room.
const USER_HEADER: &str = "x-user";
const MAX_USER_BYTES: usize = 64;

struct AuthChat;

impl Party for AuthChat {
    fn new(_room: &Room) -> Self {
        AuthChat
    }

    fn on_connect(&mut self, _room: &Room, conn: &Connection, req: &Request) {
        let user = user_of(req);
        // Later hooks do not see the upgrade request: keep the user with the connection.
        let _ = conn.set_state(user.as_bytes());
        let _ = conn.send_text(&Json::object([("type", Json::from("welcome")), ("user", user.into())]).to_string());
    }

    fn on_message(&mut self, room: &Room, conn: &Connection, msg: Message) {
        let text = match msg {
            Message::Text(t) => t,
            Message::Binary(_) => return,
        };
        let user = String::from_utf8_lossy(&conn.state()).into_owned();
        let out = Json::object([("type", Json::from("message")), ("user", user.into()), ("text", text.into())]);
        let _ = room.broadcast(&out.to_string(), &[*conn]);
    }

    fn on_request(&mut self, _room: &Room, req: &Request) -> Response {
        Response::json(Json::object([("user", Json::from(user_of(req)))]).to_string())
    }
}

partyhost::party!(AuthChat, before_connect = before_connect, before_request = before_request);

/// The user the gate admitted (it sets the header on every request it lets through).
fn user_of(req: &Request) -> &str {
    req.header(USER_HEADER).unwrap_or("anonymous")
}

/// WebSocket upgrades: the token comes as a query parameter (browsers cannot set headers there).
fn before_connect(gate: &Gate, req: &Request) -> Verdict {
    admit(gate, req.query_param("token"), req.query_param("user"))
}

/// Other HTTP requests: `Authorization: Bearer <token>`, or the query parameter.
fn before_request(gate: &Gate, req: &Request) -> Verdict {
    let token = bearer_token(req).or_else(|| req.query_param("token"));
    admit(gate, token, req.query_param("user"))
}

/// Lets the request through as its user, with `x-user` set, or refuses it.
fn admit(gate: &Gate, token: Option<String>, user: Option<String>) -> Verdict {
    // Read on every call: a gate instance keeps nothing from one call to the next.
    match check(gate.config("token").as_deref(), token.as_deref(), user) {
        Err(refusal) => refusal,
        Ok(user) => match gate.set_request_header(USER_HEADER, &user) {
            Ok(()) => Verdict::Pass,
            // E.g. a line break in the name. Never pass without setting the header: the room
            // would see whatever x-user the client sent.
            Err(_) => Verdict::deny(400, "bad user name\n"),
        },
    }
}

/// The user to admit (`anonymous` if none is given), or the refusal: 401 unless a token is
/// configured and `given` is that token, 400 for a user name over 64 bytes.
fn check(configured: Option<&str>, given: Option<&str>, user: Option<String>) -> Result<String, Verdict> {
    let valid = match (configured, given) {
        (Some(want), Some(got)) => !want.is_empty() && same(want.as_bytes(), got.as_bytes()),
        _ => false,
    };
    if !valid {
        let refusal = Response::text("missing or wrong token\n").with_status(401);
        return Err(Verdict::Respond(refusal.header("www-authenticate", "Bearer")));
    }
    let user = user.filter(|u| !u.is_empty()).unwrap_or_else(|| "anonymous".into());
    if user.len() > MAX_USER_BYTES {
        return Err(Verdict::deny(400, "user name too long\n"));
    }
    Ok(user)
}

/// Byte equality in a time that depends on the lengths only, not on where the bytes differ.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The token of an `Authorization: Bearer <token>` header (scheme in any case).
fn bearer_token(req: &Request) -> Option<String> {
    let value = req.header("authorization")?.trim();
    let space = value.find(' ')?;
    let (scheme, token) = (&value[..space], value[space..].trim());
    if scheme.eq_ignore_ascii_case("bearer") && !token.is_empty() { Some(token.to_string()) } else { None }
}

#[cfg(test)]
mod tests {
    use super::*;
    use partyhost::encode_list;
    use partyhost::testing::{TestRequest, TestRoom};

    /// The party with its before hooks under the SDK's test kit.
    #[test]
    fn only_clients_with_the_token_get_in_as_the_user_the_gate_names() {
        let room = TestRoom::<AuthChat>::new("r").config("token", "s3cret");
        let mut room = room.before_connect(before_connect).before_request(before_request);
        let refused = room.try_connect("x", TestRequest::get("?token=wrong")).unwrap_err();
        assert_eq!((refused.status, refused.header("www-authenticate")), (401, Some("Bearer")));
        let alice = room.try_connect("a", TestRequest::get("?token=s3cret&user=alice").header("x-user", "root")).unwrap();
        let anon = room.try_connect("b", TestRequest::get("?token=s3cret")).unwrap();
        assert_eq!(room.received_text(alice), [r#"{"type":"welcome","user":"alice"}"#]);
        room.received(anon);
        room.send(alice, "hi");
        assert_eq!(room.received_text(anon), [r#"{"type":"message","user":"alice","text":"hi"}"#]);
        let forged = TestRequest::get("?user=bob").header("authorization", "Bearer s3cret").header("x-user", "root");
        assert_eq!(room.request(forged).text(), r#"{"user":"bob"}"#);
        assert_eq!(room.request(TestRequest::get("?user=bob")).status, 401);
        assert_eq!(room.starts(), 1);
    }

    fn request(url: &str, headers: &[&str]) -> Request {
        let mut items = vec!["GET", url, ""];
        items.extend_from_slice(headers);
        Request::from_record(&encode_list(items.iter())).unwrap()
    }

    #[test]
    fn bearer_tokens() {
        let url = "http://h/parties/auth/r";
        assert_eq!(bearer_token(&request(url, &["authorization", "Bearer s3cret"])).as_deref(), Some("s3cret"));
        assert_eq!(bearer_token(&request(url, &["authorization", "bearer   s3cret "])).as_deref(), Some("s3cret"));
        assert_eq!(bearer_token(&request(url, &["authorization", "Basic czNjcmV0"])), None);
        assert_eq!(bearer_token(&request(url, &["authorization", "Bearer"])), None);
        assert_eq!(bearer_token(&request(url, &["authorization", "Bearer "])), None);
        assert_eq!(bearer_token(&request(url, &[])), None);
    }

    #[test]
    fn token_comparison() {
        assert!(same(b"s3cret", b"s3cret"));
        assert!(!same(b"s3cret", b"s3creT"));
        assert!(!same(b"s3cret", b"s3cre"));
        assert!(same(b"", b""));
    }

    #[test]
    fn checks() {
        let status = |r: Result<String, Verdict>| match r {
            Ok(user) => Ok(user),
            Err(Verdict::Respond(resp)) => Err(resp.status),
            Err(Verdict::Pass) => unreachable!(),
        };
        let user = |u: &str| Some(u.to_string());
        // No token configured (or an empty one): everyone is refused.
        assert_eq!(status(check(None, Some("s3cret"), None)), Err(401));
        assert_eq!(status(check(Some(""), Some(""), None)), Err(401));
        assert_eq!(status(check(Some("s3cret"), None, None)), Err(401));
        assert_eq!(status(check(Some("s3cret"), Some("s3creT"), None)), Err(401));
        assert_eq!(status(check(Some("s3cret"), Some("s3cret"), None)), Ok("anonymous".into()));
        assert_eq!(status(check(Some("s3cret"), Some("s3cret"), user(""))), Ok("anonymous".into()));
        assert_eq!(status(check(Some("s3cret"), Some("s3cret"), user("alice"))), Ok("alice".into()));
        assert_eq!(status(check(Some("s3cret"), Some("s3cret"), user(&"a".repeat(64)))), Ok("a".repeat(64)));
        assert_eq!(status(check(Some("s3cret"), Some("s3cret"), user(&"a".repeat(65)))), Err(400));
        match check(None, None, None) {
            Err(Verdict::Respond(r)) => {
                assert_eq!(r.body, b"missing or wrong token\n");
                assert!(r.headers.contains(&("www-authenticate".into(), "Bearer".into())));
            }
            _ => panic!("not refused"),
        }
    }

    #[test]
    fn the_room_reads_the_user_header() {
        assert_eq!(user_of(&request("http://h/", &["x-user", "alice"])), "alice");
        assert_eq!(user_of(&request("http://h/", &[])), "anonymous");
    }

    #[test]
    fn json_strings() {
        let welcome = |user: &str| Json::object([("type", Json::from("welcome")), ("user", user.into())]).to_string();
        assert_eq!(welcome("alice"), r#"{"type":"welcome","user":"alice"}"#);
        assert_eq!(welcome("a\"b\\c\n\u{1}é"), "{\"type\":\"welcome\",\"user\":\"a\\\"b\\\\c\\n\\u0001é\"}");
    }
}
