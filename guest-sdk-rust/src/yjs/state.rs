//! State vectors, and keeping one up to date as updates arrive.

use std::collections::BTreeMap;

use super::lib0::{write_var_uint, Reader};
use super::update::{Id, UpdateReader};
use super::Result;

/// For each client, the clock after the last struct a document (or update) has from it: what
/// y-protocols' sync step 1 sends.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StateVector {
    clocks: BTreeMap<u64, u64>,
}

impl StateVector {
    /// The client's clock, 0 if unknown.
    pub fn get(&self, client: u64) -> u64 {
        self.clocks.get(&client).copied().unwrap_or(0)
    }

    pub fn set(&mut self, client: u64, clock: u64) {
        self.clocks.insert(client, clock);
    }

    /// Whether the struct with this id is covered.
    pub fn contains(&self, id: Id) -> bool {
        id.clock < self.get(id.client)
    }

    /// `(client, clock)` pairs by ascending client.
    pub fn iter(&self) -> impl Iterator<Item = (u64, u64)> + '_ {
        self.clocks.iter().map(|(&client, &clock)| (client, clock))
    }

    pub fn len(&self) -> usize {
        self.clocks.len()
    }

    pub fn is_empty(&self) -> bool {
        self.clocks.is_empty()
    }

    /// yjs's `decodeStateVector`: a count, then client and clock pairs (a later pair for the same
    /// client wins). Bytes after the last pair are an error.
    pub fn decode(bytes: &[u8]) -> Result<StateVector> {
        let mut r = Reader::new(bytes);
        let mut sv = StateVector::default();
        for _ in 0..r.count(2)? {
            let client = r.var_uint()?;
            sv.set(client, r.var_uint()?);
        }
        r.end()?;
        Ok(sv)
    }

    /// yjs's `encodeStateVector`: clients in descending order.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(1 + 8 * self.clocks.len());
        write_var_uint(&mut out, self.clocks.len() as u64);
        for (&client, &clock) in self.clocks.iter().rev() {
            write_var_uint(&mut out, client);
            write_var_uint(&mut out, clock);
        }
        out
    }
}

/// The state vector of the updates applied so far, kept up to date one update at a time without
/// merging them: per client, the clocks held from 0 without a gap. Clocks that arrive beyond a gap
/// (as yjs holds back structs it cannot integrate yet) are remembered, and counted once the gap is
/// filled. After applying updates, [`state_vector`](Self::state_vector) equals
/// [`state_vector_from_update`](super::state_vector_from_update) of their merge.
#[derive(Clone, Debug, Default)]
pub struct StateTracker {
    sv: StateVector,
    /// Per client: the clock ranges held beyond its gap, by start, disjoint and not touching.
    ahead: BTreeMap<u64, BTreeMap<u64, u64>>,
}

impl StateTracker {
    pub fn new() -> StateTracker {
        StateTracker::default()
    }

    /// Counts the structs of `update` (skips are no clocks held). A malformed update is an error
    /// and changes nothing.
    pub fn apply(&mut self, update: &[u8]) -> Result<()> {
        // (client, start, end) of each run of consecutive structs
        let mut runs: Vec<(u64, u64, u64)> = Vec::new();
        let mut reader = UpdateReader::new(update)?;
        while let Some(b) = reader.next_block()? {
            let (id, end) = (b.id(), b.end());
            match runs.last_mut() {
                _ if b.is_skip() || end == id.clock => {}
                Some((client, _, last)) if *client == id.client && *last == id.clock => *last = end,
                _ => runs.push((id.client, id.clock, end)),
            }
        }
        reader.delete_set()?;
        for (client, start, end) in runs {
            self.add(client, start, end);
        }
        Ok(())
    }

    fn add(&mut self, client: u64, mut start: u64, mut end: u64) {
        let held = self.sv.get(client);
        let ahead = self.ahead.entry(client).or_default();
        if start <= held {
            // Extends what is held: take in the ranges ahead that now touch it.
            let mut new_end = held.max(end);
            while let Some((&s, &e)) = ahead.iter().next() {
                if s > new_end {
                    break;
                }
                ahead.remove(&s);
                new_end = new_end.max(e);
            }
            if new_end > held {
                self.sv.set(client, new_end);
            }
        } else {
            // Beyond a gap: join the ranges it overlaps or touches.
            while let Some((&s, &e)) = ahead.range(..=end).next_back() {
                if e < start {
                    break;
                }
                ahead.remove(&s);
                start = start.min(s);
                end = end.max(e);
            }
            ahead.insert(start, end);
        }
        if ahead.is_empty() {
            self.ahead.remove(&client);
        }
    }

    pub fn state_vector(&self) -> &StateVector {
        &self.sv
    }

    /// Whether the struct with this id has arrived (also beyond a gap).
    pub fn has(&self, id: Id) -> bool {
        self.sv.contains(id)
            || self
                .ahead
                .get(&id.client)
                .map_or(false, |a| a.range(..=id.clock).next_back().map_or(false, |(_, &e)| id.clock < e))
    }

    /// The gaps: per client, the clocks missing before a range that arrived, as `(client, start,
    /// end)`.
    pub fn gaps(&self) -> Vec<(u64, u64, u64)> {
        let mut gaps = Vec::new();
        for (&client, ahead) in &self.ahead {
            let mut from = self.sv.get(client);
            for (&s, &e) in ahead {
                gaps.push((client, from, s));
                from = e;
            }
        }
        gaps
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An update of GC structs: (client, clock, len) groups, no delete set.
    fn gcs(groups: &[(u64, u64, u64)]) -> Vec<u8> {
        let mut u = Vec::new();
        write_var_uint(&mut u, groups.len() as u64);
        for &(client, clock, len) in groups {
            u.extend([1]);
            write_var_uint(&mut u, client);
            write_var_uint(&mut u, clock);
            u.push(0);
            write_var_uint(&mut u, len);
        }
        u.push(0);
        u
    }

    #[test]
    fn tracks_gaps_until_filled() {
        let mut t = StateTracker::new();
        t.apply(&gcs(&[(1, 0, 3), (2, 5, 2)])).unwrap();
        assert_eq!(t.state_vector().iter().collect::<Vec<_>>(), [(1, 3)]);
        assert_eq!(t.gaps(), [(2, 0, 5)]);
        t.apply(&gcs(&[(1, 10, 2), (1, 6, 2)])).unwrap();
        assert_eq!(t.gaps(), [(1, 3, 6), (1, 8, 10), (2, 0, 5)]);
        assert!(t.has(Id::new(1, 7)) && !t.has(Id::new(1, 8)) && t.has(Id::new(1, 11)) && !t.has(Id::new(1, 12)));
        t.apply(&gcs(&[(1, 8, 2)])).unwrap(); // joins the two ranges ahead
        assert_eq!(t.gaps(), [(1, 3, 6), (2, 0, 5)]);
        t.apply(&gcs(&[(1, 2, 5), (2, 0, 4)])).unwrap(); // overlaps held and ahead clocks
        assert_eq!(t.state_vector().iter().collect::<Vec<_>>(), [(1, 12), (2, 4)]);
        assert_eq!(t.gaps(), [(2, 4, 5)]);
        assert!(t.apply(&[1, 1]).is_err());
        assert_eq!(t.state_vector().get(1), 12);
    }
}
