//! Request records (ABI v1, section 5) and HTTP responses.

use crate::codec;
use crate::Error;

/// An HTTP request: the upgrade request of a WebSocket connection (`on_connect`) or a plain HTTP
/// request to the room (`on_request`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    method: String,
    url: String,
    body: Vec<u8>,
    headers: Vec<(String, String)>,
}

impl Request {
    /// Parses a request record `[method, url, body, name1, value1, ...]`. Text that is not UTF-8
    /// is decoded lossily; a malformed list or an even item count is `Invalid`.
    pub fn from_record(record: &[u8]) -> Result<Request, Error> {
        let items = codec::decode_list(record)?;
        if items.len() < 3 || items.len() % 2 == 0 {
            return Err(Error::Invalid);
        }
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        Ok(Request {
            method: text(items[0]),
            url: text(items[1]),
            body: items[2].to_vec(),
            headers: items[3..].chunks_exact(2).map(|p| (text(p[0]), text(p[1]))).collect(),
        })
    }

    /// The method, upper case (`GET`).
    pub fn method(&self) -> &str {
        &self.method
    }

    /// The absolute URL the client asked for (`http://host/parties/chat/room-1/sub?x=1`).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The path of the URL (`/parties/chat/room-1/sub`), without query or fragment.
    pub fn path(&self) -> &str {
        let after_scheme = match self.url.find("://") {
            Some(i) => &self.url[i + 3..],
            None => &self.url[..],
        };
        let path = match after_scheme.find('/') {
            Some(i) => &after_scheme[i..],
            None => "/",
        };
        let end = path.find(|c| c == '?' || c == '#').unwrap_or(path.len());
        &path[..end]
    }

    /// The raw query string after `?` (without the `#fragment`), if any.
    pub fn query(&self) -> Option<&str> {
        let q = &self.url[self.url.find('?')? + 1..];
        Some(match q.find('#') {
            Some(i) => &q[..i],
            None => q,
        })
    }

    /// The first value of a query parameter, percent-decoded (`+` is a space, as browsers and
    /// partysocket encode it; bytes that are not UTF-8 become U+FFFD). `None` if the parameter is
    /// absent; a parameter without `=` has the empty value.
    pub fn query_param(&self, name: &str) -> Option<String> {
        self.query()?.split('&').find_map(|pair| {
            let (k, v) = match pair.find('=') {
                Some(i) => (&pair[..i], &pair[i + 1..]),
                None => (pair, ""),
            };
            if percent_decode(k) == name { Some(percent_decode(v)) } else { None }
        })
    }

    /// The first value of a header; `name` is matched case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// All headers in order (names lower case; a repeated header appears repeatedly).
    pub fn headers(&self) -> &[(String, String)] {
        &self.headers
    }

    /// The body (empty for `on_connect`).
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// The body as text, if it is UTF-8.
    pub fn text(&self) -> Option<&str> {
        std::str::from_utf8(&self.body).ok()
    }
}

/// Decodes `%XX` escapes and `+` (a space) in a URL query component; a `%` not followed by two
/// hex digits stays as it is.
fn percent_decode(s: &str) -> String {
    fn hex(b: u8) -> Option<u8> {
        match b {
            b'0'..=b'9' => Some(b - b'0'),
            b'a'..=b'f' => Some(b - b'a' + 10),
            b'A'..=b'F' => Some(b - b'A' + 10),
            _ => None,
        }
    }
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' => match (b.get(i + 1).and_then(|&c| hex(c)), b.get(i + 2).and_then(|&c| hex(c))) {
                (Some(hi), Some(lo)) => {
                    out.push(hi << 4 | lo);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// The answer to an HTTP request, returned from [`Party::on_request`](crate::Party::on_request).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    /// An empty response with this status.
    pub fn new(status: u16) -> Response {
        Response { status, headers: Vec::new(), body: Vec::new() }
    }

    /// 200 with a `text/plain; charset=utf-8` body.
    pub fn text(body: impl Into<String>) -> Response {
        Response::new(200)
            .header("content-type", "text/plain; charset=utf-8")
            .body(body.into())
    }

    /// 200 with an `application/json` body (already serialized).
    pub fn json(body: impl Into<String>) -> Response {
        Response::new(200).header("content-type", "application/json").body(body.into())
    }

    /// 404 with an empty body.
    pub fn not_found() -> Response {
        Response::new(404)
    }

    /// Replaces the status.
    pub fn with_status(mut self, status: u16) -> Response {
        self.status = status;
        self
    }

    /// Adds a header. The name must be an HTTP token and the value must hold no CR, LF or NUL: the
    /// host refuses such a response (`respond` answers `Invalid`, ABI v1.3) and the client gets 500.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Response {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Replaces the body.
    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Response {
        self.body = body.into();
        self
    }

    /// The header list encoding `[name1, value1, ...]` that `respond` takes.
    pub fn encode_headers(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(codec::encoded_len(
            self.headers.iter().flat_map(|(n, v)| [n.as_bytes(), v.as_bytes()]),
        ));
        codec::encode_list_into(
            self.headers.iter().flat_map(|(n, v)| [n.as_bytes(), v.as_bytes()]),
            &mut out,
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(items: &[&str]) -> Vec<u8> {
        codec::encode_list(items.iter())
    }

    #[test]
    fn parse_request() {
        let rec = record(&[
            "POST",
            "http://h:8080/parties/chat/room-1/sub?x=1&y=2#f",
            "hello",
            "content-type",
            "text/plain",
            "x-a",
            "1",
            "x-a",
            "2",
        ]);
        let r = Request::from_record(&rec).unwrap();
        assert_eq!(r.method(), "POST");
        assert_eq!(r.url(), "http://h:8080/parties/chat/room-1/sub?x=1&y=2#f");
        assert_eq!(r.path(), "/parties/chat/room-1/sub");
        assert_eq!(r.query(), Some("x=1&y=2"));
        assert_eq!(r.body(), b"hello");
        assert_eq!(r.text(), Some("hello"));
        assert_eq!(r.header("Content-Type"), Some("text/plain"));
        assert_eq!(r.header("x-a"), Some("1"));
        assert_eq!(r.headers().len(), 3);
        assert_eq!(r.header("missing"), None);
    }

    #[test]
    fn parse_minimal_and_bad() {
        let r = Request::from_record(&record(&["GET", "http://h", ""])).unwrap();
        assert_eq!(r.path(), "/");
        assert_eq!(r.query(), None);
        assert!(r.headers().is_empty());
        assert_eq!(Request::from_record(&record(&["GET", "u"])), Err(Error::Invalid));
        assert_eq!(Request::from_record(&record(&["GET", "u", "", "n"])), Err(Error::Invalid));
        assert_eq!(Request::from_record(&[]), Err(Error::Invalid));
        assert_eq!(Request::from_record(&[5, 0, 0, 0, b'G']), Err(Error::Invalid));
    }

    #[test]
    fn query_params() {
        let r = Request::from_record(&record(&[
            "GET",
            "http://h/parties/p/r?_pk=a&token=s%3Dcr%2Bt&user=J%C3%BCrgen+M&flag&empty=&bad=%zz%4&x=1&x=2#token=frag",
            "",
        ]))
        .unwrap();
        assert_eq!(r.query_param("_pk").as_deref(), Some("a"));
        assert_eq!(r.query_param("token").as_deref(), Some("s=cr+t"));
        assert_eq!(r.query_param("user").as_deref(), Some("Jürgen M"));
        assert_eq!(r.query_param("flag").as_deref(), Some(""));
        assert_eq!(r.query_param("empty").as_deref(), Some(""));
        assert_eq!(r.query_param("bad").as_deref(), Some("%zz%4"));
        assert_eq!(r.query_param("x").as_deref(), Some("1"));
        assert_eq!(r.query_param("missing"), None);
        assert_eq!(r.query_param("frag"), None);
        let encoded_name = Request::from_record(&record(&["GET", "http://h/?a%20b=1&%ff=2", ""])).unwrap();
        assert_eq!(encoded_name.query_param("a b").as_deref(), Some("1"));
        assert_eq!(encoded_name.query_param("\u{fffd}").as_deref(), Some("2"));
        let none = Request::from_record(&record(&["GET", "http://h/parties/p/r", ""])).unwrap();
        assert_eq!(none.query_param("token"), None);
    }

    #[test]
    fn response_headers() {
        let r = Response::json("{}").header("x-b", "v");
        assert_eq!(r.status, 200);
        assert_eq!(r.body, b"{}");
        let enc = r.encode_headers();
        let items = codec::decode_list(&enc).unwrap();
        assert_eq!(items, vec![&b"content-type"[..], b"application/json", b"x-b", b"v"]);
        assert_eq!(Response::not_found().encode_headers(), Vec::<u8>::new());
    }
}
