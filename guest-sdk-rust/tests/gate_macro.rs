//! The extended `party!(T, before_connect = f, before_request = g)` form exports the before hooks
//! next to the room hooks, and accepts functions and closures. (Off wasm32 a record cannot be
//! passed through an i32 pointer, so the hooks are driven with an empty record here: the SDK
//! answers INVALID without calling the function. `rt`'s unit tests run the verdicts.)

use partyhost::{Gate, Party, Request, Room, Verdict};

struct Guarded;

impl Party for Guarded {
    fn new(_room: &Room) -> Self {
        Guarded
    }
}

fn check_connect(gate: &Gate, req: &Request) -> Verdict {
    match (gate.config("token"), req.query_param("token")) {
        (Some(want), Some(got)) if want == got => Verdict::Pass,
        _ => Verdict::deny(401, "bad token"),
    }
}

partyhost::party!(Guarded, before_connect = check_connect, before_request = |_gate, req| {
    if req.method() == "GET" { Verdict::Pass } else { Verdict::deny(405, "read only") }
},);

extern "C" {
    fn partyhost_abi_version() -> i32;
    fn partyhost_on_start() -> i32;
    fn partyhost_on_before_connect(ptr: i32, len: i32) -> i32;
    fn partyhost_on_before_request(ptr: i32, len: i32) -> i32;
}

#[test]
fn before_hooks_are_exported_with_the_room_hooks() {
    unsafe {
        assert_eq!(partyhost_abi_version(), 1);
        assert_eq!(partyhost_on_start(), 0);
        assert_eq!(partyhost_on_before_connect(0, 0), -5, "an empty record is INVALID");
        assert_eq!(partyhost_on_before_request(0, 0), -5);
    }
}
