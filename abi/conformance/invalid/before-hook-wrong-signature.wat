;; partyhost ABI v1 conformance: a module the host must refuse (at upload or start).
;; Defect: exports partyhost_on_before_request with 1 parameter (abi.json, since v1.2: 2).
;; The refusal message must contain: wrong signature
(module
  (memory (export "memory") 1)
  (func (export "partyhost_abi_version") (result i32) (i32.const 1))
  (global $heap (mut i32) (i32.const 1024))
  (func (export "partyhost_alloc") (param $len i32) (result i32)
    (local $p i32)
    (local.set $p (global.get $heap))
    (global.set $heap (i32.add (local.get $p) (local.get $len)))
    (local.get $p))
  (func (export "partyhost_on_before_request") (param i32) (result i32) (i32.const 0))
)
