;; partyhost ABI v1.4 conformance module "calls" (WebSocket runner: calls.ws.expected).
;; On "run": room_call's and http_call's refusals (status at once), then calls that leave: to this
;; very room (its on_request echoes what it saw), to a party that does not exist, to a room whose
;; on_request traps and to one that answers nothing; then 12 more to fill the room's 16 calls in
;; flight, and a 17th that is BUSY. The four answers are kept as they come (in any order) and,
;; once all 16 calls are answered, sent in a fixed order, then "end".
(module
  (import "partyhost" "conn_send" (func $conn_send (param i32 i32 i32 i32) (result i32)))
  (import "partyhost" "respond"   (func $respond   (param i32 i32 i32 i32 i32) (result i32)))
  (import "partyhost" "room_call" (func $room_call (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "partyhost" "http_call" (func $http_call (param i32 i32) (result i32)))

  ;; ---- memory layout ----
  ;; 0x000000-0x000fff  unused
  ;; 0x001000-0x00ffff  constant data: NUL-terminated strings in 64-byte slots, byte lists
  ;; 0x010000-0x011fff  output buffer (one line, or the whole HTTP body)
  ;; 0x012000-0x01201f  digits for $put_int
  ;; 0x013000-0x013fff  scratch out buffer for host call results
  ;; 0x014000-0x01ffff  other scratch: the kept answer lines, 1 KiB each (length, then the text)
  ;; 0x020000-0x1fffff  big scratch (a call request over 1 MiB, a long room id)
  ;; 0x200000-          heap of partyhost_alloc (bump allocator, grows memory)
  (memory (export "memory") 40)   ;; 40 pages = 0x280000 bytes

  ;; ==== shared helpers (the same text in every conformance module; no module imports another) ====

  (global $out_len (mut i32) (i32.const 0))       ;; bytes used in the output buffer at 0x10000
  (global $heap (mut i32) (i32.const 0x200000))   ;; next free byte for partyhost_alloc

  (func (export "partyhost_abi_version") (result i32) (i32.const 1))

  ;; Bump allocator for hook arguments: never frees, grows memory when needed, 0 on failure.
  (func $alloc (export "partyhost_alloc") (param $len i32) (result i32)
    (local $p i32) (local $end i64) (local $have i64)
    (local.set $p (global.get $heap))
    (local.set $end (i64.add (i64.extend_i32_u (local.get $p)) (i64.extend_i32_u (local.get $len))))
    (local.set $have (i64.shl (i64.extend_i32_u (memory.size)) (i64.const 16)))
    (if (i64.gt_u (local.get $end) (local.get $have))
      (then
        (if (i32.eq
              (memory.grow (i32.wrap_i64 (i64.shr_u
                (i64.add (i64.sub (local.get $end) (local.get $have)) (i64.const 0xffff))
                (i64.const 16))))
              (i32.const -1))
          (then (return (i32.const 0))))))
    (global.set $heap (i32.wrap_i64 (i64.and (i64.add (local.get $end) (i64.const 7)) (i64.const -8))))
    (local.get $p))

  ;; First byte past linear memory.
  (func $mem_end (result i32) (i32.shl (memory.size) (i32.const 16)))

  (func $strlen (param $s i32) (result i32)
    (local $n i32)
    (block $done
      (loop $l
        (br_if $done (i32.eqz (i32.load8_u (i32.add (local.get $s) (local.get $n)))))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $l)))
    (local.get $n))

  ;; 1 if the n bytes at a and at b are equal.
  (func $memeq (param $a i32) (param $b i32) (param $n i32) (result i32)
    (local $i i32)
    (block $no
      (loop $l
        (if (i32.ge_u (local.get $i) (local.get $n)) (then (return (i32.const 1))))
        (br_if $no (i32.ne (i32.load8_u (i32.add (local.get $a) (local.get $i)))
                           (i32.load8_u (i32.add (local.get $b) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    (i32.const 0))

  ;; 1 if the n bytes at p are the NUL-terminated string s.
  (func $eq_str (param $p i32) (param $n i32) (param $s i32) (result i32)
    (if (i32.ne (local.get $n) (call $strlen (local.get $s))) (then (return (i32.const 0))))
    (call $memeq (local.get $p) (local.get $s) (local.get $n)))

  ;; 1 if the n bytes at p start with the NUL-terminated string s.
  (func $starts_with (param $p i32) (param $n i32) (param $s i32) (result i32)
    (local $m i32)
    (local.set $m (call $strlen (local.get $s)))
    (if (i32.lt_s (local.get $n) (local.get $m)) (then (return (i32.const 0))))
    (call $memeq (local.get $p) (local.get $s) (local.get $m)))

  ;; 1 if the n bytes at p end with the NUL-terminated string s.
  (func $ends_with (param $p i32) (param $n i32) (param $s i32) (result i32)
    (local $m i32)
    (local.set $m (call $strlen (local.get $s)))
    (if (i32.lt_s (local.get $n) (local.get $m)) (then (return (i32.const 0))))
    (call $memeq (i32.add (local.get $p) (i32.sub (local.get $n) (local.get $m))) (local.get $s) (local.get $m)))

  ;; 1 if the n bytes at p contain the NUL-terminated string s.
  (func $contains (param $p i32) (param $n i32) (param $s i32) (result i32)
    (local $m i32) (local $i i32)
    (local.set $m (call $strlen (local.get $s)))
    (block $no
      (loop $l
        (br_if $no (i32.gt_s (i32.add (local.get $i) (local.get $m)) (local.get $n)))
        (if (call $memeq (i32.add (local.get $p) (local.get $i)) (local.get $s) (local.get $m))
          (then (return (i32.const 1))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    (i32.const 0))

  ;; 1 if all n bytes at p equal c.
  (func $all_eq (param $p i32) (param $n i32) (param $c i32) (result i32)
    (local $i i32)
    (block $no
      (loop $l
        (if (i32.ge_u (local.get $i) (local.get $n)) (then (return (i32.const 1))))
        (br_if $no (i32.ne (i32.load8_u (i32.add (local.get $p) (local.get $i))) (local.get $c)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    (i32.const 0))

  ;; ---- output buffer (0x10000..0x11fff) ----
  (func $put (param $p i32) (param $n i32)
    (memory.copy (i32.add (i32.const 0x10000) (global.get $out_len)) (local.get $p) (local.get $n))
    (global.set $out_len (i32.add (global.get $out_len) (local.get $n))))

  (func $put_char (param $c i32)
    (i32.store8 (i32.add (i32.const 0x10000) (global.get $out_len)) (local.get $c))
    (global.set $out_len (i32.add (global.get $out_len) (i32.const 1))))

  (func $put_str (param $s i32)
    (call $put (local.get $s) (call $strlen (local.get $s))))

  ;; Signed decimal; digits are built backwards in 0x12000..0x1201f.
  (func $put_int (param $v i32)
    (local $u i32) (local $p i32)
    (local.set $u (local.get $v))
    (if (i32.lt_s (local.get $v) (i32.const 0))
      (then
        (call $put_char (i32.const 0x2d))
        (local.set $u (i32.sub (i32.const 0) (local.get $v)))))
    (local.set $p (i32.const 0x12020))
    (loop $l
      (local.set $p (i32.sub (local.get $p) (i32.const 1)))
      (i32.store8 (local.get $p) (i32.add (i32.const 0x30) (i32.rem_u (local.get $u) (i32.const 10))))
      (local.set $u (i32.div_u (local.get $u) (i32.const 10)))
      (br_if $l (local.get $u)))
    (call $put (local.get $p) (i32.sub (i32.const 0x12020) (local.get $p))))

  ;; Line "<name> <decimal v>".
  (func $check (param $name i32) (param $v i32)
    (call $line_begin (local.get $name))
    (call $put_int (local.get $v))
    (call $line_end))

  ;; Line "<name> <data>" for an out-buffer result: n is what the host call returned for the
  ;; buffer of cap bytes at p. A status or an over-long length prints as "?<n>" (never expected).
  (func $check_data (param $name i32) (param $p i32) (param $cap i32) (param $n i32)
    (call $line_begin (local.get $name))
    (if (i32.and (i32.ge_s (local.get $n) (i32.const 0)) (i32.le_s (local.get $n) (local.get $cap)))
      (then (call $put (local.get $p) (local.get $n)))
      (else
        (call $put_char (i32.const 0x3f))
        (call $put_int (local.get $n))))
    (call $line_end))

  ;; ---- WebSocket output: one text frame per line, to the connection that sent "run" ----
  (global $conn (mut i32) (i32.const 0))

  (func $line_begin (param $name i32)
    (global.set $out_len (i32.const 0))
    (call $put_str (local.get $name))
    (call $put_char (i32.const 0x20)))

  (func $line_end
    (drop (call $conn_send (global.get $conn) (i32.const 0x10000) (global.get $out_len) (i32.const 0))))

  ;; A frame holding exactly the NUL-terminated string s (used for the final "end").
  (func $send_str (param $s i32)
    (drop (call $conn_send (global.get $conn) (local.get $s) (call $strlen (local.get $s)) (i32.const 0))))

  ;; ---- byte-string lists (ABI section 5) ----
  (global $item_ptr (mut i32) (i32.const 0))
  (global $item_len (mut i32) (i32.const 0))

  ;; Number of items of the list at [p, p+n), or -1 when it is malformed.
  (func $list_count (param $p i32) (param $n i32) (result i32)
    (local $off i32) (local $len i32) (local $count i32)
    (block $done
      (loop $l
        (br_if $done (i32.eq (local.get $off) (local.get $n)))
        (if (i32.gt_u (i32.add (local.get $off) (i32.const 4)) (local.get $n))
          (then (return (i32.const -1))))
        (local.set $len (i32.load (i32.add (local.get $p) (local.get $off))))
        (local.set $off (i32.add (local.get $off) (i32.const 4)))
        (if (i32.gt_u (local.get $len) (i32.sub (local.get $n) (local.get $off)))
          (then (return (i32.const -1))))
        (local.set $off (i32.add (local.get $off) (local.get $len)))
        (local.set $count (i32.add (local.get $count) (i32.const 1)))
        (br $l)))
    (local.get $count))

  ;; Item i of a well-formed list into $item_ptr/$item_len; 0 when there is no item i.
  (func $list_item (param $p i32) (param $n i32) (param $i i32) (result i32)
    (local $off i32) (local $len i32)
    (loop $l
      (if (i32.ge_u (local.get $off) (local.get $n)) (then (return (i32.const 0))))
      (local.set $len (i32.load (i32.add (local.get $p) (local.get $off))))
      (if (i32.eqz (local.get $i))
        (then
          (global.set $item_ptr (i32.add (i32.add (local.get $p) (local.get $off)) (i32.const 4)))
          (global.set $item_len (local.get $len))
          (return (i32.const 1))))
      (local.set $off (i32.add (local.get $off) (i32.add (i32.const 4) (local.get $len))))
      (local.set $i (i32.sub (local.get $i) (i32.const 1)))
      (br $l))
    (i32.const 0))

  ;; ---- request records: [method, url, body, name1, value1, ...] ----

  ;; 1 if the record is a well-formed list with at least 3 items and an odd count.
  (func $record_ok (param $p i32) (param $n i32) (result i32)
    (local $c i32)
    (local.set $c (call $list_count (local.get $p) (local.get $n)))
    (i32.and (i32.ge_s (local.get $c) (i32.const 3)) (i32.and (local.get $c) (i32.const 1))))

  ;; Value of the first header named s, its name at item $first or after (3 in a request record, 1 in a
  ;; response record), into $item_ptr/$item_len; 0 when absent.
  (func $header (param $p i32) (param $n i32) (param $s i32) (param $first i32) (result i32)
    (local $i i32)
    (local.set $i (local.get $first))
    (loop $l
      (if (i32.eqz (call $list_item (local.get $p) (local.get $n) (local.get $i)))
        (then (return (i32.const 0))))
      (if (call $eq_str (global.get $item_ptr) (global.get $item_len) (local.get $s))
        (then (return (call $list_item (local.get $p) (local.get $n) (i32.add (local.get $i) (i32.const 1))))))
      (local.set $i (i32.add (local.get $i) (i32.const 2)))
      (br $l))
    (i32.const 0))


  ;; ---- constant data ----
  (data (i32.const 0x1000) "run\00")
  (data (i32.const 0x1040) "end\00")
  (data (i32.const 0x1080) "room-1\00")
  (data (i32.const 0x10c0) "no-such-party\00")
  (data (i32.const 0x1100) "room-trap\00")
  (data (i32.const 0x1140) "room-2\00")
  (data (i32.const 0x1180) "x-partyhost-caller\00")
  (data (i32.const 0x11c0) "x-test\00")
  (data (i32.const 0x1200) "/trap\00")
  (data (i32.const 0x1240) "/silent\00")
  (data (i32.const 0x1280) " caller=\00")
  (data (i32.const 0x12c0) " x-test=\00")
  (data (i32.const 0x1300) " items=\00")
  (data (i32.const 0x1340) "\ff\00")

  ;; call requests (byte-string lists); lengths in comments
  ;; [GET, /echo?x=1, hi, x-test, yes], 43
  (data (i32.const 0x3000) "\03\00\00\00GET\09\00\00\00/echo?x=1\02\00\00\00hi\06\00\00\00x-test\03\00\00\00yes")
  (data (i32.const 0x3040) "\03\00\00\00GET\00\00\00\00\00\00\00\00")              ;; [GET, "", ""], 15
  (data (i32.const 0x3080) "\03\00\00\00GET\05\00\00\00/trap\00\00\00\00")         ;; [GET, /trap, ""], 20
  (data (i32.const 0x30c0) "\03\00\00\00GET\07\00\00\00/silent\00\00\00\00")       ;; [GET, /silent, ""], 22
  (data (i32.const 0x3100) "\03\00\00\00GET\01\00\00\00x\00\00\00\00")             ;; [GET, x, ""], 16
  (data (i32.const 0x3140) "\03\00\00\00GET\01\00\00\00/")                          ;; [GET, /], 12
  (data (i32.const 0x3180) "\03\00\00\00GET\01\00\00\00/\00\00\00\00\03\00\00\00x-a") ;; [GET, /, "", x-a], 23
  (data (i32.const 0x31c0) "\03\00\00\00GET\ff\00\00\00/")                          ;; an item past the end, 12
  (data (i32.const 0x3200) "\03\00\00\00G T\01\00\00\00/\00\00\00\00")              ;; [G T, /, ""], 16
  ;; [GET, /, "", x a, v], 28
  (data (i32.const 0x3240) "\03\00\00\00GET\01\00\00\00/\00\00\00\00\03\00\00\00x a\01\00\00\00v")
  ;; [GET, /, "", x-a, "1\r\n b"], 32
  (data (i32.const 0x3280) "\03\00\00\00GET\01\00\00\00/\00\00\00\00\03\00\00\00x-a\05\00\00\001\0d\0a b")
  (data (i32.const 0x32c0) "\03\00\00\00GET\02\00\00\00/x\00\00\00\00")             ;; [GET, /x, ""], 17
  (data (i32.const 0x3300) "\03\00\00\00GET\12\00\00\00ftp://example.com/\00\00\00\00") ;; 33
  (data (i32.const 0x3340) "\03\00\00\00GET\09\00\00\00http:///x\00\00\00\00")      ;; [GET, http:///x, ""], 24
  (data (i32.const 0x3380) "\03\00\00\00GET\14\00\00\00https://example.com/\00\00\00\00") ;; 35
  ;; the response of on_request for a call: header [X-Echo, 1], 15
  (data (i32.const 0x33c0) "\06\00\00\00X-Echo\01\00\00\001")

  ;; check names
  (data (i32.const 0x2000) "room_call_empty_room\00")
  (data (i32.const 0x2040) "room_call_room_too_long\00")
  (data (i32.const 0x2080) "room_call_bad_url\00")
  (data (i32.const 0x20c0) "room_call_two_items\00")
  (data (i32.const 0x2100) "room_call_even_items\00")
  (data (i32.const 0x2140) "room_call_bad_list\00")
  (data (i32.const 0x2180) "room_call_bad_method\00")
  (data (i32.const 0x21c0) "room_call_bad_header_name\00")
  (data (i32.const 0x2200) "room_call_bad_header_value\00")
  (data (i32.const 0x2240) "room_call_party_not_utf8\00")
  (data (i32.const 0x2280) "room_call_request_oob\00")
  (data (i32.const 0x22c0) "room_call_request_too_large\00")
  (data (i32.const 0x2300) "http_call_relative_url\00")
  (data (i32.const 0x2340) "http_call_ftp_url\00")
  (data (i32.const 0x2380) "http_call_no_host\00")
  (data (i32.const 0x23c0) "http_call_not_on_allowlist\00")
  (data (i32.const 0x2400) "http_call_request_oob\00")
  (data (i32.const 0x2440) "room_call_ids_positive_and_distinct\00")
  (data (i32.const 0x2480) "room_call_busy\00")
  (data (i32.const 0x24c0) "answer_self\00")
  (data (i32.const 0x2500) "answer_self_header\00")
  (data (i32.const 0x2540) "answer_unknown_party\00")
  (data (i32.const 0x2580) "answer_callee_trapped\00")
  (data (i32.const 0x25c0) "answer_callee_silent\00")

  ;; The ids of the four calls whose answers are printed, and how many answers came.
  (global $id_self (mut i32) (i32.const 0))
  (global $id_unknown (mut i32) (i32.const 0))
  (global $id_trap (mut i32) (i32.const 0))
  (global $id_silent (mut i32) (i32.const 0))
  (global $answers (mut i32) (i32.const 0))
  (global $expected (mut i32) (i32.const 0))

  ;; room_call with NUL-terminated party and room names.
  (func $call (param $party i32) (param $room i32) (param $req i32) (param $len i32) (result i32)
    (call $room_call (local.get $party) (call $strlen (local.get $party))
                     (local.get $room) (call $strlen (local.get $room))
                     (local.get $req) (local.get $len)))

  ;; ---- hooks ----
  (func (export "partyhost_on_message") (param $conn i32) (param $ptr i32) (param $len i32) (param $kind i32) (result i32)
    (if (i32.and (i32.eqz (local.get $kind)) (call $eq_str (local.get $ptr) (local.get $len) (i32.const 0x1000)))
      (then
        (global.set $conn (local.get $conn))
        (call $run)))
    (i32.const 0))

  (func $run
    (local $i i32) (local $ok i32)
    (global.set $answers (i32.const 0))
    ;; ---- refused at once: nothing leaves, no answer comes ----
    (call $check (i32.const 0x2000) (call $room_call (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0x3040) (i32.const 15)))
    (memory.fill (i32.const 0x20000) (i32.const 0x61) (i32.const 257))
    (call $check (i32.const 0x2040) (call $room_call (i32.const 0) (i32.const 0) (i32.const 0x20000) (i32.const 257) (i32.const 0x3040) (i32.const 15)))
    (call $check (i32.const 0x2080) (call $room_call (i32.const 0) (i32.const 0) (i32.const 0x1140) (i32.const 6) (i32.const 0x3100) (i32.const 16)))
    (call $check (i32.const 0x20c0) (call $room_call (i32.const 0) (i32.const 0) (i32.const 0x1140) (i32.const 6) (i32.const 0x3140) (i32.const 12)))
    (call $check (i32.const 0x2100) (call $room_call (i32.const 0) (i32.const 0) (i32.const 0x1140) (i32.const 6) (i32.const 0x3180) (i32.const 23)))
    (call $check (i32.const 0x2140) (call $room_call (i32.const 0) (i32.const 0) (i32.const 0x1140) (i32.const 6) (i32.const 0x31c0) (i32.const 12)))
    (call $check (i32.const 0x2180) (call $room_call (i32.const 0) (i32.const 0) (i32.const 0x1140) (i32.const 6) (i32.const 0x3200) (i32.const 16)))
    (call $check (i32.const 0x21c0) (call $room_call (i32.const 0) (i32.const 0) (i32.const 0x1140) (i32.const 6) (i32.const 0x3240) (i32.const 28)))
    (call $check (i32.const 0x2200) (call $room_call (i32.const 0) (i32.const 0) (i32.const 0x1140) (i32.const 6) (i32.const 0x3280) (i32.const 32)))
    (call $check (i32.const 0x2240) (call $room_call (i32.const 0x1340) (i32.const 1) (i32.const 0x1140) (i32.const 6) (i32.const 0x3040) (i32.const 15)))
    (call $check (i32.const 0x2280) (call $room_call (i32.const 0) (i32.const 0) (i32.const 0x1140) (i32.const 6) (i32.const 0xfffffff0) (i32.const 100)))
    ;; 1 MiB + 1 of zeros: too large before it is looked at
    (memory.fill (i32.const 0x20000) (i32.const 0) (i32.const 0x100001))
    (call $check (i32.const 0x22c0) (call $room_call (i32.const 0) (i32.const 0) (i32.const 0x1140) (i32.const 6) (i32.const 0x20000) (i32.const 0x100001)))
    (call $check (i32.const 0x2300) (call $http_call (i32.const 0x32c0) (i32.const 17)))
    (call $check (i32.const 0x2340) (call $http_call (i32.const 0x3300) (i32.const 33)))
    (call $check (i32.const 0x2380) (call $http_call (i32.const 0x3340) (i32.const 24)))
    (call $check (i32.const 0x23c0) (call $http_call (i32.const 0x3380) (i32.const 35)))
    (call $check (i32.const 0x2400) (call $http_call (i32.const 0xfffffff0) (i32.const 100)))

    ;; ---- calls that leave when this hook returns ----
    (global.set $id_self (call $room_call (i32.const 0) (i32.const 0) (i32.const 0x1080) (i32.const 6) (i32.const 0x3000) (i32.const 43)))
    (global.set $id_unknown (call $call (i32.const 0x10c0) (i32.const 0x1080) (i32.const 0x3040) (i32.const 15)))
    (global.set $id_trap (call $room_call (i32.const 0) (i32.const 0) (i32.const 0x1100) (i32.const 9) (i32.const 0x3080) (i32.const 20)))
    (global.set $id_silent (call $room_call (i32.const 0) (i32.const 0) (i32.const 0x1140) (i32.const 6) (i32.const 0x30c0) (i32.const 22)))
    (local.set $ok
      (i32.and
        (i32.and (i32.gt_s (global.get $id_self) (i32.const 0)) (i32.gt_s (global.get $id_unknown) (i32.const 0)))
        (i32.and (i32.gt_s (global.get $id_trap) (i32.const 0)) (i32.gt_s (global.get $id_silent) (i32.const 0)))))
    (local.set $ok
      (i32.and (local.get $ok)
        (i32.and
          (i32.and (i32.ne (global.get $id_self) (global.get $id_unknown)) (i32.ne (global.get $id_self) (global.get $id_trap)))
          (i32.and (i32.ne (global.get $id_self) (global.get $id_silent))
            (i32.and (i32.ne (global.get $id_unknown) (global.get $id_trap))
              (i32.and (i32.ne (global.get $id_unknown) (global.get $id_silent)) (i32.ne (global.get $id_trap) (global.get $id_silent))))))))
    (call $check (i32.const 0x2440) (local.get $ok))
    ;; twelve more to the unknown party: sixteen in flight, the host's default limit
    (global.set $expected (i32.const 4))
    (loop $more
      (if (i32.gt_s (call $call (i32.const 0x10c0) (i32.const 0x1080) (i32.const 0x3040) (i32.const 15)) (i32.const 0))
        (then (global.set $expected (i32.add (global.get $expected) (i32.const 1)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $more (i32.lt_u (local.get $i) (i32.const 12))))
    (call $check (i32.const 0x2480) (call $call (i32.const 0x10c0) (i32.const 0x1080) (i32.const 0x3040) (i32.const 15))))

  ;; Keeps "<name> <status>[ <text>]" as answer line `slot` (1 KiB each at 0x14000).
  (func $keep (param $slot i32) (param $name i32) (param $status i32) (param $p i32) (param $n i32)
    (local $at i32)
    (global.set $out_len (i32.const 0))
    (call $put_str (local.get $name))
    (call $put_char (i32.const 0x20))
    (call $put_int (local.get $status))
    (if (local.get $n)
      (then
        (call $put_char (i32.const 0x20))
        (call $put (local.get $p) (local.get $n))))
    (local.set $at (i32.add (i32.const 0x14000) (i32.shl (local.get $slot) (i32.const 10))))
    (i32.store (local.get $at) (global.get $out_len))
    (memory.copy (i32.add (local.get $at) (i32.const 4)) (i32.const 0x10000) (global.get $out_len)))

  ;; Keeps "<name> <text>" as answer line `slot`.
  (func $keep_text (param $slot i32) (param $name i32) (param $p i32) (param $n i32)
    (local $at i32)
    (global.set $out_len (i32.const 0))
    (call $put_str (local.get $name))
    (call $put_char (i32.const 0x20))
    (call $put (local.get $p) (local.get $n))
    (local.set $at (i32.add (i32.const 0x14000) (i32.shl (local.get $slot) (i32.const 10))))
    (i32.store (local.get $at) (global.get $out_len))
    (memory.copy (i32.add (local.get $at) (i32.const 4)) (i32.const 0x10000) (global.get $out_len)))

  (func $send_kept (param $slot i32)
    (local $at i32)
    (local.set $at (i32.add (i32.const 0x14000) (i32.shl (local.get $slot) (i32.const 10))))
    (drop (call $conn_send (global.get $conn) (i32.add (local.get $at) (i32.const 4)) (i32.load (local.get $at)) (i32.const 0))))

  ;; "items=<count>" of a record, into the scratch at 0x13000; returns its length.
  (func $items (param $p i32) (param $n i32) (result i32)
    (global.set $out_len (i32.const 0))
    (call $put_str (i32.const 0x1301))   ;; "items=" without its leading space
    (call $put_int (call $list_count (local.get $p) (local.get $n)))
    (memory.copy (i32.const 0x13000) (i32.const 0x10000) (global.get $out_len))
    (global.get $out_len))

  (func (export "partyhost_on_response") (param $call i32) (param $p i32) (param $n i32) (param $status i32) (result i32)
    (if (i32.eq (local.get $call) (global.get $id_self))
      (then
        (drop (call $list_item (local.get $p) (local.get $n) (i32.const 0)))
        (call $keep (i32.const 0) (i32.const 0x24c0) (local.get $status) (global.get $item_ptr) (global.get $item_len))
        ;; "answer_self_header x-echo=<value>", or "answer_self_header 0" without the header
        (global.set $out_len (i32.const 0))
        (call $put_str (i32.const 0x1e00))
        (call $put_char (i32.const 0x3d))
        (if (call $header (local.get $p) (local.get $n) (i32.const 0x1e00) (i32.const 1))
          (then
            (call $put (global.get $item_ptr) (global.get $item_len))
            (memory.copy (i32.const 0x13000) (i32.const 0x10000) (global.get $out_len))
            (call $keep_text (i32.const 1) (i32.const 0x2500) (i32.const 0x13000) (global.get $out_len)))
          (else (call $keep (i32.const 1) (i32.const 0x2500) (i32.const 0) (i32.const 0) (i32.const 0))))))
    (if (i32.eq (local.get $call) (global.get $id_unknown))
      (then (call $keep (i32.const 2) (i32.const 0x2540) (local.get $status) (i32.const 0x13000) (call $items (local.get $p) (local.get $n)))))
    (if (i32.eq (local.get $call) (global.get $id_trap))
      (then (call $keep (i32.const 3) (i32.const 0x2580) (local.get $status) (i32.const 0x13000) (call $items (local.get $p) (local.get $n)))))
    (if (i32.eq (local.get $call) (global.get $id_silent))
      (then (call $keep (i32.const 4) (i32.const 0x25c0) (local.get $status) (i32.const 0) (i32.const 0))))
    (global.set $answers (i32.add (global.get $answers) (i32.const 1)))
    (if (i32.eq (global.get $answers) (global.get $expected))
      (then
        (call $send_kept (i32.const 0))
        (call $send_kept (i32.const 1))
        (call $send_kept (i32.const 2))
        (call $send_kept (i32.const 3))
        (call $send_kept (i32.const 4))
        (call $send_str (i32.const 0x1040))))
    (i32.const 0))

  ;; A call from a room (it carries x-partyhost-caller): "/trap" traps, "/silent" answers nothing,
  ;; anything else is echoed: "<method> <url> <body> caller=<caller> x-test=<x-test>", with X-Echo.
  (func (export "partyhost_on_request") (param $p i32) (param $n i32) (result i32)
    (local $url i32) (local $url_len i32)
    (drop (call $list_item (local.get $p) (local.get $n) (i32.const 1)))
    (local.set $url (global.get $item_ptr))
    (local.set $url_len (global.get $item_len))
    (if (call $ends_with (local.get $url) (local.get $url_len) (i32.const 0x1200)) (then unreachable))
    (if (call $ends_with (local.get $url) (local.get $url_len) (i32.const 0x1240)) (then (return (i32.const 0))))
    (global.set $out_len (i32.const 0))
    (drop (call $list_item (local.get $p) (local.get $n) (i32.const 0)))
    (call $put (global.get $item_ptr) (global.get $item_len))
    (call $put_char (i32.const 0x20))
    (call $put (local.get $url) (local.get $url_len))
    (call $put_char (i32.const 0x20))
    (drop (call $list_item (local.get $p) (local.get $n) (i32.const 2)))
    (call $put (global.get $item_ptr) (global.get $item_len))
    (call $put_str (i32.const 0x1280))
    (if (call $header (local.get $p) (local.get $n) (i32.const 0x1180) (i32.const 3))
      (then (call $put (global.get $item_ptr) (global.get $item_len))))
    (call $put_str (i32.const 0x12c0))
    (if (call $header (local.get $p) (local.get $n) (i32.const 0x11c0) (i32.const 3))
      (then (call $put (global.get $item_ptr) (global.get $item_len))))
    (drop (call $respond (i32.const 200) (i32.const 0x33c0) (i32.const 15) (i32.const 0x10000) (global.get $out_len)))
    (i32.const 0))

  (data (i32.const 0x1e00) "x-echo\00")
)
