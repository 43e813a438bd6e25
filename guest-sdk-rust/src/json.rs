//! JSON, the format almost every party speaks: a value type ([`Json`]), a strict parser with clear
//! errors ([`JsonError`]), and a serializer (`Display`, [`Json::write`]). No dependencies.

use std::fmt;
use std::ops::Index;
use std::str::FromStr;

/// How deeply arrays and objects may nest. Deeper input is an error rather than a trap: a guest's
/// stack is small (16 KiB), and dropping, comparing or writing a value recurses once per level.
pub const JSON_MAX_DEPTH: usize = 128;

/// A JSON value. Numbers are `f64`, as in JavaScript (integers are exact up to 2^53). Objects keep
/// their members in order, as given or added; a key given twice keeps both members, and
/// [`get`](Json::get) answers the last, as JavaScript's `JSON.parse` does.
///
/// ```
/// # use partyhost::Json;
/// let msg = Json::parse(r#"{"type":"move","to":[3,4]}"#).unwrap();
/// assert_eq!(msg["type"].as_str(), Some("move"));
/// assert_eq!(msg["to"][1].as_i64(), Some(4));
/// assert!(msg["missing"].is_null());
/// let reply = Json::object([("type", Json::from("moved")), ("ok", true.into())]);
/// assert_eq!(reply.to_string(), r#"{"type":"moved","ok":true}"#);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub enum Json {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

/// Why a text is not JSON: `reason`, at byte offset `pos` of the input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct JsonError {
    pub pos: usize,
    pub reason: &'static str,
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at byte {}", self.reason, self.pos)
    }
}

impl std::error::Error for JsonError {}

static NULL: Json = Json::Null;

impl Json {
    /// Parses a JSON text (RFC 8259, strictly: no comments, trailing commas, single quotes, `NaN`
    /// or lone surrogates; whitespace around the value is fine).
    pub fn parse(text: &str) -> Result<Json, JsonError> {
        Parser { s: text.as_bytes(), text, i: 0 }.document()
    }

    /// Parses bytes that must be UTF-8, e.g. a request body or a binary message.
    pub fn parse_bytes(bytes: &[u8]) -> Result<Json, JsonError> {
        match std::str::from_utf8(bytes) {
            Ok(text) => Json::parse(text),
            Err(e) => Err(JsonError { pos: e.valid_up_to(), reason: "invalid UTF-8" }),
        }
    }

    /// An object with these members, in this order.
    pub fn object<K: Into<String>>(members: impl IntoIterator<Item = (K, Json)>) -> Json {
        Json::Object(members.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    /// An array of these items.
    pub fn array<T: Into<Json>>(items: impl IntoIterator<Item = T>) -> Json {
        Json::Array(items.into_iter().map(Into::into).collect())
    }

    /// The value of an object's member (the last one, if the key occurs twice).
    pub fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Object(members) => members.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// Like [`get`](Json::get), to change the value in place.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Json> {
        match self {
            Json::Object(members) => members.iter_mut().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// Sets an object's member: replaces the value of the last member called `key`, or appends
    /// one. Panics if `self` is not an object.
    pub fn set(&mut self, key: impl Into<String>, value: impl Into<Json>) {
        let key = key.into();
        let value = value.into();
        if let Some(v) = self.get_mut(&key) {
            *v = value;
        } else if let Json::Object(members) = self {
            members.push((key, value));
        } else {
            panic!("Json::set on a value that is not an object");
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Json::Null)
    }

    pub fn as_bool(&self) -> Option<bool> {
        match *self {
            Json::Bool(b) => Some(b),
            _ => None,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match *self {
            Json::Number(n) => Some(n),
            _ => None,
        }
    }

    /// The number, if it is an integer that `f64` holds exactly (at most 2^53 in magnitude).
    pub fn as_i64(&self) -> Option<i64> {
        match *self {
            Json::Number(n) if n.fract() == 0.0 && n.abs() <= 9_007_199_254_740_992.0 => Some(n as i64),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Json]> {
        match self {
            Json::Array(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&[(String, Json)]> {
        match self {
            Json::Object(members) => Some(members),
            _ => None,
        }
    }

    /// Appends the compact JSON text of this value (what `to_string` makes). Non-finite numbers
    /// become `null`, as in `JSON.stringify`.
    pub fn write(&self, out: &mut String) {
        match self {
            Json::Null => out.push_str("null"),
            Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Json::Number(n) => push_number(out, *n),
            Json::String(s) => push_json_string(out, s),
            Json::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write(out);
                }
                out.push(']');
            }
            Json::Object(members) => {
                out.push('{');
                for (i, (k, v)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    push_json_string(out, k);
                    out.push(':');
                    v.write(out);
                }
                out.push('}');
            }
        }
    }
}

/// Numbers as JavaScript writes them: integers without a fraction, exponents below 1e-6 and from
/// 1e21 on, otherwise the shortest decimal that reads back as the same `f64`.
fn push_number(out: &mut String, n: f64) {
    use std::fmt::Write;
    let _ = if !n.is_finite() {
        out.write_str("null")
    } else if n == 0.0 {
        out.write_str("0") // -0 too
    } else if n.abs() < 1e-6 || n.abs() >= 1e21 {
        write!(out, "{:e}", n)
    } else {
        write!(out, "{}", n)
    };
}

impl fmt::Display for Json {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        self.write(&mut out);
        f.write_str(&out)
    }
}

impl FromStr for Json {
    type Err = JsonError;
    fn from_str(s: &str) -> Result<Json, JsonError> {
        Json::parse(s)
    }
}

/// `json["key"]`: the member's value, or `Null` if there is none (or `json` is not an object).
impl Index<&str> for Json {
    type Output = Json;
    fn index(&self, key: &str) -> &Json {
        self.get(key).unwrap_or(&NULL)
    }
}

/// `json[i]`: the array's item, or `Null` if there is none (or `json` is not an array).
impl Index<usize> for Json {
    type Output = Json;
    fn index(&self, i: usize) -> &Json {
        self.as_array().and_then(|items| items.get(i)).unwrap_or(&NULL)
    }
}

impl From<bool> for Json {
    fn from(b: bool) -> Json {
        Json::Bool(b)
    }
}
impl From<&str> for Json {
    fn from(s: &str) -> Json {
        Json::String(s.to_owned())
    }
}
impl From<String> for Json {
    fn from(s: String) -> Json {
        Json::String(s)
    }
}
impl From<&String> for Json {
    fn from(s: &String) -> Json {
        Json::String(s.clone())
    }
}
impl<T: Into<Json>> From<Vec<T>> for Json {
    fn from(items: Vec<T>) -> Json {
        Json::array(items)
    }
}
/// `None` is `null`.
impl<T: Into<Json>> From<Option<T>> for Json {
    fn from(v: Option<T>) -> Json {
        v.map_or(Json::Null, Into::into)
    }
}
macro_rules! from_number {
    ($($t:ty),*) => {$(
        /// As `f64`: exact for integers up to 2^53 in magnitude.
        impl From<$t> for Json {
            fn from(n: $t) -> Json {
                Json::Number(n as f64)
            }
        }
    )*};
}
from_number!(f64, f32, i8, i16, i32, i64, isize, u8, u16, u32, u64, usize);

/// An open array or object while parsing: the parser keeps its own stack instead of recursing.
enum Open {
    Array(Vec<Json>),
    /// The members so far and the key of the value being parsed.
    Object(Vec<(String, Json)>, String),
}

struct Parser<'a> {
    text: &'a str,
    s: &'a [u8],
    i: usize,
}

impl<'a> Parser<'a> {
    fn error<T>(&self, reason: &'static str) -> Result<T, JsonError> {
        Err(JsonError { pos: self.i, reason })
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.s.get(self.i) {
            self.i += 1;
        }
    }

    /// Skips whitespace, then takes the next byte.
    fn next_token(&mut self) -> Option<u8> {
        self.ws();
        let b = self.s.get(self.i).copied();
        self.i += 1;
        b
    }

    fn document(&mut self) -> Result<Json, JsonError> {
        let mut stack: Vec<Open> = Vec::new();
        'value: loop {
            let mut value = match self.next_token() {
                Some(b'{') => {
                    self.open(&stack)?;
                    if self.next_token() == Some(b'}') {
                        Json::Object(Vec::new())
                    } else {
                        self.i -= 1;
                        let key = self.key()?;
                        stack.push(Open::Object(Vec::new(), key));
                        continue 'value;
                    }
                }
                Some(b'[') => {
                    self.open(&stack)?;
                    if self.next_token() == Some(b']') {
                        Json::Array(Vec::new())
                    } else {
                        self.i -= 1;
                        stack.push(Open::Array(Vec::new()));
                        continue 'value;
                    }
                }
                Some(b'"') => Json::String(self.string()?),
                Some(b't') => self.literal("rue", Json::Bool(true))?,
                Some(b'f') => self.literal("alse", Json::Bool(false))?,
                Some(b'n') => self.literal("ull", Json::Null)?,
                Some(b'-' | b'0'..=b'9') => {
                    self.i -= 1;
                    Json::Number(self.number()?)
                }
                Some(_) => {
                    self.i -= 1;
                    return self.error("expected a value");
                }
                None => {
                    self.i -= 1;
                    return self.error("unexpected end, expected a value");
                }
            };
            // The value is complete: put it in its container, closing every container it completes.
            loop {
                match stack.last_mut() {
                    None => {
                        self.ws();
                        return if self.i == self.s.len() { Ok(value) } else { self.error("text after the value") };
                    }
                    Some(Open::Array(items)) => {
                        items.push(value);
                        match self.next_token() {
                            Some(b',') => continue 'value,
                            Some(b']') => {}
                            _ => return self.back("expected , or ]"),
                        }
                    }
                    Some(Open::Object(members, key)) => {
                        members.push((std::mem::take(key), value));
                        match self.next_token() {
                            Some(b',') => {
                                *key = self.key()?;
                                continue 'value;
                            }
                            Some(b'}') => {}
                            _ => return self.back("expected , or }"),
                        }
                    }
                }
                value = match stack.pop() {
                    Some(Open::Array(items)) => Json::Array(items),
                    Some(Open::Object(members, _)) => Json::Object(members),
                    None => unreachable!(),
                };
            }
        }
    }

    /// An error at the byte just taken.
    fn back<T>(&mut self, reason: &'static str) -> Result<T, JsonError> {
        self.i -= 1;
        self.error(reason)
    }

    /// Checks the depth of the array or object whose bracket was just taken.
    fn open(&self, stack: &[Open]) -> Result<(), JsonError> {
        if stack.len() < JSON_MAX_DEPTH {
            Ok(())
        } else {
            Err(JsonError { pos: self.i - 1, reason: "nested too deeply" })
        }
    }

    /// `"key" :`
    fn key(&mut self) -> Result<String, JsonError> {
        if self.next_token() != Some(b'"') {
            return self.back("expected a string key");
        }
        let key = self.string()?;
        if self.next_token() != Some(b':') {
            return self.back("expected :");
        }
        Ok(key)
    }

    fn literal(&mut self, rest: &str, value: Json) -> Result<Json, JsonError> {
        if self.s[self.i..].starts_with(rest.as_bytes()) {
            self.i += rest.len();
            Ok(value)
        } else {
            self.i -= 1;
            self.error("expected a value")
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.i;
        while let Some(b'0'..=b'9') = self.s.get(self.i) {
            self.i += 1;
        }
        self.i - start
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, then Rust's exact conversion.
    fn number(&mut self) -> Result<f64, JsonError> {
        let start = self.i;
        if self.s[self.i] == b'-' {
            self.i += 1;
        }
        let int_start = self.i;
        match self.digits() {
            0 => return self.error("expected a digit"),
            n if n > 1 && self.s[int_start] == b'0' => {
                self.i = int_start + 1;
                return self.error("leading zero");
            }
            _ => {}
        }
        if self.s.get(self.i) == Some(&b'.') {
            self.i += 1;
            if self.digits() == 0 {
                return self.error("expected a digit after .");
            }
        }
        if let Some(b'e' | b'E') = self.s.get(self.i) {
            self.i += 1;
            if let Some(b'+' | b'-') = self.s.get(self.i) {
                self.i += 1;
            }
            if self.digits() == 0 {
                return self.error("expected a digit in the exponent");
            }
        }
        match self.text[start..self.i].parse::<f64>() {
            Ok(n) if n.is_finite() => Ok(n),
            _ => {
                self.i = start;
                self.error("number out of range")
            }
        }
    }

    /// The rest of a string whose opening quote was taken.
    fn string(&mut self) -> Result<String, JsonError> {
        let mut out = String::new();
        let mut run = self.i; // start of the bytes not copied yet
        loop {
            match self.s.get(self.i) {
                None => return self.error("unterminated string"),
                Some(b'"') => {
                    out.push_str(&self.text[run..self.i]);
                    self.i += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    out.push_str(&self.text[run..self.i]);
                    self.i += 1;
                    let c = match self.s.get(self.i) {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => self.unicode_escape()?,
                        _ => return self.error("bad escape"),
                    };
                    out.push(c);
                    self.i += 1;
                    run = self.i;
                }
                Some(0..=0x1f) => return self.error("control character in string"),
                Some(_) => self.i += 1, // the text is UTF-8: multi-byte characters pass as they are
            }
        }
    }

    /// `\uXXXX` (the `u` at `i`), or a surrogate pair `\uD83D\uDE00`; leaves `i` at its last digit.
    fn unicode_escape(&mut self) -> Result<char, JsonError> {
        let lone = Err(JsonError { pos: self.i - 1, reason: "lone surrogate" }); // at the backslash
        let hi = self.hex4()?;
        let code = match hi {
            0xD800..=0xDBFF => {
                if !self.s[self.i + 1..].starts_with(b"\\u") {
                    return lone;
                }
                self.i += 2;
                let lo = self.hex4()?;
                if !(0xDC00..=0xDFFF).contains(&lo) {
                    return lone;
                }
                0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
            }
            0xDC00..=0xDFFF => return lone,
            c => c,
        };
        Ok(char::from_u32(code).unwrap_or('\u{fffd}'))
    }

    /// The 4 hex digits after the `u` at `i`.
    fn hex4(&mut self) -> Result<u32, JsonError> {
        let mut v = 0;
        for _ in 0..4 {
            self.i += 1;
            let d = match self.s.get(self.i) {
                Some(&b) => (b as char).to_digit(16),
                None => None,
            };
            match d {
                Some(d) => v = v * 16 + d,
                None => return self.error("expected 4 hex digits"),
            }
        }
        Ok(v)
    }
}

/// Appends `s` to `out` as a JSON string literal: quotes, backslash and control characters
/// escaped, everything else (including non-ASCII) passed through as UTF-8.
pub fn push_json_string(out: &mut String, s: &str) {
    out.push('"');
    let mut start = 0;
    for (i, b) in s.bytes().enumerate() {
        let esc: &str = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0x00..=0x1f => "",
            _ => continue,
        };
        out.push_str(&s[start..i]);
        if esc.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.push_str("\\u00");
            out.push(HEX[(b >> 4) as usize] as char);
            out.push(HEX[(b & 0xf) as usize] as char);
        } else {
            out.push_str(esc);
        }
        start = i + 1;
    }
    out.push_str(&s[start..]);
    out.push('"');
}

/// `s` as a JSON string literal (see [`push_json_string`]).
pub fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    push_json_string(&mut out, s);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> (usize, &'static str) {
        let e = Json::parse(text).unwrap_err();
        (e.pos, e.reason)
    }

    #[test]
    fn escapes_what_json_requires_and_nothing_else() {
        assert_eq!(json_string("alice"), r#""alice""#);
        assert_eq!(json_string("a\"b\\c\n\u{1}é\t\u{7f}"), "\"a\\\"b\\\\c\\n\\u0001é\\t\u{7f}\"");
        let mut out = String::from("[");
        push_json_string(&mut out, "x");
        assert_eq!(out, "[\"x\"");
    }

    #[test]
    fn parses_every_kind_of_value() {
        let v = Json::parse(" {\"a\": [1, -2.5e3, true, false, null, \"x\"], \"b\": {}, \"c\": []}\n").unwrap();
        assert_eq!(v["a"][0].as_i64(), Some(1));
        assert_eq!(v["a"][1].as_f64(), Some(-2500.0));
        assert_eq!(v["a"][2].as_bool(), Some(true));
        assert_eq!(v["a"][3], Json::Bool(false));
        assert!(v["a"][4].is_null() && v["a"][99].is_null() && v["zz"].is_null() && v["a"]["k"].is_null());
        assert_eq!(v["a"][5].as_str(), Some("x"));
        assert_eq!(v["b"], Json::Object(vec![]));
        assert_eq!(v["c"].as_array(), Some(&[][..]));
        assert_eq!(v.as_object().map(|m| m.len()), Some(3));
        assert_eq!(Json::parse("0").unwrap(), Json::Number(0.0));
        assert_eq!(Json::parse("-0.0e-0").unwrap().as_f64(), Some(0.0));
        assert_eq!(Json::parse("\"\"").unwrap(), Json::from(""));
        assert_eq!("[1E2]".parse::<Json>().unwrap()[0].as_f64(), Some(100.0));
        assert_eq!(Json::parse("0.1").unwrap().as_f64(), Some(0.1));
        assert_eq!(Json::parse("9007199254740993").unwrap().as_f64(), Some(9007199254740992.0));
        assert_eq!(Json::parse("1.5").unwrap().as_i64(), None);
    }

    #[test]
    fn strings_unescape_and_keep_utf8() {
        let s = |t: &str| Json::parse(t).unwrap().as_str().unwrap().to_owned();
        assert_eq!(s(r#""a\"b\\c\/d\b\f\n\r\t""#), "a\"b\\c/d\u{8}\u{c}\n\r\t");
        assert_eq!(s(r#""\u0041\u00e9\u20AC\ud83d\ude00""#), "Aé€😀");
        assert_eq!(s("\"héllo ✓ 😀\""), "héllo ✓ 😀");
        assert_eq!(s(r#""\u0000""#), "\0");
    }

    #[test]
    fn refuses_what_is_not_json_and_says_where() {
        assert_eq!(err(""), (0, "unexpected end, expected a value"));
        assert_eq!(err("  "), (2, "unexpected end, expected a value"));
        assert_eq!(err("[1,]"), (3, "expected a value"));
        assert_eq!(err("[1 2]"), (3, "expected , or ]"));
        assert_eq!(err("{\"a\":1,}"), (7, "expected a string key"));
        assert_eq!(err("{\"a\" 1}"), (5, "expected :"));
        assert_eq!(err("{'a':1}"), (1, "expected a string key"));
        assert_eq!(err("{\"a\":1"), (6, "expected , or }"));
        assert_eq!(err("[1] x"), (4, "text after the value"));
        assert_eq!(err("tru"), (0, "expected a value"));
        assert_eq!(err("nul l"), (0, "expected a value"));
        assert_eq!(err("NaN"), (0, "expected a value"));
        assert_eq!(err("01"), (1, "leading zero"));
        assert_eq!(err("-"), (1, "expected a digit"));
        assert_eq!(err("+1"), (0, "expected a value"));
        assert_eq!(err("1."), (2, "expected a digit after ."));
        assert_eq!(err(".5"), (0, "expected a value"));
        assert_eq!(err("1e"), (2, "expected a digit in the exponent"));
        assert_eq!(err("1e400"), (0, "number out of range"));
        assert_eq!(err("\"abc"), (4, "unterminated string"));
        assert_eq!(err("\"a\tb\""), (2, "control character in string"));
        assert_eq!(err(r#""\x""#), (2, "bad escape"));
        assert_eq!(err(r#""\u12g4""#), (5, "expected 4 hex digits"));
        assert_eq!(err(r#""\u12"#), (5, "expected 4 hex digits"));
        assert_eq!(err(r#""\ud83d""#), (1, "lone surrogate"));
        assert_eq!(err(r#""\ud83dx""#), (1, "lone surrogate"));
        assert_eq!(err(r#"["\ud83d\u0041"]"#), (2, "lone surrogate"));
        assert_eq!(err(r#""\ude00""#), (1, "lone surrogate"));
        assert_eq!(err(r#""\ud83d\u12""#), (11, "expected 4 hex digits"));
        assert_eq!(err("/* c */ 1"), (0, "expected a value"));
        assert_eq!(Json::parse_bytes(b"\"\xff\"").unwrap_err(), JsonError { pos: 1, reason: "invalid UTF-8" });
        assert_eq!(Json::parse_bytes(b"[\"\xc3\xa9\"]").unwrap()[0].as_str(), Some("é"));
        assert_eq!(Json::parse("[1,]").unwrap_err().to_string(), "expected a value at byte 3");
    }

    #[test]
    fn nesting_is_limited() {
        let deep = |n: usize| "[".repeat(n) + &"]".repeat(n);
        assert!(Json::parse(&deep(JSON_MAX_DEPTH)).is_ok());
        assert_eq!(err(&deep(JSON_MAX_DEPTH + 1)), (JSON_MAX_DEPTH, "nested too deeply"));
        let objects = "{\"a\":".repeat(JSON_MAX_DEPTH + 1) + "1" + &"}".repeat(JSON_MAX_DEPTH + 1);
        assert_eq!(err(&objects).1, "nested too deeply");
        // Two empty arrays at the deepest level allowed.
        assert!(Json::parse(&("[".repeat(JSON_MAX_DEPTH - 1) + "[],[]" + &"]".repeat(JSON_MAX_DEPTH - 1))).is_ok());
    }

    #[test]
    fn writes_compact_json_that_reads_back() {
        let v = Json::object([
            ("s", Json::from("q\"\n\u{1}é😀")),
            ("n", Json::array([1.5, -2.0, 0.1, 1e21, 1e-7, 123456789012.0])),
            ("z", Json::from(-0.0)),
            ("i", Json::from(u64::MAX)),
            ("b", Json::array([Some(true), None])),
            ("o", Json::object(Vec::<(String, Json)>::new())),
            ("nan", Json::from(f64::NAN)),
        ]);
        let text = v.to_string();
        assert_eq!(
            text,
            r#"{"s":"q\"\n\u0001é😀","n":[1.5,-2,0.1,1e21,1e-7,123456789012],"z":0,"i":18446744073709552000,"b":[true,null],"o":{},"nan":null}"#
        );
        let back = Json::parse(&text).unwrap();
        assert_eq!(back["s"], v["s"]);
        assert_eq!(back["n"], v["n"]);
        assert_eq!(back["i"], v["i"]);
        // Every finite f64 reads back as itself.
        for n in [0.1, 1.0 / 3.0, 5e-324, f64::MAX, -1e300, 2.5e-7, 9007199254740993.0] {
            assert_eq!(Json::parse(&Json::from(n).to_string()).unwrap().as_f64(), Some(n), "{}", n);
        }
    }

    /// Random values read back as themselves; random damage to their text is an error, never a panic.
    #[test]
    fn random_values_round_trip_and_damage_is_refused_cleanly() {
        let mut seed = 7u64;
        let mut rand = move |n: u64| {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (seed >> 33) % n
        };
        fn value(rand: &mut dyn FnMut(u64) -> u64, depth: u32) -> Json {
            const CHARS: [char; 10] = ['a', '"', '\\', '\n', '\u{1}', 'é', '€', '😀', '/', '\u{7f}'];
            match rand(if depth > 4 { 4 } else { 6 }) {
                0 => Json::Null,
                1 => Json::Bool(rand(2) == 0),
                2 => Json::from((rand(1 << 40) as f64 - (1u64 << 39) as f64) / (1 + rand(1000)) as f64),
                3 => Json::String((0..rand(8)).map(|_| CHARS[rand(10) as usize]).collect()),
                4 => Json::Array((0..rand(4)).map(|_| value(rand, depth + 1)).collect()),
                _ => Json::Object((0..rand(4)).map(|i| (format!("k{}", i), value(rand, depth + 1))).collect()),
            }
        }
        for _ in 0..2000 {
            let v = value(&mut rand, 0);
            let text = v.to_string();
            assert_eq!(Json::parse(&text).as_ref(), Ok(&v), "{}", text);
            let mut bytes = text.into_bytes();
            let at = rand(bytes.len() as u64) as usize;
            const BYTES: &[u8] = b"{}[]\",:\\u0 x-e.";
            bytes[at] = BYTES[rand(BYTES.len() as u64) as usize];
            if let Ok(damaged) = Json::parse_bytes(&bytes) {
                // Still JSON (a digit for a digit, say): then it writes and reads back too.
                assert_eq!(Json::parse(&damaged.to_string()), Ok(damaged));
            }
        }
    }

    #[test]
    fn objects_keep_order_and_the_last_duplicate_wins() {
        let mut v = Json::parse(r#"{"b":1,"a":2,"b":3}"#).unwrap();
        assert_eq!(v["b"].as_i64(), Some(3));
        assert_eq!(v.to_string(), r#"{"b":1,"a":2,"b":3}"#);
        v.set("a", "two");
        v.set("c", vec![1, 2]);
        assert_eq!(v.to_string(), r#"{"b":1,"a":"two","b":3,"c":[1,2]}"#);
        *v.get_mut("b").unwrap() = Json::Null;
        assert_eq!(v.to_string(), r#"{"b":1,"a":"two","b":null,"c":[1,2]}"#);
        assert!(v.get("d").is_none() && Json::Null.get("a").is_none());
    }
}
