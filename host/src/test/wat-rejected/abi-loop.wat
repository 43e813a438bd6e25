;; Refused at upload: partyhost_abi_version never returns (the host's version probe runs it under
;; the CPU deadline). HostileGuestsTest.
(module
  (memory (export "memory") 1)
  (func (export "partyhost_abi_version") (result i32) (loop $forever (br $forever)) (i32.const 1))
  (func (export "partyhost_alloc") (param i32) (result i32) (i32.const 0)))
