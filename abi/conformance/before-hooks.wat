;; partyhost ABI v1.2 conformance module "before-hooks" (HTTP runner: before-hooks.http.expected).
;; partyhost_on_before_request runs in the party's gate instance: it checks its request record,
;; that the gate instance ran _initialize but not on_start, the calls allowed there (room_id,
;; party_name, config_get, log, now_ms, random_fill, request_set_header with its limits and check
;; order, respond), and that every other call answers WRONG_HOOK before looking at its arguments.
;; It answers with respond (200, the check lines joined with "\n"), so the request never reaches
;; the room: partyhost_on_request answers "reached the room", which no expected file contains.
;; partyhost_on_before_connect refuses every WebSocket with 401, header www-authenticate: Bearer
;; and the body "before_connect says no" (checked by the host's tests, not by the runner).
(module
  (import "partyhost" "conn_send"           (func $conn_send           (param i32 i32 i32 i32) (result i32)))
  (import "partyhost" "broadcast"           (func $broadcast           (param i32 i32 i32 i32 i32) (result i32)))
  (import "partyhost" "conn_close"          (func $conn_close          (param i32 i32 i32 i32) (result i32)))
  (import "partyhost" "conn_id"             (func $conn_id             (param i32 i32 i32) (result i32)))
  (import "partyhost" "conn_uri"            (func $conn_uri            (param i32 i32 i32) (result i32)))
  (import "partyhost" "conn_find"           (func $conn_find           (param i32 i32) (result i32)))
  (import "partyhost" "conn_state_get"      (func $conn_state_get      (param i32 i32 i32) (result i32)))
  (import "partyhost" "conn_state_set"      (func $conn_state_set      (param i32 i32 i32) (result i32)))
  (import "partyhost" "conn_set_tags"       (func $conn_set_tags       (param i32 i32 i32) (result i32)))
  (import "partyhost" "conn_tags"           (func $conn_tags           (param i32 i32 i32) (result i32)))
  (import "partyhost" "conn_list"           (func $conn_list           (param i32 i32 i32 i32) (result i32)))
  (import "partyhost" "room_id"             (func $room_id             (param i32 i32) (result i32)))
  (import "partyhost" "party_name"          (func $party_name          (param i32 i32) (result i32)))
  (import "partyhost" "respond"             (func $respond             (param i32 i32 i32 i32 i32) (result i32)))
  (import "partyhost" "config_get"          (func $config_get          (param i32 i32 i32 i32) (result i32)))
  (import "partyhost" "log"                 (func $log                 (param i32 i32 i32) (result i32)))
  (import "partyhost" "now_ms"              (func $now_ms              (result i64)))
  (import "partyhost" "random_fill"         (func $random_fill         (param i32 i32) (result i32)))
  (import "partyhost" "storage_get"         (func $storage_get         (param i32 i32 i32 i32) (result i32)))
  (import "partyhost" "storage_put"         (func $storage_put         (param i32 i32 i32 i32) (result i32)))
  (import "partyhost" "storage_put_many"    (func $storage_put_many    (param i32 i32) (result i32)))
  (import "partyhost" "storage_delete"      (func $storage_delete      (param i32 i32) (result i32)))
  (import "partyhost" "storage_delete_many" (func $storage_delete_many (param i32 i32) (result i32)))
  (import "partyhost" "storage_list"        (func $storage_list        (param i32 i32 i32 i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (import "partyhost" "storage_delete_all"  (func $storage_delete_all  (result i32)))
  (import "partyhost" "alarm_set"           (func $alarm_set           (param i64) (result i32)))
  (import "partyhost" "alarm_get"           (func $alarm_get           (param i32) (result i32)))
  (import "partyhost" "alarm_delete"        (func $alarm_delete        (result i32)))
  (import "partyhost" "request_set_header"  (func $request_set_header  (param i32 i32 i32 i32) (result i32)))
  (import "partyhost" "room_call"           (func $room_call           (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "partyhost" "http_call"           (func $http_call           (param i32 i32) (result i32)))

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
  (data (i32.const 0x1000) "/parties/before-hooks/room-1/sub/path?q=1\00")
  (data (i32.const 0x1040) "http://\00")
  (data (i32.const 0x1080) "x-test\00")
  (data (i32.const 0x10c0) "x-gate\00")
  (data (i32.const 0x1100) "X-Gate\00")
  (data (i32.const 0x1140) "yes\00")
  (data (i32.const 0x1180) "a\09b\00")                 ;; a value with a tab (allowed)
  (data (i32.const 0x11c0) "a b\00")                   ;; names that are not tokens
  (data (i32.const 0x1200) "a:b\00")
  (data (i32.const 0x1240) "caf\c3\a9\00")             ;; 5 bytes, UTF-8 but not ASCII
  (data (i32.const 0x1280) "bad\0dvalue\00")           ;; values of 9 bytes with CR, LF, NUL
  (data (i32.const 0x12c0) "bad\0avalue\00")
  (data (i32.const 0x1300) "bad\00value\00")
  (data (i32.const 0x1340) "x-n\00")
  (data (i32.const 0x1380) "before-hooks-unset-key\00")  ;; 22 bytes, a config key nobody sets
  (data (i32.const 0x13c0) "before-hooks gate\00")
  (data (i32.const 0x1400) "reached the room\00")        ;; 16 bytes
  (data (i32.const 0x1440) "before_connect says no\00")  ;; 22 bytes
  (data (i32.const 0x1480) "hello\00")
  (data (i32.const 0x14c0) "conf-1\00")
  (data (i32.const 0x1500) "k\00")
  (data (i32.const 0x1540) "X-PartyHost-Caller\00")    ;; 18 bytes: the host's own (since v1.4)

  ;; byte-string lists; lengths in comments
  (data (i32.const 0x4000) "\0c\00\00\00content-type\0a\00\00\00text/plain")   ;; [content-type, text/plain], 30
  (data (i32.const 0x4040) "\10\00\00\00www-authenticate\06\00\00\00Bearer")   ;; [www-authenticate, Bearer], 30
  (data (i32.const 0x4080) "\03\00\00\00red")                                  ;; [red], 7
  (data (i32.const 0x40c0) "\01\00\00\00k\01\00\00\00v")                       ;; [k, v], 10 (its first 5 bytes: [k])

  ;; check names
  (data (i32.const 0x2000) "record_well_formed\00")
  (data (i32.const 0x2040) "method\00")
  (data (i32.const 0x2080) "url_suffix\00")
  (data (i32.const 0x20c0) "url_http\00")
  (data (i32.const 0x2100) "body\00")
  (data (i32.const 0x2140) "header x-test\00")
  (data (i32.const 0x2180) "header_names_lowercase\00")
  (data (i32.const 0x21c0) "record_from_alloc\00")
  (data (i32.const 0x2200) "initialize_count\00")
  (data (i32.const 0x2240) "on_start_count\00")
  (data (i32.const 0x2280) "room_id\00")
  (data (i32.const 0x22c0) "party_name\00")
  (data (i32.const 0x2300) "config_get_unset\00")
  (data (i32.const 0x2340) "log_info\00")
  (data (i32.const 0x2380) "now_ms_plausible\00")
  (data (i32.const 0x23c0) "random_fill_16\00")
  (data (i32.const 0x2400) "set_header\00")
  (data (i32.const 0x2440) "set_header_uppercase_name\00")
  (data (i32.const 0x2480) "set_header_empty_value\00")
  (data (i32.const 0x24c0) "set_header_value_tab\00")
  (data (i32.const 0x2500) "set_header_name_256\00")
  (data (i32.const 0x2540) "set_header_value_8192\00")
  (data (i32.const 0x2580) "set_header_name_257\00")
  (data (i32.const 0x25c0) "set_header_value_8193\00")
  (data (i32.const 0x2600) "set_header_empty_name\00")
  (data (i32.const 0x2640) "set_header_name_space\00")
  (data (i32.const 0x2680) "set_header_name_colon\00")
  (data (i32.const 0x26c0) "set_header_name_non_ascii\00")
  (data (i32.const 0x2700) "set_header_value_cr\00")
  (data (i32.const 0x2740) "set_header_value_lf\00")
  (data (i32.const 0x2780) "set_header_value_nul\00")
  (data (i32.const 0x27c0) "set_header_name_oob\00")
  (data (i32.const 0x2800) "set_header_value_oob\00")
  (data (i32.const 0x2840) "set_header_value_partly_oob\00")
  (data (i32.const 0x2880) "set_header_empty_name_far_pointer\00")
  (data (i32.const 0x28c0) "set_header_name_oob_and_257\00")
  (data (i32.const 0x2900) "set_header_name_257_and_space\00")
  (data (i32.const 0x2940) "set_header_name_space_and_value_8193\00")
  (data (i32.const 0x2980) "set_header_empty_name_and_value_cr\00")
  (data (i32.const 0x29c0) "set_header_calls_7_to_64_failed\00")
  (data (i32.const 0x2a00) "set_header_65th_bad_name\00")
  (data (i32.const 0x2a40) "set_header_65th\00")
  (data (i32.const 0x2a80) "set_header_66th\00")
  (data (i32.const 0x2ac0) "respond_status_99\00")
  (data (i32.const 0x2b00) "respond_first\00")
  (data (i32.const 0x2b40) "conn_send\00")
  (data (i32.const 0x2b80) "conn_send_wrong_hook_and_oob\00")
  (data (i32.const 0x2bc0) "broadcast\00")
  (data (i32.const 0x2c00) "conn_close\00")
  (data (i32.const 0x2c40) "conn_id\00")
  (data (i32.const 0x2c80) "conn_uri\00")
  (data (i32.const 0x2cc0) "conn_find\00")
  (data (i32.const 0x2d00) "conn_state_get\00")
  (data (i32.const 0x2d40) "conn_state_set\00")
  (data (i32.const 0x2d80) "conn_set_tags\00")
  (data (i32.const 0x2dc0) "conn_tags\00")
  (data (i32.const 0x2e00) "conn_list\00")
  (data (i32.const 0x2e40) "storage_get\00")
  (data (i32.const 0x2e80) "storage_get_wrong_hook_and_oob\00")
  (data (i32.const 0x2ec0) "storage_put\00")
  (data (i32.const 0x2f00) "storage_put_many\00")
  (data (i32.const 0x2f40) "storage_delete\00")
  (data (i32.const 0x2f80) "storage_delete_many\00")
  (data (i32.const 0x2fc0) "storage_list\00")
  (data (i32.const 0x3000) "storage_delete_all\00")
  (data (i32.const 0x3040) "alarm_set\00")
  (data (i32.const 0x3080) "alarm_get\00")
  (data (i32.const 0x30c0) "alarm_get_wrong_hook_and_oob\00")
  (data (i32.const 0x3100) "alarm_delete\00")
  (data (i32.const 0x3140) "room_call_wrong_hook_and_oob\00")
  (data (i32.const 0x3180) "http_call_wrong_hook_and_oob\00")
  (data (i32.const 0x31c0) "set_header_host_header\00")

  (global $initialize_count (mut i32) (i32.const 0))
  (global $start_count (mut i32) (i32.const 0))
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
  (func (export "_initialize")
    (global.set $initialize_count (i32.add (global.get $initialize_count) (i32.const 1))))

  (func (export "partyhost_on_start") (result i32)
    (global.set $start_count (i32.add (global.get $start_count) (i32.const 1)))
    (i32.const 0))

  ;; A room hook: runs only if the host let the request through to the room.
  (func (export "partyhost_on_request") (param $p i32) (param $n i32) (result i32)
    (drop (call $respond (i32.const 200) (i32.const 0x4000) (i32.const 30) (i32.const 0x1400) (i32.const 16)))
    (i32.const 0))

  ;; Refuses every WebSocket: 401, www-authenticate: Bearer, "before_connect says no".
  (func (export "partyhost_on_before_connect") (param $p i32) (param $n i32) (result i32)
    (drop (call $respond (i32.const 401) (i32.const 0x4040) (i32.const 30) (i32.const 0x1440) (i32.const 22)))
    (i32.const 0))

  (func (export "partyhost_on_before_request") (param $p i32) (param $n i32) (result i32)
    (local $ok i32) (local $r i32) (local $i i32) (local $failed i32) (local $end i32) (local $t i64)
    (global.set $out_len (i32.const 0))
    (local.set $end (call $mem_end))

    ;; ---- the request record: the request as the client sent it ----
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

    ;; ---- a gate instance: _initialize ran, on_start did not ----
    (call $check (i32.const 0x2200) (global.get $initialize_count))
    (call $check (i32.const 0x2240) (global.get $start_count))

    ;; ---- the other calls that work in a before hook ----
    (local.set $r (call $room_id (i32.const 0x13000) (i32.const 4096)))
    (call $check_data (i32.const 0x2280) (i32.const 0x13000) (i32.const 4096) (local.get $r))
    (local.set $r (call $party_name (i32.const 0x13000) (i32.const 4096)))
    (call $check_data (i32.const 0x22c0) (i32.const 0x13000) (i32.const 4096) (local.get $r))
    (call $check (i32.const 0x2300) (call $config_get (i32.const 0x1380) (i32.const 22) (i32.const 0x13000) (i32.const 4096)))
    (call $check (i32.const 0x2340) (call $log (i32.const 1) (i32.const 0x13c0) (i32.const 17)))
    ;; after 2023-11-14 (1700000000000) and before 2100-01-01 (4102444800000)
    (local.set $t (call $now_ms))
    (call $check (i32.const 0x2380)
      (i32.and (i64.gt_s (local.get $t) (i64.const 1700000000000))
               (i64.lt_s (local.get $t) (i64.const 4102444800000))))
    (call $check (i32.const 0x23c0) (call $random_fill (i32.const 0x13000) (i32.const 16)))

    ;; ---- request_set_header: six calls that succeed ----
    (memory.fill (i32.const 0x20000) (i32.const 0x61) (i32.const 257))    ;; "aaa...": names of 256 and 257 bytes
    (memory.fill (i32.const 0x20200) (i32.const 0x61) (i32.const 257))    ;; 257 bytes with a space
    (i32.store8 (i32.const 0x20264) (i32.const 0x20))
    (memory.fill (i32.const 0x21000) (i32.const 0x76) (i32.const 8193))   ;; "vvv...": values of 8192 and 8193 bytes
    (call $check (i32.const 0x2400)
      (call $request_set_header (i32.const 0x10c0) (i32.const 6) (i32.const 0x1140) (i32.const 3)))
    (call $check (i32.const 0x2440)
      (call $request_set_header (i32.const 0x1100) (i32.const 6) (i32.const 0x1140) (i32.const 3)))
    (call $check (i32.const 0x2480)
      (call $request_set_header (i32.const 0x10c0) (i32.const 6) (i32.const 0x1140) (i32.const 0)))
    (call $check (i32.const 0x24c0)
      (call $request_set_header (i32.const 0x10c0) (i32.const 6) (i32.const 0x1180) (i32.const 3)))
    (call $check (i32.const 0x2500)
      (call $request_set_header (i32.const 0x20000) (i32.const 256) (i32.const 0x1140) (i32.const 3)))
    (call $check (i32.const 0x2540)
      (call $request_set_header (i32.const 0x10c0) (i32.const 6) (i32.const 0x21000) (i32.const 8192)))

    ;; ---- request_set_header errors (none of these counts as a call) ----
    (call $check (i32.const 0x2580)
      (call $request_set_header (i32.const 0x20000) (i32.const 257) (i32.const 0x1140) (i32.const 3)))
    (call $check (i32.const 0x25c0)
      (call $request_set_header (i32.const 0x10c0) (i32.const 6) (i32.const 0x21000) (i32.const 8193)))
    (call $check (i32.const 0x2600)
      (call $request_set_header (i32.const 0x10c0) (i32.const 0) (i32.const 0x1140) (i32.const 3)))
    (call $check (i32.const 0x2640)
      (call $request_set_header (i32.const 0x11c0) (i32.const 3) (i32.const 0x1140) (i32.const 3)))
    (call $check (i32.const 0x31c0)
      (call $request_set_header (i32.const 0x1540) (i32.const 18) (i32.const 0x1140) (i32.const 3)))
    (call $check (i32.const 0x2680)
      (call $request_set_header (i32.const 0x1200) (i32.const 3) (i32.const 0x1140) (i32.const 3)))
    (call $check (i32.const 0x26c0)
      (call $request_set_header (i32.const 0x1240) (i32.const 5) (i32.const 0x1140) (i32.const 3)))
    (call $check (i32.const 0x2700)
      (call $request_set_header (i32.const 0x10c0) (i32.const 6) (i32.const 0x1280) (i32.const 9)))
    (call $check (i32.const 0x2740)
      (call $request_set_header (i32.const 0x10c0) (i32.const 6) (i32.const 0x12c0) (i32.const 9)))
    (call $check (i32.const 0x2780)
      (call $request_set_header (i32.const 0x10c0) (i32.const 6) (i32.const 0x1300) (i32.const 9)))
    (call $check (i32.const 0x27c0)
      (call $request_set_header (i32.const 0xfffffff0) (i32.const 100) (i32.const 0x1140) (i32.const 3)))
    (call $check (i32.const 0x2800)
      (call $request_set_header (i32.const 0x10c0) (i32.const 6) (i32.const 0xfffffff0) (i32.const 100)))
    (call $check (i32.const 0x2840)
      (call $request_set_header (i32.const 0x10c0) (i32.const 6) (i32.sub (local.get $end) (i32.const 8)) (i32.const 16)))
    ;; an empty view names no memory: the name is empty, not out of memory
    (call $check (i32.const 0x2880)
      (call $request_set_header (i32.const 0xfffffff0) (i32.const 0) (i32.const 0x1140) (i32.const 3)))
    ;; check order: pointers, then sizes, then content
    (call $check (i32.const 0x28c0)
      (call $request_set_header (i32.const 0xfffffff0) (i32.const 257) (i32.const 0x1140) (i32.const 3)))
    (call $check (i32.const 0x2900)
      (call $request_set_header (i32.const 0x20200) (i32.const 257) (i32.const 0x1140) (i32.const 3)))
    (call $check (i32.const 0x2940)
      (call $request_set_header (i32.const 0x11c0) (i32.const 3) (i32.const 0x21000) (i32.const 8193)))
    (call $check (i32.const 0x2980)
      (call $request_set_header (i32.const 0x10c0) (i32.const 0) (i32.const 0x1280) (i32.const 9)))

    ;; ---- at most 64 successful calls per hook: calls 7 to 64, then the 65th ----
    (local.set $i (i32.const 7))
    (loop $l
      (if (call $request_set_header (i32.const 0x1340) (i32.const 3) (i32.const 0x1140) (i32.const 3))
        (then (local.set $failed (i32.add (local.get $failed) (i32.const 1)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.le_u (local.get $i) (i32.const 64))))
    (call $check (i32.const 0x29c0) (local.get $failed))
    ;; the limit is checked after the arguments: a bad name is still INVALID
    (call $check (i32.const 0x2a00)
      (call $request_set_header (i32.const 0x11c0) (i32.const 3) (i32.const 0x1140) (i32.const 3)))
    (call $check (i32.const 0x2a40)
      (call $request_set_header (i32.const 0x1340) (i32.const 3) (i32.const 0x1140) (i32.const 3)))
    (call $check (i32.const 0x2a80)
      (call $request_set_header (i32.const 0x10c0) (i32.const 6) (i32.const 0x1140) (i32.const 3)))

    ;; ---- respond works here; a bad status sets nothing, the final call wins ----
    (call $check (i32.const 0x2ac0)
      (call $respond (i32.const 99) (i32.const 0x4000) (i32.const 30) (i32.const 0x1480) (i32.const 5)))
    (call $check (i32.const 0x2b00)
      (call $respond (i32.const 404) (i32.const 0) (i32.const 0) (i32.const 0x1480) (i32.const 5)))

    ;; ---- every other call: WRONG_HOOK, before the handle and pointer checks ----
    (call $check (i32.const 0x2b40) (call $conn_send (i32.const 1) (i32.const 0x1480) (i32.const 5) (i32.const 0)))
    (call $check (i32.const 0x2b80)
      (call $conn_send (i32.const 1) (i32.const 0xfffffff0) (i32.const 100) (i32.const 0)))
    (call $check (i32.const 0x2bc0)
      (call $broadcast (i32.const 0x1480) (i32.const 5) (i32.const 0) (i32.const 0) (i32.const 0)))
    (call $check (i32.const 0x2c00) (call $conn_close (i32.const 1) (i32.const 1000) (i32.const 0) (i32.const 0)))
    (call $check (i32.const 0x2c40) (call $conn_id (i32.const 1) (i32.const 0x13000) (i32.const 4096)))
    (call $check (i32.const 0x2c80) (call $conn_uri (i32.const 1) (i32.const 0x13000) (i32.const 4096)))
    (call $check (i32.const 0x2cc0) (call $conn_find (i32.const 0x14c0) (i32.const 6)))
    (call $check (i32.const 0x2d00) (call $conn_state_get (i32.const 1) (i32.const 0x13000) (i32.const 4096)))
    (call $check (i32.const 0x2d40) (call $conn_state_set (i32.const 1) (i32.const 0x1480) (i32.const 5)))
    (call $check (i32.const 0x2d80) (call $conn_set_tags (i32.const 1) (i32.const 0x4080) (i32.const 7)))
    (call $check (i32.const 0x2dc0) (call $conn_tags (i32.const 1) (i32.const 0x13000) (i32.const 4096)))
    (call $check (i32.const 0x2e00) (call $conn_list (i32.const 0) (i32.const 0) (i32.const 0x13000) (i32.const 4096)))
    (call $check (i32.const 0x2e40) (call $storage_get (i32.const 0x1500) (i32.const 1) (i32.const 0x13000) (i32.const 4096)))
    (call $check (i32.const 0x2e80)
      (call $storage_get (i32.const 0xfffffff0) (i32.const 100) (i32.const 0x13000) (i32.const 4096)))
    (call $check (i32.const 0x2ec0) (call $storage_put (i32.const 0x1500) (i32.const 1) (i32.const 0x1480) (i32.const 5)))
    (call $check (i32.const 0x2f00) (call $storage_put_many (i32.const 0x40c0) (i32.const 10)))
    (call $check (i32.const 0x2f40) (call $storage_delete (i32.const 0x1500) (i32.const 1)))
    (call $check (i32.const 0x2f80) (call $storage_delete_many (i32.const 0x40c0) (i32.const 5)))
    (call $check (i32.const 0x2fc0)
      (call $storage_list (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)
                          (i32.const 0) (i32.const 0) (i32.const 0x13000) (i32.const 4096)))
    (call $check (i32.const 0x3000) (call $storage_delete_all))
    (call $check (i32.const 0x3040) (call $alarm_set (i64.add (local.get $t) (i64.const 60000))))
    (call $check (i32.const 0x3080) (call $alarm_get (i32.const 0x13000)))
    (call $check (i32.const 0x30c0) (call $alarm_get (i32.const 0xfffffff0)))
    (call $check (i32.const 0x3100) (call $alarm_delete))
    (call $check (i32.const 0x3140)
      (call $room_call (i32.const 0) (i32.const 0) (i32.const 0x1500) (i32.const 1) (i32.const 0xfffffff0) (i32.const 100)))
    (call $check (i32.const 0x3180) (call $http_call (i32.const 0xfffffff0) (i32.const 100)))

    ;; ---- the response: the request ends here ----
    (drop (call $respond (i32.const 200) (i32.const 0x4000) (i32.const 30) (i32.const 0x10000) (global.get $out_len)))
    (i32.const 0))
)
