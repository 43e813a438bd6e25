//! The y-protocols wire format that Yjs providers (`y-websocket`, `y-partykit`) speak: one message
//! per WebSocket binary frame, a lib0 var-uint message type first.
//!
//! | bytes | message |
//! |---|---|
//! | `0, 0, sv` | sync step 1: the sender's state vector (a var-uint8-array) |
//! | `0, 1, update` | sync step 2: what the receiver lacks (a V1 update) |
//! | `0, 2, update` | an update |
//! | `1, awareness update` | awareness: `[count, (client id, clock, JSON state)...]` |
//! | `2, 0, reason` | auth: permission denied (a string) |
//! | `3` | query awareness: the receiver answers with all the states it knows |

use super::lib0::{write_buf, write_str, write_var_uint, Reader};
use super::{Error, Result};

pub const MESSAGE_SYNC: u64 = 0;
pub const MESSAGE_AWARENESS: u64 = 1;
pub const MESSAGE_AUTH: u64 = 2;
pub const MESSAGE_QUERY_AWARENESS: u64 = 3;

pub const SYNC_STEP_1: u64 = 0;
pub const SYNC_STEP_2: u64 = 1;
pub const SYNC_UPDATE: u64 = 2;

/// The only auth message y-protocols defines.
pub const AUTH_PERMISSION_DENIED: u64 = 0;

/// One y-protocols message. The payloads borrow the frame they were read from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Message<'a> {
    /// An encoded state vector: answer with [`Message::SyncStep2`] of what it lacks.
    SyncStep1(&'a [u8]),
    /// A V1 update, the answer to a sync step 1 (a provider counts itself synced at the first).
    SyncStep2(&'a [u8]),
    /// A V1 update.
    Update(&'a [u8]),
    /// An awareness update (decode it with [`decode_awareness`]).
    Awareness(&'a [u8]),
    /// Permission denied, with a reason.
    PermissionDenied(&'a str),
    /// A request for every awareness state the receiver knows.
    QueryAwareness,
}

impl<'a> Message<'a> {
    /// Reads one frame. Payloads are not checked here (an update is checked where it is merged);
    /// an unknown type or bytes after the message are errors.
    pub fn decode(frame: &'a [u8]) -> Result<Message<'a>> {
        let mut r = Reader::new(frame);
        let msg = match r.var_uint()? {
            MESSAGE_SYNC => match r.var_uint()? {
                SYNC_STEP_1 => Message::SyncStep1(r.buf()?),
                SYNC_STEP_2 => Message::SyncStep2(r.buf()?),
                SYNC_UPDATE => Message::Update(r.buf()?),
                n => return Err(Error::UnknownMessage(n)),
            },
            MESSAGE_AWARENESS => Message::Awareness(r.buf()?),
            MESSAGE_AUTH => match r.var_uint()? {
                AUTH_PERMISSION_DENIED => Message::PermissionDenied(r.str()?),
                n => return Err(Error::UnknownMessage(n)),
            },
            MESSAGE_QUERY_AWARENESS => Message::QueryAwareness,
            n => return Err(Error::UnknownMessage(n)),
        };
        r.end()?;
        Ok(msg)
    }

    /// The frame to send.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.payload_len() + 8);
        let (sync, payload) = match *self {
            Message::SyncStep1(b) => (Some(SYNC_STEP_1), b),
            Message::SyncStep2(b) => (Some(SYNC_STEP_2), b),
            Message::Update(b) => (Some(SYNC_UPDATE), b),
            Message::Awareness(b) => {
                write_var_uint(&mut out, MESSAGE_AWARENESS);
                write_buf(&mut out, b);
                return out;
            }
            Message::PermissionDenied(reason) => {
                write_var_uint(&mut out, MESSAGE_AUTH);
                write_var_uint(&mut out, AUTH_PERMISSION_DENIED);
                write_str(&mut out, reason);
                return out;
            }
            Message::QueryAwareness => {
                write_var_uint(&mut out, MESSAGE_QUERY_AWARENESS);
                return out;
            }
        };
        write_var_uint(&mut out, MESSAGE_SYNC);
        write_var_uint(&mut out, sync.unwrap_or(0));
        write_buf(&mut out, payload);
        out
    }

    fn payload_len(&self) -> usize {
        match *self {
            Message::SyncStep1(b) | Message::SyncStep2(b) | Message::Update(b) | Message::Awareness(b) => b.len(),
            Message::PermissionDenied(s) => s.len(),
            Message::QueryAwareness => 0,
        }
    }
}

/// One client's entry of an awareness update. `state` is a JSON text, `null` once the client left.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AwarenessEntry<'a> {
    pub client: u64,
    pub clock: u64,
    pub state: &'a str,
}

impl<'a> AwarenessEntry<'a> {
    /// Whether this entry removes the client (its state is JSON `null`).
    pub fn is_removal(&self) -> bool {
        self.state == "null"
    }
}

/// The entries of an awareness update (y-protocols' `encodeAwarenessUpdate`). The JSON states are
/// passed through as UTF-8 texts, not parsed.
pub fn decode_awareness(update: &[u8]) -> Result<Vec<AwarenessEntry>> {
    let mut r = Reader::new(update);
    let n = r.count(3)?; // each entry takes at least 3 bytes
    let mut entries = Vec::with_capacity(n as usize);
    for _ in 0..n {
        let client = r.var_uint()?;
        let clock = r.var_uint()?;
        let state = r.str()?;
        entries.push(AwarenessEntry { client, clock, state });
    }
    r.end()?;
    Ok(entries)
}

/// An awareness update of `entries`.
pub fn encode_awareness<'e, I: IntoIterator<Item = &'e AwarenessEntry<'e>>>(entries: I) -> Vec<u8> {
    let entries: Vec<&AwarenessEntry> = entries.into_iter().collect();
    let mut out = Vec::new();
    write_var_uint(&mut out, entries.len() as u64);
    for e in entries {
        write_var_uint(&mut out, e.client);
        write_var_uint(&mut out, e.clock);
        write_str(&mut out, e.state);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_round_trip_with_y_protocols_bytes() {
        // Bytes as y-protocols writes them (lib0 var-uints, length-prefixed payloads).
        let cases: [(&[u8], Message); 6] = [
            (&[0, 0, 3, 1, 5, 2], Message::SyncStep1(&[1, 5, 2])),
            (&[0, 1, 2, 0, 0], Message::SyncStep2(&[0, 0])),
            (&[0, 2, 2, 0, 0], Message::Update(&[0, 0])),
            (&[1, 1, 0], Message::Awareness(&[0])),
            (&[2, 0, 2, b'n', b'o'], Message::PermissionDenied("no")),
            (&[3], Message::QueryAwareness),
        ];
        for (bytes, msg) in cases.iter() {
            assert_eq!(Message::decode(bytes), Ok(*msg));
            assert_eq!(&msg.encode()[..], *bytes);
        }
    }

    #[test]
    fn bad_frames_are_errors() {
        assert_eq!(Message::decode(&[]), Err(Error::UnexpectedEnd));
        assert_eq!(Message::decode(&[4]), Err(Error::UnknownMessage(4)));
        assert_eq!(Message::decode(&[0, 3, 0]), Err(Error::UnknownMessage(3)));
        assert_eq!(Message::decode(&[0, 0, 5, 1]), Err(Error::UnexpectedEnd));
        assert_eq!(Message::decode(&[3, 0]), Err(Error::TrailingBytes));
        assert_eq!(Message::decode(&[2, 0, 1, 0xff]), Err(Error::InvalidUtf8));
    }

    #[test]
    fn awareness_updates_round_trip() {
        let entries = [
            AwarenessEntry { client: 300, clock: 2, state: r#"{"user":"a"}"# },
            AwarenessEntry { client: 7, clock: 9, state: "null" },
        ];
        let bytes = encode_awareness(entries.iter());
        assert_eq!(&bytes[..4], &[2, 0xac, 2, 2]);
        let decoded = decode_awareness(&bytes).unwrap();
        assert_eq!(decoded, entries.to_vec());
        assert!(!decoded[0].is_removal() && decoded[1].is_removal());
        for cut in 0..bytes.len() {
            assert!(decode_awareness(&bytes[..cut]).is_err());
        }
        assert_eq!(decode_awareness(&[200, 1]), Err(Error::UnexpectedEnd));
    }
}
