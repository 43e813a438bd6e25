;; Test guest "wasi-calls": each message names a WASI call to make, and the guest answers with its
;; result: "clock" (clock_time_get: the nanoseconds, as a decimal), "random" (random_get of 8 bytes:
;; 0 and the bytes not all zero), "exit" (proc_exit 3: a trap; the room resets).
(module
  (import "wasi_snapshot_preview1" "clock_time_get" (func $clock (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "random_get" (func $random (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (import "partyhost" "conn_send" (func $conn_send (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1 1)
  (global $heap (mut i32) (i32.const 4096))

  (func (export "partyhost_abi_version") (result i32) (i32.const 1))

  (func (export "partyhost_alloc") (param $n i32) (result i32)
    (local $p i32)
    (local.set $p (global.get $heap))
    (global.set $heap (i32.add (local.get $p) (local.get $n)))
    (if (i32.gt_u (global.get $heap) (i32.const 65536)) (then (return (i32.const 0))))
    (local.get $p))

  ;; Writes the unsigned decimal of v at 256, returns its length.
  (func $decimal (param $v i64) (result i32)
    (local $n i32) (local $i i32) (local $t i32)
    (loop $digits
      (i32.store8 (i32.add (i32.const 256) (local.get $n))
        (i32.add (i32.const 48) (i32.wrap_i64 (i64.rem_u (local.get $v) (i64.const 10)))))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (local.set $v (i64.div_u (local.get $v) (i64.const 10)))
      (br_if $digits (i64.ne (local.get $v) (i64.const 0))))
    ;; reverse
    (local.set $i (i32.const 0))
    (block $done
      (loop $swap
        (br_if $done (i32.ge_s (local.get $i) (i32.sub (i32.sub (local.get $n) (i32.const 1)) (local.get $i))))
        (local.set $t (i32.load8_u (i32.add (i32.const 256) (local.get $i))))
        (i32.store8 (i32.add (i32.const 256) (local.get $i))
          (i32.load8_u (i32.add (i32.const 256) (i32.sub (i32.sub (local.get $n) (i32.const 1)) (local.get $i)))))
        (i32.store8 (i32.add (i32.const 256) (i32.sub (i32.sub (local.get $n) (i32.const 1)) (local.get $i))) (local.get $t))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $swap)))
    (local.get $n))

  (func (export "partyhost_on_message") (param $conn i32) (param $p i32) (param $n i32) (param $kind i32) (result i32)
    (local $first i32)
    (global.set $heap (i32.const 4096)) ;; the message is only needed during this hook
    (local.set $first (i32.load8_u (local.get $p)))
    (if (i32.eq (local.get $first) (i32.const 99)) ;; "clock"
      (then
        (drop (call $clock (i32.const 0) (i64.const 1) (i32.const 128)))
        (return (i32.ne (i32.const 0)
          (call $conn_send (local.get $conn) (i32.const 256) (call $decimal (i64.load (i32.const 128))) (i32.const 0)))))) 
    (if (i32.eq (local.get $first) (i32.const 114)) ;; "random"
      (then
        (i64.store (i32.const 128) (i64.const 0))
        (drop (call $decimal (i64.extend_i32_u (call $random (i32.const 128) (i32.const 8)))))
        (i32.store8 (i32.const 257) (i32.const 32))
        (i32.store8 (i32.const 258) (select (i32.const 121) (i32.const 110) (i64.ne (i64.load (i32.const 128)) (i64.const 0))))
        (return (i32.ne (i32.const 0) (call $conn_send (local.get $conn) (i32.const 256) (i32.const 3) (i32.const 0))))))
    (if (i32.eq (local.get $first) (i32.const 101)) ;; "exit"
      (then (call $exit (i32.const 3))))
    (i32.const 0))
)
