;; Test guest "hostile": misbehaves on purpose, in the hook its room id names (HostileGuestsTest).
;;
;; The room id is "<hook><action>-...": the hook letter says where, the action letter what.
;;   hooks:   s on_start, c on_connect, m on_message, x on_close, e on_error, r on_request,
;;            a on_alarm (on_start arms the alarm once), A partyhost_alloc
;;   actions: l loop forever, t trap (unreachable), r recurse until the stack is exhausted,
;;            h recurse with a host call (storage_put) at every level,
;;            (alloc only) z return a pointer past the end of memory, 0 return 0
;; In any room, a one-byte message also picks an action in on_message ('l', 't', 'r', 'h'), or:
;;   'g'  grow memory until memory.grow fails, then a huge grow; answers
;;        "grew P" with P the pages it ended with (the host's cap), or "grow FAIL"
;;   'b'  a few host calls with wrapping and out-of-range pointers; answers "bad ok" or "bad FAIL N"
;;   else echo the message to its sender.
;; on_request answers 200 "clean" when the storage key "k" is absent (a trapped hook's writes are
;; undone), 409 "dirty" when it is there.
(module
  (import "partyhost" "conn_send" (func $conn_send (param i32 i32 i32 i32) (result i32)))
  (import "partyhost" "room_id" (func $room_id (param i32 i32) (result i32)))
  (import "partyhost" "respond" (func $respond (param i32 i32 i32 i32 i32) (result i32)))
  (import "partyhost" "log" (func $log (param i32 i32 i32) (result i32)))
  (import "partyhost" "storage_get" (func $storage_get (param i32 i32 i32 i32) (result i32)))
  (import "partyhost" "storage_put" (func $storage_put (param i32 i32 i32 i32) (result i32)))
  (import "partyhost" "alarm_set" (func $alarm_set (param i64) (result i32)))
  (import "partyhost" "alarm_get" (func $alarm_get (param i32) (result i32)))
  ;; No maximum: the host's cap decides how far memory.grow gets.
  (memory (export "memory") 2)
  (data (i32.const 0) "k")
  (data (i32.const 8) "armed")
  (data (i32.const 16) "clean")
  (data (i32.const 24) "dirty")
  (data (i32.const 32) "grew ")
  (data (i32.const 48) "grow FAIL")
  (data (i32.const 64) "bad ok")
  (data (i32.const 80) "bad FAIL ")
  ;; 256..511: the room id; 512..527: number formatting; 0x10000: the one argument buffer.
  (global $hook (mut i32) (i32.const 0))
  (global $action (mut i32) (i32.const 0))
  (global $bad (mut i32) (i32.const 0))

  (func (export "partyhost_abi_version") (result i32) (i32.const 1))

  (func (export "partyhost_alloc") (param $len i32) (result i32)
    (if (i32.eq (global.get $hook) (i32.const 0x41)) ;; 'A'
      (then
        (if (i32.eq (global.get $action) (i32.const 0x7a)) (then (return (i32.const 0xfffffff0)))) ;; 'z'
        (if (i32.eq (global.get $action) (i32.const 0x30)) (then (return (i32.const 0)))) ;; '0'
        (call $misbehave (global.get $action))))
    ;; One region reused by every hook: the host hands over one argument at a time.
    (if (i32.gt_u (local.get $len) (i32.const 0x10000)) (then (return (i32.const 0))))
    (i32.const 0x10000))

  ;; Misbehaves if this room names hook $h.
  (func $maybe (param $h i32)
    (if (i32.eq (global.get $hook) (local.get $h)) (then (call $misbehave (global.get $action)))))

  (func $misbehave (param $action i32)
    (if (i32.eq (local.get $action) (i32.const 0x6c)) (then (loop $forever (br $forever)))) ;; 'l'
    (if (i32.eq (local.get $action) (i32.const 0x74)) (then unreachable)) ;; 't'
    (if (i32.eq (local.get $action) (i32.const 0x72)) (then (drop (call $recurse (i32.const 0))))) ;; 'r'
    (if (i32.eq (local.get $action) (i32.const 0x68)) (then (drop (call $recurse_writing (i32.const 0)))))) ;; 'h'

  (func $recurse (param $depth i32) (result i32)
    (i32.add (i32.const 1) (call $recurse (i32.add (local.get $depth) (i32.const 1)))))

  ;; Every level writes storage: the stack runs out somewhere in or around a host call.
  (func $recurse_writing (param $depth i32) (result i32)
    (i32.store (i32.const 512) (local.get $depth))
    (drop (call $storage_put (i32.const 0) (i32.const 1) (i32.const 512) (i32.const 4)))
    (i32.add (i32.const 1) (call $recurse_writing (i32.add (local.get $depth) (i32.const 1)))))

  (func (export "partyhost_on_start") (result i32)
    (local $n i32)
    (local.set $n (call $room_id (i32.const 256) (i32.const 256)))
    (if (i32.ge_s (local.get $n) (i32.const 2))
      (then
        (global.set $hook (i32.load8_u (i32.const 256)))
        (global.set $action (i32.load8_u (i32.const 257)))))
    ;; The alarm rooms arm their alarm once (remembered in storage): it is due at once.
    (if (i32.and (i32.eq (global.get $hook) (i32.const 0x61)) ;; 'a'
                 (i32.eq (call $storage_get (i32.const 8) (i32.const 5) (i32.const 0) (i32.const 0)) (i32.const -1)))
      (then
        (drop (call $storage_put (i32.const 8) (i32.const 5) (i32.const 8) (i32.const 5)))
        (drop (call $alarm_set (i64.const 0)))))
    (call $maybe (i32.const 0x73)) ;; 's'
    (i32.const 0))

  (func (export "partyhost_on_connect") (param $conn i32) (param $ptr i32) (param $len i32) (result i32)
    (call $maybe (i32.const 0x63)) ;; 'c'
    (i32.const 0))

  (func (export "partyhost_on_message") (param $conn i32) (param $ptr i32) (param $len i32) (param $kind i32) (result i32)
    (local $first i32)
    (call $maybe (i32.const 0x6d)) ;; 'm'
    (if (i32.eq (local.get $len) (i32.const 1)) (then (local.set $first (i32.load8_u (local.get $ptr)))))
    (call $misbehave (local.get $first))
    (if (i32.eq (local.get $first) (i32.const 0x67)) (then (return (call $grow (local.get $conn))))) ;; 'g'
    (if (i32.eq (local.get $first) (i32.const 0x62)) (then (return (call $bad_pointers (local.get $conn))))) ;; 'b'
    (drop (call $conn_send (local.get $conn) (local.get $ptr) (local.get $len) (local.get $kind)))
    (i32.const 0))

  (func (export "partyhost_on_close") (param $conn i32) (param $code i32) (param $ptr i32) (param $len i32) (result i32)
    (call $maybe (i32.const 0x78)) ;; 'x'
    (i32.const 0))

  (func (export "partyhost_on_error") (param $conn i32) (param $ptr i32) (param $len i32) (result i32)
    (call $maybe (i32.const 0x65)) ;; 'e'
    (i32.const 0))

  (func (export "partyhost_on_request") (param $ptr i32) (param $len i32) (result i32)
    (call $maybe (i32.const 0x72)) ;; 'r'
    (if (i32.eq (call $storage_get (i32.const 0) (i32.const 1) (i32.const 0) (i32.const 0)) (i32.const -1))
      (then (drop (call $respond (i32.const 200) (i32.const 0) (i32.const 0) (i32.const 16) (i32.const 5))))
      (else (drop (call $respond (i32.const 409) (i32.const 0) (i32.const 0) (i32.const 24) (i32.const 5)))))
    (i32.const 0))

  (func (export "partyhost_on_alarm") (result i32)
    (call $maybe (i32.const 0x61)) ;; 'a'
    (i32.const 0))

  ;; Grows 16 pages at a time, then one at a time, until the host says no; then asks for 4 GiB.
  (func $grow (param $conn i32) (result i32)
    (block $full (loop $more
      (br_if $full (i32.eq (memory.grow (i32.const 16)) (i32.const -1)))
      (br $more)))
    (block $full (loop $more
      (br_if $full (i32.eq (memory.grow (i32.const 1)) (i32.const -1)))
      (br $more)))
    (if (i32.ne (memory.grow (i32.const 0x10000)) (i32.const -1))
      (then (return (call $conn_send (local.get $conn) (i32.const 48) (i32.const 9) (i32.const 0)))))
    ;; "grew " then the page count, written backwards from 528.
    (call $send_number (local.get $conn) (i32.const 32) (i32.const 5) (memory.size)))

  ;; Sends the $n-byte text at $text followed by $value in decimal.
  (func $send_number (param $conn i32) (param $text i32) (param $n i32) (param $value i32) (result i32)
    (local $at i32)
    (local.set $at (i32.const 528))
    (loop $digits
      (local.set $at (i32.sub (local.get $at) (i32.const 1)))
      (i32.store8 (local.get $at) (i32.add (i32.const 48) (i32.rem_u (local.get $value) (i32.const 10))))
      (local.set $value (i32.div_u (local.get $value) (i32.const 10)))
      (br_if $digits (i32.ne (local.get $value) (i32.const 0))))
    (memory.copy (i32.sub (local.get $at) (local.get $n)) (local.get $text) (local.get $n))
    (drop (call $conn_send (local.get $conn) (i32.sub (local.get $at) (local.get $n))
                (i32.sub (i32.const 528) (i32.sub (local.get $at) (local.get $n))) (i32.const 0)))
    (i32.const 0))

  ;; Records the first check (numbered from 1) whose status is not the expected one.
  (func $expect (param $check i32) (param $got i32) (param $want i32)
    (if (i32.and (i32.ne (local.get $got) (local.get $want)) (i32.eqz (global.get $bad)))
      (then (global.set $bad (local.get $check)))))

  (func $bad_pointers (param $conn i32) (result i32)
    (local $end i32)
    (local.set $end (i32.mul (memory.size) (i32.const 65536)))
    (global.set $bad (i32.const 0))
    ;; ptr + len wraps around 2^32: must not pass as "in bounds".
    (call $expect (i32.const 1) (call $conn_send (local.get $conn) (i32.const -16) (i32.const 32) (i32.const 0)) (i32.const -3))
    (call $expect (i32.const 2) (call $log (i32.const 1) (i32.const -1) (i32.const -1)) (i32.const -3))
    ;; One byte past the end.
    (call $expect (i32.const 3) (call $room_id (i32.sub (local.get $end) (i32.const 1)) (i32.const 2)) (i32.const -3))
    (call $expect (i32.const 4) (call $storage_put (i32.const 0) (i32.const 1) (local.get $end) (i32.const 1)) (i32.const -3))
    (call $expect (i32.const 5) (call $alarm_get (i32.sub (local.get $end) (i32.const 4))) (i32.const -3))
    (call $expect (i32.const 6) (call $storage_get (i32.const 0) (i32.const 1) (i32.const 0x7fffffff) (i32.const 1)) (i32.const -3))
    ;; Exactly up to the end is fine (the key "k" is absent: NOT_FOUND).
    (call $expect (i32.const 7) (call $storage_get (i32.const 0) (i32.const 1) (i32.sub (local.get $end) (i32.const 8)) (i32.const 8)) (i32.const -1))
    ;; respond outside on_request: WRONG_HOOK comes before the pointer check.
    (call $expect (i32.const 8) (call $respond (i32.const 200) (i32.const -1) (i32.const 9) (i32.const -1) (i32.const 9)) (i32.const -8))
    (if (global.get $bad)
      (then (return (call $send_number (local.get $conn) (i32.const 80) (i32.const 9) (global.get $bad)))))
    (call $conn_send (local.get $conn) (i32.const 64) (i32.const 6) (i32.const 0)))
)
