;; Test guest "gate-probe": a before_request hook that misbehaves on demand, for the gate tests.
;; The request URL decides: ".../trap" traps, ".../spin" loops forever, ".../fail" returns 1 without
;; responding, anything else is answered 200 "calls N": N counts the calls this gate instance has
;; served (a fresh instance starts again at 1). The WebSocket before hook lets everything through.
(module
  (import "partyhost" "respond" (func $respond (param i32 i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 2)
  (global $calls (mut i32) (i32.const 0))
  (data (i32.const 0x100) "calls ")
  (func (export "partyhost_abi_version") (result i32) (i32.const 1))
  (func (export "partyhost_alloc") (param $len i32) (result i32)
    (if (i32.gt_u (local.get $len) (i32.const 0x8000)) (then (return (i32.const 0))))
    (i32.const 0x8000))
  (func (export "partyhost_on_before_connect") (param $ptr i32) (param $len i32) (result i32) (i32.const 0))
  ;; The record starts with [u32 len]["GET"...][u32 len][url...]: the URL's last byte tells what to do.
  (func (export "partyhost_on_before_request") (param $ptr i32) (param $len i32) (result i32)
    (local $m i32) (local $u i32) (local $last i32)
    (local.set $m (i32.load (local.get $ptr)))
    (local.set $u (i32.add (local.get $ptr) (i32.add (i32.const 4) (local.get $m))))
    (local.set $last (i32.load8_u (i32.add (local.get $u) (i32.add (i32.const 3) (i32.load (local.get $u))))))
    (if (i32.eq (local.get $last) (i32.const 0x70)) (then unreachable))           ;; "trap"
    (if (i32.eq (local.get $last) (i32.const 0x6e)) (then (loop $l (br $l))))      ;; "spin"
    (if (i32.eq (local.get $last) (i32.const 0x6c)) (then (return (i32.const 1)))) ;; "fail"
    (global.set $calls (i32.add (global.get $calls) (i32.const 1)))
    (i32.store8 (i32.const 0x106) (i32.add (i32.const 0x30) (global.get $calls)))  ;; one digit: fine for tests
    (drop (call $respond (i32.const 200) (i32.const 0) (i32.const 0) (i32.const 0x100) (i32.const 7)))
    (i32.const 0))
  (func (export "partyhost_on_request") (param i32 i32) (result i32)
    (drop (call $respond (i32.const 200) (i32.const 0) (i32.const 0) (i32.const 0x200) (i32.const 0)))
    (i32.const 0)))
