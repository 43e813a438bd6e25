//! A chat room. On connect a client gets the last 100 messages:
//! `{"type":"history","messages":[{"from":ID,"text":T},...]}` (oldest first). Each text message
//! goes to every other connection as `{"type":"message","from":ID,"text":T}` and joins the
//! history. Binary messages are ignored. `GET` on the room answers the history JSON.

use std::collections::VecDeque;

use partyhost::{Connection, Message, Party, Request, Response, Room};

const HISTORY: usize = 100;

struct Chat {
    /// (from, text), oldest first, at most `HISTORY`.
    history: VecDeque<(String, String)>,
}

impl Chat {
    fn history_json(&self) -> String {
        let size: usize = self.history.iter().map(|(f, t)| f.len() + t.len() + 24).sum();
        let mut out = String::with_capacity(40 + size);
        out.push_str(r#"{"type":"history","messages":["#);
        for (i, (from, text)) in self.history.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(r#"{"from":"#);
            push_json_string(&mut out, from);
            out.push_str(r#","text":"#);
            push_json_string(&mut out, text);
            out.push('}');
        }
        out.push_str("]}");
        out
    }
}

impl Party for Chat {
    fn new(_room: &Room) -> Self {
        Chat { history: VecDeque::with_capacity(HISTORY) }
    }

    fn on_connect(&mut self, _room: &Room, conn: &Connection, _req: &Request) {
        let _ = conn.send_text(&self.history_json());
    }

    fn on_message(&mut self, room: &Room, conn: &Connection, msg: Message) {
        let text = match msg {
            Message::Text(t) => t,
            Message::Binary(_) => return,
        };
        let from = conn.id();
        let mut out = String::with_capacity(48 + from.len() + text.len());
        out.push_str(r#"{"type":"message","from":"#);
        push_json_string(&mut out, &from);
        out.push_str(r#","text":"#);
        push_json_string(&mut out, text);
        out.push('}');
        let _ = room.broadcast(&out, &[*conn]);

        if self.history.len() == HISTORY {
            self.history.pop_front();
        }
        self.history.push_back((from, text.to_owned()));
    }

    fn on_request(&mut self, _room: &Room, req: &Request) -> Response {
        match req.method() {
            "GET" => Response::json(self.history_json()),
            _ => Response::new(405).header("allow", "GET"),
        }
    }
}

partyhost::party!(Chat);

/// Appends `s` as a JSON string literal: quotes, backslash and control characters escaped,
/// everything else (including non-ASCII) passed through as UTF-8.
fn push_json_string(out: &mut String, s: &str) {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn esc(s: &str) -> String {
        let mut out = String::new();
        push_json_string(&mut out, s);
        out
    }

    #[test]
    fn json_escaping() {
        assert_eq!(esc(""), r#""""#);
        assert_eq!(esc("plain"), r#""plain""#);
        assert_eq!(esc(r#"a"b\c"#), r#""a\"b\\c""#);
        assert_eq!(esc("l1\nl2\r\t\u{8}\u{c}"), r#""l1\nl2\r\t\b\f""#);
        assert_eq!(esc("\u{0}\u{1f}x\u{7f}"), "\"\\u0000\\u001fx\u{7f}\"");
        assert_eq!(esc("héllo ✓ 😀"), "\"héllo ✓ 😀\"");
        assert_eq!(esc("/</script>"), "\"/</script>\"");
    }

    #[test]
    fn history_shape() {
        let mut chat = Chat { history: VecDeque::new() };
        assert_eq!(chat.history_json(), r#"{"type":"history","messages":[]}"#);
        chat.history.push_back(("a".into(), "hi".into()));
        chat.history.push_back(("b".into(), "q\"".into()));
        assert_eq!(
            chat.history_json(),
            r#"{"type":"history","messages":[{"from":"a","text":"hi"},{"from":"b","text":"q\""}]}"#
        );
    }
}
