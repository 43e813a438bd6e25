//! A Yjs room, as a library: unmodified Yjs clients (`y-websocket`'s `WebsocketProvider`,
//! y-partykit's provider) sync one document through it. Forward the party's hooks to a
//! [`Server`]; the room has no Yjs document, only updates, merged and compacted as they come.
//!
//! ```no_run
//! use partyhost::yjs::server::{Options, Server};
//! use partyhost::{Connection, Message, Party, Request, Response, Room};
//!
//! struct Doc(Server);
//!
//! impl Party for Doc {
//!     fn new(room: &Room) -> Self {
//!         Doc(Server::load(room, Options::default()).expect("stored document"))
//!     }
//!     fn on_connect(&mut self, room: &Room, conn: &Connection, _req: &Request) {
//!         self.0.on_connect(room, conn);
//!     }
//!     fn on_message(&mut self, room: &Room, conn: &Connection, msg: Message) {
//!         self.0.on_message(room, conn, msg);
//!     }
//!     fn on_close(&mut self, room: &Room, conn: &Connection, _code: u16, _reason: &str) {
//!         self.0.on_close(room, conn);
//!     }
//!     fn on_alarm(&mut self, room: &Room) {
//!         self.0.on_alarm(room);
//!     }
//!     fn on_request(&mut self, _room: &Room, _req: &Request) -> Response {
//!         Response::new(200).body(self.0.document().unwrap_or_default())
//!     }
//! }
//! # fn main() {}
//! ```
//!
//! What it does, with y-protocols ([`protocol`](super::protocol)), one message per binary frame:
//! - **Sync.** On connect the room sends its sync step 1 and the awareness states it knows. A
//!   client's sync step 1 gets exactly what it lacks, as updates of at most 512 KiB and a sync
//!   step 2 last (a provider counts itself synced at the first sync step 2).
//! - **Updates** (and sync steps 2) are cut to what the room lacks, appended to storage, and then
//!   relayed to every other connection (the host's output gate holds the relay until the write is
//!   durable). An update that brings nothing new is neither stored nor relayed.
//! - **Compaction** runs in the alarm hook, one bounded step per hook: the updates appended since
//!   are merged, 16 KiB at a time, into the last *segment* of the document, which is
//!   [`compact`](super::compact)ed (items joined; with `gc`, deleted content dropped). A segment
//!   over 64 KiB is cut into parts of half that, and all but the last are not touched again except
//!   to drop content deleted since. So a step merges at most some 80 KB, whatever the document's
//!   size, and a late joiner gets one frame per segment.
//! - **Awareness** is relayed; the room keeps the newest state per Yjs client id (y-protocols'
//!   clock rule) for newcomers and query-awareness. The connection that first announced a client id
//!   owns it: when it closes, the others get that id's removal.
//! - **Bad input** (a frame that is not y-protocols, a malformed update, a batch over its limit)
//!   closes its connection with [`CLOSE_BAD_MESSAGE`] (4007); an update that cannot be stored
//!   (e.g. the room's storage quota) with [`CLOSE_NOT_STORED`] (4011).
//! - **Read-only** connections (tagged [`READ_ONLY`] in `on_connect`, e.g. after a before hook
//!   checked a token) sync and send awareness; their updates are dropped.
//! - **Batches**: y-partykit's provider sends a message over 1 MB as chunks between text markers;
//!   they are put back together, up to 4 MiB.
//! - **Changes**: [`on_alarm`](Server::on_alarm) returns `true` once the document has changed and
//!   then stayed quiet for [`Options::debounce_ms`] (or kept changing for `max_wait_ms`), like
//!   y-partykit's `callback`.
//!
//! Storage (keys under [`Options::prefix`]): `seg:<n>` the segments, `ds:<n>` the delete set in
//! chunks of 1 MiB, `log:<n>` the updates since the last compaction. Awareness is not stored: each
//! connection's owned entries are kept in its connection state, which survives hibernation.
//!
//! The server owns the room's alarm: a party that wants one of its own must not use it.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::compact::compact_structs;
use super::protocol::{self, AwarenessEntry, Message as Y};
use super::update::{DeleteSet, UpdateReader};
use super::{diff_update, merge_updates, split_update, StateTracker, StateVector};
use crate::{log, now_ms, Connection, Json, Level, ListOptions, Message, Room};

/// The tag that makes a connection read-only (set it with `conn.set_tags` in `on_connect`, before
/// calling [`Server::on_connect`]).
pub const READ_ONLY: &str = "yjs:read-only";

/// Close codes (a guest may use 1000 and 3000-4999): 4000 plus the standard code of the same
/// meaning, 1007 (invalid data) and 1011 (server error).
pub const CLOSE_BAD_MESSAGE: u16 = 4007;
pub const CLOSE_NOT_STORED: u16 = 4011;

/// The largest update sent in one frame: half the host's default message limit (1 MiB), since a
/// room cannot ask the host for its limit.
const MAX_PART: usize = 512 * 1024;
/// A segment over this is cut into parts of half this. With `STEP_BYTES`, this bounds a compaction step's work: a
/// step merges at most a segment and that much of the log.
const SEGMENT_BYTES: usize = 64 * 1024;
const STEP_BYTES: usize = 16 * 1024;
/// A stored value holds at most 2 MiB: the delete set is kept in chunks of half that.
const CHUNK: usize = 1 << 20;
/// The updates appended since the last compaction are merged once they hold this many bytes, or a
/// quarter of the last segment if that is more (so merging costs a constant factor per byte that
/// arrives), or `COMPACT_AFTER_MS` after the first of them.
const LOG_BYTES: usize = 8 * 1024;
const COMPACT_AFTER_MS: i64 = 1000;
/// A full segment is compacted again (to drop content deleted since) once this many more clocks
/// of the document were deleted.
const REGC_CLOCKS: u64 = 4096;
/// y-partykit's marker of a batched message, and the largest batch taken (guest memory is 16 MiB).
const BATCH_SENTINEL: &str = "y-pk-batch#";
const MAX_BATCH: usize = 4 << 20;
/// An update with no structs and no deletions.
const EMPTY: &[u8] = &[0, 0];

/// How a [`Server`] keeps its document.
#[derive(Clone, Debug)]
pub struct Options {
    /// Drop the content of deleted items when compacting (y-partykit's `gc`, on by default). Off,
    /// every deleted character is kept, for clients that show history.
    pub gc: bool,
    /// Report a change ([`Server::on_alarm`] returns `true`) once the document has been quiet for
    /// this long; `None` (the default) never reports. Kept in memory, as y-partykit's: a report due
    /// while the room hibernates (after `roomIdleMs`, 10 s by default) is not made.
    pub debounce_ms: Option<i64>,
    /// ... or at the latest this long after the first change not reported.
    pub max_wait_ms: i64,
    /// The prefix of the storage keys the server uses (the party may store other keys beside).
    pub prefix: &'static str,
}

impl Default for Options {
    fn default() -> Options {
        Options { gc: true, debounce_ms: None, max_wait_ms: 10_000, prefix: "yjs:" }
    }
}

/// A segment of the document: a V1 update of structs only (no delete set).
struct Segment {
    bytes: Vec<u8>,
    /// The document's deleted clocks when this segment was last compacted.
    gc_at: u64,
}

/// The server side of one Yjs document. See the [module](self).
pub struct Server {
    opts: Options,
    segments: Vec<Segment>,
    /// The whole document's delete set (segments and log), sorted and merged, and its clocks.
    ds: DeleteSet,
    deleted: u64,
    /// Chunks of the delete set in storage.
    ds_chunks: usize,
    /// Updates since the last compaction, with their sequence numbers (`log:<seq>`).
    log: Vec<(u64, Vec<u8>)>,
    log_bytes: usize,
    log_since: i64,
    next_seq: u64,
    /// The state vector of everything held.
    sv: StateTracker,
    awareness: Awareness,
    batches: HashMap<i32, Batch>,
    read_only: HashSet<i32>,
    /// The alarm as this server last set it.
    alarm: Option<i64>,
    /// First and last change not reported yet.
    changed: Option<(i64, i64)>,
}

impl Server {
    /// Loads the document from the room's storage (an empty one if there is none). An error means
    /// stored data that does not decode: serving an empty document in its place would lose it.
    pub fn load(room: &Room, opts: Options) -> Result<Server, String> {
        let storage = room.storage();
        let list = |what: &str| -> Result<Vec<(Vec<u8>, Vec<u8>)>, String> {
            let prefix = format!("{}{}", opts.prefix, what);
            let o = ListOptions { prefix: prefix.as_bytes(), ..Default::default() };
            storage.list(&o).map_err(|e| format!("listing {}: {}", prefix, e))
        };
        let mut sv = StateTracker::new();
        let mut segments = Vec::new();
        for (_, bytes) in list("seg:")? {
            sv.apply(&bytes).map_err(|e| format!("stored segment: {}", e))?;
            segments.push(Segment { bytes, gc_at: 0 });
        }
        let stored_ds = list("ds:")?;
        let ds_chunks = stored_ds.len();
        let mut ds_update = vec![0];
        for (_, chunk) in stored_ds {
            ds_update.extend_from_slice(&chunk);
        }
        let mut ds = if ds_chunks == 0 {
            DeleteSet::default()
        } else {
            UpdateReader::new(&ds_update).and_then(|r| r.delete_set()).map_err(|e| format!("stored delete set: {}", e))?
        };
        ds.sort_and_merge();
        let mut log_entries = Vec::new();
        let mut next_seq = 0;
        for (key, bytes) in list("log:")? {
            let seq = std::str::from_utf8(&key[opts.prefix.len() + 4..])
                .ok()
                .and_then(|s| s.parse::<u64>().ok())
                .ok_or("stored log key is not a number")?;
            sv.apply(&bytes).map_err(|e| format!("stored update: {}", e))?;
            add_deletions(&mut ds, &bytes).map_err(|e| format!("stored update: {}", e))?;
            next_seq = seq + 1;
            log_entries.push((seq, bytes));
        }
        let deleted = ds.clocks();
        for s in &mut segments {
            s.gc_at = deleted;
        }
        let mut awareness = Awareness::default();
        for conn in room.connections(None) {
            if let Ok(entries) = protocol::decode_awareness(&conn.state()) {
                awareness.apply(conn.handle(), &entries);
            }
        }
        let read_only = room.connections(Some(READ_ONLY)).iter().map(|c| c.handle()).collect();
        let log_bytes = log_entries.iter().map(|(_, b)| b.len()).sum();
        let mut server = Server {
            opts,
            segments,
            ds,
            deleted,
            ds_chunks,
            log: log_entries,
            log_bytes,
            log_since: now_ms(),
            next_seq,
            sv,
            awareness,
            batches: HashMap::new(),
            read_only,
            alarm: room.alarm().ok().flatten(),
            changed: None,
        };
        server.schedule(room);
        Ok(server)
    }

    /// The whole document as one V1 update (what `Y.encodeStateAsUpdate` of a document holding it
    /// would apply as): for an HTTP answer, or to read it in the party.
    pub fn document(&self) -> super::Result<Vec<u8>> {
        let mut parts: Vec<&[u8]> = self.segments.iter().map(|s| s.bytes.as_slice()).collect();
        parts.extend(self.log.iter().map(|(_, b)| b.as_slice()));
        let ds = self.ds_update();
        parts.push(&ds);
        merge_updates(&parts)
    }

    /// The document's state vector, encoded.
    pub fn state_vector(&self) -> Vec<u8> {
        self.sv.state_vector().encode()
    }

    /// Greets a connection: the room's sync step 1 and the awareness states present.
    pub fn on_connect(&mut self, _room: &Room, conn: &Connection) {
        if conn.tags().iter().any(|t| t == READ_ONLY) {
            self.read_only.insert(conn.handle());
        }
        send(conn, Y::SyncStep1(&self.state_vector()));
        if let Some(states) = self.awareness.present() {
            send(conn, Y::Awareness(&states));
        }
    }

    pub fn on_message(&mut self, room: &Room, conn: &Connection, msg: Message) {
        match msg {
            Message::Text(text) => {
                if let Some(json) = text.strip_prefix(BATCH_SENTINEL) {
                    self.on_batch_marker(room, conn, json);
                } // other texts are not y-protocols
            }
            Message::Binary(chunk) if self.batches.contains_key(&conn.handle()) => self.on_batch_chunk(conn, chunk),
            Message::Binary(frame) => self.on_frame(room, conn, frame),
        }
    }

    /// Removes the awareness states the connection owned (the others are told); after the last
    /// connection, compacts what is left to compact (as y-partykit's snapshot mode does).
    pub fn on_close(&mut self, room: &Room, conn: &Connection) {
        self.batches.remove(&conn.handle());
        self.read_only.remove(&conn.handle());
        if let Some(removal) = self.awareness.remove_owner(conn.handle()) {
            let _ = room.broadcast(&Y::Awareness(&removal).encode()[..], &[*conn]);
        }
        if !self.log.is_empty() && room.connections(None).iter().all(|c| c.handle() == conn.handle()) {
            self.log_since = 0; // due now
            self.schedule(room);
        }
    }

    /// Runs the next compaction step, if one is due, and returns whether a change is to be
    /// reported (see [`Options::debounce_ms`]). A failed step panics: the hook's writes are undone
    /// and the room reloads from storage, where nothing was lost.
    pub fn on_alarm(&mut self, room: &Room) -> bool {
        self.alarm = None;
        let now = now_ms();
        if matches!(self.compaction_due(), Some(due) if due <= now) {
            if let Err(e) = self.compact_step(room) {
                panic!("yjs: compaction failed: {}", e);
            }
        }
        let report = matches!(self.change_due(), Some(due) if due <= now);
        if report {
            self.changed = None;
        }
        self.schedule(room);
        report
    }
}

/// Frames.
impl Server {
    fn on_frame(&mut self, room: &Room, conn: &Connection, frame: &[u8]) {
        match Y::decode(frame) {
            Ok(Y::SyncStep1(client_sv)) => {
                if let Err(e) = self.sync(conn, client_sv) {
                    reject(conn, "state vector", e);
                }
            }
            Ok(Y::SyncStep2(update)) | Ok(Y::Update(update)) => {
                if !self.read_only.contains(&conn.handle()) {
                    self.receive(room, conn, update);
                }
            }
            Ok(Y::Awareness(update)) => self.on_awareness(room, conn, frame, update),
            Ok(Y::QueryAwareness) => {
                if let Some(states) = self.awareness.present() {
                    send(conn, Y::Awareness(&states));
                }
            }
            Ok(Y::PermissionDenied(_)) => {} // only servers send it
            Err(e) => reject(conn, "message", e),
        }
    }

    /// What the client lacks: each segment's part in a frame of its own, then the recent updates
    /// and the delete set, ending with a sync step 2.
    fn sync(&self, conn: &Connection, client_sv: &[u8]) -> super::Result<()> {
        // A client with nothing (a new one) lacks every segment whole: no need to cut them.
        let empty = StateVector::decode(client_sv)?.is_empty();
        for seg in &self.segments {
            if empty {
                send(conn, Y::Update(&seg.bytes));
                continue;
            }
            let missing = diff_update(&seg.bytes, client_sv)?;
            if missing != EMPTY {
                for part in parts_of(&missing) {
                    send(conn, Y::Update(&part));
                }
            }
        }
        let mut recent: Vec<&[u8]> = self.log.iter().map(|(_, b)| b.as_slice()).collect();
        let ds = self.ds_update();
        recent.push(&ds);
        let missing = diff_update(&merge_updates(&recent)?, client_sv)?;
        let mut parts = parts_of(&missing);
        let last = parts.pop().unwrap_or_else(|| EMPTY.to_vec());
        for part in parts {
            send(conn, Y::Update(&part));
        }
        send(conn, Y::SyncStep2(&last));
        Ok(())
    }

    /// A client's update: what the room lacks of it is appended to storage, then relayed.
    fn receive(&mut self, room: &Room, conn: &Connection, update: &[u8]) {
        if update == EMPTY {
            return; // e.g. the sync step 2 of a client that has nothing the room lacks
        }
        // Cut to what the room lacks, if some of it is known (a second pass only then).
        let news = news(update, &self.sv, &self.ds).and_then(|n| match n {
            News { below: true, .. } => {
                let fresh = diff_update(update, &self.state_vector())?;
                Ok((news(&fresh, &self.sv, &self.ds)?, Some(fresh)))
            }
            n => Ok((n, None)),
        });
        let (news, fresh) = match news {
            Ok((n, fresh)) => (n, fresh.unwrap_or_else(|| update.to_vec())),
            Err(e) => return reject(conn, "update", e),
        };
        if !news.structs && !news.deletions {
            return;
        }
        // stored in parts that one compaction step can take
        let parts = if fresh.len() <= STEP_BYTES { vec![fresh] } else { split_update(&fresh, STEP_BYTES).unwrap_or_default() };
        let entries: Vec<(String, &[u8])> =
            parts.iter().enumerate().map(|(i, p)| (self.key("log:", self.next_seq + i as u64), p.as_slice())).collect();
        if let Err(e) = room.storage().put_many(&entries) {
            log(Level::Warn, &format!("yjs: update from {} not stored: {}", conn.id(), e));
            let _ = conn.close(CLOSE_NOT_STORED, "update not stored");
            return;
        }
        let now = now_ms();
        if self.log.is_empty() {
            self.log_since = now;
        }
        let _ = self.sv.apply(update); // (checked above)
        for (client, ranges) in news.delete_set.clients {
            for r in ranges {
                self.deleted += self.ds.insert(client, r.clock, r.len);
            }
        }
        for part in parts {
            let _ = room.broadcast(&Y::Update(&part).encode()[..], &[*conn]);
            self.log_bytes += part.len();
            self.log.push((self.next_seq, part));
            self.next_seq += 1;
        }
        self.changed = Some((self.changed.map_or(now, |(first, _)| first), now));
        // Under a stream of updates the alarm can fall behind (it waits its turn behind the
        // messages): past twice the threshold, this hook takes a step itself, so the log (held in
        // guest memory, and read whole when the room loads) stays bounded.
        if self.log_bytes >= 2 * self.log_threshold() {
            if let Err(e) = self.compact_step(room) {
                panic!("yjs: compaction failed: {}", e);
            }
        }
        self.schedule(room);
    }

    fn on_awareness(&mut self, room: &Room, conn: &Connection, frame: &[u8], update: &[u8]) {
        let entries = match protocol::decode_awareness(update) {
            Ok(e) => e,
            Err(e) => return reject(conn, "awareness update", e),
        };
        self.awareness.apply(conn.handle(), &entries);
        let _ = room.broadcast(frame, &[*conn]);
        // Kept with the connection, to be rebuilt after hibernation (the state holds 2 KiB).
        if conn.set_state(&self.awareness.owned(conn.handle(), true)).is_err() {
            let _ = conn.set_state(&self.awareness.owned(conn.handle(), false));
        }
    }
}

/// Compaction and the alarm.
impl Server {
    fn key(&self, kind: &str, n: u64) -> String {
        format!("{}{}{:010}", self.opts.prefix, kind, n)
    }

    /// The delete set as an update without structs.
    fn ds_update(&self) -> Vec<u8> {
        let mut out = vec![0];
        self.ds.encode(&mut out);
        out
    }

    fn log_threshold(&self) -> usize {
        LOG_BYTES.max(self.segments.last().map_or(0, |s| s.bytes.len() / 4))
    }

    fn compaction_due(&self) -> Option<i64> {
        if !self.log.is_empty() {
            // (a step leaves the rest of a big log due at once: log_bytes stays over the threshold,
            // or log_since is past)
            Some(if self.log_bytes >= self.log_threshold() { 0 } else { self.log_since + COMPACT_AFTER_MS })
        } else if self.stale_segment().is_some() {
            Some(0)
        } else {
            None
        }
    }

    fn change_due(&self) -> Option<i64> {
        let debounce = self.opts.debounce_ms?;
        let (first, last) = self.changed?;
        Some((last + debounce).min(first + self.opts.max_wait_ms))
    }

    /// A full segment that content deleted since its last compaction would shrink.
    fn stale_segment(&self) -> Option<usize> {
        if !self.opts.gc || self.segments.len() < 2 {
            return None;
        }
        self.segments[..self.segments.len() - 1].iter().position(|s| s.gc_at + REGC_CLOCKS <= self.deleted)
    }

    /// Sets the alarm to the next step due, if it is earlier than the alarm set.
    fn schedule(&mut self, room: &Room) {
        let next = match (self.compaction_due(), self.change_due()) {
            (Some(a), Some(b)) => a.min(b),
            (a, b) => match a.or(b) {
                Some(t) => t,
                None => return,
            },
        };
        if self.alarm.map_or(true, |set| next < set) {
            let at = next.max(now_ms());
            if room.set_alarm(at).is_ok() {
                self.alarm = Some(at);
            }
        }
    }

    /// One step: the oldest updates of the log (up to `STEP_BYTES`) merged into the last segment,
    /// or one full segment compacted again.
    fn compact_step(&mut self, room: &Room) -> Result<(), String> {
        let storage = room.storage();
        let gc = if self.opts.gc { Some(&self.ds) } else { None };
        let started = now_ms();
        if !self.log.is_empty() {
            let open = self.segments.len().saturating_sub(1);
            let mut inputs: Vec<&[u8]> = self.segments.get(open).map(|s| s.bytes.as_slice()).into_iter().collect();
            let mut taken = 0;
            for (_, update) in &self.log {
                if taken > 0 && taken + update.len() > STEP_BYTES {
                    break;
                }
                taken += update.len();
                inputs.push(update);
            }
            let steps = inputs.len() - usize::from(open < self.segments.len());
            let merged = merge_updates(&inputs).map_err(|e| e.to_string())?;
            let mut bytes = compact_structs(&merged, gc).map_err(|e| e.to_string())?;
            bytes.push(0); // no delete set
            let parts = if bytes.len() > SEGMENT_BYTES {
                split_update(&bytes, SEGMENT_BYTES / 2).map_err(|e| e.to_string())?
            } else {
                vec![bytes]
            };
            let puts: Vec<(String, &[u8])> =
                parts.iter().enumerate().map(|(i, p)| (self.key("seg:", (open + i) as u64), p.as_slice())).collect();
            storage.put_many(&puts).map_err(|e| e.to_string())?;
            // The delete set with every deletion of the log: the updates left in it hold theirs too.
            self.store_ds(room)?;
            let done: Vec<String> = self.log[..steps].iter().map(|(seq, _)| self.key("log:", *seq)).collect();
            storage.delete_many(&done).map_err(|e| e.to_string())?;
            self.segments.truncate(open);
            let deleted = self.deleted;
            self.segments.extend(parts.into_iter().map(|bytes| Segment { bytes, gc_at: deleted }));
            self.log.drain(..steps);
            self.log_bytes -= taken;
            let last = self.segments.last().map_or(0, |s| s.bytes.len());
            let (n, ms) = (self.segments.len() - 1, now_ms() - started);
            log(Level::Debug, &format!("yjs: {} bytes of log compacted into segment {} ({} bytes) in {} ms", taken, n, last, ms));
        } else if let Some(i) = self.stale_segment() {
            let mut bytes = compact_structs(&self.segments[i].bytes, gc).map_err(|e| e.to_string())?;
            bytes.push(0);
            storage.put(self.key("seg:", i as u64), &bytes).map_err(|e| e.to_string())?;
            self.segments[i] = Segment { bytes, gc_at: self.deleted };
        }
        Ok(())
    }

    /// Writes the delete set in chunks, dropping chunks past its end.
    fn store_ds(&mut self, room: &Room) -> Result<(), String> {
        let storage = room.storage();
        let mut bytes = Vec::new();
        self.ds.encode(&mut bytes);
        let chunks: Vec<(String, &[u8])> = bytes.chunks(CHUNK).enumerate().map(|(i, c)| (self.key("ds:", i as u64), c)).collect();
        storage.put_many(&chunks).map_err(|e| e.to_string())?;
        let stale: Vec<String> = (chunks.len()..self.ds_chunks).map(|i| self.key("ds:", i as u64)).collect();
        storage.delete_many(&stale).map_err(|e| e.to_string())?;
        self.ds_chunks = chunks.len();
        Ok(())
    }
}

/// What a client's update brings, read in one pass.
struct News {
    /// It holds structs (not only skips).
    structs: bool,
    /// Some of its structs start at clocks the room holds: cut it with `diff_update` first.
    below: bool,
    /// Some of its deletions are not in the room's delete set.
    deletions: bool,
    delete_set: DeleteSet,
}

fn news(update: &[u8], sv: &StateTracker, ds: &DeleteSet) -> super::Result<News> {
    let mut reader = UpdateReader::new(update)?;
    let (mut structs, mut below) = (false, false);
    while let Some(b) = reader.next_block()? {
        if !b.is_skip() {
            structs = true;
            below |= sv.state_vector().get(b.id().client) > b.id().clock;
        }
    }
    let delete_set = reader.delete_set()?;
    let deletions = delete_set.clients.iter().any(|(&c, ranges)| ranges.iter().any(|r| !ds.covers(c, r.clock, r.len)));
    Ok(News { structs, below, deletions, delete_set })
}

/// Adds the deletions of `update` to `ds`; the number of clocks it did not hold.
fn add_deletions(ds: &mut DeleteSet, update: &[u8]) -> super::Result<u64> {
    let mut added = 0;
    for (c, ranges) in UpdateReader::new(update)?.delete_set()?.clients {
        for r in ranges {
            added += ds.insert(c, r.clock, r.len);
        }
    }
    Ok(added)
}

fn reject(conn: &Connection, what: &str, e: super::Error) {
    log(Level::Warn, &format!("yjs: bad {} from {}: {}", what, conn.id(), e));
    let _ = conn.close(CLOSE_BAD_MESSAGE, "bad y-protocols message");
}

fn send(conn: &Connection, msg: Y) {
    let frame = msg.encode();
    if let Err(e) = conn.send_binary(&frame) {
        // TooLarge: one element over the message limit, or a lower limit than MAX_PART.
        log(Level::Warn, &format!("yjs: cannot send {} bytes to {}: {}", frame.len(), conn.id(), e));
    }
}

/// `update` in parts of at most `MAX_PART` (whole structs: a larger struct goes alone).
fn parts_of(update: &[u8]) -> Vec<Vec<u8>> {
    if update.len() <= MAX_PART {
        return vec![update.to_vec()];
    }
    split_update(update, MAX_PART).unwrap_or_else(|_| vec![update.to_vec()])
}

/// One Yjs client's awareness, as the room last accepted it.
#[derive(Debug, PartialEq)]
struct Presence {
    clock: u64,
    /// Its JSON state; `None` once removed.
    state: Option<String>,
    /// The connection (handle) that announced it first.
    owner: i32,
}

/// Awareness states by Yjs client id.
#[derive(Default)]
struct Awareness(BTreeMap<u64, Presence>);

impl Awareness {
    /// Takes `entries` from connection `owner` with y-protocols' rule: a newer clock wins, and the
    /// same clock only to remove a present state.
    fn apply(&mut self, owner: i32, entries: &[AwarenessEntry]) {
        for e in entries {
            let state = if e.is_removal() { None } else { Some(e.state.to_owned()) };
            match self.0.get_mut(&e.client) {
                Some(p) => {
                    if e.clock > p.clock || (e.clock == p.clock && state.is_none() && p.state.is_some()) {
                        p.clock = e.clock;
                        p.state = state;
                    }
                }
                None => {
                    self.0.insert(e.client, Presence { clock: e.clock, state, owner });
                }
            }
        }
    }

    /// An awareness update of every present state (for a newcomer), or `None` if there is none.
    fn present(&self) -> Option<Vec<u8>> {
        let entries: Vec<AwarenessEntry> = self
            .0
            .iter()
            .filter_map(|(&client, p)| p.state.as_ref().map(|s| AwarenessEntry { client, clock: p.clock, state: s }))
            .collect();
        if entries.is_empty() {
            None
        } else {
            Some(protocol::encode_awareness(entries.iter()))
        }
    }

    /// The entries `owner` owns, as an awareness update; with `states` false, removals (ids and
    /// clocks only, for a connection state that cannot hold the states).
    fn owned(&self, owner: i32, states: bool) -> Vec<u8> {
        let entries: Vec<AwarenessEntry> = self
            .0
            .iter()
            .filter(|(_, p)| p.owner == owner)
            .map(|(&client, p)| {
                let state = if states { p.state.as_deref().unwrap_or("null") } else { "null" };
                AwarenessEntry { client, clock: p.clock, state }
            })
            .collect();
        protocol::encode_awareness(entries.iter())
    }

    /// Forgets what `owner` owns; the removal of its present states (clock + 1), if any.
    fn remove_owner(&mut self, owner: i32) -> Option<Vec<u8>> {
        let ids: Vec<u64> = self.0.iter().filter(|(_, p)| p.owner == owner).map(|(&c, _)| c).collect();
        let mut removed = Vec::new();
        for id in ids {
            if let Some(Presence { clock, state: Some(_), .. }) = self.0.remove(&id) {
                removed.push((id, clock + 1));
            }
        }
        let entries: Vec<AwarenessEntry> =
            removed.iter().map(|&(client, clock)| AwarenessEntry { client, clock, state: "null" }).collect();
        if entries.is_empty() {
            None
        } else {
            Some(protocol::encode_awareness(entries.iter()))
        }
    }
}

/// A message that y-partykit's provider is sending in chunks. Kept in memory only: a room that
/// hibernates in the middle of one (the chunks come back to back) closes the connection at the
/// next chunk, which no longer decodes, and the provider reconnects and syncs again.
struct Batch {
    id: String,
    size: usize,
    count: i64,
    bytes: Vec<u8>,
    chunks: i64,
}

impl Server {
    /// y-partykit's provider sends a message over 1 MB as `y-pk-batch#{"id","type":"start","size",
    /// "count"}`, `count` binary chunks and `y-pk-batch#{... "type":"end"}` with the same fields.
    fn on_batch_marker(&mut self, room: &Room, conn: &Connection, json: &str) {
        let marker = match Json::parse(json) {
            Ok(m) => m,
            Err(_) => return drop_batch(conn, "bad batch marker"),
        };
        let fields = (marker["id"].as_str().unwrap_or("").to_owned(), marker["size"].as_i64(), marker["count"].as_i64());
        match (marker["type"].as_str(), self.batches.remove(&conn.handle())) {
            (Some("start"), None) => match (fields.1, fields.2) {
                (Some(size), Some(count)) if size > 0 && size as usize <= MAX_BATCH && count > 0 => {
                    let batch = Batch { id: fields.0, size: size as usize, count, bytes: Vec::new(), chunks: 0 };
                    self.batches.insert(conn.handle(), batch);
                }
                _ => drop_batch(conn, "batch too large"),
            },
            (Some("end"), Some(b)) => {
                let whole = b.bytes.len() == b.size && b.chunks == b.count;
                if !whole || (b.id.as_str(), Some(b.size as i64), Some(b.count)) != (fields.0.as_str(), fields.1, fields.2) {
                    return drop_batch(conn, "batch does not match its markers");
                }
                self.on_frame(room, conn, &b.bytes);
            }
            _ => drop_batch(conn, "unexpected batch marker"),
        }
    }

    fn on_batch_chunk(&mut self, conn: &Connection, chunk: &[u8]) {
        let handle = conn.handle();
        let over = match self.batches.get_mut(&handle) {
            Some(b) if b.bytes.len() + chunk.len() <= b.size => {
                b.bytes.extend_from_slice(chunk);
                b.chunks += 1;
                false
            }
            _ => true,
        };
        if over {
            self.batches.remove(&handle);
            drop_batch(conn, "batch larger than announced");
        }
    }
}

fn drop_batch(conn: &Connection, why: &str) {
    log(Level::Warn, &format!("yjs: {} from {}", why, conn.id()));
    let _ = conn.close(CLOSE_BAD_MESSAGE, why);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(client: u64, clock: u64, state: &str) -> AwarenessEntry {
        AwarenessEntry { client, clock, state }
    }

    #[test]
    fn awareness_follows_the_clock_rule_and_ownership() {
        let mut a = Awareness::default();
        a.apply(1, &[entry(10, 1, r#"{"n":1}"#), entry(11, 0, r#"{"n":2}"#)]);
        a.apply(2, &[entry(10, 1, r#"{"n":"old"}"#)]); // same clock: ignored
        a.apply(2, &[entry(10, 2, r#"{"n":3}"#), entry(20, 0, "{}")]); // newer: taken, owner stays 1
        assert_eq!(a.0[&10], Presence { clock: 2, state: Some(r#"{"n":3}"#.into()), owner: 1 });
        a.apply(1, &[entry(11, 0, "null")]); // same clock removes a present state
        assert_eq!(a.0[&11].state, None);

        let bytes = a.present().unwrap();
        let present = protocol::decode_awareness(&bytes).unwrap();
        assert_eq!(present, vec![entry(10, 2, r#"{"n":3}"#), entry(20, 0, "{}")]);
        let bytes = a.owned(1, false);
        let owned = protocol::decode_awareness(&bytes).unwrap();
        assert_eq!(owned, vec![entry(10, 2, "null"), entry(11, 0, "null")]);

        // Owner 1 leaves: only its present state is removed, with the next clock.
        let bytes = a.remove_owner(1).unwrap();
        let removal = protocol::decode_awareness(&bytes).unwrap();
        assert_eq!(removal, vec![entry(10, 3, "null")]);
        assert_eq!(a.0.keys().copied().collect::<Vec<_>>(), vec![20]);
        assert_eq!(a.remove_owner(1), None);
    }
}
