//! Yjs updates without a document: decode and encode V1 updates, merge them, diff them against a
//! state vector, and compute state vectors, with the bytes yjs 13.6 makes for the same calls;
//! [`protocol`] reads and writes the messages Yjs providers exchange.
//!
//! ```
//! use partyhost::yjs;
//!
//! # fn f(a: &[u8], b: &[u8], client_sv: &[u8]) -> Result<(), yjs::Error> {
//! let doc = yjs::merge_updates(&[a, b])?;                // Y.mergeUpdates([a, b])
//! let sv = yjs::encode_state_vector_from_update(&doc)?; // Y.encodeStateVectorFromUpdate(doc)
//! let missing = yjs::diff_update(&doc, client_sv)?;     // Y.diffUpdate(doc, clientSv)
//! for block in yjs::Update::decode(&doc)?.blocks {       // Y.decodeUpdate(doc).structs
//!     println!("{:?} covers {} clocks", block.id(), block.len());
//! }
//! # Ok(()) }
//! # fn main() {}
//! ```
//!
//! Everything here reads bytes from untrusted clients: malformed, truncated or trailing input is
//! an [`Error`], never a panic. Counts are checked against the bytes left before anything is
//! allocated for them, nothing recurses on the input (nested `any` values are read with an
//! explicit stack, at most [`ANY_MAX_DEPTH`] deep) and numbers are JavaScript's safe integers.
//! Strings must be valid UTF-8 (yjs writes nothing else). JSON texts (legacy JSON content,
//! embeds, format values) are passed through as they are, not parsed.
//!
//! Merging, diffing and state vectors read one struct at a time, as yjs does, so their memory is
//! their output's; [`Update::decode`] holds every struct. Lengths and offsets count UTF-16 code
//! units, as JavaScript strings do: cutting text inside a surrogate pair turns each half into
//! U+FFFD, as yjs does.

mod compact;
mod lib0;
mod merge;
pub mod protocol;
pub mod server;
mod state;
mod update;

use std::fmt;

pub use compact::compact;
pub use lib0::{Any, ANY_MAX_DEPTH, MAX_SAFE_INTEGER};
pub use merge::{diff_update, encode_state_vector_from_update, merge_updates, split_update, state_vector_from_update};
pub use state::{StateTracker, StateVector};
pub use update::{utf16_len, Block, Content, DeleteSet, Id, IdRange, Item, Parent, TypeRef, Update, UpdateReader};

/// Why bytes are not a V1 update, state vector or `any` value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Error {
    /// The bytes end inside a value, or a count promises more than the bytes left.
    UnexpectedEnd,
    /// A number (or a clock reached by adding lengths) beyond 2^53 - 1.
    IntegerOutOfRange,
    /// A string that is not UTF-8.
    InvalidUtf8,
    /// An item's content kind (the info byte's low 5 bits) that yjs does not know.
    UnknownContent(u8),
    /// A shared type's kind that yjs does not know.
    UnknownTypeRef(u64),
    /// An `any` value's tag that lib0 does not know.
    UnknownAny(u8),
    /// `any` arrays and objects nested deeper than [`ANY_MAX_DEPTH`].
    TooDeep,
    /// Bytes after the end.
    TrailingBytes,
    /// A y-protocols message (or sync or auth message) type that y-protocols does not know.
    UnknownMessage(u64),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            Error::UnexpectedEnd => f.write_str("unexpected end of input"),
            Error::IntegerOutOfRange => f.write_str("integer out of range"),
            Error::InvalidUtf8 => f.write_str("string is not UTF-8"),
            Error::UnknownContent(n) => write!(f, "unknown content kind {}", n),
            Error::UnknownTypeRef(n) => write!(f, "unknown type kind {}", n),
            Error::UnknownAny(n) => write!(f, "unknown any tag {}", n),
            Error::TooDeep => write!(f, "any value nested deeper than {}", ANY_MAX_DEPTH),
            Error::TrailingBytes => f.write_str("trailing bytes"),
            Error::UnknownMessage(n) => write!(f, "unknown message type {}", n),
        }
    }
}

impl std::error::Error for Error {}

pub type Result<T> = std::result::Result<T, Error>;
