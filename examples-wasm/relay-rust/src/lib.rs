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

#[cfg(test)]
mod tests {
    use super::*;
    use partyhost::testing::{Frame, TestRoom};

    #[test]
    fn every_message_goes_to_every_other_connection() {
        let mut room = TestRoom::<Relay>::new("r");
        let (a, b, c) = (room.connect("a"), room.connect("b"), room.connect("c"));
        room.send(a, "hi");
        room.send(b, &[0u8, 255][..]);
        assert_eq!(room.received(a), [Frame::Binary(vec![0, 255])]);
        assert_eq!(room.received(b), [Frame::Text("hi".into())]);
        assert_eq!(room.received(c), [Frame::Text("hi".into()), Frame::Binary(vec![0, 255])]);
    }
}
