;; partyhost ABI v1 conformance module "request-calls" (HTTP runner: request-calls.http.expected).
;; on_request parses the request record, calls room and connection calls that make sense without
;; connections, checks respond's errors, responds once with a body that is overwritten, and finally
;; responds 200 with the check lines (joined with "\n") as a text/plain body.
(module
  (import "partyhost" "respond"    (func $respond    (param i32 i32 i32 i32 i32) (result i32)))
  (import "partyhost" "room_id"    (func $room_id    (param i32 i32) (result i32)))
  (import "partyhost" "party_name" (func $party_name (param i32 i32) (result i32)))
  (import "partyhost" "conn_list"  (func $conn_list  (param i32 i32 i32 i32) (result i32)))
  (import "partyhost" "conn_find"  (func $conn_find  (param i32 i32) (result i32)))
  (import "partyhost" "broadcast"  (func $broadcast  (param i32 i32 i32 i32 i32) (result i32)))

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

  ;; ---- HTTP output: lines joined with "\n" in the output buffer, sent by the final respond ----
  (func $line_begin (param $name i32)
    (if (global.get $out_len) (then (call $put_char (i32.const 0x0a))))
    (call $put_str (local.get $name))
    (call $put_char (i32.const 0x20)))

  (func $line_end)

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

  ;; ---- constant data ----
  (data (i32.const 0x1000) "/parties/request-calls/room-1/sub/path?q=1\00")
  (data (i32.const 0x1040) "http://\00")
  (data (i32.const 0x1080) "x-test\00")
  (data (i32.const 0x10c0) "conf-1\00")
  (data (i32.const 0x1100) "overwritten\00")
  (data (i32.const 0x1140) "nobody hears this\00")

  ;; header lists (byte-string lists); lengths in comments
  (data (i32.const 0x3000) "\0c\00\00\00content-type\0a\00\00\00text/plain")   ;; [content-type, text/plain], 30
  (data (i32.const 0x3040) "\0c\00\00\00content-type")                         ;; a name without value, 16
  (data (i32.const 0x3080) "\ff\00\00\00ab")                                   ;; item longer than the list, 6
  ;; since v1.3: header names must be tokens, values must hold no CR, LF or NUL (no folded lines)
  (data (i32.const 0x30c0) "\03\00\00\00x-a\05\00\00\001\0d\0a b")              ;; [x-a, "1\r\n b"], 16
  (data (i32.const 0x3100) "\03\00\00\00x-b\04\00\00\001\0a\09b")               ;; [x-b, "1\n\tb"], 15
  (data (i32.const 0x3140) "\03\00\00\00x\00c\01\00\00\00v")                    ;; [x NUL c, v], 12
  (data (i32.const 0x3180) "\03\00\00\00x c\01\00\00\00v")                       ;; [x c, v], 12
  (data (i32.const 0x31c0) "\03\00\00\00x-d\03\00\00\00a\00b")                  ;; [x-d, a NUL b], 14
  (data (i32.const 0x3200) "\00\00\00\00\01\00\00\00v")                          ;; [(empty), v], 9

  ;; check names
  (data (i32.const 0x2000) "record_well_formed\00")
  (data (i32.const 0x2040) "method\00")
  (data (i32.const 0x2080) "url_suffix\00")
  (data (i32.const 0x20c0) "url_http\00")
  (data (i32.const 0x2100) "body\00")
  (data (i32.const 0x2140) "header x-test\00")
  (data (i32.const 0x2180) "header_names_lowercase\00")
  (data (i32.const 0x21c0) "record_from_alloc\00")
  (data (i32.const 0x2200) "room_id\00")
  (data (i32.const 0x2240) "party_name\00")
  (data (i32.const 0x2280) "conn_list_len\00")
  (data (i32.const 0x22c0) "conn_find_missing\00")
  (data (i32.const 0x2300) "broadcast_no_connections\00")
  (data (i32.const 0x2340) "respond_status_99\00")
  (data (i32.const 0x2380) "respond_status_600\00")
  (data (i32.const 0x23c0) "respond_bad_headers_encoding\00")
  (data (i32.const 0x2400) "respond_odd_headers\00")
  (data (i32.const 0x2440) "respond_headers_oob\00")
  (data (i32.const 0x2480) "respond_body_oob\00")
  (data (i32.const 0x24c0) "respond_first\00")
  (data (i32.const 0x2500) "respond_header_crlf_fold\00")
  (data (i32.const 0x2540) "respond_header_lf_fold\00")
  (data (i32.const 0x2580) "respond_header_name_nul\00")
  (data (i32.const 0x25c0) "respond_header_name_space\00")
  (data (i32.const 0x2600) "respond_header_value_nul\00")
  (data (i32.const 0x2640) "respond_header_name_empty\00")

  (global $last_alloc_ptr (mut i32) (i32.const 0))
  (global $last_alloc_len (mut i32) (i32.const 0))

  ;; partyhost_alloc that remembers the last block.
  (func (export "partyhost_alloc") (param $len i32) (result i32)
    (global.set $last_alloc_len (local.get $len))
    (global.set $last_alloc_ptr (call $alloc (local.get $len)))
    (global.get $last_alloc_ptr))

  ;; Line "<name> <item i of the record>", or "<name> ?" when there is no item i.
  (func $check_item (param $name i32) (param $p i32) (param $n i32) (param $i i32)
    (call $line_begin (local.get $name))
    (if (call $list_item (local.get $p) (local.get $n) (local.get $i))
      (then (call $put (global.get $item_ptr) (global.get $item_len)))
      (else (call $put_char (i32.const 0x3f))))
    (call $line_end))

  ;; ---- hooks ----
  (func (export "partyhost_on_request") (param $p i32) (param $n i32) (result i32)
    (local $ok i32) (local $r i32)
    (global.set $out_len (i32.const 0))

    ;; ---- the request record ----
    (local.set $ok (call $record_ok (local.get $p) (local.get $n)))
    (call $check (i32.const 0x2000) (local.get $ok))
    (if (local.get $ok)
      (then
        (call $check_item (i32.const 0x2040) (local.get $p) (local.get $n) (i32.const 0))
        (drop (call $list_item (local.get $p) (local.get $n) (i32.const 1)))
        (call $check (i32.const 0x2080) (call $ends_with (global.get $item_ptr) (global.get $item_len) (i32.const 0x1000)))
        (call $check (i32.const 0x20c0) (call $starts_with (global.get $item_ptr) (global.get $item_len) (i32.const 0x1040)))
        (call $check_item (i32.const 0x2100) (local.get $p) (local.get $n) (i32.const 2))
        (call $line_begin (i32.const 0x2140))
        (if (call $header (local.get $p) (local.get $n) (i32.const 0x1080))
          (then (call $put (global.get $item_ptr) (global.get $item_len)))
          (else (call $put_char (i32.const 0x3f))))
        (call $line_end)
        (call $check (i32.const 0x2180) (call $header_names_lower (local.get $p) (local.get $n)))))
    (call $check (i32.const 0x21c0)
      (i32.and (i32.eq (local.get $p) (global.get $last_alloc_ptr))
               (i32.eq (local.get $n) (global.get $last_alloc_len))))

    ;; ---- room and connection calls (the room has no connection) ----
    (local.set $r (call $room_id (i32.const 0x13000) (i32.const 4096)))
    (call $check_data (i32.const 0x2200) (i32.const 0x13000) (i32.const 4096) (local.get $r))
    (local.set $r (call $party_name (i32.const 0x13000) (i32.const 4096)))
    (call $check_data (i32.const 0x2240) (i32.const 0x13000) (i32.const 4096) (local.get $r))
    (call $check (i32.const 0x2280) (call $conn_list (i32.const 0) (i32.const 0) (i32.const 0x13000) (i32.const 4096)))
    (call $check (i32.const 0x22c0) (call $conn_find (i32.const 0x10c0) (i32.const 6)))
    (call $check (i32.const 0x2300)
      (call $broadcast (i32.const 0x1140) (i32.const 17) (i32.const 0) (i32.const 0) (i32.const 0)))

    ;; ---- respond errors (none of these sets the response) ----
    (call $check (i32.const 0x2340)
      (call $respond (i32.const 99) (i32.const 0x3000) (i32.const 30) (i32.const 0x1100) (i32.const 11)))
    (call $check (i32.const 0x2380)
      (call $respond (i32.const 600) (i32.const 0x3000) (i32.const 30) (i32.const 0x1100) (i32.const 11)))
    (call $check (i32.const 0x23c0)
      (call $respond (i32.const 200) (i32.const 0x3080) (i32.const 6) (i32.const 0x1100) (i32.const 11)))
    (call $check (i32.const 0x2400)
      (call $respond (i32.const 200) (i32.const 0x3040) (i32.const 16) (i32.const 0x1100) (i32.const 11)))
    (call $check (i32.const 0x2440)
      (call $respond (i32.const 200) (i32.const 0xfffffff0) (i32.const 100) (i32.const 0x1100) (i32.const 11)))
    (call $check (i32.const 0x2480)
      (call $respond (i32.const 200) (i32.const 0x3000) (i32.const 30) (i32.const 0xfffffff0) (i32.const 100)))
    (call $check (i32.const 0x2500)
      (call $respond (i32.const 200) (i32.const 0x30c0) (i32.const 16) (i32.const 0x1100) (i32.const 11)))
    (call $check (i32.const 0x2540)
      (call $respond (i32.const 200) (i32.const 0x3100) (i32.const 15) (i32.const 0x1100) (i32.const 11)))
    (call $check (i32.const 0x2580)
      (call $respond (i32.const 200) (i32.const 0x3140) (i32.const 12) (i32.const 0x1100) (i32.const 11)))
    (call $check (i32.const 0x25c0)
      (call $respond (i32.const 200) (i32.const 0x3180) (i32.const 12) (i32.const 0x1100) (i32.const 11)))
    (call $check (i32.const 0x2600)
      (call $respond (i32.const 200) (i32.const 0x31c0) (i32.const 14) (i32.const 0x1100) (i32.const 11)))
    (call $check (i32.const 0x2640)
      (call $respond (i32.const 200) (i32.const 0x3200) (i32.const 9) (i32.const 0x1100) (i32.const 11)))
    ;; a valid response that the final one replaces (the last call wins)
    (call $check (i32.const 0x24c0)
      (call $respond (i32.const 404) (i32.const 0) (i32.const 0) (i32.const 0x1100) (i32.const 11)))

    ;; ---- the response ----
    (drop (call $respond (i32.const 200) (i32.const 0x3000) (i32.const 30) (i32.const 0x10000) (global.get $out_len)))
    (i32.const 0))
)
