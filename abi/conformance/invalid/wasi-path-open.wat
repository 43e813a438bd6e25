;; partyhost ABI v1 conformance: a module the host must refuse (at upload or start).
;; Defect: imports the WASI call path_open, which is not in the subset of section 9.
;; The refusal message must contain: unknown import wasi_snapshot_preview1.path_open
(module
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "partyhost_abi_version") (result i32) (i32.const 1))
  (global $heap (mut i32) (i32.const 1024))
  (func (export "partyhost_alloc") (param $len i32) (result i32)
    (local $p i32)
    (local.set $p (global.get $heap))
    (global.set $heap (i32.add (local.get $p) (local.get $len)))
    (local.get $p))
  (func (export "partyhost_on_message") (param i32 i32 i32 i32) (result i32) (i32.const 0))
)
