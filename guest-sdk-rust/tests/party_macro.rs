//! `party!` expands, exports the ABI names, and dispatches hooks to one instance. (Off wasm32
//! pointers do not fit the ABI's i32, so only hooks without buffers are driven here.)

use std::sync::atomic::{AtomicI32, Ordering};

use partyhost::{Connection, Message, Party, Room};

static NEW: AtomicI32 = AtomicI32::new(0);
static MESSAGES: AtomicI32 = AtomicI32::new(0);
static ALARMS: AtomicI32 = AtomicI32::new(0);

struct Counter {
    messages: i32,
}

impl Party for Counter {
    fn new(_room: &Room) -> Self {
        NEW.fetch_add(1, Ordering::SeqCst);
        Counter { messages: 0 }
    }

    fn on_message(&mut self, _room: &Room, conn: &Connection, msg: Message) {
        assert_eq!(conn.handle(), 7);
        assert_eq!(msg, Message::Text(""));
        self.messages += 1;
        MESSAGES.store(self.messages, Ordering::SeqCst);
    }

    fn on_alarm(&mut self, _room: &Room) {
        ALARMS.fetch_add(1, Ordering::SeqCst);
    }
}

partyhost::party!(Counter);

extern "C" {
    fn partyhost_abi_version() -> i32;
    fn partyhost_alloc(len: i32) -> i32;
    fn partyhost_on_start() -> i32;
    fn partyhost_on_message(conn: i32, ptr: i32, len: i32, kind: i32) -> i32;
    fn partyhost_on_alarm() -> i32;
}

#[test]
fn exports_dispatch_to_one_instance() {
    unsafe {
        assert_eq!(partyhost_abi_version(), 1);
        assert_eq!(partyhost_alloc(0), 0);
        assert_eq!(partyhost_on_start(), 0);
        assert_eq!(NEW.load(Ordering::SeqCst), 1);
        assert_eq!(partyhost_on_message(7, 0, 0, 0), 0);
        assert_eq!(partyhost_on_message(7, 0, 0, 0), 0);
        assert_eq!(MESSAGES.load(Ordering::SeqCst), 2);
        assert_eq!(partyhost_on_message(7, 0, 0, 2), -5, "unknown kind is INVALID");
        assert_eq!(partyhost_on_alarm(), 0);
        assert_eq!(ALARMS.load(Ordering::SeqCst), 1);
        assert_eq!(NEW.load(Ordering::SeqCst), 1);
        // A second on_start (after a reset) makes a fresh instance.
        assert_eq!(partyhost_on_start(), 0);
        assert_eq!(partyhost_on_message(7, 0, 0, 0), 0);
        assert_eq!(MESSAGES.load(Ordering::SeqCst), 1);
    }
}
