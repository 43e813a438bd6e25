//! The one piece of JSON every party writes: a string literal.

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

    #[test]
    fn escapes_what_json_requires_and_nothing_else() {
        assert_eq!(json_string("alice"), r#""alice""#);
        assert_eq!(json_string("a\"b\\c\n\u{1}é\t\u{7f}"), "\"a\\\"b\\\\c\\n\\u0001é\\t\u{7f}\"");
        let mut out = String::from("[");
        push_json_string(&mut out, "x");
        assert_eq!(out, "[\"x\"");
    }
}
