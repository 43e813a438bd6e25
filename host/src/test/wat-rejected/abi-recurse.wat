;; Refused at upload: partyhost_abi_version recurses until the stack is exhausted. HostileGuestsTest.
(module
  (memory (export "memory") 1)
  (func $down (export "partyhost_abi_version") (result i32) (i32.add (i32.const 1) (call $down)))
  (func (export "partyhost_alloc") (param i32) (result i32) (i32.const 0)))
