;; partyhost ABI v1 conformance module "hook-args" (WebSocket runner: hook-args.ws.expected).
;; Checks what the host passes to the hooks: _initialize and on_start run once, before on_connect;
;; the on_connect request record; on_message arguments; hook arguments placed through
;; partyhost_alloc. on_connect keeps its results; on "run" they are printed, then "end".
;; on_close and on_error only write a log line (the runner cannot observe them).
(module
  (import "partyhost" "conn_send" (func $conn_send (param i32 i32 i32 i32) (result i32)))
  (import "partyhost" "conn_id"   (func $conn_id   (param i32 i32 i32) (result i32)))
  (import "partyhost" "log"       (func $log       (param i32 i32 i32) (result i32)))

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
  (data (i32.const 0x1000) "run\00")
  (data (i32.const 0x1040) "end\00")
  (data (i32.const 0x1080) "conf-1\00")
  (data (i32.const 0x10c0) "/parties/hook-args/room-1?_pk=conf-1&x=1\00")
  (data (i32.const 0x1100) "://\00")
  (data (i32.const 0x1140) "upgrade\00")
  (data (i32.const 0x1180) "on_close code=\00")
  (data (i32.const 0x11c0) " reason_len=\00")
  (data (i32.const 0x1200) " conn_id_ok=\00")
  (data (i32.const 0x1240) " send=\00")
  (data (i32.const 0x1280) "on_error msg=\00")

  ;; check names; 0x2000 + 0x40*i is the name of the kept result i (stored at 0x14000 + 4*i)
  (data (i32.const 0x2000) "connect_handle_positive\00")
  (data (i32.const 0x2040) "connect_record_well_formed\00")
  (data (i32.const 0x2080) "connect_url_suffix\00")
  (data (i32.const 0x20c0) "connect_url_absolute\00")
  (data (i32.const 0x2100) "connect_body_len\00")
  (data (i32.const 0x2140) "connect_header_names_lowercase\00")
  (data (i32.const 0x2180) "connect_has_upgrade_header\00")
  (data (i32.const 0x21c0) "connect_record_from_alloc\00")
  (data (i32.const 0x2200) "connect_conn_id_ok\00")
  (data (i32.const 0x2240) "connect_after_one_start\00")
  (data (i32.const 0x2280) "start_after_one_initialize\00")
  ;; names of the checks made on "run"
  (data (i32.const 0x2400) "connect_method\00")
  (data (i32.const 0x2440) "message_handle_same\00")
  (data (i32.const 0x2480) "message_kind\00")
  (data (i32.const 0x24c0) "message_len\00")
  (data (i32.const 0x2500) "message_from_alloc\00")
  (data (i32.const 0x2540) "alloc_calls\00")
  (data (i32.const 0x2580) "initialize_count\00")
  (data (i32.const 0x25c0) "on_start_count\00")

  (global $initialize_count (mut i32) (i32.const 0))
  (global $start_count (mut i32) (i32.const 0))
  (global $alloc_calls (mut i32) (i32.const 0))
  (global $last_alloc_ptr (mut i32) (i32.const 0))
  (global $last_alloc_len (mut i32) (i32.const 0))
  (global $connect_handle (mut i32) (i32.const 0))
  (global $method_len (mut i32) (i32.const 0))   ;; method copied to 0x15000 (at most 16 bytes)

  ;; partyhost_alloc that counts its calls and remembers the last block.
  (func (export "partyhost_alloc") (param $len i32) (result i32)
    (global.set $alloc_calls (i32.add (global.get $alloc_calls) (i32.const 1)))
    (global.set $last_alloc_len (local.get $len))
    (global.set $last_alloc_ptr (call $alloc (local.get $len)))
    (global.get $last_alloc_ptr))

  (func $keep (param $i i32) (param $v i32)
    (i32.store (i32.add (i32.const 0x14000) (i32.shl (local.get $i) (i32.const 2))) (local.get $v)))

  ;; ---- hooks ----
  (func (export "_initialize")
    (global.set $initialize_count (i32.add (global.get $initialize_count) (i32.const 1))))

  (func (export "partyhost_on_start") (result i32)
    (global.set $start_count (i32.add (global.get $start_count) (i32.const 1)))
    (call $keep (i32.const 10) (i32.eq (global.get $initialize_count) (i32.const 1)))
    (i32.const 0))

  (func (export "partyhost_on_connect") (param $conn i32) (param $p i32) (param $n i32) (result i32)
    (local $ok i32) (local $m i32)
    (global.set $connect_handle (local.get $conn))
    (call $keep (i32.const 0) (i32.gt_s (local.get $conn) (i32.const 0)))
    (local.set $ok (call $record_ok (local.get $p) (local.get $n)))
    (call $keep (i32.const 1) (local.get $ok))
    (if (local.get $ok)
      (then
        ;; method
        (drop (call $list_item (local.get $p) (local.get $n) (i32.const 0)))
        (local.set $m (global.get $item_len))
        (if (i32.gt_u (local.get $m) (i32.const 16)) (then (local.set $m (i32.const 16))))
        (memory.copy (i32.const 0x15000) (global.get $item_ptr) (local.get $m))
        (global.set $method_len (local.get $m))
        ;; url
        (drop (call $list_item (local.get $p) (local.get $n) (i32.const 1)))
        (call $keep (i32.const 2) (call $ends_with (global.get $item_ptr) (global.get $item_len) (i32.const 0x10c0)))
        (call $keep (i32.const 3) (call $contains (global.get $item_ptr) (global.get $item_len) (i32.const 0x1100)))
        ;; body
        (drop (call $list_item (local.get $p) (local.get $n) (i32.const 2)))
        (call $keep (i32.const 4) (global.get $item_len))
        ;; headers
        (call $keep (i32.const 5) (call $header_names_lower (local.get $p) (local.get $n)))
        (call $keep (i32.const 6) (call $header (local.get $p) (local.get $n) (i32.const 0x1140))))
      (else (call $keep (i32.const 4) (i32.const -1))))
    (call $keep (i32.const 7)
      (i32.and (i32.eq (local.get $p) (global.get $last_alloc_ptr))
               (i32.eq (local.get $n) (global.get $last_alloc_len))))
    (local.set $m (call $conn_id (local.get $conn) (i32.const 0x13000) (i32.const 4096)))
    (call $keep (i32.const 8)
      (i32.and (i32.le_u (local.get $m) (i32.const 4096))
               (call $eq_str (i32.const 0x13000) (local.get $m) (i32.const 0x1080))))
    (call $keep (i32.const 9) (i32.eq (global.get $start_count) (i32.const 1)))
    (i32.const 0))

  (func (export "partyhost_on_message") (param $conn i32) (param $ptr i32) (param $len i32) (param $kind i32) (result i32)
    (if (i32.and (i32.eqz (local.get $kind)) (call $eq_str (local.get $ptr) (local.get $len) (i32.const 0x1000)))
      (then
        (global.set $conn (local.get $conn))
        (call $run (local.get $conn) (local.get $ptr) (local.get $len) (local.get $kind))
        (call $send_str (i32.const 0x1040))))
    (i32.const 0))

  (func (export "partyhost_on_close") (param $conn i32) (param $code i32) (param $p i32) (param $n i32) (result i32)
    (local $m i32)
    (global.set $out_len (i32.const 0))
    (call $put_str (i32.const 0x1180))
    (call $put_int (local.get $code))
    (call $put_str (i32.const 0x11c0))
    (call $put_int (local.get $n))
    (call $put_str (i32.const 0x1200))
    (local.set $m (call $conn_id (local.get $conn) (i32.const 0x13000) (i32.const 4096)))
    (call $put_int (i32.and (i32.le_u (local.get $m) (i32.const 4096))
                            (call $eq_str (i32.const 0x13000) (local.get $m) (i32.const 0x1080))))
    (call $put_str (i32.const 0x1240))   ;; a send during on_close returns CLOSED (-9)
    (call $put_int (call $conn_send (local.get $conn) (i32.const 0x1000) (i32.const 3) (i32.const 0)))
    (drop (call $log (i32.const 1) (i32.const 0x10000) (global.get $out_len)))
    (i32.const 0))

  (func (export "partyhost_on_error") (param $conn i32) (param $p i32) (param $n i32) (result i32)
    (global.set $out_len (i32.const 0))
    (call $put_str (i32.const 0x1280))
    (if (i32.le_u (local.get $n) (i32.const 4096)) (then (call $put (local.get $p) (local.get $n))))
    (drop (call $log (i32.const 2) (i32.const 0x10000) (global.get $out_len)))
    (i32.const 0))

  (func $run (param $h i32) (param $ptr i32) (param $len i32) (param $kind i32)
    (local $i i32)
    (loop $l
      (call $check (i32.add (i32.const 0x2000) (i32.shl (local.get $i) (i32.const 6)))
                   (i32.load (i32.add (i32.const 0x14000) (i32.shl (local.get $i) (i32.const 2)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 11))))
    (call $check_data (i32.const 0x2400) (i32.const 0x15000) (i32.const 16) (global.get $method_len))
    (call $check (i32.const 0x2440) (i32.eq (local.get $h) (global.get $connect_handle)))
    (call $check (i32.const 0x2480) (local.get $kind))
    (call $check (i32.const 0x24c0) (local.get $len))
    (call $check (i32.const 0x2500)
      (i32.and (i32.eq (local.get $ptr) (global.get $last_alloc_ptr))
               (i32.eq (local.get $len) (global.get $last_alloc_len))))
    (call $check (i32.const 0x2540) (global.get $alloc_calls))
    (call $check (i32.const 0x2580) (global.get $initialize_count))
    (call $check (i32.const 0x25c0) (global.get $start_count))
  )
)
