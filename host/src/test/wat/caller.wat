;; Test guest "caller", hand-written, for CallsTest and the calls benchmark: a room that makes calls
;; when its clients ask, and a callee that answers them.
;;
;; Binary messages, the first byte says what to do (the rest is the call's arguments):
;;   'r' + [party, room, request] (a byte-string list): room_call; the 4-byte result goes back.
;;   'R' the same, then trap (the call must never leave).
;;   'h' + request: http_call; the 4-byte result goes back.   'H' the same, then trap.
;;   'p': sent back as it came (the room keeps serving).        't': trap.
;; on_response broadcasts [call i32][status i32][record] to the room's connections.
;; on_request broadcasts the request's body to the room's connections as text, then: body "T" traps, "N"
;; answers nothing, "F" + [party, room, request] makes that room_call first; else (and after "F")
;; it responds 200 with the request record it got as the body.
;; on_before_request: a PUT gets 200 with the results of room_call and http_call in the gate
;; (both WRONG_HOOK), two i32; any other request goes through.
(module
  (import "partyhost" "conn_send" (func $conn_send (param i32 i32 i32 i32) (result i32)))
  (import "partyhost" "broadcast" (func $broadcast (param i32 i32 i32 i32 i32) (result i32)))
  (import "partyhost" "respond" (func $respond (param i32 i32 i32 i32 i32) (result i32)))
  (import "partyhost" "room_call" (func $room_call (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "partyhost" "http_call" (func $http_call (param i32 i32) (result i32)))
  (memory (export "memory") 64)
  ;; ["GET", "", ""]
  (data (i32.const 0x200) "\03\00\00\00GET\00\00\00\00\00\00\00\00")
  ;; ["GET", "http://127.0.0.1/", ""]
  (data (i32.const 0x240) "\03\00\00\00GET\11\00\00\00http://127.0.0.1/\00\00\00\00")
  (data (i32.const 0x280) "x")
  (func (export "partyhost_abi_version") (result i32) (i32.const 1))
  ;; One region, reused: the host copies each hook argument out before the next hook. The 8 bytes
  ;; before it hold on_response's call and status, so that one broadcast sends all three.
  (func (export "partyhost_alloc") (param $len i32) (result i32)
    (if (i32.gt_u (local.get $len) (i32.const 0x3e0000)) (then (return (i32.const 0))))
    (i32.const 0x10008))

  ;; room_call with the arguments in the byte-string list [party, room, request] at $p.
  (func $room_list (param $p i32) (result i32)
    (local $l1 i32) (local $a1 i32) (local $l2 i32) (local $a2 i32) (local $l3 i32) (local $a3 i32)
    (local.set $l1 (i32.load (local.get $p)))
    (local.set $a1 (i32.add (local.get $p) (i32.const 4)))
    (local.set $p (i32.add (local.get $a1) (local.get $l1)))
    (local.set $l2 (i32.load (local.get $p)))
    (local.set $a2 (i32.add (local.get $p) (i32.const 4)))
    (local.set $p (i32.add (local.get $a2) (local.get $l2)))
    (local.set $l3 (i32.load (local.get $p)))
    (local.set $a3 (i32.add (local.get $p) (i32.const 4)))
    (call $room_call (local.get $a1) (local.get $l1) (local.get $a2) (local.get $l2)
                     (local.get $a3) (local.get $l3)))

  (func $reply (param $conn i32) (param $result i32)
    (i32.store (i32.const 0x100) (local.get $result))
    (drop (call $conn_send (local.get $conn) (i32.const 0x100) (i32.const 4) (i32.const 1))))

  (func (export "partyhost_on_message") (param $conn i32) (param $ptr i32) (param $len i32) (param $kind i32) (result i32)
    (local $op i32)
    (if (i32.eqz (local.get $len)) (then (return (i32.const 0))))
    (local.set $op (i32.load8_u (local.get $ptr)))
    (if (i32.eq (local.get $op) (i32.const 0x70)) ;; 'p'
      (then (drop (call $conn_send (local.get $conn) (local.get $ptr) (local.get $len) (local.get $kind)))
            (return (i32.const 0))))
    (if (i32.eq (local.get $op) (i32.const 0x74)) (then unreachable)) ;; 't'
    (if (i32.or (i32.eq (local.get $op) (i32.const 0x72)) (i32.eq (local.get $op) (i32.const 0x52))) ;; 'r' 'R'
      (then
        (call $reply (local.get $conn) (call $room_list (i32.add (local.get $ptr) (i32.const 1))))
        (if (i32.eq (local.get $op) (i32.const 0x52)) (then unreachable))))
    (if (i32.or (i32.eq (local.get $op) (i32.const 0x68)) (i32.eq (local.get $op) (i32.const 0x48))) ;; 'h' 'H'
      (then
        (call $reply (local.get $conn)
          (call $http_call (i32.add (local.get $ptr) (i32.const 1)) (i32.sub (local.get $len) (i32.const 1))))
        (if (i32.eq (local.get $op) (i32.const 0x48)) (then unreachable))))
    (i32.const 0))

  (func (export "partyhost_on_response") (param $call i32) (param $ptr i32) (param $len i32) (param $status i32) (result i32)
    (i32.store (i32.const 0x10000) (local.get $call))
    (i32.store (i32.const 0x10004) (local.get $status))
    (drop (call $broadcast (i32.const 0x10000) (i32.add (local.get $len) (i32.const 8)) (i32.const 1) (i32.const 0) (i32.const 0)))
    (i32.const 0))

  (func (export "partyhost_on_request") (param $ptr i32) (param $len i32) (result i32)
    (local $p i32) (local $body i32) (local $blen i32) (local $first i32)
    ;; skip the method and the URL: the third item is the body
    (local.set $p (i32.add (local.get $ptr) (i32.add (i32.const 4) (i32.load (local.get $ptr)))))
    (local.set $p (i32.add (local.get $p) (i32.add (i32.const 4) (i32.load (local.get $p)))))
    (local.set $blen (i32.load (local.get $p)))
    (local.set $body (i32.add (local.get $p) (i32.const 4)))
    (drop (call $broadcast (local.get $body) (local.get $blen) (i32.const 0) (i32.const 0) (i32.const 0)))
    (if (i32.gt_u (local.get $blen) (i32.const 0))
      (then
        (local.set $first (i32.load8_u (local.get $body)))
        (if (i32.and (i32.eq (local.get $blen) (i32.const 1)) (i32.eq (local.get $first) (i32.const 0x54))) ;; "T"
          (then unreachable))
        (if (i32.and (i32.eq (local.get $blen) (i32.const 1)) (i32.eq (local.get $first) (i32.const 0x4e))) ;; "N"
          (then (return (i32.const 0))))
        (if (i32.eq (local.get $first) (i32.const 0x46)) ;; 'F'
          (then (drop (call $room_list (i32.add (local.get $body) (i32.const 1))))))))
    (drop (call $respond (i32.const 200) (i32.const 0) (i32.const 0) (local.get $ptr) (local.get $len)))
    (i32.const 0))

  (func (export "partyhost_on_before_request") (param $ptr i32) (param $len i32) (result i32)
    (if (i32.and
          (i32.eq (i32.load (local.get $ptr)) (i32.const 3))
          (i32.eq (i32.and (i32.load (i32.add (local.get $ptr) (i32.const 4))) (i32.const 0xffffff))
                  (i32.const 0x545550))) ;; "PUT" little-endian
      (then
        (i32.store (i32.const 0x300)
          (call $room_call (i32.const 0x280) (i32.const 0) (i32.const 0x280) (i32.const 1) (i32.const 0x200) (i32.const 15)))
        (i32.store (i32.const 0x304) (call $http_call (i32.const 0x240) (i32.const 32)))
        (drop (call $respond (i32.const 200) (i32.const 0) (i32.const 0) (i32.const 0x300) (i32.const 8)))))
    (i32.const 0)))
