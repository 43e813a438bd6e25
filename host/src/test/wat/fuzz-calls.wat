;; The host-call fuzzer's guest (dev.partyhost.fuzz.HostCallsFuzzTest). It makes whichever host call a
;; command names, with whatever arguments the command holds, and never traps on its own: every trap
;; while it serves is the host's doing (a host call threw), which the fuzz test reports as a bug.
;;
;; A command is 81 bytes: the call's index in the import list below (abi.json order), then ten
;; 8-byte little-endian arguments; an i32 parameter takes the low 4 bytes of its slot. Index 200
;; empties the room (storage_delete_all, alarm_delete), 201 calls nothing; other unknown indexes
;; answer -1000. Bytes after the command (its payload) are there for pointer arguments to point at.
;; Commands arrive
;;   - as the body of an HTTP request: on_request runs it, then responds 200 with the result as an
;;     8-byte little-endian i64, unless the command was a `respond` that succeeded (its response stands);
;;   - in a WebSocket URL, as lowercase hex after `&c=`: on_connect runs it (so conn_set_tags is
;;     allowed) and sends the result to the new connection.
;; Memory is one page that cannot grow, so arguments reach its end easily. Whatever the host hands in
;; goes at 0x8000 (the request record; the body holds the command); commands decoded from a URL at
;; 0x100; results at 0x10.
(module
  (import "partyhost" "conn_send" (func $conn_send (param i32 i32 i32 i32) (result i32)))
  (import "partyhost" "broadcast" (func $broadcast (param i32 i32 i32 i32 i32) (result i32)))
  (import "partyhost" "conn_close" (func $conn_close (param i32 i32 i32 i32) (result i32)))
  (import "partyhost" "conn_id" (func $conn_id (param i32 i32 i32) (result i32)))
  (import "partyhost" "conn_uri" (func $conn_uri (param i32 i32 i32) (result i32)))
  (import "partyhost" "conn_find" (func $conn_find (param i32 i32) (result i32)))
  (import "partyhost" "conn_state_get" (func $conn_state_get (param i32 i32 i32) (result i32)))
  (import "partyhost" "conn_state_set" (func $conn_state_set (param i32 i32 i32) (result i32)))
  (import "partyhost" "conn_set_tags" (func $conn_set_tags (param i32 i32 i32) (result i32)))
  (import "partyhost" "conn_tags" (func $conn_tags (param i32 i32 i32) (result i32)))
  (import "partyhost" "conn_list" (func $conn_list (param i32 i32 i32 i32) (result i32)))
  (import "partyhost" "room_id" (func $room_id (param i32 i32) (result i32)))
  (import "partyhost" "party_name" (func $party_name (param i32 i32) (result i32)))
  (import "partyhost" "respond" (func $respond (param i32 i32 i32 i32 i32) (result i32)))
  (import "partyhost" "config_get" (func $config_get (param i32 i32 i32 i32) (result i32)))
  (import "partyhost" "log" (func $log (param i32 i32 i32) (result i32)))
  (import "partyhost" "now_ms" (func $now_ms (result i64)))
  (import "partyhost" "random_fill" (func $random_fill (param i32 i32) (result i32)))
  (import "partyhost" "storage_get" (func $storage_get (param i32 i32 i32 i32) (result i32)))
  (import "partyhost" "storage_put" (func $storage_put (param i32 i32 i32 i32) (result i32)))
  (import "partyhost" "storage_put_many" (func $storage_put_many (param i32 i32) (result i32)))
  (import "partyhost" "storage_delete" (func $storage_delete (param i32 i32) (result i32)))
  (import "partyhost" "storage_delete_many" (func $storage_delete_many (param i32 i32) (result i32)))
  (import "partyhost" "storage_list" (func $storage_list (param i32 i32 i32 i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (import "partyhost" "storage_delete_all" (func $storage_delete_all (result i32)))
  (import "partyhost" "alarm_set" (func $alarm_set (param i64) (result i32)))
  (import "partyhost" "alarm_get" (func $alarm_get (param i32) (result i32)))
  (import "partyhost" "alarm_delete" (func $alarm_delete (result i32)))
  (import "partyhost" "request_set_header" (func $request_set_header (param i32 i32 i32 i32) (result i32)))
  (import "partyhost" "room_call" (func $room_call (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "partyhost" "http_call" (func $http_call (param i32 i32) (result i32)))

  (memory (export "memory") 1 1)

  (func (export "partyhost_abi_version") (result i32) (i32.const 1))

  (func (export "partyhost_alloc") (param $len i32) (result i32)
    (if (result i32) (i32.le_u (local.get $len) (i32.const 0x8000))
      (then (i32.const 0x8000)) (else (i32.const 0))))

  ;; Runs the command at $c; the result, sign-extended.
  (func $run (param $c i32) (result i64)
    (block $unknown
    (block $nop
    (block $cleanup
    (block $b30
    (block $b29
    (block $b28
    (block $b27
    (block $b26
    (block $b25
    (block $b24
    (block $b23
    (block $b22
    (block $b21
    (block $b20
    (block $b19
    (block $b18
    (block $b17
    (block $b16
    (block $b15
    (block $b14
    (block $b13
    (block $b12
    (block $b11
    (block $b10
    (block $b9
    (block $b8
    (block $b7
    (block $b6
    (block $b5
    (block $b4
    (block $b3
    (block $b2
    (block $b1
    (block $b0
      (if (i32.eq (i32.load8_u (local.get $c)) (i32.const 200)) (then (br $cleanup)))
      (if (i32.eq (i32.load8_u (local.get $c)) (i32.const 201)) (then (br $nop)))
      (br_table $b0 $b1 $b2 $b3 $b4 $b5 $b6 $b7 $b8 $b9 $b10 $b11 $b12 $b13 $b14 $b15 $b16 $b17 $b18 $b19 $b20 $b21 $b22 $b23 $b24 $b25 $b26 $b27 $b28 $b29 $b30 $unknown (i32.load8_u (local.get $c))))
    ;; 0: conn_send
    (return (i64.extend_i32_s (call $conn_send (i32.load offset=1 (local.get $c)) (i32.load offset=9 (local.get $c)) (i32.load offset=17 (local.get $c)) (i32.load offset=25 (local.get $c))))))
    ;; 1: broadcast
    (return (i64.extend_i32_s (call $broadcast (i32.load offset=1 (local.get $c)) (i32.load offset=9 (local.get $c)) (i32.load offset=17 (local.get $c)) (i32.load offset=25 (local.get $c)) (i32.load offset=33 (local.get $c))))))
    ;; 2: conn_close
    (return (i64.extend_i32_s (call $conn_close (i32.load offset=1 (local.get $c)) (i32.load offset=9 (local.get $c)) (i32.load offset=17 (local.get $c)) (i32.load offset=25 (local.get $c))))))
    ;; 3: conn_id
    (return (i64.extend_i32_s (call $conn_id (i32.load offset=1 (local.get $c)) (i32.load offset=9 (local.get $c)) (i32.load offset=17 (local.get $c))))))
    ;; 4: conn_uri
    (return (i64.extend_i32_s (call $conn_uri (i32.load offset=1 (local.get $c)) (i32.load offset=9 (local.get $c)) (i32.load offset=17 (local.get $c))))))
    ;; 5: conn_find
    (return (i64.extend_i32_s (call $conn_find (i32.load offset=1 (local.get $c)) (i32.load offset=9 (local.get $c))))))
    ;; 6: conn_state_get
    (return (i64.extend_i32_s (call $conn_state_get (i32.load offset=1 (local.get $c)) (i32.load offset=9 (local.get $c)) (i32.load offset=17 (local.get $c))))))
    ;; 7: conn_state_set
    (return (i64.extend_i32_s (call $conn_state_set (i32.load offset=1 (local.get $c)) (i32.load offset=9 (local.get $c)) (i32.load offset=17 (local.get $c))))))
    ;; 8: conn_set_tags
    (return (i64.extend_i32_s (call $conn_set_tags (i32.load offset=1 (local.get $c)) (i32.load offset=9 (local.get $c)) (i32.load offset=17 (local.get $c))))))
    ;; 9: conn_tags
    (return (i64.extend_i32_s (call $conn_tags (i32.load offset=1 (local.get $c)) (i32.load offset=9 (local.get $c)) (i32.load offset=17 (local.get $c))))))
    ;; 10: conn_list
    (return (i64.extend_i32_s (call $conn_list (i32.load offset=1 (local.get $c)) (i32.load offset=9 (local.get $c)) (i32.load offset=17 (local.get $c)) (i32.load offset=25 (local.get $c))))))
    ;; 11: room_id
    (return (i64.extend_i32_s (call $room_id (i32.load offset=1 (local.get $c)) (i32.load offset=9 (local.get $c))))))
    ;; 12: party_name
    (return (i64.extend_i32_s (call $party_name (i32.load offset=1 (local.get $c)) (i32.load offset=9 (local.get $c))))))
    ;; 13: respond
    (return (i64.extend_i32_s (call $respond (i32.load offset=1 (local.get $c)) (i32.load offset=9 (local.get $c)) (i32.load offset=17 (local.get $c)) (i32.load offset=25 (local.get $c)) (i32.load offset=33 (local.get $c))))))
    ;; 14: config_get
    (return (i64.extend_i32_s (call $config_get (i32.load offset=1 (local.get $c)) (i32.load offset=9 (local.get $c)) (i32.load offset=17 (local.get $c)) (i32.load offset=25 (local.get $c))))))
    ;; 15: log
    (return (i64.extend_i32_s (call $log (i32.load offset=1 (local.get $c)) (i32.load offset=9 (local.get $c)) (i32.load offset=17 (local.get $c))))))
    ;; 16: now_ms
    (return (call $now_ms)))
    ;; 17: random_fill
    (return (i64.extend_i32_s (call $random_fill (i32.load offset=1 (local.get $c)) (i32.load offset=9 (local.get $c))))))
    ;; 18: storage_get
    (return (i64.extend_i32_s (call $storage_get (i32.load offset=1 (local.get $c)) (i32.load offset=9 (local.get $c)) (i32.load offset=17 (local.get $c)) (i32.load offset=25 (local.get $c))))))
    ;; 19: storage_put
    (return (i64.extend_i32_s (call $storage_put (i32.load offset=1 (local.get $c)) (i32.load offset=9 (local.get $c)) (i32.load offset=17 (local.get $c)) (i32.load offset=25 (local.get $c))))))
    ;; 20: storage_put_many
    (return (i64.extend_i32_s (call $storage_put_many (i32.load offset=1 (local.get $c)) (i32.load offset=9 (local.get $c))))))
    ;; 21: storage_delete
    (return (i64.extend_i32_s (call $storage_delete (i32.load offset=1 (local.get $c)) (i32.load offset=9 (local.get $c))))))
    ;; 22: storage_delete_many
    (return (i64.extend_i32_s (call $storage_delete_many (i32.load offset=1 (local.get $c)) (i32.load offset=9 (local.get $c))))))
    ;; 23: storage_list
    (return (i64.extend_i32_s (call $storage_list (i32.load offset=1 (local.get $c)) (i32.load offset=9 (local.get $c)) (i32.load offset=17 (local.get $c)) (i32.load offset=25 (local.get $c)) (i32.load offset=33 (local.get $c)) (i32.load offset=41 (local.get $c)) (i32.load offset=49 (local.get $c)) (i32.load offset=57 (local.get $c)) (i32.load offset=65 (local.get $c)) (i32.load offset=73 (local.get $c))))))
    ;; 24: storage_delete_all
    (return (i64.extend_i32_s (call $storage_delete_all))))
    ;; 25: alarm_set
    (return (i64.extend_i32_s (call $alarm_set (i64.load offset=1 (local.get $c))))))
    ;; 26: alarm_get
    (return (i64.extend_i32_s (call $alarm_get (i32.load offset=1 (local.get $c))))))
    ;; 27: alarm_delete
    (return (i64.extend_i32_s (call $alarm_delete))))
    ;; 28: request_set_header (WRONG_HOOK in a room: the arguments must not matter)
    (return (i64.extend_i32_s (call $request_set_header (i32.load offset=1 (local.get $c)) (i32.load offset=9 (local.get $c)) (i32.load offset=17 (local.get $c)) (i32.load offset=25 (local.get $c))))))
    ;; 29: room_call
    (return (i64.extend_i32_s (call $room_call (i32.load offset=1 (local.get $c)) (i32.load offset=9 (local.get $c)) (i32.load offset=17 (local.get $c)) (i32.load offset=25 (local.get $c)) (i32.load offset=33 (local.get $c)) (i32.load offset=41 (local.get $c))))))
    ;; 30: http_call
    (return (i64.extend_i32_s (call $http_call (i32.load offset=1 (local.get $c)) (i32.load offset=9 (local.get $c))))))
    (drop (call $storage_delete_all))
    (drop (call $alarm_delete))
    (return (i64.const 0)))
    (return (i64.const 0)))
  (i64.const -1000))

  ;; One item of a byte-string list held at [$p, $end): its start in $at and length in $len, or false.
  (global $at (mut i32) (i32.const 0))
  (global $len (mut i32) (i32.const 0))
  (func $item (param $p i32) (param $end i32) (param $index i32) (result i32)
    (local $l i32)
    (loop $next
      (if (i32.gt_u (i32.add (local.get $p) (i32.const 4)) (local.get $end)) (then (return (i32.const 0))))
      (local.set $l (i32.load (local.get $p)))
      (local.set $p (i32.add (local.get $p) (i32.const 4)))
      (if (i32.gt_u (local.get $l) (i32.sub (local.get $end) (local.get $p))) (then (return (i32.const 0))))
      (if (local.get $index)
        (then
          (local.set $p (i32.add (local.get $p) (local.get $l)))
          (local.set $index (i32.sub (local.get $index) (i32.const 1)))
          (br $next))))
    (global.set $at (local.get $p))
    (global.set $len (local.get $l))
    (i32.const 1))

  (func (export "partyhost_on_request") (param $ptr i32) (param $len i32) (result i32)
    (local $result i64) (local $index i32)
    (local.set $result (i64.const -2000))
    (if (i32.and (call $item (local.get $ptr) (i32.add (local.get $ptr) (local.get $len)) (i32.const 2))
                 (i32.ge_u (global.get $len) (i32.const 81)))
      (then
        (local.set $index (i32.load8_u (global.get $at))) ;; before the call, which may write over the command
        (local.set $result (call $run (global.get $at)))
        ;; A `respond` that succeeded is the response.
        (if (i32.and (i32.eqz (i32.wrap_i64 (local.get $result))) (i32.eq (local.get $index) (i32.const 13)))
          (then (return (i32.const 0))))))
    (i64.store (i32.const 0x10) (local.get $result))
    (drop (call $respond (i32.const 200) (i32.const 0) (i32.const 0) (i32.const 0x10) (i32.const 8)))
    (i32.const 0))

  (func $nibble (param $ch i32) (result i32)
    (if (result i32) (i32.le_u (local.get $ch) (i32.const 57))
      (then (i32.sub (local.get $ch) (i32.const 48)))
      (else (i32.and (i32.sub (i32.or (local.get $ch) (i32.const 0x20)) (i32.const 87)) (i32.const 15)))))

  ;; The URL's hex digits after its first "&c=" (lowercase, an even number, up to 0x4000 bytes) decoded
  ;; at 0x100: a command, then its payload.
  (func (export "partyhost_on_connect") (param $conn i32) (param $ptr i32) (param $len i32) (result i32)
    (local $src i32) (local $end i32) (local $dst i32)
    (if (i32.eqz (call $item (local.get $ptr) (i32.add (local.get $ptr) (local.get $len)) (i32.const 1)))
      (then (return (i32.const 0))))
    (local.set $src (global.get $at))
    (local.set $end (i32.add (global.get $at) (global.get $len)))
    (block $found
      (loop $scan
        (if (i32.gt_u (i32.add (local.get $src) (i32.const 3)) (local.get $end)) (then (return (i32.const 0))))
        (br_if $found (i32.and (i32.eq (i32.load16_u (local.get $src)) (i32.const 0x6326)) ;; "&c"
                               (i32.eq (i32.load8_u offset=2 (local.get $src)) (i32.const 0x3d)))) ;; "="
        (local.set $src (i32.add (local.get $src) (i32.const 1)))
        (br $scan)))
    (local.set $src (i32.add (local.get $src) (i32.const 3)))
    (if (i32.lt_u (i32.sub (local.get $end) (local.get $src)) (i32.const 162)) (then (return (i32.const 0))))
    (local.set $dst (i32.const 0x100))
    (loop $hex
      (i32.store8 (local.get $dst)
        (i32.or (i32.shl (call $nibble (i32.load8_u (local.get $src))) (i32.const 4))
                (call $nibble (i32.load8_u offset=1 (local.get $src)))))
      (local.set $src (i32.add (local.get $src) (i32.const 2)))
      (local.set $dst (i32.add (local.get $dst) (i32.const 1)))
      (br_if $hex (i32.and (i32.le_u (i32.add (local.get $src) (i32.const 2)) (local.get $end))
                           (i32.lt_u (local.get $dst) (i32.const 0x4100)))))
    (i64.store (i32.const 0x10) (call $run (i32.const 0x100)))
    (drop (call $conn_send (local.get $conn) (i32.const 0x10) (i32.const 8) (i32.const 1)))
    (i32.const 0))
)
