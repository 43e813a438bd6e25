;; partyhost ABI v1.2 conformance module "before-pass" (WebSocket runner: before-pass.ws.expected;
;; HTTP runner: before-pass.http.expected). Both before hooks let the request through: they set
;; x-gate: passed (a second call with a bad value changes nothing), x-twice twice (the second call
;; replaces the first), and for HTTP X-Test: replaced (replacing the client's header), then report
;; what the gate instance saw as x-gate-* headers (hook, record, room id, party, _initialize and
;; on_start counts, results of the calls above). The room prints those headers from its request
;; record: on_connect keeps its record and prints it on "run"; on_request prints its own and
;; responds with the lines. A host that does not call the before hooks (or runs them in the room's
;; instance) shows as "?" values or wrong counts. request_set_header answers WRONG_HOOK in room hooks.
(module
  (import "partyhost" "conn_send"          (func $conn_send          (param i32 i32 i32 i32) (result i32)))
  (import "partyhost" "respond"            (func $respond            (param i32 i32 i32 i32 i32) (result i32)))
  (import "partyhost" "room_id"            (func $room_id            (param i32 i32) (result i32)))
  (import "partyhost" "party_name"         (func $party_name         (param i32 i32) (result i32)))
  (import "partyhost" "request_set_header" (func $request_set_header (param i32 i32 i32 i32) (result i32)))

  ;; ---- memory layout ----
  ;; 0x000000-0x000fff  unused
  ;; 0x001000-0x00ffff  constant data: NUL-terminated strings in 64-byte slots, byte lists
  ;; 0x010000-0x011fff  output buffer (one line, or the whole HTTP body)
  ;; 0x012000-0x01201f  digits for $put_int
  ;; 0x013000-0x013fff  scratch out buffer for host call results
  ;; 0x014000-0x01ffff  other scratch (exclude lists, saved results)
  ;; 0x020000-0x1fffff  big scratch (1 MiB + 1 messages, random_fill, long tags)
  ;; 0x200000-          heap of partyhost_alloc (bump allocator, grows memory)
  (memory (export "memory") 40)   ;; 40 pages = 0x280000 bytes

  ;; ==== shared helpers (the same text in every conformance module; no module imports another) ====

  (global $out_len (mut i32) (i32.const 0))       ;; bytes used in the output buffer at 0x10000
  (global $heap (mut i32) (i32.const 0x200000))   ;; next free byte for partyhost_alloc

  (func (export "partyhost_abi_version") (result i32) (i32.const 1))

  ;; Bump allocator for hook arguments: never frees, grows memory when needed, 0 on failure.
  (func $alloc (param $len i32) (result i32)
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

  ;; ---- output: in a WebSocket hook ($conn set) one text frame per line to $conn; in on_request
  ;; ($conn 0) lines joined with "\n" in the output buffer, sent by the final respond ----
  (global $conn (mut i32) (i32.const 0))

  (func $line_begin (param $name i32)
    (if (global.get $conn)
      (then (global.set $out_len (i32.const 0)))
      (else (if (global.get $out_len) (then (call $put_char (i32.const 0x0a))))))
    (call $put_str (local.get $name))
    (call $put_char (i32.const 0x20)))

  (func $line_end
    (if (global.get $conn)
      (then (drop (call $conn_send (global.get $conn) (i32.const 0x10000) (global.get $out_len) (i32.const 0))))))

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

  ;; Value of the first header named s into $item_ptr/$item_len; 0 when absent.
  (func $header (param $p i32) (param $n i32) (param $s i32) (result i32)
    (local $i i32)
    (local.set $i (i32.const 3))
    (loop $l
      (if (i32.eqz (call $list_item (local.get $p) (local.get $n) (local.get $i)))
        (then (return (i32.const 0))))
      (if (call $eq_str (global.get $item_ptr) (global.get $item_len) (local.get $s))
        (then (return (call $list_item (local.get $p) (local.get $n) (i32.add (local.get $i) (i32.const 1))))))
      (local.set $i (i32.add (local.get $i) (i32.const 2)))
      (br $l))
    (i32.const 0))

  ;; 1 if no header name of the record has an upper-case ASCII letter.
  (func $header_names_lower (param $p i32) (param $n i32) (result i32)
    (local $i i32) (local $j i32) (local $c i32)
    (local.set $i (i32.const 3))
    (loop $l
      (if (i32.eqz (call $list_item (local.get $p) (local.get $n) (local.get $i)))
        (then (return (i32.const 1))))
      (local.set $j (i32.const 0))
      (block $next
        (loop $k
          (br_if $next (i32.ge_u (local.get $j) (global.get $item_len)))
          (local.set $c (i32.load8_u (i32.add (global.get $item_ptr) (local.get $j))))
          (if (i32.and (i32.ge_u (local.get $c) (i32.const 0x41)) (i32.le_u (local.get $c) (i32.const 0x5a)))
            (then (return (i32.const 0))))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br $k)))
      (local.set $i (i32.add (local.get $i) (i32.const 2)))
      (br $l))
    (i32.const 1))


  ;; Number of headers of the record named s.
  (func $header_count (param $p i32) (param $n i32) (param $s i32) (result i32)
    (local $i i32) (local $c i32)
    (local.set $i (i32.const 3))
    (loop $l
      (if (i32.eqz (call $list_item (local.get $p) (local.get $n) (local.get $i)))
        (then (return (local.get $c))))
      (if (call $eq_str (global.get $item_ptr) (global.get $item_len) (local.get $s))
        (then (local.set $c (i32.add (local.get $c) (i32.const 1)))))
      (local.set $i (i32.add (local.get $i) (i32.const 2)))
      (br $l))
    (local.get $c))

  ;; ---- constant data ----
  (data (i32.const 0x1000) "run\00")
  (data (i32.const 0x1040) "end\00")
  (data (i32.const 0x1080) "/parties/before-pass/room-1?_pk=conf-1&x=1\00")
  (data (i32.const 0x10c0) "/parties/before-pass/room-1/sub/path?q=1\00")
  (data (i32.const 0x1100) "http://\00")
  (data (i32.const 0x1140) "before_connect\00")
  (data (i32.const 0x1180) "before_request\00")
  (data (i32.const 0x11c0) "passed\00")
  (data (i32.const 0x1200) "bad\0d\0avalue\00")   ;; 10 bytes
  (data (i32.const 0x1240) "x-twice\00")
  (data (i32.const 0x1280) "X-Twice\00")
  (data (i32.const 0x12c0) "first\00")
  (data (i32.const 0x1300) "second\00")
  (data (i32.const 0x1340) "X-Test\00")
  (data (i32.const 0x1380) "replaced\00")
  (data (i32.const 0x13c0) "x-test\00")
  (data (i32.const 0x1400) "upgrade\00")
  (data (i32.const 0x1440) "X-Gate\00")
  (data (i32.const 0x1480) "no\00")
  (data (i32.const 0x14c0) "header\00")
  (data (i32.const 0x1500) "count\00")

  ;; header list [content-type, text/plain], 30 bytes
  (data (i32.const 0x4000) "\0c\00\00\00content-type\0a\00\00\00text/plain")

  ;; check names
  (data (i32.const 0x2000) "record_well_formed\00")
  (data (i32.const 0x2040) "header_names_lowercase\00")
  (data (i32.const 0x2080) "has_upgrade_header\00")
  (data (i32.const 0x20c0) "request_set_header_in_on_connect\00")
  (data (i32.const 0x2100) "request_set_header_in_on_message\00")
  (data (i32.const 0x2140) "method\00")
  (data (i32.const 0x2180) "body\00")
  (data (i32.const 0x21c0) "request_set_header_in_on_request\00")

  ;; the headers the gate sets and the room prints, in order: 0x3000 + 0x40*i, i = 0..14
  (data (i32.const 0x3000) "x-gate-hook\00")                ;; the before hook that ran
  (data (i32.const 0x3040) "x-gate-record-ok\00")           ;; its record is a well-formed request record
  (data (i32.const 0x3080) "x-gate-method\00")
  (data (i32.const 0x30c0) "x-gate-body-len\00")
  (data (i32.const 0x3100) "x-gate-url-ok\00")              ;; absolute http:// URL with the runner's path and query
  (data (i32.const 0x3140) "x-gate-record-from-alloc\00")
  (data (i32.const 0x3180) "x-gate-room-id\00")
  (data (i32.const 0x31c0) "x-gate-party\00")
  (data (i32.const 0x3200) "x-gate-initialize-count\00")
  (data (i32.const 0x3240) "x-gate-on-start-count\00")
  (data (i32.const 0x3280) "x-gate-set\00")                 ;; X-Gate: passed
  (data (i32.const 0x32c0) "x-gate-set-bad-value\00")       ;; x-gate: "bad\r\nvalue"
  (data (i32.const 0x3300) "x-gate-set-twice\00")           ;; X-Twice: second, after x-twice: first
  (data (i32.const 0x3340) "x-gate\00")
  (data (i32.const 0x3380) "x-twice\00")

  (global $initialize_count (mut i32) (i32.const 0))
  (global $start_count (mut i32) (i32.const 0))
  (global $last_alloc_ptr (mut i32) (i32.const 0))
  (global $last_alloc_len (mut i32) (i32.const 0))
  (global $connect_ptr (mut i32) (i32.const 0))   ;; the on_connect record, kept (the heap never frees)
  (global $connect_len (mut i32) (i32.const 0))
  (global $connect_set (mut i32) (i32.const 0))   ;; request_set_header in on_connect

  ;; partyhost_alloc that remembers the last block.
  (func (export "partyhost_alloc") (param $len i32) (result i32)
    (global.set $last_alloc_len (local.get $len))
    (global.set $last_alloc_ptr (call $alloc (local.get $len)))
    (global.get $last_alloc_ptr))

  ;; ---- gate side: report a value as the header `name` (value built in the output buffer) ----
  (func $set_out (param $name i32)
    (drop (call $request_set_header (local.get $name) (call $strlen (local.get $name))
                                    (i32.const 0x10000) (global.get $out_len))))

  (func $set_int (param $name i32) (param $v i32)
    (global.set $out_len (i32.const 0))
    (call $put_int (local.get $v))
    (call $set_out (local.get $name)))

  (func $set_bytes (param $name i32) (param $p i32) (param $n i32)
    (global.set $out_len (i32.const 0))
    (call $put (local.get $p) (local.get $n))
    (call $set_out (local.get $name)))

  ;; An out-buffer result as for $check_data: the data, or "?<n>".
  (func $set_data (param $name i32) (param $p i32) (param $cap i32) (param $n i32)
    (global.set $out_len (i32.const 0))
    (if (i32.and (i32.ge_s (local.get $n) (i32.const 0)) (i32.le_s (local.get $n) (local.get $cap)))
      (then (call $put (local.get $p) (local.get $n)))
      (else
        (call $put_char (i32.const 0x3f))
        (call $put_int (local.get $n))))
    (call $set_out (local.get $name)))

  ;; Both before hooks: set the headers, then report. $suffix: the URL path and query the runner
  ;; uses; $http: 1 in on_before_request.
  (func $gate (param $p i32) (param $n i32) (param $hook i32) (param $suffix i32) (param $http i32) (result i32)
    (local $set i32) (local $bad i32) (local $twice i32) (local $ok i32) (local $r i32)
    (local.set $set (call $request_set_header (i32.const 0x1440) (i32.const 6) (i32.const 0x11c0) (i32.const 6)))
    (local.set $bad (call $request_set_header (i32.const 0x3340) (i32.const 6) (i32.const 0x1200) (i32.const 10)))
    (drop (call $request_set_header (i32.const 0x1240) (i32.const 7) (i32.const 0x12c0) (i32.const 5)))
    (local.set $twice (call $request_set_header (i32.const 0x1280) (i32.const 7) (i32.const 0x1300) (i32.const 6)))
    (if (local.get $http)
      (then (drop (call $request_set_header (i32.const 0x1340) (i32.const 6) (i32.const 0x1380) (i32.const 8)))))

    (call $set_bytes (i32.const 0x3000) (local.get $hook) (call $strlen (local.get $hook)))
    (local.set $ok (call $record_ok (local.get $p) (local.get $n)))
    (call $set_int (i32.const 0x3040) (local.get $ok))
    (if (local.get $ok)
      (then
        (drop (call $list_item (local.get $p) (local.get $n) (i32.const 0)))
        (call $set_bytes (i32.const 0x3080) (global.get $item_ptr) (global.get $item_len))
        (drop (call $list_item (local.get $p) (local.get $n) (i32.const 2)))
        (call $set_int (i32.const 0x30c0) (global.get $item_len))
        (drop (call $list_item (local.get $p) (local.get $n) (i32.const 1)))
        (call $set_int (i32.const 0x3100)
          (i32.and (call $ends_with (global.get $item_ptr) (global.get $item_len) (local.get $suffix))
                   (call $starts_with (global.get $item_ptr) (global.get $item_len) (i32.const 0x1100))))))
    (call $set_int (i32.const 0x3140)
      (i32.and (i32.eq (local.get $p) (global.get $last_alloc_ptr))
               (i32.eq (local.get $n) (global.get $last_alloc_len))))
    (local.set $r (call $room_id (i32.const 0x13000) (i32.const 4096)))
    (call $set_data (i32.const 0x3180) (i32.const 0x13000) (i32.const 4096) (local.get $r))
    (local.set $r (call $party_name (i32.const 0x13000) (i32.const 4096)))
    (call $set_data (i32.const 0x31c0) (i32.const 0x13000) (i32.const 4096) (local.get $r))
    (call $set_int (i32.const 0x3200) (global.get $initialize_count))
    (call $set_int (i32.const 0x3240) (global.get $start_count))
    (call $set_int (i32.const 0x3280) (local.get $set))
    (call $set_int (i32.const 0x32c0) (local.get $bad))
    (call $set_int (i32.const 0x3300) (local.get $twice))
    (i32.const 0))

  ;; ---- room side ----
  ;; Line "header <name> <value of the first header name>", or "header <name> ?".
  (func $print_header (param $p i32) (param $n i32) (param $name i32)
    (call $line_begin (i32.const 0x14c0))
    (call $put_str (local.get $name))
    (call $put_char (i32.const 0x20))
    (if (call $header (local.get $p) (local.get $n) (local.get $name))
      (then (call $put (global.get $item_ptr) (global.get $item_len)))
      (else (call $put_char (i32.const 0x3f))))
    (call $line_end))

  ;; Line "count <name> <number of headers called name>".
  (func $print_count (param $p i32) (param $n i32) (param $name i32)
    (call $line_begin (i32.const 0x1500))
    (call $put_str (local.get $name))
    (call $put_char (i32.const 0x20))
    (call $put_int (call $header_count (local.get $p) (local.get $n) (local.get $name)))
    (call $line_end))

  ;; Line "<name> <item i of the record>", or "<name> ?" when there is no item i.
  (func $check_item (param $name i32) (param $p i32) (param $n i32) (param $i i32)
    (call $line_begin (local.get $name))
    (if (call $list_item (local.get $p) (local.get $n) (local.get $i))
      (then (call $put (global.get $item_ptr) (global.get $item_len)))
      (else (call $put_char (i32.const 0x3f))))
    (call $line_end))

  ;; What the room's record says about the gate. 1 if the record is well-formed.
  (func $report (param $p i32) (param $n i32) (result i32)
    (local $ok i32) (local $i i32)
    (local.set $ok (call $record_ok (local.get $p) (local.get $n)))
    (call $check (i32.const 0x2000) (local.get $ok))
    (if (i32.eqz (local.get $ok)) (then (return (i32.const 0))))
    (loop $l
      (call $print_header (local.get $p) (local.get $n) (i32.add (i32.const 0x3000) (i32.shl (local.get $i) (i32.const 6))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.le_u (local.get $i) (i32.const 14))))
    (call $print_count (local.get $p) (local.get $n) (i32.const 0x3340))
    (call $print_count (local.get $p) (local.get $n) (i32.const 0x3380))
    (call $check (i32.const 0x2040) (call $header_names_lower (local.get $p) (local.get $n)))
    (i32.const 1))

  ;; ---- hooks ----
  (func (export "_initialize")
    (global.set $initialize_count (i32.add (global.get $initialize_count) (i32.const 1))))

  (func (export "partyhost_on_start") (result i32)
    (global.set $start_count (i32.add (global.get $start_count) (i32.const 1)))
    (i32.const 0))

  (func (export "partyhost_on_before_connect") (param $p i32) (param $n i32) (result i32)
    (call $gate (local.get $p) (local.get $n) (i32.const 0x1140) (i32.const 0x1080) (i32.const 0)))

  (func (export "partyhost_on_before_request") (param $p i32) (param $n i32) (result i32)
    (call $gate (local.get $p) (local.get $n) (i32.const 0x1180) (i32.const 0x10c0) (i32.const 1)))

  (func (export "partyhost_on_connect") (param $conn i32) (param $p i32) (param $n i32) (result i32)
    (global.set $connect_ptr (local.get $p))
    (global.set $connect_len (local.get $n))
    (global.set $connect_set (call $request_set_header (i32.const 0x3340) (i32.const 6) (i32.const 0x1480) (i32.const 2)))
    (i32.const 0))

  (func (export "partyhost_on_message") (param $conn i32) (param $ptr i32) (param $len i32) (param $kind i32) (result i32)
    (if (i32.and (i32.eqz (local.get $kind)) (call $eq_str (local.get $ptr) (local.get $len) (i32.const 0x1000)))
      (then
        (global.set $conn (local.get $conn))
        (if (call $report (global.get $connect_ptr) (global.get $connect_len))
          (then
            (call $check (i32.const 0x2080)
              (call $header (global.get $connect_ptr) (global.get $connect_len) (i32.const 0x1400)))))
        (call $check (i32.const 0x20c0) (global.get $connect_set))
        (call $check (i32.const 0x2100)
          (call $request_set_header (i32.const 0x3340) (i32.const 6) (i32.const 0x1480) (i32.const 2)))
        (call $send_str (i32.const 0x1040))))
    (i32.const 0))

  (func (export "partyhost_on_request") (param $p i32) (param $n i32) (result i32)
    (global.set $conn (i32.const 0))
    (global.set $out_len (i32.const 0))
    (if (call $report (local.get $p) (local.get $n))
      (then
        (call $check_item (i32.const 0x2140) (local.get $p) (local.get $n) (i32.const 0))
        (call $check_item (i32.const 0x2180) (local.get $p) (local.get $n) (i32.const 2))
        (call $print_header (local.get $p) (local.get $n) (i32.const 0x13c0))
        (call $print_count (local.get $p) (local.get $n) (i32.const 0x13c0))))
    (call $check (i32.const 0x21c0)
      (call $request_set_header (i32.const 0x3340) (i32.const 6) (i32.const 0x1480) (i32.const 2)))
    (drop (call $respond (i32.const 200) (i32.const 0x4000) (i32.const 30) (i32.const 0x10000) (global.get $out_len)))
    (i32.const 0))
)
