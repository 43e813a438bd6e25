//! The structs of a V1 update and their encoding (yjs's `UpdateDecoderV1`/`UpdateEncoderV1`,
//! `Item.write`, the `Content*.write` methods and `readItemContent`).
//!
//! A V1 update is: the number of client groups; per group the number of structs, the client id
//! and the clock of its first struct, then the structs (each one's clock follows from the lengths
//! before it); then the delete set.

use std::borrow::Cow;
use std::collections::BTreeMap;

use super::lib0::{write_buf, write_str, write_var_uint, Reader, MAX_SAFE_INTEGER};
use super::{Error, Result};

/// A struct's id: the client that made it and its clock (position in that client's sequence).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Id {
    pub client: u64,
    pub clock: u64,
}

impl Id {
    pub fn new(client: u64, clock: u64) -> Id {
        Id { client, clock }
    }
}

/// One struct of an update: it covers the clocks `id.clock .. id.clock + len()` of `id.client`.
#[derive(Clone, Debug, PartialEq)]
pub enum Block<'a> {
    /// Deleted content whose items were garbage-collected: only the clocks remain.
    Gc {
        id: Id,
        len: u64,
    },
    /// Clocks the update does not hold (a gap left by merging updates that did not meet).
    Skip {
        id: Id,
        len: u64,
    },
    Item(Item<'a>),
}

/// An item: inserted content with where it was inserted.
#[derive(Clone, Debug, PartialEq)]
pub struct Item<'a> {
    pub id: Id,
    /// The item this one was inserted after (its left neighbour then).
    pub origin: Option<Id>,
    /// The item this one was inserted before.
    pub right_origin: Option<Id>,
    /// The type the item belongs to. Written only for an item without origins (yjs finds the
    /// parent of any other item through its origin), so `None` when decoded with one. An item
    /// with neither origin must have a parent, or [`Block::encode`] panics.
    pub parent: Option<Parent<'a>>,
    /// The item's key in a map type, written (like `parent`) only for an item without origins.
    pub parent_sub: Option<&'a str>,
    /// The info byte's "has a key" bit, for an item with an origin: yjs sets it for map entries
    /// but writes no key then, and its readers ignore the bit; kept so that decoding and encoding
    /// give the same bytes. [`merge_updates`](super::merge_updates) and
    /// [`diff_update`](super::diff_update) clear it, as yjs's do.
    pub keyed: bool,
    pub content: Content<'a>,
}

/// The parent of an item without origins.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Parent<'a> {
    /// A root type, by the name it has in the document (`doc.getText(name)`).
    Root(&'a str),
    /// A nested type, by the id of the item that holds it (a [`Content::Type`]).
    Type(Id),
}

/// The kinds of shared types (yjs's `typeRefs`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TypeRef<'a> {
    Array,
    Map,
    Text,
    /// `Y.XmlElement` with its node name.
    XmlElement(&'a str),
    XmlFragment,
    /// `Y.XmlHook` with its hook name.
    XmlHook(&'a str),
    XmlText,
}

/// An item's content. Strings and bytes borrow from the decoded update.
#[derive(Clone, Debug, PartialEq)]
pub enum Content<'a> {
    /// Deleted content (of this many clocks) whose structure is kept.
    Deleted(u64),
    /// Legacy JSON values (`ContentJSON`), as JSON texts (`undefined` for undefined).
    Json(Vec<&'a str>),
    /// A `Uint8Array` inserted as one element.
    Binary(&'a [u8]),
    /// Text. Its length, and offsets into it, count UTF-16 code units, as in JavaScript. Owned
    /// only when it was cut inside a surrogate pair (the half becomes U+FFFD, as in yjs).
    String(Cow<'a, str>),
    /// A rich-text embed, as a JSON text.
    Embed(&'a str),
    /// A rich-text formatting mark: attribute name and JSON value (`null` ends a format).
    Format { key: &'a str, value: &'a str },
    /// A nested shared type.
    Type(TypeRef<'a>),
    /// lib0 `any` values, each as its encoded bytes (decode one with [`Any::decode`]).
    ///
    /// [`Any::decode`]: super::Any::decode
    Any(Vec<&'a [u8]>),
    /// A subdocument: its guid and its options (one encoded `any` object).
    Doc { guid: &'a str, opts: &'a [u8] },
}

/// Number of UTF-16 code units of `s`: one per character, two for those beyond U+FFFF (the ones
/// UTF-8 writes in 4 bytes).
pub fn utf16_len(s: &str) -> u64 {
    s.bytes().map(|b| u64::from(b & 0xc0 != 0x80) + u64::from(b >= 0xf0)).sum()
}

/// The byte index where `s` continues after `units` UTF-16 code units, and whether that cuts a
/// surrogate pair (then the index is after the character that was cut).
pub(crate) fn utf16_cut(s: &str, units: u64) -> (usize, bool) {
    let mut n = 0;
    for (i, c) in s.char_indices() {
        if n >= units {
            return (i, false);
        }
        n += c.len_utf16() as u64;
        if n > units {
            return (i + c.len_utf8(), true);
        }
    }
    (s.len(), false)
}

const REPLACEMENT: &str = "\u{fffd}";

impl<'a> Content<'a> {
    /// Clocks the content covers.
    pub fn len(&self) -> u64 {
        match self {
            Content::Deleted(n) => *n,
            Content::Json(v) => v.len() as u64,
            Content::String(s) => utf16_len(s),
            Content::Any(v) => v.len() as u64,
            _ => 1,
        }
    }

    /// Whether the content covers no clocks (yjs never makes such items).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The content kind's number in the info byte.
    pub fn ref_number(&self) -> u8 {
        match self {
            Content::Deleted(_) => 1,
            Content::Json(_) => 2,
            Content::Binary(_) => 3,
            Content::String(_) => 4,
            Content::Embed(_) => 5,
            Content::Format { .. } => 6,
            Content::Type(_) => 7,
            Content::Any(_) => 8,
            Content::Doc { .. } => 9,
        }
    }

    /// The content from `offset` on (yjs's `splice`, keeping the right part). Content of length 1
    /// cannot be cut and is returned whole.
    pub fn slice_from(&self, offset: u64) -> Content<'a> {
        let skip = |n: usize| offset.min(n as u64) as usize;
        match self {
            Content::Deleted(n) => Content::Deleted(n.saturating_sub(offset)),
            Content::Json(v) => Content::Json(v[skip(v.len())..].to_vec()),
            Content::Any(v) => Content::Any(v[skip(v.len())..].to_vec()),
            Content::String(s) => {
                let (at, cut_pair) = utf16_cut(s, offset);
                Content::String(if cut_pair {
                    Cow::Owned(format!("{}{}", REPLACEMENT, &s[at..]))
                } else {
                    match s {
                        Cow::Borrowed(b) => Cow::Borrowed(&b[at..]),
                        Cow::Owned(o) => Cow::Owned(o[at..].to_owned()),
                    }
                })
            }
            other => other.clone(),
        }
    }

    /// Writes the content from `offset` on (yjs's `content.write(encoder, offset)`).
    fn encode(&self, out: &mut Vec<u8>, offset: u64) {
        match self {
            Content::Deleted(n) => write_var_uint(out, n.saturating_sub(offset)),
            Content::Json(v) => {
                let v = &v[offset.min(v.len() as u64) as usize..];
                write_var_uint(out, v.len() as u64);
                for s in v {
                    write_str(out, s);
                }
            }
            Content::Binary(b) => write_buf(out, b),
            Content::String(s) => {
                // JS slices the string at a UTF-16 offset; a lone low surrogate becomes U+FFFD
                // when lib0 encodes it as UTF-8.
                let (at, cut_pair) = utf16_cut(s, offset);
                let rest = &s[at..];
                if cut_pair {
                    write_var_uint(out, (REPLACEMENT.len() + rest.len()) as u64);
                    out.extend_from_slice(REPLACEMENT.as_bytes());
                    out.extend_from_slice(rest.as_bytes());
                } else {
                    write_str(out, rest);
                }
            }
            Content::Embed(json) => write_str(out, json),
            Content::Format { key, value } => {
                write_str(out, key);
                write_str(out, value);
            }
            Content::Type(t) => {
                let (n, name) = match t {
                    TypeRef::Array => (0, None),
                    TypeRef::Map => (1, None),
                    TypeRef::Text => (2, None),
                    TypeRef::XmlElement(name) => (3, Some(name)),
                    TypeRef::XmlFragment => (4, None),
                    TypeRef::XmlHook(name) => (5, Some(name)),
                    TypeRef::XmlText => (6, None),
                };
                write_var_uint(out, n);
                if let Some(name) = name {
                    write_str(out, name);
                }
            }
            Content::Any(v) => {
                let v = &v[offset.min(v.len() as u64) as usize..];
                write_var_uint(out, v.len() as u64);
                for any in v {
                    out.extend_from_slice(any);
                }
            }
            Content::Doc { guid, opts } => {
                write_str(out, guid);
                out.extend_from_slice(opts);
            }
        }
    }

    fn decode(r: &mut Reader<'a>, kind: u8) -> Result<Content<'a>> {
        Ok(match kind {
            1 => Content::Deleted(r.var_uint()?),
            2 => {
                let n = r.count(1)?;
                let mut v = Vec::with_capacity(n.min(1024) as usize);
                for _ in 0..n {
                    v.push(r.str()?);
                }
                Content::Json(v)
            }
            3 => Content::Binary(r.buf()?),
            4 => Content::String(Cow::Borrowed(r.str()?)),
            5 => Content::Embed(r.str()?),
            6 => Content::Format { key: r.str()?, value: r.str()? },
            7 => Content::Type(match r.var_uint()? {
                0 => TypeRef::Array,
                1 => TypeRef::Map,
                2 => TypeRef::Text,
                3 => TypeRef::XmlElement(r.str()?),
                4 => TypeRef::XmlFragment,
                5 => TypeRef::XmlHook(r.str()?),
                6 => TypeRef::XmlText,
                n => return Err(Error::UnknownTypeRef(n)),
            }),
            8 => {
                let n = r.count(1)?;
                let mut v = Vec::with_capacity(n.min(1024) as usize);
                for _ in 0..n {
                    v.push(r.any_raw()?);
                }
                Content::Any(v)
            }
            9 => Content::Doc { guid: r.str()?, opts: r.any_raw()? },
            _ => return Err(Error::UnknownContent(kind)),
        })
    }
}

const BIT_ORIGIN: u8 = 0x80;
const BIT_RIGHT_ORIGIN: u8 = 0x40;
const BIT_PARENT_SUB: u8 = 0x20;
const SKIP: u8 = 10;

fn read_id(r: &mut Reader) -> Result<Id> {
    Ok(Id { client: r.var_uint()?, clock: r.var_uint()? })
}

fn write_id(out: &mut Vec<u8>, id: Id) {
    write_var_uint(out, id.client);
    write_var_uint(out, id.clock);
}

impl<'a> Item<'a> {
    pub fn len(&self) -> u64 {
        self.content.len()
    }

    pub fn is_empty(&self) -> bool {
        self.content.is_empty()
    }

    fn decode(r: &mut Reader<'a>, id: Id, info: u8) -> Result<Item<'a>> {
        let origin = if info & BIT_ORIGIN != 0 { Some(read_id(r)?) } else { None };
        let right_origin = if info & BIT_RIGHT_ORIGIN != 0 { Some(read_id(r)?) } else { None };
        let keyed = info & BIT_PARENT_SUB != 0;
        let (mut parent, mut parent_sub) = (None, None);
        if origin.is_none() && right_origin.is_none() {
            // yjs: parent info 1 is a root name, anything else an id
            parent = Some(if r.var_uint()? == 1 { Parent::Root(r.str()?) } else { Parent::Type(read_id(r)?) });
            if keyed {
                parent_sub = Some(r.str()?);
            }
        }
        let content = Content::decode(r, info & 0x1f)?;
        Ok(Item { id, origin, right_origin, parent, parent_sub, keyed, content })
    }

    /// yjs's `Item.write(encoder, offset)`: an offset makes the item start later, after its own
    /// previous clock.
    fn encode(&self, out: &mut Vec<u8>, offset: u64) {
        let origin = if offset > 0 { Some(Id::new(self.id.client, self.id.clock + offset - 1)) } else { self.origin };
        let anchored = origin.is_some() || self.right_origin.is_some();
        let mut info = self.content.ref_number();
        if origin.is_some() {
            info |= BIT_ORIGIN;
        }
        if self.right_origin.is_some() {
            info |= BIT_RIGHT_ORIGIN;
        }
        if self.parent_sub.is_some() || (self.keyed && anchored) {
            info |= BIT_PARENT_SUB;
        }
        out.push(info);
        if let Some(id) = origin {
            write_id(out, id);
        }
        if let Some(id) = self.right_origin {
            write_id(out, id);
        }
        if !anchored {
            match self.parent {
                Some(Parent::Root(name)) => {
                    write_var_uint(out, 1);
                    write_str(out, name);
                }
                Some(Parent::Type(id)) => {
                    write_var_uint(out, 0);
                    write_id(out, id);
                }
                None => panic!("yjs item {:?} has neither origin nor parent", self.id),
            }
            if let Some(key) = self.parent_sub {
                write_str(out, key);
            }
        }
        self.content.encode(out, offset);
    }
}

impl<'a> Block<'a> {
    pub fn id(&self) -> Id {
        match self {
            Block::Gc { id, .. } | Block::Skip { id, .. } => *id,
            Block::Item(item) => item.id,
        }
    }

    /// Clocks the block covers.
    pub fn len(&self) -> u64 {
        match self {
            Block::Gc { len, .. } | Block::Skip { len, .. } => *len,
            Block::Item(item) => item.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The clock after the block's last one.
    pub fn end(&self) -> u64 {
        self.id().clock + self.len()
    }

    pub fn is_skip(&self) -> bool {
        matches!(self, Block::Skip { .. })
    }

    /// The block from `offset` clocks on (yjs's `sliceStruct`): a cut item's origin becomes its
    /// own previous clock.
    pub fn slice_from(&self, offset: u64) -> Block<'a> {
        let id = self.id();
        let at = Id::new(id.client, id.clock + offset);
        match self {
            Block::Gc { len, .. } => Block::Gc { id: at, len: len.saturating_sub(offset) },
            Block::Skip { len, .. } => Block::Skip { id: at, len: len.saturating_sub(offset) },
            Block::Item(item) if offset > 0 => Block::Item(Item {
                id: at,
                origin: Some(Id::new(id.client, at.clock - 1)),
                content: item.content.slice_from(offset),
                ..item.clone()
            }),
            Block::Item(_) => self.clone(),
        }
    }

    /// Appends the block's encoding from `offset` clocks on (yjs's `struct.write(encoder,
    /// offset)`), as the block would be read at clock `id.clock + offset`.
    ///
    /// # Panics
    /// If an item has neither origin nor parent, which no decoded item has (yjs throws too).
    pub fn encode(&self, out: &mut Vec<u8>, offset: u64) {
        match self {
            Block::Gc { len, .. } => {
                out.push(0);
                write_var_uint(out, len.saturating_sub(offset));
            }
            Block::Skip { len, .. } => {
                out.push(SKIP);
                write_var_uint(out, len.saturating_sub(offset));
            }
            Block::Item(item) => item.encode(out, offset),
        }
    }

    fn decode(r: &mut Reader<'a>, id: Id) -> Result<Block<'a>> {
        let info = r.u8()?;
        Ok(if info == SKIP {
            Block::Skip { id, len: r.var_uint()? }
        } else if info & 0x1f != 0 {
            Block::Item(Item::decode(r, id, info)?)
        } else {
            Block::Gc { id, len: r.var_uint()? }
        })
    }

    /// A copy for yjs's merge and diff, which read items lazily and so forget the key bit of items
    /// with an origin.
    pub(crate) fn forget_key_bit(mut self) -> Self {
        if let Block::Item(item) = &mut self {
            item.keyed = false;
        }
        self
    }
}

/// Reads the structs of a V1 update one at a time (yjs's `LazyStructReader`), then its delete
/// set. Allocates nothing per struct beyond the lists inside JSON and `any` content.
pub struct UpdateReader<'a> {
    r: Reader<'a>,
    groups_left: u64,
    structs_left: u64,
    next: Id,
}

impl<'a> UpdateReader<'a> {
    pub fn new(update: &'a [u8]) -> Result<UpdateReader<'a>> {
        let mut r = Reader::new(update);
        let groups_left = r.count(3)?;
        Ok(UpdateReader { r, groups_left, structs_left: 0, next: Id::new(0, 0) })
    }

    /// The next struct, `None` after the last.
    pub fn next_block(&mut self) -> Result<Option<Block<'a>>> {
        while self.structs_left == 0 {
            if self.groups_left == 0 {
                return Ok(None);
            }
            self.groups_left -= 1;
            self.structs_left = self.r.count(2)?;
            self.next = read_id(&mut self.r)?;
        }
        self.structs_left -= 1;
        let block = Block::decode(&mut self.r, self.next)?;
        // Clocks stay JS-safe integers, so that ends and sums cannot overflow.
        self.next.clock = Some(block.end()).filter(|&end| end <= MAX_SAFE_INTEGER).ok_or(Error::IntegerOutOfRange)?;
        Ok(Some(block))
    }

    /// Reads (past any structs left) the delete set, which must end the update.
    pub fn delete_set(mut self) -> Result<DeleteSet> {
        while self.next_block()?.is_some() {}
        let ds = DeleteSet::read(&mut self.r)?;
        self.r.end()?;
        Ok(ds)
    }
}

/// Writes structs as groups of consecutive clocks of one client (yjs's `LazyStructWriter`).
#[derive(Default)]
pub(crate) struct StructWriter {
    body: Vec<u8>,
    groups: Vec<Group>,
}

struct Group {
    first: Id,
    end: u64,
    count: u64,
    start: usize,
}

impl StructWriter {
    /// Appends `block` from `offset` on. A block that does not continue the last one's client and
    /// clock starts a new group. (yjs's writer starts one only for another client; for the blocks
    /// it writes the two agree.)
    pub fn write(&mut self, block: &Block, offset: u64) {
        let id = block.id();
        let clock = id.clock + offset;
        match self.groups.last() {
            Some(g) if g.first.client == id.client && g.end == clock => {}
            _ => self.groups.push(Group {
                first: Id::new(id.client, clock),
                end: clock,
                count: 0,
                start: self.body.len(),
            }),
        }
        block.encode(&mut self.body, offset);
        if let Some(g) = self.groups.last_mut() {
            g.count += 1;
            g.end = block.end().max(clock);
        }
    }

    /// The encoded structs (without a delete set).
    pub fn finish(self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.body.len() + 8 + 12 * self.groups.len());
        write_var_uint(&mut out, self.groups.len() as u64);
        for (i, g) in self.groups.iter().enumerate() {
            let end = self.groups.get(i + 1).map_or(self.body.len(), |next| next.start);
            write_var_uint(&mut out, g.count);
            write_id(&mut out, g.first);
            out.extend_from_slice(&self.body[g.start..end]);
        }
        out
    }
}

/// A range of deleted clocks of one client.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IdRange {
    pub clock: u64,
    pub len: u64,
}

impl IdRange {
    pub fn end(&self) -> u64 {
        self.clock + self.len
    }
}

/// The deleted clocks of an update, by client.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DeleteSet {
    pub clients: BTreeMap<u64, Vec<IdRange>>,
}

impl DeleteSet {
    pub fn is_empty(&self) -> bool {
        self.clients.values().all(|v| v.is_empty())
    }

    /// Whether `id` is in one of the ranges (which need not be sorted).
    pub fn contains(&self, id: Id) -> bool {
        self.clients.get(&id.client).map_or(false, |v| v.iter().any(|r| r.clock <= id.clock && id.clock < r.end()))
    }

    pub fn add(&mut self, client: u64, clock: u64, len: u64) {
        self.clients.entry(client).or_default().push(IdRange { clock, len });
    }

    /// Adds a range to a set whose ranges are sorted and merged (as [`sort_and_merge`] leaves them),
    /// keeping it so; returns how many of its clocks were not in the set. Binary search: adding
    /// next to a range already there (a run of deletions) moves nothing.
    ///
    /// [`sort_and_merge`]: Self::sort_and_merge
    pub fn insert(&mut self, client: u64, clock: u64, len: u64) -> u64 {
        if len == 0 {
            return 0;
        }
        let ranges = self.clients.entry(client).or_default();
        let end = clock + len;
        // ranges[lo..hi] overlap or touch [clock, end)
        let lo = ranges.partition_point(|r| r.end() < clock);
        let hi = ranges.partition_point(|r| r.clock <= end);
        if lo == hi {
            ranges.insert(lo, IdRange { clock, len });
            return len;
        }
        let covered: u64 = ranges[lo..hi].iter().map(|r| r.end().min(end).saturating_sub(r.clock.max(clock))).sum();
        let start = ranges[lo].clock.min(clock);
        let stop = ranges[hi - 1].end().max(end);
        ranges[lo] = IdRange { clock: start, len: stop - start };
        ranges.drain(lo + 1..hi);
        len - covered
    }

    /// Whether every clock of `[clock, clock + len)` is in a set sorted and merged.
    pub fn covers(&self, client: u64, clock: u64, len: u64) -> bool {
        let ranges = match self.clients.get(&client) {
            Some(r) => r,
            None => return len == 0,
        };
        let i = ranges.partition_point(|r| r.end() <= clock);
        len == 0 || ranges.get(i).map_or(false, |r| r.clock <= clock && clock + len <= r.end())
    }

    /// The number of clocks in a set sorted and merged.
    pub fn clocks(&self) -> u64 {
        self.clients.values().flatten().map(|r| r.len).sum()
    }

    /// Sorts each client's ranges and joins those that overlap or touch (yjs's
    /// `sortAndMergeDeleteSet`).
    pub fn sort_and_merge(&mut self) {
        for ranges in self.clients.values_mut() {
            ranges.sort_by_key(|r| r.clock);
            let mut merged: Vec<IdRange> = Vec::with_capacity(ranges.len());
            for r in ranges.drain(..) {
                match merged.last_mut() {
                    Some(last) if last.end() >= r.clock => last.len = last.len.max(r.end() - last.clock),
                    _ => merged.push(r),
                }
            }
            *ranges = merged;
        }
    }

    /// The union of `sets`, sorted and merged (yjs's `mergeDeleteSets`).
    pub fn merge<I: IntoIterator<Item = DeleteSet>>(sets: I) -> DeleteSet {
        let mut all = DeleteSet::default();
        for set in sets {
            for (client, ranges) in set.clients {
                all.clients.entry(client).or_default().extend(ranges);
            }
        }
        all.sort_and_merge();
        all
    }

    /// Appends the encoding (clients in descending order, as yjs writes them; clients without
    /// ranges left out).
    pub fn encode(&self, out: &mut Vec<u8>) {
        let clients = self.clients.iter().rev().filter(|(_, v)| !v.is_empty());
        write_var_uint(out, clients.clone().count() as u64);
        for (&client, ranges) in clients {
            write_var_uint(out, client);
            write_var_uint(out, ranges.len() as u64);
            for r in ranges {
                write_var_uint(out, r.clock);
                write_var_uint(out, r.len);
            }
        }
    }

    /// yjs's `readDeleteSet`: a client may come more than once (its ranges are joined).
    fn read(r: &mut Reader) -> Result<DeleteSet> {
        let mut ds = DeleteSet::default();
        for _ in 0..r.count(2)? {
            let client = r.var_uint()?;
            let n = r.count(2)?;
            if n > 0 {
                let ranges = ds.clients.entry(client).or_default();
                ranges.reserve(n as usize);
                for _ in 0..n {
                    ranges.push(IdRange { clock: r.var_uint()?, len: r.var_uint()? });
                }
            }
        }
        Ok(ds)
    }
}

/// A decoded V1 update: all its structs in order, and its delete set. Strings and bytes borrow
/// from the update. (A decoded struct takes some 100 bytes however few it was encoded in; to
/// merge, diff or take state vectors use the functions of [`yjs`](super), which read lazily.)
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Update<'a> {
    pub blocks: Vec<Block<'a>>,
    pub delete_set: DeleteSet,
}

impl<'a> Update<'a> {
    /// Decodes a V1 update. Any malformed, truncated or trailing bytes are an error.
    pub fn decode(update: &'a [u8]) -> Result<Update<'a>> {
        let mut reader = UpdateReader::new(update)?;
        let mut blocks = Vec::new();
        while let Some(block) = reader.next_block()? {
            blocks.push(block);
        }
        Ok(Update { blocks, delete_set: reader.delete_set()? })
    }

    /// Encodes the update: consecutive blocks of a client with consecutive clocks form a group.
    /// A yjs update decodes and encodes to the same bytes.
    ///
    /// # Panics
    /// If an item has neither origin nor parent (see [`Block::encode`]).
    pub fn encode(&self) -> Vec<u8> {
        let mut w = StructWriter::default();
        for block in &self.blocks {
            w.write(block, 0);
        }
        let mut out = w.finish();
        self.delete_set.encode(&mut out);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_lengths_and_cuts() {
        assert_eq!(utf16_len(""), 0);
        assert_eq!(utf16_len("a\u{e9}\u{20ac}"), 3);
        assert_eq!(utf16_len("\u{1f600}"), 2);
        let s = "a\u{1f600}b";
        assert_eq!(utf16_cut(s, 0), (0, false));
        assert_eq!(utf16_cut(s, 1), (1, false));
        assert_eq!(utf16_cut(s, 2), (5, true));
        assert_eq!(utf16_cut(s, 3), (5, false));
        assert_eq!(utf16_cut(s, 4), (6, false));
        assert_eq!(utf16_cut(s, 9), (6, false));
        let c = Content::String(Cow::Borrowed(s));
        assert_eq!(c.slice_from(2), Content::String(Cow::Owned("\u{fffd}b".into())));
        assert_eq!(c.slice_from(3), Content::String(Cow::Borrowed("b")));
        assert_eq!(c.slice_from(2).len(), 2);
        let mut out = Vec::new();
        c.encode(&mut out, 2);
        assert_eq!(out, [4, 0xef, 0xbf, 0xbd, b'b']);
    }

    #[test]
    fn sliced_item_points_at_its_own_previous_clock() {
        let item = Item {
            id: Id::new(5, 10),
            origin: None,
            right_origin: None,
            parent: Some(Parent::Root("t")),
            parent_sub: None,
            keyed: false,
            content: Content::String(Cow::Borrowed("hello")),
        };
        let b = Block::Item(item).slice_from(2);
        assert_eq!(b.id(), Id::new(5, 12));
        assert_eq!(b.len(), 3);
        match &b {
            Block::Item(i) => assert_eq!(i.origin, Some(Id::new(5, 11))),
            _ => unreachable!(),
        }
        let mut sliced = Vec::new();
        b.encode(&mut sliced, 0);
        let mut offset = Vec::new();
        Block::Item(match b {
            Block::Item(i) => Item { id: Id::new(5, 10), content: Content::String(Cow::Borrowed("hello")), ..i },
            _ => unreachable!(),
        })
        .encode(&mut offset, 2);
        assert_eq!(sliced, offset);
    }

    #[test]
    fn inserting_keeps_a_delete_set_sorted_and_merged() {
        let mut ds = DeleteSet::default();
        assert_eq!(ds.insert(1, 10, 2), 2);
        assert_eq!(ds.insert(1, 0, 3), 3);
        assert_eq!(ds.insert(1, 12, 1), 1); // touches: joined
        assert_eq!(ds.insert(1, 5, 1), 1);
        assert_eq!(ds.clients[&1], [IdRange { clock: 0, len: 3 }, IdRange { clock: 5, len: 1 }, IdRange { clock: 10, len: 3 }]);
        assert_eq!(ds.insert(1, 2, 10), 6); // spans all three: 3, 4, 6, 7, 8 and 9 are new
        assert_eq!(ds.clients[&1], [IdRange { clock: 0, len: 13 }]);
        assert_eq!(ds.insert(1, 4, 2), 0);
        assert!(ds.covers(1, 0, 13) && !ds.covers(1, 0, 14) && !ds.covers(2, 0, 1) && ds.covers(2, 0, 0));
        assert_eq!(ds.clocks(), 13);
    }

    #[test]
    fn delete_sets_merge_like_yjs() {
        let mut a = DeleteSet::default();
        a.add(1, 5, 2);
        a.add(1, 0, 2);
        a.add(2, 0, 1);
        let mut b = DeleteSet::default();
        b.add(1, 2, 1);
        b.add(1, 6, 4);
        let m = DeleteSet::merge([a, b]);
        assert_eq!(m.clients[&1], [IdRange { clock: 0, len: 3 }, IdRange { clock: 5, len: 5 }]);
        assert!(m.contains(Id::new(1, 9)) && !m.contains(Id::new(1, 3)));
        let mut out = Vec::new();
        m.encode(&mut out);
        assert_eq!(out, [2, 2, 1, 0, 1, 1, 2, 0, 3, 5, 5]);
    }
}
