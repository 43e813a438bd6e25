;; Test guest "send-close": on every message, sends its sender 200 binary frames of 1 KiB (the first
;; four bytes: the frame's index, little-endian), then closes it with 4000 "bye", all in one hook.
;; For OutboundOrderTest: the close must reach the socket after the frames sent before it.
(module
  (import "partyhost" "conn_send" (func $conn_send (param i32 i32 i32 i32) (result i32)))
  (import "partyhost" "conn_close" (func $conn_close (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "bye")
  (func (export "partyhost_abi_version") (result i32) (i32.const 1))
  ;; One region, reused: the host copies each hook argument out before the next hook.
  (func (export "partyhost_alloc") (param $len i32) (result i32)
    (if (i32.gt_u (local.get $len) (i32.const 0x8000)) (then (return (i32.const 0))))
    (i32.const 0x8000))
  (func (export "partyhost_on_message") (param $conn i32) (param $ptr i32) (param $len i32) (param $kind i32) (result i32)
    (local $i i32)
    (loop $frames
      (i32.store (i32.const 0x1000) (local.get $i))
      (if (call $conn_send (local.get $conn) (i32.const 0x1000) (i32.const 1024) (i32.const 1))
        (then unreachable)) ;; a refused send fails the test loudly (the room resets, 1011)
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $frames (i32.lt_u (local.get $i) (i32.const 200))))
    (if (call $conn_close (local.get $conn) (i32.const 4000) (i32.const 0) (i32.const 3))
      (then unreachable))
    (i32.const 0)))
