//! A Yjs room: unmodified Yjs clients (`y-websocket`'s `WebsocketProvider`, y-partykit's provider)
//! connect to `/parties/yjs/<room>` and edit one document together. The room has no Yjs document,
//! only the merged V1 update of everything clients sent (`partyhost::yjs`).
//!
//! Protocol: y-protocols (`partyhost::yjs::protocol`), one message per binary frame.
//! - On connect the room sends its sync step 1 (the document's state vector), so the client
//!   answers with a sync step 2 of what the room lacks, and the awareness states it knows.
//! - A client's sync step 1 gets a sync step 2 of exactly what the client lacks; over 512 KiB, as
//!   updates of at most that size (whole structs) followed by a sync step 2.
//! - A client's update (or sync step 2) is merged into the document, stored, and then relayed to
//!   every other connection (the output gate holds the relay until the write is durable).
//! - Awareness updates are relayed to the others; the room keeps the newest state per Yjs client
//!   id (y-protocols' clock rule) for newcomers and for query-awareness. The connection that first
//!   announced a client id owns it: when it closes, the others get that id's removal.
//! - y-partykit's batched messages (a message over 1 MB as chunks between text markers) are put
//!   back together, up to 4 MiB; updates over 512 KiB are relayed in parts.
//! - HTTP `GET` on the room answers the document as one V1 update (`Y.applyUpdate` reads it).
//!
//! Storage: the document is `doc:<n>` (n zero-padded), chunks of 1 MiB concatenated in key order,
//! since a stored value holds at most 2 MiB. Awareness is not stored: each connection's owned
//! entries are kept in its connection state, which survives hibernation, and rebuilt from there.
//!
//! Not yet: compaction over alarms (every update is merged into the whole document at once, which
//! for documents of megabytes can pass the host's 100 ms CPU deadline on a cold host); a single
//! struct over the message limit (a paste of over 1 MB in one insert) is stored but cannot be
//! sent on; y-websocket's provider has no batching, so its messages over the host's limit (1 MiB)
//! close its socket.

use std::collections::{BTreeMap, HashMap};

use partyhost::yjs::protocol::{self, AwarenessEntry, Message as Y};
use partyhost::yjs::{self, StateTracker};
use partyhost::{log, Connection, Error, Json, Level, ListOptions, Message, Party, Request, Response, Room};

const DOC_PREFIX: &str = "doc:";
/// Half the host's 2 MiB value limit.
const CHUNK: usize = 1 << 20;
/// The largest update sent in one frame: half the host's default message limit (1 MiB), since
/// the room cannot ask the host for its limit.
const MAX_PART: usize = 512 * 1024;
/// y-partykit's marker of a batched message, and the largest batch taken (guest memory is 16 MiB).
const BATCH_SENTINEL: &str = "y-pk-batch#";
const MAX_BATCH: usize = 4 << 20;
/// An update with no structs and no deletions: an empty document.
const EMPTY: &[u8] = &[0, 0];

fn chunk_key(i: usize) -> String {
    format!("{}{:06}", DOC_PREFIX, i)
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

struct YjsRoom {
    /// Every update the room accepted, merged into one V1 update (the stored document).
    doc: Vec<u8>,
    /// The state vector of `doc`, kept up to date one update at a time.
    sv: StateTracker,
    awareness: Awareness,
    /// Batched messages being received, by connection handle.
    batches: HashMap<i32, Batch>,
}

impl YjsRoom {
    fn load(room: &Room) -> Result<YjsRoom, String> {
        let opts = ListOptions { prefix: DOC_PREFIX.as_bytes(), ..Default::default() };
        let mut doc = Vec::new();
        for (_, chunk) in room.storage().list(&opts).map_err(|e| e.to_string())? {
            doc.extend_from_slice(&chunk);
        }
        if doc.is_empty() {
            doc = EMPTY.to_vec();
        }
        let mut sv = StateTracker::new();
        sv.apply(&doc).map_err(|e| format!("stored document: {}", e))?;
        let mut awareness = Awareness::default();
        for conn in room.connections(None) {
            if let Ok(entries) = protocol::decode_awareness(&conn.state()) {
                awareness.apply(conn.handle(), &entries);
            }
        }
        Ok(YjsRoom { doc, sv, awareness, batches: HashMap::new() })
    }

    /// Writes the chunks of `doc` that changed and drops chunks past its end: with merging on
    /// every update, each update costs a pass over the whole document (merge, compare) and a
    /// write of the chunks from the first change on, so a room's CPU per update grows with its
    /// document. Compaction over alarms will batch this.
    fn store(&mut self, room: &Room, doc: Vec<u8>) -> Result<(), Error> {
        let storage = room.storage();
        let old: Vec<&[u8]> = self.doc.chunks(CHUNK).collect();
        let new: Vec<&[u8]> = doc.chunks(CHUNK).collect();
        let puts: Vec<(String, &[u8])> =
            new.iter().enumerate().filter(|(i, c)| old.get(*i) != Some(*c)).map(|(i, c)| (chunk_key(i), *c)).collect();
        storage.put_many(&puts)?; // all or nothing
        let stale: Vec<String> = (new.len()..old.len()).map(chunk_key).collect();
        if let Err(e) = storage.delete_many(&stale) {
            // Left in place, the stale chunks would corrupt the document: a panic undoes the
            // hook's writes (it is one transaction) and resets the room.
            panic!("yjs: cannot delete stale chunks: {}", e);
        }
        self.doc = doc;
        Ok(())
    }

    /// A client's update: merged, stored, then relayed to the others.
    fn receive(&mut self, room: &Room, conn: &Connection, update: &[u8]) {
        if update == EMPTY {
            return; // e.g. the sync step 2 of a client that has nothing the room lacks
        }
        let merged = match yjs::merge_updates(&[&self.doc[..], update]) {
            Ok(m) => m,
            Err(e) => return reject(conn, "update", e),
        };
        if merged == self.doc {
            return; // nothing new
        }
        if let Err(e) = self.store(room, merged) {
            log(Level::Warn, &format!("yjs: update not stored: {}", e));
            let _ = conn.close(1011, "update not stored");
            return;
        }
        if self.sv.apply(update).is_err() {
            self.sv = StateTracker::new();
            let _ = self.sv.apply(&self.doc);
        }
        for part in parts_of(update) {
            let _ = room.broadcast(&Y::Update(&part).encode()[..], &[*conn]);
        }
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

fn reject(conn: &Connection, what: &str, e: yjs::Error) {
    log(Level::Warn, &format!("yjs: bad {} from {}: {}", what, conn.id(), e));
    let _ = conn.close(1007, "bad y-protocols message");
}

fn send(conn: &Connection, msg: Y) {
    if let Err(e) = conn.send_binary(&msg.encode()) {
        // TooLarge: a single struct over the message limit, or a lower limit than MAX_PART.
        log(Level::Warn, &format!("yjs: cannot send to {}: {}", conn.id(), e));
    }
}

/// `update` in parts of at most `MAX_PART` (whole structs: a larger struct goes alone).
fn parts_of(update: &[u8]) -> Vec<Vec<u8>> {
    if update.len() <= MAX_PART {
        return vec![update.to_vec()];
    }
    // The update merged into the document already: it splits.
    yjs::split_update(update, MAX_PART).unwrap_or_else(|_| vec![update.to_vec()])
}

/// What a client lacks, as sync step 2; over `MAX_PART` as updates with the last part as sync step
/// 2 (a provider counts itself synced at the first sync step 2, so it must come last).
fn send_missing(conn: &Connection, missing: &[u8]) {
    let mut parts = parts_of(missing);
    let last = parts.pop().unwrap_or_else(|| EMPTY.to_vec());
    for part in parts {
        send(conn, Y::Update(&part));
    }
    send(conn, Y::SyncStep2(&last));
}

impl Party for YjsRoom {
    fn new(room: &Room) -> Self {
        match YjsRoom::load(room) {
            Ok(r) => r,
            // An empty document in its place would be served to newcomers as if it were the
            // room's: refuse to start instead (the host logs the panic and resets the room).
            Err(e) => panic!("yjs: cannot load the document: {}", e),
        }
    }

    fn on_connect(&mut self, _room: &Room, conn: &Connection, _req: &Request) {
        send(conn, Y::SyncStep1(&self.sv.state_vector().encode()));
        if let Some(states) = self.awareness.present() {
            send(conn, Y::Awareness(&states));
        }
    }

    fn on_message(&mut self, room: &Room, conn: &Connection, msg: Message) {
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

    fn on_close(&mut self, room: &Room, conn: &Connection, _code: u16, _reason: &str) {
        self.batches.remove(&conn.handle());
        if let Some(removal) = self.awareness.remove_owner(conn.handle()) {
            let _ = room.broadcast(&Y::Awareness(&removal).encode()[..], &[*conn]);
        }
    }

    fn on_request(&mut self, _room: &Room, req: &Request) -> Response {
        match req.method() {
            "GET" => Response::new(200).header("content-type", "application/octet-stream").body(self.doc.clone()),
            _ => Response::new(405).header("allow", "GET"),
        }
    }
}

impl YjsRoom {
    /// One y-protocols message.
    fn on_frame(&mut self, room: &Room, conn: &Connection, frame: &[u8]) {
        match Y::decode(frame) {
            Ok(Y::SyncStep1(client_sv)) => match yjs::diff_update(&self.doc, client_sv) {
                Ok(missing) => send_missing(conn, &missing),
                Err(e) => reject(conn, "state vector", e),
            },
            Ok(Y::SyncStep2(update)) | Ok(Y::Update(update)) => self.receive(room, conn, update),
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
    let _ = conn.close(1007, why);
}

partyhost::party!(YjsRoom);

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

    #[test]
    fn chunk_keys_sort_in_order() {
        assert_eq!(chunk_key(0), "doc:000000");
        assert!(chunk_key(9) < chunk_key(10));
    }
}
