;; The host's own test guest: logs every hook (the tests read which thread ran it), echoes each
;; message to its sender, counts messages, traps on the message "trap", and answers HTTP with the
;; count. Its bump allocator is rewound after every hook: the host hands data in only for one hook.
(module
  (import "partyhost" "conn_send" (func $conn_send (param i32 i32 i32 i32) (result i32)))
  (import "partyhost" "log" (func $log (param i32 i32 i32) (result i32)))
  (import "partyhost" "respond" (func $respond (param i32 i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 2 32)
  (global $heap (mut i32) (i32.const 4096))
  (global $messages (mut i32) (i32.const 0))
  (data (i32.const 0) "start")
  (data (i32.const 16) "connect")
  (data (i32.const 32) "message")
  (data (i32.const 48) "close")
  (data (i32.const 64) "trap")

  (func (export "partyhost_abi_version") (result i32) (i32.const 1))

  (func (export "partyhost_alloc") (param $n i32) (result i32)
    (local $p i32)
    (local.set $p (global.get $heap))
    (global.set $heap (i32.add (local.get $p) (local.get $n)))
    (block $enough
      (loop $grow
        (br_if $enough (i32.le_u (global.get $heap) (i32.mul (memory.size) (i32.const 65536))))
        (if (i32.eq (memory.grow (i32.const 1)) (i32.const -1)) (then (return (i32.const 0))))
        (br $grow)))
    (local.get $p))

  (func $done (result i32)
    (global.set $heap (i32.const 4096))
    (i32.const 0))

  (func (export "partyhost_on_start") (result i32)
    (drop (call $log (i32.const 1) (i32.const 0) (i32.const 5)))
    (call $done))

  (func (export "partyhost_on_connect") (param $conn i32) (param $ptr i32) (param $len i32) (result i32)
    (drop (call $log (i32.const 1) (i32.const 16) (i32.const 7)))
    (call $done))

  (func (export "partyhost_on_message") (param $conn i32) (param $ptr i32) (param $len i32) (param $kind i32) (result i32)
    (if (i32.and (i32.eq (local.get $len) (i32.const 4))
                 (i32.eq (i32.load (local.get $ptr)) (i32.load (i32.const 64))))
      (then unreachable))
    (global.set $messages (i32.add (global.get $messages) (i32.const 1)))
    (drop (call $log (i32.const 1) (i32.const 32) (i32.const 7)))
    (drop (call $conn_send (local.get $conn) (local.get $ptr) (local.get $len) (local.get $kind)))
    (call $done))

  (func (export "partyhost_on_close") (param $conn i32) (param $code i32) (param $ptr i32) (param $len i32) (result i32)
    (drop (call $log (i32.const 1) (i32.const 48) (i32.const 5)))
    (call $done))

  ;; Body: the message count in decimal.
  (func (export "partyhost_on_request") (param $ptr i32) (param $len i32) (result i32)
    (local $n i32) (local $at i32)
    (local.set $n (global.get $messages))
    (local.set $at (i32.const 1024))
    (loop $digits
      (local.set $at (i32.sub (local.get $at) (i32.const 1)))
      (i32.store8 (local.get $at) (i32.add (i32.const 48) (i32.rem_u (local.get $n) (i32.const 10))))
      (local.set $n (i32.div_u (local.get $n) (i32.const 10)))
      (br_if $digits (i32.ne (local.get $n) (i32.const 0))))
    (drop (call $respond (i32.const 200) (i32.const 0) (i32.const 0)
                         (local.get $at) (i32.sub (i32.const 1024) (local.get $at))))
    (call $done))
)
