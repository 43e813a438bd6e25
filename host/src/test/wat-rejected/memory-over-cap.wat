;; Refused at upload: its memory starts at 257 pages (16 MiB + 64 KiB), over the host's 16 MiB cap.
;; HostileGuestsTest.
(module
  (memory (export "memory") 257)
  (func (export "partyhost_abi_version") (result i32) (i32.const 1))
  (func (export "partyhost_alloc") (param i32) (result i32) (i32.const 0)))
