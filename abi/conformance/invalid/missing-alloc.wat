;; partyhost ABI v1 conformance: a module the host must refuse (at upload or start).
;; Defect: no partyhost_alloc export (section 6, required exports).
;; The refusal message must contain: missing export partyhost_alloc
(module
  (memory (export "memory") 1)
  (func (export "partyhost_abi_version") (result i32) (i32.const 1))
  (func (export "partyhost_on_message") (param i32 i32 i32 i32) (result i32) (i32.const 0))
)
