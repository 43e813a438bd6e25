;; Test guest "slow": a room that takes its time over each message. The first byte of a message
;; says how many times on_message reads the whole message (work that grows with its size); then it
;; sends the message's first 8 bytes (or fewer) back to its sender. For the inbound queue tests.
(module
  (import "partyhost" "conn_send" (func $conn_send (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 2)
  (global $heap (mut i32) (i32.const 0x10000))
  (global $sum (mut i32) (i32.const 0))
  (func (export "partyhost_abi_version") (result i32) (i32.const 1))
  ;; A bump allocator that reuses one region: each hook argument is copied by the host before use.
  (func (export "partyhost_alloc") (param $len i32) (result i32)
    (if (i32.gt_u (local.get $len) (i32.const 0x10000)) (then (return (i32.const 0))))
    (global.get $heap))
  (func (export "partyhost_on_message") (param $conn i32) (param $ptr i32) (param $len i32) (param $kind i32) (result i32)
    (local $passes i32) (local $i i32)
    (if (i32.eqz (local.get $len)) (then (return (i32.const 0))))
    (local.set $passes (i32.load8_u (local.get $ptr)))
    (block $done
      (loop $pass
        (br_if $done (i32.eqz (local.get $passes)))
        (local.set $i (i32.const 0))
        (loop $byte
          (global.set $sum (i32.add (global.get $sum) (i32.load8_u (i32.add (local.get $ptr) (local.get $i)))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $byte (i32.lt_u (local.get $i) (local.get $len))))
        (local.set $passes (i32.sub (local.get $passes) (i32.const 1)))
        (br $pass)))
    (drop (call $conn_send (local.get $conn) (local.get $ptr)
      (select (local.get $len) (i32.const 8) (i32.lt_u (local.get $len) (i32.const 8))) (local.get $kind)))
    (i32.const 0)))
