//! The benchmark party: every message (text or binary) goes verbatim to every other connection
//! of the room. The hot path allocates nothing: the received buffer is broadcast as is, with the
//! sender's handle as the exclusion list.

use partyhost::{Connection, Message, Party, Room};

struct Relay;

impl Party for Relay {
    fn new(_room: &Room) -> Self {
        Relay
    }

    fn on_message(&mut self, room: &Room, conn: &Connection, msg: Message) {
        let _ = room.broadcast(msg, &[*conn]);
    }
}

partyhost::party!(Relay);
