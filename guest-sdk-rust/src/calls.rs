//! Calls to other rooms and to the web (ABI v1.4): [`Room::call_room`](crate::Room::call_room) and
//! [`Room::call_http`](crate::Room::call_http) send a [`CallRequest`] after the hook; the answer
//! comes later to [`Party::on_response`](crate::Party::on_response) with the call's [`CallId`].

use std::fmt;

use crate::codec;
use crate::http::Response;
use crate::Error;

/// Names one call of this room: what [`Room::call_room`](crate::Room::call_room) returned, and
/// what [`Party::on_response`](crate::Party::on_response) gets back. Never reused by the room.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CallId(i32);

impl CallId {
    /// The call with this raw ABI id.
    pub const fn from_raw(id: i32) -> CallId {
        CallId(id)
    }

    /// The raw ABI id (> 0).
    pub const fn raw(&self) -> i32 {
        self.0
    }
}

/// An HTTP-shaped request for another room (`url`: empty or a path below the room, `/stats?x=1`)
/// or for the web (`url`: absolute `http(s)://`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallRequest {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl CallRequest {
    /// A request with this method and URL, no headers, no body.
    pub fn new(method: impl Into<String>, url: impl Into<String>) -> CallRequest {
        CallRequest { method: method.into(), url: url.into(), headers: Vec::new(), body: Vec::new() }
    }

    /// `GET url`.
    pub fn get(url: impl Into<String>) -> CallRequest {
        CallRequest::new("GET", url)
    }

    /// `POST url` with this body.
    pub fn post(url: impl Into<String>, body: impl Into<Vec<u8>>) -> CallRequest {
        CallRequest::new("POST", url).body(body)
    }

    /// Adds a header (an HTTP token for the name; no CR, LF or NUL in the value, or the call is
    /// refused with [`Error::Invalid`]).
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> CallRequest {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Replaces the body.
    pub fn body(mut self, body: impl Into<Vec<u8>>) -> CallRequest {
        self.body = body.into();
        self
    }

    /// The ABI's call request: `[method, url, body, name1, value1, ...]`.
    pub fn encode(&self) -> Vec<u8> {
        let head: [&[u8]; 3] = [self.method.as_bytes(), self.url.as_bytes(), &self.body];
        let items = head
            .into_iter()
            .chain(self.headers.iter().flat_map(|(n, v)| [n.as_bytes(), v.as_bytes()]));
        codec::encode_list(items)
    }
}

/// A call that ended without a response: why ([`Error::NotFound`], [`Error::TooLarge`],
/// [`Error::NotAllowed`], [`Error::TimedOut`] or [`Error::Failed`]) and the host's words for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallError {
    pub error: Error,
    pub message: String,
}

impl fmt::Display for CallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.error, self.message)
    }
}

impl std::error::Error for CallError {}

/// The answer of `on_response`: a response (status 100-599 and the record `[body, name1, value1,
/// ...]`), or a failure (a negative status and the record `[message]`). A malformed record is a
/// failure too.
pub(crate) fn answer(status: i32, record: &[u8]) -> Result<Response, CallError> {
    let items = match codec::decode_list(record) {
        Ok(items) if !items.is_empty() && (status < 0 || items.len() % 2 == 1) => items,
        _ => {
            return Err(CallError { error: Error::Invalid, message: "malformed response record".into() })
        }
    };
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    if status < 0 {
        return Err(CallError { error: Error::from_code(status), message: text(items[0]) });
    }
    Ok(Response {
        status: status as u16,
        headers: items[1..].chunks_exact(2).map(|p| (text(p[0]), text(p[1]))).collect(),
        body: items[0].to_vec(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_encode_as_the_abi_says() {
        let req = CallRequest::post("/join", "{}").header("content-type", "application/json");
        let enc = req.encode();
        let items = codec::decode_list(&enc).unwrap();
        assert_eq!(items, vec![&b"POST"[..], b"/join", b"{}", b"content-type", b"application/json"]);
        assert_eq!(codec::decode_list(&CallRequest::get("").encode()).unwrap(), vec![&b"GET"[..], b"", b""]);
    }

    #[test]
    fn answers_decode_into_responses_or_errors() {
        let ok = answer(201, &codec::encode_list(["made", "x-a", "1"].iter())).unwrap();
        assert_eq!((ok.status, ok.body.as_slice()), (201, &b"made"[..]));
        assert_eq!(ok.headers, vec![("x-a".to_string(), "1".to_string())]);
        let failed = answer(-12, &codec::encode_list(["no answer in 10000 ms"].iter())).unwrap_err();
        assert_eq!(failed.error, Error::TimedOut);
        assert_eq!(failed.to_string(), "timed out: no answer in 10000 ms");
        // An even item count (a header without its value) or no body at all is malformed.
        assert_eq!(answer(200, &codec::encode_list(["b", "x-a"].iter())).unwrap_err().error, Error::Invalid);
        assert_eq!(answer(200, &[]).unwrap_err().error, Error::Invalid);
    }
}
