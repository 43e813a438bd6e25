//! What yjs's `updates.js` does without a document: `mergeUpdates`, `diffUpdate` and
//! `encodeStateVectorFromUpdate`, on V1 updates, with the same output bytes.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::lib0::write_var_uint;
use super::compact::split;
use super::update::{Block, Content, DeleteSet, Id, StructWriter, UpdateReader};
use super::{Result, StateVector};

/// Merges updates into one, as `Y.mergeUpdates` does: the structs of all of them, each clock once,
/// sorted by client (highest first) and clock, with `Skip`s over the clocks none of them has, and
/// the union of their delete sets. Items are not joined (yjs's merge does not either), so merging
/// a thousand one-letter updates gives a thousand items. A single update is returned as it is,
/// after checking that it decodes.
///
/// Work is linear in the total size, plus a logarithm of the number of updates per struct.
pub fn merge_updates<U: AsRef<[u8]>>(updates: &[U]) -> Result<Vec<u8>> {
    if let [single] = updates {
        UpdateReader::new(single.as_ref())?.delete_set()?;
        return Ok(single.as_ref().to_vec());
    }
    let mut sources = Vec::with_capacity(updates.len());
    for u in updates {
        sources.push(Source::new(u.as_ref())?);
    }
    // yjs sorts its readers by their current struct (client descending, then clock) before each
    // step, with a stable sort: of readers at the same struct, the one read last comes first. A
    // heap ordered by (client desc, clock, rank) does the same if every reader pushed back gets a
    // rank below all ranks so far.
    let mut heap = BinaryHeap::with_capacity(sources.len());
    for (i, s) in sources.iter().enumerate() {
        if let Some(b) = &s.curr {
            heap.push(Reverse(key(b, i as i64, i)));
        }
    }
    let mut rank: i64 = 0;
    let mut state = Merge { written: StructWriter::default(), pending: None };
    while let Some(Reverse((_, _, _, i))) = heap.pop() {
        state.step(&mut sources[i])?;
        if let Some(b) = &sources[i].curr {
            rank -= 1;
            heap.push(Reverse(key(b, rank, i)));
        }
    }
    if let Some(p) = state.pending.take() {
        state.written.write(&p.block, 0);
    }
    let mut out = state.written.finish();
    let mut sets = Vec::with_capacity(sources.len());
    for s in sources {
        sets.push(s.reader.delete_set()?);
    }
    DeleteSet::merge(sets).encode(&mut out);
    Ok(out)
}

type Key = (Reverse<u64>, u64, i64, usize);

fn key(b: &Block, rank: i64, index: usize) -> Key {
    let id = b.id();
    (Reverse(id.client), id.clock, rank, index)
}

/// One update being merged: its reader and current struct (yjs's `LazyStructReader` with skips
/// filtered out).
struct Source<'a> {
    reader: UpdateReader<'a>,
    curr: Option<Block<'a>>,
}

impl<'a> Source<'a> {
    fn new(update: &'a [u8]) -> Result<Source<'a>> {
        let mut s = Source { reader: UpdateReader::new(update)?, curr: None };
        s.advance()?;
        Ok(s)
    }

    fn advance(&mut self) -> Result<()> {
        loop {
            self.curr = self.reader.next_block()?.map(Block::forget_key_bit);
            if !matches!(self.curr, Some(Block::Skip { .. })) {
                return Ok(());
            }
        }
    }

    /// The current struct; the source moves on to the next.
    fn take(&mut self) -> Result<Option<Block<'a>>> {
        let b = self.curr.take();
        self.advance()?;
        Ok(b)
    }
}

struct Merge<'a> {
    written: StructWriter,
    pending: Option<Pending<'a>>,
}

/// The struct to write next (yjs's `currWrite`), kept back in case the next one joins it, with its
/// end: it is compared with every struct that follows, and counting a string's length is a scan.
struct Pending<'a> {
    block: Block<'a>,
    end: u64,
}

impl<'a> Pending<'a> {
    fn new(block: Block<'a>) -> Pending<'a> {
        Pending { end: block.end(), block }
    }

    fn client(&self) -> u64 {
        self.block.id().client
    }
}

impl<'a> Merge<'a> {
    /// One turn of yjs's merge loop, for the source whose struct comes first.
    fn step(&mut self, src: &mut Source<'a>) -> Result<()> {
        let first_client = match &src.curr {
            Some(b) => b.id().client,
            None => return Ok(()),
        };
        match self.pending.as_mut() {
            None => self.pending = src.take()?.map(Pending::new),
            Some(p) => {
                // Pass over what was written already (higher clients are written first).
                let mut iterated = false;
                while let Some(b) = &src.curr {
                    if b.end() <= p.end && b.id().client >= p.client() {
                        src.advance()?;
                        iterated = true;
                    } else {
                        break;
                    }
                }
                let curr = match &src.curr {
                    Some(b) => b,
                    None => return Ok(()),
                };
                let Id { client, clock } = curr.id();
                // Another source may hold this client's next clocks (or hold them first).
                if client != first_client || (iterated && clock > p.end) {
                    return Ok(());
                }
                if first_client != p.client() {
                    self.written.write(&p.block, 0);
                    self.pending = src.take()?.map(Pending::new);
                } else if p.end < clock {
                    // A gap: a Skip up to curr comes next. (yjs extends a pending Skip instead;
                    // one never stays pending past a step, as the loop below writes it.)
                    if let Block::Skip { id, len } = &mut p.block {
                        p.end = curr.end();
                        *len = p.end - id.clock;
                    } else {
                        self.written.write(&p.block, 0);
                        let id = Id::new(first_client, p.end);
                        self.pending = Some(Pending::new(Block::Skip { id, len: clock - p.end }));
                    }
                } else {
                    // curr starts inside pending or right after it: keep only its new part.
                    let overlap = p.end - clock;
                    let mut sliced = None;
                    if overlap > 0 {
                        if let Block::Skip { len, .. } = &mut p.block {
                            *len = len.saturating_sub(overlap); // the other struct holds content
                            p.end -= overlap;
                        } else {
                            sliced = Some(curr.slice_from(overlap));
                        }
                    }
                    if join(&mut p.block, sliced.as_ref().unwrap_or(curr)) {
                        p.end = p.block.end();
                    } else {
                        self.written.write(&p.block, 0);
                        let next = match sliced {
                            Some(b) => {
                                src.advance()?;
                                Some(b)
                            }
                            None => src.take()?,
                        };
                        self.pending = next.map(Pending::new);
                    }
                }
            }
        }
        // Write on while this source continues the same client's clocks.
        while let (Some(next), Some(p)) = (&src.curr, &self.pending) {
            if next.id().client != first_client || next.id().clock != p.end {
                break;
            }
            self.written.write(&p.block, 0);
            self.pending = src.take()?.map(Pending::new);
        }
        Ok(())
    }
}

/// yjs's `mergeWith` as it works in `mergeUpdates`: garbage and skips join a neighbour of the same
/// kind; items never join (their `right` is unknown there).
fn join(left: &mut Block, right: &Block) -> bool {
    match (left, right) {
        (Block::Gc { len, .. }, Block::Gc { len: more, .. })
        | (Block::Skip { len, .. }, Block::Skip { len: more, .. }) => {
            *len += more;
            true
        }
        _ => false,
    }
}

/// What `update` holds beyond `state_vector` (an encoded one), as `Y.diffUpdate` does: for each
/// client, its structs from the first that ends after the state vector's clock, the first cut to
/// start there; the delete set whole.
pub fn diff_update(update: &[u8], state_vector: &[u8]) -> Result<Vec<u8>> {
    let sv = StateVector::decode(state_vector)?;
    let mut reader = UpdateReader::new(update)?;
    let mut written = StructWriter::default();
    let mut curr = reader.next_block()?;
    while let Some(b) = curr {
        let client = b.id().client;
        let known = sv.get(client);
        if b.is_skip() {
            // a diff does not start with a skip
            curr = reader.next_block()?;
        } else if b.end() > known {
            let offset = known.saturating_sub(b.id().clock);
            written.write(&b.forget_key_bit(), offset);
            curr = reader.next_block()?;
            while let Some(b) = curr.take() {
                if b.id().client != client {
                    curr = Some(b);
                    break;
                }
                written.write(&b.forget_key_bit(), 0);
                curr = reader.next_block()?;
            }
        } else {
            // pass over what the state vector has
            curr = reader.next_block()?;
            while matches!(&curr, Some(b) if b.id().client == client && b.end() <= known) {
                curr = reader.next_block()?;
            }
        }
    }
    let mut out = written.finish();
    reader.delete_set()?.encode(&mut out);
    Ok(out)
}

/// `update` as several updates of at most about `max_bytes` each, to send a document larger than
/// one message as several: applied in order (or merged), they make the same document. Parts hold
/// structs in the update's order, skips left out; the delete set goes with the last part. A struct
/// larger than `max_bytes` (a long pasted string) is cut into items that fit, as a document would
/// cut it; only one element larger than that (a binary, embed or format) makes a part of its own,
/// over the size.
pub fn split_update(update: &[u8], max_bytes: usize) -> Result<Vec<Vec<u8>>> {
    const EMPTY_DELETE_SET: u8 = 0;
    let mut reader = UpdateReader::new(update)?;
    let mut parts = Vec::new();
    let mut part = StructWriter::default();
    let (mut size, mut one) = (0, Vec::new());
    while let Some(b) = reader.next_block()? {
        if b.is_skip() {
            continue; // a gap: the next struct starts a group at its own clock
        }
        for b in cut_to_size(b, max_bytes / 2) {
            one.clear();
            b.encode(&mut one, 0);
            // about a group header per struct at worst
            if size > 0 && size + one.len() + 16 > max_bytes {
                let mut out = std::mem::take(&mut part).finish();
                out.push(EMPTY_DELETE_SET);
                parts.push(out);
                size = 0;
            }
            part.write(&b, 0);
            size += one.len() + 16;
        }
    }
    let mut last = part.finish();
    reader.delete_set()?.encode(&mut last);
    parts.push(last);
    Ok(parts)
}

/// `block` as items whose content takes at most about `max_bytes` each (cut between characters
/// or elements), or whole if it is smaller or cannot be cut.
fn cut_to_size(block: Block, max_bytes: usize) -> Vec<Block> {
    let item = match block {
        Block::Item(item) => item,
        other => return vec![other],
    };
    // the clocks (UTF-16 units or elements) of each piece
    let mut lens = Vec::new();
    let (mut taken, mut clocks) = (0, 0u64);
    let mut add = |size: usize, len: u64| {
        if taken > 0 && taken + size > max_bytes {
            lens.push(clocks);
            taken = 0;
            clocks = 0;
        }
        taken += size;
        clocks += len;
    };
    match &item.content {
        Content::String(s) if s.len() > max_bytes => s.chars().for_each(|c| add(c.len_utf8(), c.len_utf16() as u64)),
        Content::Any(v) => v.iter().for_each(|a| add(a.len(), 1)),
        Content::Json(v) => v.iter().for_each(|j| add(j.len() + 2, 1)),
        _ => {}
    }
    let mut out = Vec::with_capacity(lens.len() + 1);
    let mut rest = item;
    for n in lens {
        let (left, right) = split(rest, n);
        out.push(Block::Item(left));
        rest = right;
    }
    out.push(Block::Item(rest));
    out
}

/// The state vector an update brings a document to, as `Y.encodeStateVectorFromUpdate` computes
/// it: per client in the update's order, the end of its structs counted from clock 0 up to the
/// first gap (a client that does not start at 0 counts nothing and is left out). See
/// [`encode_state_vector_from_update`] for the bytes.
pub fn state_vector_from_update(update: &[u8]) -> Result<StateVector> {
    let mut sv = StateVector::default();
    for (client, clock) in clocks_from_update(update)? {
        sv.set(client, clock);
    }
    Ok(sv)
}

/// `Y.encodeStateVectorFromUpdate`: [`state_vector_from_update`] encoded in the update's client
/// order (yjs's own order; [`StateVector::encode`] sorts).
pub fn encode_state_vector_from_update(update: &[u8]) -> Result<Vec<u8>> {
    let clocks = clocks_from_update(update)?;
    let mut out = Vec::with_capacity(1 + 8 * clocks.len());
    write_var_uint(&mut out, clocks.len() as u64);
    for (client, clock) in clocks {
        write_var_uint(&mut out, client);
        write_var_uint(&mut out, clock);
    }
    Ok(out)
}

fn clocks_from_update(update: &[u8]) -> Result<Vec<(u64, u64)>> {
    let mut reader = UpdateReader::new(update)?;
    let mut clocks = Vec::new();
    // The client being counted, its end so far, and whether a gap stopped the count.
    let mut counting: Option<(u64, u64, bool)> = None;
    while let Some(b) = reader.next_block()? {
        let id = b.id();
        let (client, end, stopped) = match counting {
            Some((client, end, stopped)) if client == id.client => (client, end, stopped),
            previous => {
                if let Some((client, end, _)) = previous.filter(|&(_, end, _)| end > 0) {
                    clocks.push((client, end));
                }
                (id.client, 0, id.clock != 0)
            }
        };
        let stopped = stopped || b.is_skip();
        counting = Some((client, if stopped { end } else { b.end() }, stopped));
    }
    if let Some((client, end, _)) = counting.filter(|&(_, end, _)| end > 0) {
        clocks.push((client, end));
    }
    reader.delete_set()?;
    Ok(clocks)
}
