//! What a Yjs document does to the items it holds, done on an update without one: join items
//! typed one after another into one, and drop the content of deleted ones.
//!
//! `Y.mergeUpdates` never joins items, because it cannot see whether an item's right neighbour in
//! the document is the next one. A document joins item `b` onto item `a` when `b` was inserted
//! right after `a`'s last character by the same client, with the same right origin, and the two
//! hold the same kind of content. `b`'s origin says where it was inserted, so the update alone
//! shows the first conditions; that is the state the author's own document had just after typing
//! `b` (its `a.right` was `b` then), and a document that integrates the joined item splits it
//! wherever a later item points inside it, as it does for any item. So the joined update makes the
//! same document, item for item.

use std::borrow::Cow;

use super::update::{utf16_cut, Block, Content, DeleteSet, Id, IdRange, Item, StructWriter, UpdateReader};
use super::Result;

/// `update` with its items joined as a document joins them and, with `gc`, the content of deleted
/// items dropped (kept as their length only, as a document with `gc` on keeps them): the same
/// document in far fewer bytes. A document merged from one update per keystroke shrinks to about
/// the size of the document's own snapshot; a client that applies it has far fewer items to
/// integrate. Clocks, state vector and delete set are unchanged. Items holding a shared type or a
/// subdocument keep their content even when deleted (the items inside them name them as parent).
///
/// Two passes over the update (the delete set comes last in it); memory is the output's.
pub fn compact(update: &[u8], gc: bool) -> Result<Vec<u8>> {
    let mut ds = UpdateReader::new(update)?.delete_set()?;
    let mut out = if gc {
        ds.sort_and_merge();
        compact_structs(update, Some(&ds))?
    } else {
        compact_structs(update, None)?
    };
    UpdateReader::new(update)?.delete_set()?.encode(&mut out);
    Ok(out)
}

/// The structs of `update` compacted, without a delete set: what [`compact`] writes before it,
/// with deleted content dropped where `deleted` (sorted and merged) says, if given. The update's
/// own delete set is read past, not used.
pub(crate) fn compact_structs(update: &[u8], deleted: Option<&DeleteSet>) -> Result<Vec<u8>> {
    let mut reader = UpdateReader::new(update)?;
    let mut out = Compactor { written: StructWriter::default(), pending: None };
    while let Some(block) = reader.next_block()? {
        match (block, deleted) {
            (Block::Item(item), Some(ds)) => {
                let ranges = ds.clients.get(&item.id.client).map_or(&[][..], |r| r.as_slice());
                for (piece, dead) in pieces(item, ranges) {
                    out.push(Block::Item(if dead { gc_content(piece) } else { piece }));
                }
            }
            (other, _) => out.push(other),
        }
    }
    reader.delete_set()?;
    Ok(out.finish())
}

struct Compactor<'a> {
    written: StructWriter,
    /// The block held back in case the next one joins it, with its end (kept, as counting a
    /// string's length is a scan).
    pending: Option<(Block<'a>, u64)>,
}

impl<'a> Compactor<'a> {
    fn push(&mut self, block: Block<'a>) {
        if let Some((p, end)) = &mut self.pending {
            if let Some(added) = join(p, *end, &block) {
                *end += added;
                return;
            }
            self.written.write(p, 0);
        }
        let end = block.end();
        self.pending = Some((block, end));
    }

    fn finish(mut self) -> Vec<u8> {
        if let Some((p, _)) = self.pending.take() {
            self.written.write(&p, 0);
        }
        self.written.finish()
    }
}

/// Joins `right` onto `left` (which ends at clock `end`) if a document would (yjs's
/// `Item.mergeWith`, and `GC`'s); the clocks added.
fn join<'a>(left: &mut Block<'a>, end: u64, right: &Block<'a>) -> Option<u64> {
    let (id, len) = (right.id(), right.len());
    if left.id().client != id.client || end != id.clock {
        return None;
    }
    match (left, right) {
        (Block::Gc { len: l, .. }, Block::Gc { .. }) => *l += len,
        (Block::Item(a), Block::Item(b)) => {
            if b.origin != Some(Id::new(id.client, end - 1)) || b.right_origin != a.right_origin {
                return None;
            }
            match (&mut a.content, &b.content) {
                (Content::String(s), Content::String(more)) => s.to_mut().push_str(more),
                (Content::Any(v), Content::Any(more)) => v.extend_from_slice(more),
                (Content::Json(v), Content::Json(more)) => v.extend_from_slice(more),
                (Content::Deleted(n), Content::Deleted(more)) => *n += more,
                _ => return None,
            }
        }
        _ => return None,
    }
    Some(len)
}

/// `item` cut where deletion starts or stops (the ranges of its client, sorted and disjoint), with
/// whether each piece is deleted.
fn pieces<'a>(item: Item<'a>, deleted: &[IdRange]) -> Vec<(Item<'a>, bool)> {
    let (start, end) = (item.id.clock, item.id.clock + item.len());
    // the first range that ends after the item's start
    let first = deleted.partition_point(|r| r.end() <= start);
    let mut cuts = Vec::new(); // clocks inside the item where deleted-ness changes
    for r in deleted[first..].iter().take_while(|r| r.clock < end) {
        for at in [r.clock, r.end()] {
            if at > start && at < end {
                cuts.push(at);
            }
        }
    }
    let is_deleted = |clock: u64| deleted[first..].iter().take_while(|r| r.clock <= clock).any(|r| clock < r.end());
    if cuts.is_empty() {
        let dead = is_deleted(start);
        return vec![(item, dead)];
    }
    let mut out = Vec::with_capacity(cuts.len() + 1);
    let mut rest = item;
    let mut from = start;
    for at in cuts {
        let (left, right) = split(rest, at - from);
        out.push((left, is_deleted(from)));
        rest = right;
        from = at;
    }
    out.push((rest, is_deleted(from)));
    out
}

/// `item` cut after `n` clocks (0 < n < its length), as a document splits it.
pub(crate) fn split(item: Item, n: u64) -> (Item, Item) {
    let right = match Block::Item(item.clone()).slice_from(n) {
        Block::Item(i) => i,
        _ => unreachable!("a sliced item is an item"),
    };
    let content = match &item.content {
        Content::Deleted(_) => Content::Deleted(n),
        Content::Json(v) => Content::Json(v[..n as usize].to_vec()),
        Content::Any(v) => Content::Any(v[..n as usize].to_vec()),
        Content::String(s) => Content::String(Cow::Owned(utf16_prefix(s, n))),
        other => other.clone(), // length 1: never cut
    };
    (Item { content, ..item }, right)
}

/// The first `units` UTF-16 code units of `s`; a surrogate pair cut in half becomes U+FFFD, as
/// JavaScript's lone surrogate does when lib0 writes it.
fn utf16_prefix(s: &str, units: u64) -> String {
    match utf16_cut(s, units) {
        // (the index is after the character cut, one of 4 UTF-8 bytes)
        (at, true) => format!("{}\u{fffd}", &s[..at - 4]),
        (at, false) => s[..at].to_owned(),
    }
}

/// A deleted item's content replaced by its length, unless it holds a type or a subdocument.
fn gc_content(item: Item) -> Item {
    match item.content {
        Content::Type(_) | Content::Doc { .. } | Content::Deleted(_) => item,
        _ => Item { content: Content::Deleted(item.len()), ..item },
    }
}
