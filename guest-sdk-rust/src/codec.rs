//! Byte-string lists (ABI v1, section 5): each item is a little-endian `u32` length followed by
//! that many bytes; nothing between items, nothing after the last. An empty list is zero bytes.

use crate::Error;

/// Number of bytes [`encode_list`] produces for these items.
pub fn encoded_len<I, T>(items: I) -> usize
where
    I: IntoIterator<Item = T>,
    T: AsRef<[u8]>,
{
    items.into_iter().map(|i| 4 + i.as_ref().len()).sum()
}

/// Appends the encoding of `items` to `out`.
pub fn encode_list_into<I, T>(items: I, out: &mut Vec<u8>)
where
    I: IntoIterator<Item = T>,
    T: AsRef<[u8]>,
{
    for item in items {
        let item = item.as_ref();
        out.extend_from_slice(&(item.len() as u32).to_le_bytes());
        out.extend_from_slice(item);
    }
}

/// Encodes `items` as a byte-string list.
pub fn encode_list<I, T>(items: I) -> Vec<u8>
where
    I: IntoIterator<Item = T> + Clone,
    T: AsRef<[u8]>,
{
    let mut out = Vec::with_capacity(encoded_len(items.clone()));
    encode_list_into(items, &mut out);
    out
}

/// Decodes a byte-string list into views of `bytes`. A truncated length or item is `Invalid`.
pub fn decode_list(bytes: &[u8]) -> Result<Vec<&[u8]>, Error> {
    let mut items = Vec::new();
    let mut rest = bytes;
    while !rest.is_empty() {
        if rest.len() < 4 {
            return Err(Error::Invalid);
        }
        let n = u32::from_le_bytes([rest[0], rest[1], rest[2], rest[3]]) as usize;
        rest = &rest[4..];
        if n > rest.len() {
            return Err(Error::Invalid);
        }
        items.push(&rest[..n]);
        rest = &rest[n..];
    }
    Ok(items)
}

/// Decodes a list of little-endian `i32`s (connection handles); a trailing partial value is
/// ignored.
pub fn decode_i32s(bytes: &[u8]) -> Vec<i32> {
    bytes
        .chunks_exact(4)
        .map(|c| i32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let items: [&[u8]; 4] = [b"GET", b"", b"\x00\xff", b"x"];
        let enc = encode_list(items.iter());
        assert_eq!(enc.len(), encoded_len(items.iter()));
        assert_eq!(decode_list(&enc).unwrap(), items.to_vec());
        assert!(decode_list(&[]).unwrap().is_empty());
        assert!(encode_list(Vec::<&[u8]>::new()).is_empty());
    }

    #[test]
    fn malformed() {
        assert_eq!(decode_list(&[1, 0, 0]), Err(Error::Invalid));
        assert_eq!(decode_list(&[2, 0, 0, 0, b'a']), Err(Error::Invalid));
        assert_eq!(decode_list(&[0, 0, 0, 0, 9]), Err(Error::Invalid));
        assert_eq!(decode_list(&[0xff, 0xff, 0xff, 0xff]), Err(Error::Invalid));
    }

    #[test]
    fn handles() {
        assert_eq!(decode_i32s(&[1, 0, 0, 0, 0xfe, 0xff, 0xff, 0xff]), vec![1, -2]);
    }

    /// Every line of `abi/conformance/encoding-vectors.txt`: encode and decode.
    #[test]
    fn conformance_vectors() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../abi/conformance/encoding-vectors.txt");
        let text = std::fs::read_to_string(path).expect("read encoding-vectors.txt");
        let mut count = 0;
        for line in text.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let bar = line.find('|').unwrap_or_else(|| panic!("no '|' in {:?}", line));
            let items = parse_json_strings(line[..bar].trim());
            let expected = parse_hex(&line[bar + 1..]);
            assert_eq!(encode_list(items.iter()), expected, "encode {}", line);
            let decoded = decode_list(&expected).unwrap_or_else(|e| panic!("decode {}: {}", line, e));
            let want: Vec<&[u8]> = items.iter().map(|s| s.as_bytes()).collect();
            assert_eq!(decoded, want, "decode {}", line);
            count += 1;
        }
        assert!(count >= 6, "only {} vectors", count);
    }

    fn parse_hex(s: &str) -> Vec<u8> {
        let digits: Vec<u8> = s.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
        assert!(digits.len() % 2 == 0, "odd hex {:?}", s);
        digits
            .chunks(2)
            .map(|p| u8::from_str_radix(std::str::from_utf8(p).unwrap(), 16).unwrap())
            .collect()
    }

    /// A JSON array of strings (the subset the vector file uses, plus the usual escapes).
    fn parse_json_strings(s: &str) -> Vec<String> {
        let mut chars = s.chars().peekable();
        let mut out = Vec::new();
        assert_eq!(chars.next(), Some('['));
        loop {
            while chars.peek().map_or(false, |c| c.is_whitespace() || *c == ',') {
                chars.next();
            }
            match chars.next() {
                Some(']') => break,
                Some('"') => {}
                other => panic!("bad JSON array {:?} at {:?}", s, other),
            }
            let mut item = String::new();
            loop {
                match chars.next().expect("unterminated string") {
                    '"' => break,
                    '\\' => match chars.next().expect("bad escape") {
                        'n' => item.push('\n'),
                        't' => item.push('\t'),
                        'r' => item.push('\r'),
                        'b' => item.push('\u{8}'),
                        'f' => item.push('\u{c}'),
                        'u' => {
                            let hex: String = (0..4).map(|_| chars.next().unwrap()).collect();
                            let cp = u32::from_str_radix(&hex, 16).unwrap();
                            item.push(char::from_u32(cp).expect("surrogates not supported"));
                        }
                        c => item.push(c),
                    },
                    c => item.push(c),
                }
            }
            out.push(item);
        }
        out
    }
}
