;; Test guest "echo", hand-written: every message goes back to its sender as it came (text or
;; binary); the text message "trap" traps instead. ScenarioTest plays a scenario against it.
(module
  (import "partyhost" "conn_send" (func $conn_send (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "partyhost_abi_version") (result i32) (i32.const 1))
  ;; One region, reused: the host copies each hook argument out before the next hook.
  (func (export "partyhost_alloc") (param $len i32) (result i32)
    (if (i32.gt_u (local.get $len) (i32.const 0x8000)) (then (return (i32.const 0))))
    (i32.const 0x8000))
  (func (export "partyhost_on_message") (param $conn i32) (param $ptr i32) (param $len i32) (param $kind i32) (result i32)
    ;; "trap" is 0x70617274 read little-endian
    (if (i32.and (i32.eq (local.get $len) (i32.const 4))
                 (i32.eq (i32.load (local.get $ptr)) (i32.const 0x70617274)))
      (then unreachable))
    (drop (call $conn_send (local.get $conn) (local.get $ptr) (local.get $len) (local.get $kind)))
    (i32.const 0)))
