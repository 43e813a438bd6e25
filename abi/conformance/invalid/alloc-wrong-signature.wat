;; partyhost ABI v1 conformance: a module the host must refuse (at upload or start).
;; Defect: exports partyhost_alloc without its parameter (abi.json: (i32) -> i32).
;; The refusal message must contain: wrong signature
(module
  (memory (export "memory") 1)
  (func (export "partyhost_abi_version") (result i32) (i32.const 1))
  (func (export "partyhost_alloc") (result i32) (i32.const 1024))
  (func (export "partyhost_on_message") (param i32 i32 i32 i32) (result i32) (i32.const 0))
)
