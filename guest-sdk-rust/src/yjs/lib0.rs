//! lib0's binary encoding, as yjs uses it: variable-length integers, strings, byte arrays and
//! `any` values (lib0's `encoding.js` / `decoding.js`).

use super::{Error, Result};

/// JavaScript's `Number.MAX_SAFE_INTEGER`: lib0 numbers are JS numbers, so nothing larger is exact.
pub const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// How deeply `any` arrays and objects may nest. yjs reads them recursively (a deep value would
/// overflow a JS client's stack) and [`Any`] values are dropped and written recursively.
pub const ANY_MAX_DEPTH: usize = 128;

/// A cursor over lib0-encoded bytes. Every read checks the bytes left; none panics.
#[derive(Clone)]
pub(crate) struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub fn new(buf: &'a [u8]) -> Self {
        Reader { buf, pos: 0 }
    }

    pub fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// The bytes from position `start` (earlier) to here.
    pub fn since(&self, start: usize) -> &'a [u8] {
        &self.buf[start..self.pos]
    }

    pub fn u8(&mut self) -> Result<u8> {
        let b = *self.buf.get(self.pos).ok_or(Error::UnexpectedEnd)?;
        self.pos += 1;
        Ok(b)
    }

    pub fn bytes(&mut self, n: u64) -> Result<&'a [u8]> {
        if n > self.remaining() as u64 {
            return Err(Error::UnexpectedEnd);
        }
        let start = self.pos;
        self.pos += n as usize;
        Ok(&self.buf[start..self.pos])
    }

    /// An unsigned LEB128 number, at most 2^53 - 1 (lib0 refuses more, as a JS number would
    /// round); at most 8 bytes, so redundant zero groups cannot make a reader loop.
    pub fn var_uint(&mut self) -> Result<u64> {
        let mut n: u64 = 0;
        for shift in (0..56).step_by(7) {
            let b = self.u8()?;
            n |= u64::from(b & 0x7f) << shift;
            if b < 0x80 {
                return if n > MAX_SAFE_INTEGER { Err(Error::IntegerOutOfRange) } else { Ok(n) };
            }
        }
        Err(Error::IntegerOutOfRange)
    }

    /// A count of things that each take at least `min_bytes` bytes: capped by the bytes left, so
    /// that a hostile count can neither make a reader allocate nor loop for long.
    pub fn count(&mut self, min_bytes: u64) -> Result<u64> {
        let n = self.var_uint()?;
        if n.saturating_mul(min_bytes) > self.remaining() as u64 {
            return Err(Error::UnexpectedEnd);
        }
        Ok(n)
    }

    /// lib0's signed var-int: the first byte holds a continuation bit, a sign bit and 6 bits of
    /// magnitude. Returns the value as the JS number lib0 makes of it (-0 included).
    pub fn var_int(&mut self) -> Result<f64> {
        let first = self.u8()?;
        let mut n = u64::from(first & 0x3f);
        if first & 0x80 != 0 {
            let mut shift = 6;
            loop {
                let b = self.u8()?;
                n |= u64::from(b & 0x7f) << shift;
                if b < 0x80 {
                    break;
                }
                shift += 7;
                if shift > 55 {
                    return Err(Error::IntegerOutOfRange);
                }
            }
        }
        if n > MAX_SAFE_INTEGER {
            return Err(Error::IntegerOutOfRange);
        }
        let n = n as f64;
        Ok(if first & 0x40 != 0 { -n } else { n })
    }

    /// A length-prefixed byte array.
    pub fn buf(&mut self) -> Result<&'a [u8]> {
        let n = self.var_uint()?;
        self.bytes(n)
    }

    /// A length-prefixed UTF-8 string. Invalid UTF-8 is an error: yjs itself only writes valid
    /// UTF-8, and the lengths of yjs strings (UTF-16 units) would be ambiguous otherwise.
    pub fn str(&mut self) -> Result<&'a str> {
        std::str::from_utf8(self.buf()?).map_err(|_| Error::InvalidUtf8)
    }

    /// One `any` value, validated and returned as its encoded bytes. Iterative, with depth capped
    /// at [`ANY_MAX_DEPTH`].
    pub fn any_raw(&mut self) -> Result<&'a [u8]> {
        let start = self.pos;
        // Per open array/object: whether it is an object, and how many values it still holds.
        let mut open: Vec<(bool, u64)> = Vec::new();
        loop {
            match self.u8()? {
                127 | 126 | 121 | 120 => {}
                125 => {
                    self.var_int()?;
                }
                124 => {
                    self.bytes(4)?;
                }
                123 | 122 => {
                    self.bytes(8)?;
                }
                119 => {
                    self.str()?;
                }
                116 => {
                    self.buf()?;
                }
                tag @ (117 | 118) => {
                    let object = tag == 118;
                    let n = self.count(if object { 2 } else { 1 })?;
                    if n > 0 {
                        if open.len() >= ANY_MAX_DEPTH {
                            return Err(Error::TooDeep);
                        }
                        open.push((object, n));
                        if object {
                            self.str()?; // the first key
                        }
                        continue;
                    }
                }
                tag => return Err(Error::UnknownAny(tag)),
            }
            // A value is complete: count it off the containers it completes.
            loop {
                match open.last_mut() {
                    None => return Ok(self.since(start)),
                    Some((object, left)) => {
                        *left -= 1;
                        if *left > 0 {
                            if *object {
                                self.str()?; // the next key
                            }
                            break;
                        }
                        open.pop();
                    }
                }
            }
        }
    }

    pub fn end(&self) -> Result<()> {
        if self.remaining() == 0 {
            Ok(())
        } else {
            Err(Error::TrailingBytes)
        }
    }
}

pub(crate) fn write_var_uint(out: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        out.push(0x80 | (n & 0x7f) as u8);
        n >>= 7;
    }
    out.push(n as u8);
}

/// lib0's signed var-int of `magnitude` with its sign (lib0 writes -0 with the sign bit set).
pub(crate) fn write_var_int(out: &mut Vec<u8>, negative: bool, magnitude: u64) {
    let sign = if negative { 0x40 } else { 0 };
    let more = if magnitude > 0x3f { 0x80 } else { 0 };
    out.push(more | sign | (magnitude & 0x3f) as u8);
    if more != 0 {
        write_var_uint(out, magnitude >> 6);
    }
}

pub(crate) fn write_buf(out: &mut Vec<u8>, b: &[u8]) {
    write_var_uint(out, b.len() as u64);
    out.extend_from_slice(b);
}

pub(crate) fn write_str(out: &mut Vec<u8>, s: &str) {
    write_buf(out, s.as_bytes());
}

/// A lib0 `any` value, as yjs stores map values and array elements (`ContentAny`) and subdocument
/// options. Decode one from the bytes a [`Content::Any`] holds with
/// [`Any::decode`]; make bytes for one with [`Any::encode`].
///
/// [`Content::Any`]: super::Content::Any
#[derive(Clone, Debug, PartialEq)]
pub enum Any {
    Undefined,
    Null,
    Bool(bool),
    /// A JS number. lib0 writes it as a var-int if it is an integer of at most 31 bits (-0
    /// included), else as a float32 if that is exact, else as a float64; so does [`Any::encode`].
    Number(f64),
    /// A JS `bigint` (lib0 writes 64 bits).
    BigInt(i64),
    String(String),
    /// A `Uint8Array`.
    Binary(Vec<u8>),
    Array(Vec<Any>),
    /// Keys in the order written. (A JS object puts integer-like keys first, so yjs, re-encoding
    /// a decoded object, writes them first; yjs-made bytes already have that order.)
    Object(Vec<(String, Any)>),
}

impl Any {
    /// Decodes one value that fills `bytes`. Nesting deeper than [`ANY_MAX_DEPTH`] is an error.
    pub fn decode(bytes: &[u8]) -> Result<Any> {
        let mut r = Reader::new(bytes);
        let any = read_any(&mut r)?;
        r.end()?;
        Ok(any)
    }

    /// Appends the value's lib0 encoding to `out`. Recursive: at most as deep as the value.
    pub fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Any::Undefined => out.push(127),
            Any::Null => out.push(126),
            Any::Bool(b) => out.push(if *b { 120 } else { 121 }),
            Any::Number(x) => {
                let x = *x;
                if x.fract() == 0.0 && x.abs() <= f64::from(i32::MAX) {
                    out.push(125);
                    write_var_int(out, x.is_sign_negative(), x.abs() as u64);
                } else if f64::from(x as f32) == x {
                    out.push(124);
                    out.extend_from_slice(&(x as f32).to_be_bytes());
                } else {
                    out.push(123);
                    out.extend_from_slice(&x.to_be_bytes());
                }
            }
            Any::BigInt(n) => {
                out.push(122);
                out.extend_from_slice(&n.to_be_bytes());
            }
            Any::String(s) => {
                out.push(119);
                write_str(out, s);
            }
            Any::Binary(b) => {
                out.push(116);
                write_buf(out, b);
            }
            Any::Array(items) => {
                out.push(117);
                write_var_uint(out, items.len() as u64);
                for item in items {
                    item.encode(out);
                }
            }
            Any::Object(entries) => {
                out.push(118);
                write_var_uint(out, entries.len() as u64);
                for (k, v) in entries {
                    write_str(out, k);
                    v.encode(out);
                }
            }
        }
    }

    /// The value's lib0 encoding.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode(&mut out);
        out
    }
}

/// An array or object being decoded: its items so far, how many it still holds, and for an object
/// the key of the value being read. (Not allocated by the count: nested counts each as large as the
/// bytes left would add up.)
enum Open {
    Array(Vec<Any>, u64),
    Object(Vec<(String, Any)>, u64, String),
}

fn read_any(r: &mut Reader) -> Result<Any> {
    let mut open: Vec<Open> = Vec::new();
    loop {
        let mut value = match r.u8()? {
            127 => Any::Undefined,
            126 => Any::Null,
            125 => Any::Number(r.var_int()?),
            124 => {
                let b = r.bytes(4)?;
                Any::Number(f64::from(f32::from_be_bytes([b[0], b[1], b[2], b[3]])))
            }
            123 => Any::Number(f64::from_be_bytes(be8(r.bytes(8)?))),
            122 => Any::BigInt(i64::from_be_bytes(be8(r.bytes(8)?))),
            121 => Any::Bool(false),
            120 => Any::Bool(true),
            119 => Any::String(r.str()?.to_owned()),
            116 => Any::Binary(r.buf()?.to_vec()),
            117 => {
                let n = r.count(1)?;
                if n == 0 {
                    Any::Array(Vec::new())
                } else {
                    if open.len() >= ANY_MAX_DEPTH {
                        return Err(Error::TooDeep);
                    }
                    open.push(Open::Array(Vec::new(), n));
                    continue;
                }
            }
            118 => {
                let n = r.count(2)?;
                if n == 0 {
                    Any::Object(Vec::new())
                } else {
                    if open.len() >= ANY_MAX_DEPTH {
                        return Err(Error::TooDeep);
                    }
                    let key = r.str()?.to_owned();
                    open.push(Open::Object(Vec::new(), n, key));
                    continue;
                }
            }
            tag => return Err(Error::UnknownAny(tag)),
        };
        // Put the value into its container; a full container is itself a value for the next one.
        loop {
            match open.last_mut() {
                None => return Ok(value),
                Some(Open::Array(items, left)) => {
                    items.push(value);
                    *left -= 1;
                    if *left > 0 {
                        break;
                    }
                }
                Some(Open::Object(entries, left, key)) => {
                    entries.push((std::mem::take(key), value));
                    *left -= 1;
                    if *left > 0 {
                        *key = r.str()?.to_owned();
                        break;
                    }
                }
            }
            value = match open.pop() {
                Some(Open::Array(items, _)) => Any::Array(items),
                Some(Open::Object(entries, _, _)) => Any::Object(entries),
                None => unreachable!("the loop above returned"),
            };
        }
    }
}

fn be8(b: &[u8]) -> [u8; 8] {
    let mut a = [0; 8];
    a.copy_from_slice(b);
    a
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uint(n: u64) -> Vec<u8> {
        let mut v = Vec::new();
        write_var_uint(&mut v, n);
        v
    }

    #[test]
    fn var_uint_matches_lib0() {
        assert_eq!(uint(0), [0]);
        assert_eq!(uint(127), [127]);
        assert_eq!(uint(128), [0x80, 1]);
        assert_eq!(uint(300), [0xac, 0x02]);
        assert_eq!(uint(MAX_SAFE_INTEGER), [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f]);
        for n in [0, 1, 127, 128, 16383, 16384, 1 << 32, MAX_SAFE_INTEGER] {
            assert_eq!(Reader::new(&uint(n)).var_uint(), Ok(n));
        }
        assert_eq!(Reader::new(&uint(MAX_SAFE_INTEGER + 1)).var_uint(), Err(Error::IntegerOutOfRange));
        assert_eq!(Reader::new(&[0x80; 20]).var_uint(), Err(Error::IntegerOutOfRange));
        assert_eq!(Reader::new(&[0x80, 0x80]).var_uint(), Err(Error::UnexpectedEnd));
        assert_eq!(Reader::new(&[]).var_uint(), Err(Error::UnexpectedEnd));
    }

    #[test]
    fn var_int_matches_lib0() {
        let int = |neg, n| {
            let mut v = Vec::new();
            write_var_int(&mut v, neg, n);
            v
        };
        assert_eq!(int(false, 0), [0]);
        assert_eq!(int(true, 0), [0x40]); // -0
        assert_eq!(int(false, 63), [63]);
        assert_eq!(int(false, 64), [0x80, 1]);
        assert_eq!(int(true, 1), [0x41]);
        assert_eq!(int(true, 100), [0xc0 | 36, 1]);
        for (neg, n) in [(false, 0), (true, 0), (true, 5), (false, 1 << 31), (true, MAX_SAFE_INTEGER)] {
            let x = Reader::new(&int(neg, n)).var_int().unwrap();
            assert_eq!(x.is_sign_negative(), neg);
            assert_eq!(x.abs(), n as f64);
        }
        assert_eq!(Reader::new(&[0x80]).var_int(), Err(Error::UnexpectedEnd));
        assert_eq!(Reader::new(&[]).var_int(), Err(Error::UnexpectedEnd));
    }

    #[test]
    fn any_round_trips() {
        let v = Any::Object(vec![
            ("1".into(), Any::Number(1.0)),
            ("a".into(), Any::Array(vec![Any::Undefined, Any::Null, Any::Bool(true), Any::Bool(false)])),
            ("n".into(), Any::Number(-0.0)),
            ("f".into(), Any::Number(0.5)),
            ("d".into(), Any::Number(0.1)),
            ("big".into(), Any::Number(2f64.powi(40))),
            ("inf".into(), Any::Number(f64::INFINITY)),
            ("b".into(), Any::BigInt(-(1 << 60))),
            ("s".into(), Any::String("h\u{e9}llo \u{1f600}".into())),
            ("u".into(), Any::Binary(vec![1, 2, 3])),
            ("o".into(), Any::Object(vec![])),
        ]);
        let bytes = v.to_bytes();
        assert_eq!(Any::decode(&bytes), Ok(v));
        assert_eq!(Reader::new(&bytes).any_raw(), Ok(&bytes[..]));
        // lib0's choices of number encoding
        assert_eq!(Any::Number(-0.0).to_bytes(), [125, 0x40]);
        assert_eq!(Any::Number(2147483647.0).to_bytes(), [125, 0xbf, 0xff, 0xff, 0xff, 0x0f]);
        assert_eq!(Any::Number(2147483648.0).to_bytes(), [124, 0x4f, 0, 0, 0]);
        assert_eq!(Any::Number(f64::NAN).to_bytes()[0], 123);
    }

    #[test]
    fn any_depth_is_capped_without_recursion() {
        let nested = |depth: usize| {
            let mut v = [117u8, 1].repeat(depth);
            v.push(126);
            v
        };
        assert!(Any::decode(&nested(ANY_MAX_DEPTH)).is_ok());
        assert!(Reader::new(&nested(ANY_MAX_DEPTH)).any_raw().is_ok());
        assert_eq!(Any::decode(&nested(ANY_MAX_DEPTH + 1)), Err(Error::TooDeep));
        assert_eq!(Reader::new(&nested(100_000)).any_raw(), Err(Error::TooDeep));
        // objects: depth counts the same
        let mut obj = [118u8, 1, 1, b'k'].repeat(ANY_MAX_DEPTH + 1);
        obj.push(126);
        assert_eq!(Any::decode(&obj), Err(Error::TooDeep));
        assert_eq!(Reader::new(&obj).any_raw(), Err(Error::TooDeep));
    }

    #[test]
    fn hostile_any_counts_fail_fast() {
        // an array claiming 2^53-1 items in 10 bytes
        let mut v = vec![117];
        write_var_uint(&mut v, MAX_SAFE_INTEGER);
        assert_eq!(Any::decode(&v), Err(Error::UnexpectedEnd));
        assert_eq!(Reader::new(&v).any_raw(), Err(Error::UnexpectedEnd));
        assert_eq!(Any::decode(&[115]), Err(Error::UnknownAny(115)));
        assert_eq!(Any::decode(&[119, 2, 0xff, 0xfe]), Err(Error::InvalidUtf8));
        assert_eq!(Any::decode(&[126, 0]), Err(Error::TrailingBytes));
    }
}
