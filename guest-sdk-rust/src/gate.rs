//! Before hooks (ABI v1.2, section 6): decide about a request before it reaches its room.

use crate::rt::check;
use crate::sys::{self, len, ptr};
use crate::{Error, Response, Room};

/// What a before hook can use besides its [`Request`](crate::Request). A before hook runs in a
/// *gate instance* of the party, which belongs to no room, before the request reaches its room:
/// there are no connections, storage or alarm here, only the room id, the party's configuration
/// and [`set_request_header`](Gate::set_request_header). ([`log`](crate::log),
/// [`now_ms`](crate::now_ms) and [`random_fill`](crate::random_fill) work too.)
///
/// The host creates and discards gate instances as it likes, so before hooks must be stateless:
/// nothing kept in a `static` is guaranteed to be there in the next call.
#[derive(Clone, Copy, Debug)]
pub struct Gate {
    _private: (),
}

impl Gate {
    pub(crate) const fn new() -> Gate {
        Gate { _private: () }
    }

    /// The id of the room the request is for.
    pub fn room_id(&self) -> String {
        ROOM.id()
    }

    /// The party's name (the resolved name, never the alias `main`).
    pub fn party(&self) -> String {
        ROOM.party()
    }

    /// A per-party configuration value set by the operator, as text (lossy if not UTF-8).
    pub fn config(&self, key: &str) -> Option<String> {
        ROOM.config(key)
    }

    /// A per-party configuration value as bytes.
    pub fn config_bytes(&self, key: &str) -> Option<Vec<u8>> {
        ROOM.config_bytes(key)
    }

    /// Sets a header of the request the room will see if the hook returns [`Verdict::Pass`]
    /// (in [`Request::header`](crate::Request::header) of `on_connect` / `on_request`). The name
    /// is lower-cased, and every header of that name, sent by the client or set before, is
    /// replaced: a room can trust a header its gate always sets. The name is 1 to 256 bytes of
    /// token characters (ASCII letters, digits and ``!#$%&'*+-.^_`|~``), the value up to 8 KiB without CR, LF or
    /// NUL ([`Error::Invalid`] / [`Error::TooLarge`] otherwise); at most 64 calls per hook.
    pub fn set_request_header(&self, name: &str, value: &str) -> Result<(), Error> {
        check(unsafe {
            sys::request_set_header(ptr(name.as_ptr()), len(name.len()), ptr(value.as_ptr()), len(value.len()))
        })
        .map(drop)
    }
}

/// The room-less calls are the same host calls as [`Room`]'s.
const ROOM: Room = Room::new();

/// The decision of a before hook.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Let the request go on to its room, with the headers set by
    /// [`Gate::set_request_header`].
    Pass,
    /// Answer the client with this response instead; the request never reaches the room. For a
    /// WebSocket, the response replaces the handshake (the socket does not open).
    Respond(Response),
}

impl Verdict {
    /// Refuses the request with `status` and a plain-text body: `Verdict::deny(401, "bad token")`.
    pub fn deny(status: u16, text: &str) -> Verdict {
        Verdict::Respond(Response::text(text).with_status(status))
    }
}

impl From<Response> for Verdict {
    fn from(r: Response) -> Verdict {
        Verdict::Respond(r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deny_is_a_text_response() {
        let v = Verdict::deny(401, "no");
        assert_eq!(v, Verdict::Respond(Response::new(401).header("content-type", "text/plain; charset=utf-8").body("no")));
        assert_eq!(Verdict::from(Response::new(403)), Verdict::Respond(Response::new(403)));
    }

    #[test]
    fn host_errors_reach_the_caller() {
        // Off wasm32 every host call answers NOT_IMPLEMENTED (see `sys`).
        let gate = Gate::new();
        assert_eq!(gate.set_request_header("x-user", "alice"), Err(Error::NotImplemented));
        assert_eq!((gate.room_id(), gate.party()), (String::new(), String::new()));
        assert_eq!(gate.config("token"), None);
        assert_eq!(gate.config_bytes("token"), None);
    }
}
