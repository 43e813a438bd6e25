;; Test guest "spin": a message whose first byte is 'l' makes on_message loop forever with br, 'b'
;; with br_if (a conditional back-edge); any other message is echoed to its sender. For the CPU
;; deadline tests.
(module
  (import "partyhost" "conn_send" (func $conn_send (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 2)
  (global $heap (mut i32) (i32.const 0x10000))
  (func (export "partyhost_abi_version") (result i32) (i32.const 1))
  ;; A bump allocator that reuses one region: each hook argument is copied by the host before use.
  (func (export "partyhost_alloc") (param $len i32) (result i32)
    (if (i32.gt_u (local.get $len) (i32.const 0x10000)) (then (return (i32.const 0))))
    (global.get $heap))
  (func (export "partyhost_on_message") (param $conn i32) (param $ptr i32) (param $len i32) (param $kind i32) (result i32)
    (if (i32.and (i32.gt_u (local.get $len) (i32.const 0)) (i32.eq (i32.load8_u (local.get $ptr)) (i32.const 0x6c)))
      (then (loop $forever (br $forever))))
    (if (i32.and (i32.gt_u (local.get $len) (i32.const 0)) (i32.eq (i32.load8_u (local.get $ptr)) (i32.const 0x62)))
      (then (loop $again (br_if $again (i32.const 1)))))
    (drop (call $conn_send (local.get $conn) (local.get $ptr) (local.get $len) (local.get $kind)))
    (i32.const 0)))
