;; partyhost ABI v1 conformance module "conn-calls" (WebSocket runner: conn-calls.ws.expected).
;; On the text message "run" from a connection it checks the connection host calls against that
;; connection (the only one of the room) and sends one text frame per check, then "end".
;; The only frames this module sends are check lines (two of them come from broadcast).
(module
  (import "partyhost" "conn_send"      (func $conn_send      (param i32 i32 i32 i32) (result i32)))
  (import "partyhost" "broadcast"      (func $broadcast      (param i32 i32 i32 i32 i32) (result i32)))
  (import "partyhost" "conn_close"     (func $conn_close     (param i32 i32 i32 i32) (result i32)))
  (import "partyhost" "conn_id"        (func $conn_id        (param i32 i32 i32) (result i32)))
  (import "partyhost" "conn_uri"       (func $conn_uri       (param i32 i32 i32) (result i32)))
  (import "partyhost" "conn_find"      (func $conn_find      (param i32 i32) (result i32)))
  (import "partyhost" "conn_state_get" (func $conn_state_get (param i32 i32 i32) (result i32)))
  (import "partyhost" "conn_state_set" (func $conn_state_set (param i32 i32 i32) (result i32)))
  (import "partyhost" "conn_set_tags"  (func $conn_set_tags  (param i32 i32 i32) (result i32)))
  (import "partyhost" "conn_list"      (func $conn_list      (param i32 i32 i32 i32) (result i32)))

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

  ;; ---- constant data ----
  (data (i32.const 0x1000) "run\00")
  (data (i32.const 0x1040) "end\00")
  (data (i32.const 0x1080) "conf-1\00")
  (data (i32.const 0x10c0) "nope\00")
  (data (i32.const 0x1100) "/parties/conn-calls/room-1?_pk=conf-1&x=1\00")
  (data (i32.const 0x1140) "://\00")
  (data (i32.const 0x1180) "hello-state\00")
  (data (i32.const 0x11c0) "x\00")
  (data (i32.const 0x1200) "broadcast_frame ok\00")
  (data (i32.const 0x1240) "broadcast_frame_exclude_unknown ok\00")
  (data (i32.const 0x1280) "\01\00\00\00a")     ;; tag list ["a"], 5 bytes
  (data (i32.const 0x12c0) "\ff")               ;; invalid UTF-8: stray byte, 1 byte
  (data (i32.const 0x12d0) "\c0\af")            ;; invalid UTF-8: overlong "/", 2 bytes
  (data (i32.const 0x12e0) "\ed\a0\80")         ;; invalid UTF-8: surrogate U+D800, 3 bytes
  (data (i32.const 0x12f0) "\e2\82")            ;; invalid UTF-8: truncated sequence, 2 bytes

  ;; check names
  (data (i32.const 0x2000) "conn_id\00")
  (data (i32.const 0x2040) "conn_id_len_only\00")
  (data (i32.const 0x2080) "conn_id_small_cap\00")
  (data (i32.const 0x20c0) "conn_id_small_cap_untouched\00")
  (data (i32.const 0x2100) "conn_id_exact_cap\00")
  (data (i32.const 0x2140) "conn_id_bad_handle\00")
  (data (i32.const 0x2180) "conn_id_handle_0\00")
  (data (i32.const 0x21c0) "conn_id_handle_negative\00")
  (data (i32.const 0x2200) "conn_id_out_oob\00")
  (data (i32.const 0x2240) "conn_id_out_partly_oob\00")
  (data (i32.const 0x2280) "conn_id_bad_handle_and_pointer\00")
  (data (i32.const 0x22c0) "conn_uri_suffix\00")
  (data (i32.const 0x2300) "conn_uri_absolute\00")
  (data (i32.const 0x2340) "conn_uri_bad_handle\00")
  (data (i32.const 0x2380) "conn_state_empty\00")
  (data (i32.const 0x23c0) "conn_state_set\00")
  (data (i32.const 0x2400) "conn_state_get\00")
  (data (i32.const 0x2440) "conn_state_set_2048\00")
  (data (i32.const 0x2480) "conn_state_len\00")
  (data (i32.const 0x24c0) "conn_state_set_2049\00")
  (data (i32.const 0x2500) "conn_state_len_after_too_large\00")
  (data (i32.const 0x2540) "conn_state_set_oob\00")
  (data (i32.const 0x2580) "conn_state_set_bad_handle\00")
  (data (i32.const 0x25c0) "conn_state_set_oob_and_too_large\00")
  (data (i32.const 0x2600) "conn_state_set_empty\00")
  (data (i32.const 0x2640) "conn_state_len_after_empty\00")
  (data (i32.const 0x2680) "conn_state_get_bad_handle\00")
  (data (i32.const 0x26c0) "conn_state_get_out_oob\00")
  (data (i32.const 0x2700) "conn_find_self\00")
  (data (i32.const 0x2740) "conn_find_missing\00")
  (data (i32.const 0x2780) "conn_find_empty\00")
  (data (i32.const 0x27c0) "conn_find_oob\00")
  (data (i32.const 0x2800) "conn_list_all\00")
  (data (i32.const 0x2840) "conn_list_all_is_self\00")
  (data (i32.const 0x2880) "conn_list_len_only\00")
  (data (i32.const 0x28c0) "conn_list_tag_unknown\00")
  (data (i32.const 0x2900) "conn_list_out_oob\00")
  (data (i32.const 0x2940) "conn_list_tag_oob\00")
  (data (i32.const 0x2980) "conn_send_bad_handle\00")
  (data (i32.const 0x29c0) "conn_send_handle_0\00")
  (data (i32.const 0x2a00) "conn_send_kind_7\00")
  (data (i32.const 0x2a40) "conn_send_kind_negative\00")
  (data (i32.const 0x2a80) "conn_send_bad_utf8\00")
  (data (i32.const 0x2ac0) "conn_send_overlong_utf8\00")
  (data (i32.const 0x2b00) "conn_send_surrogate_utf8\00")
  (data (i32.const 0x2b40) "conn_send_truncated_utf8\00")
  (data (i32.const 0x2b80) "conn_send_oob\00")
  (data (i32.const 0x2bc0) "conn_send_partly_oob\00")
  (data (i32.const 0x2c00) "conn_send_bad_handle_and_pointer\00")
  (data (i32.const 0x2c40) "conn_send_pointer_and_kind\00")
  (data (i32.const 0x2c80) "conn_send_too_large_text\00")
  (data (i32.const 0x2cc0) "conn_send_too_large_binary\00")
  (data (i32.const 0x2d00) "conn_close_code_1001\00")
  (data (i32.const 0x2d40) "conn_close_code_999\00")
  (data (i32.const 0x2d80) "conn_close_code_2999\00")
  (data (i32.const 0x2dc0) "conn_close_code_5000\00")
  (data (i32.const 0x2e00) "conn_close_reason_124\00")
  (data (i32.const 0x2e40) "conn_close_reason_bad_utf8\00")
  (data (i32.const 0x2e80) "conn_close_bad_handle\00")
  (data (i32.const 0x2ec0) "conn_close_reason_oob\00")
  (data (i32.const 0x2f00) "conn_close_reason_124_and_code_1001\00")
  (data (i32.const 0x2f40) "conn_set_tags_wrong_hook\00")
  (data (i32.const 0x2f80) "broadcast_exclude_self\00")
  (data (i32.const 0x2fc0) "broadcast_kind_7\00")
  (data (i32.const 0x3000) "broadcast_bad_utf8\00")
  (data (i32.const 0x3040) "broadcast_oob\00")
  (data (i32.const 0x3080) "broadcast_exclude_oob\00")
  (data (i32.const 0x30c0) "broadcast_too_large\00")
  (data (i32.const 0x3100) "broadcast_all\00")
  (data (i32.const 0x3140) "broadcast_exclude_unknown\00")

  ;; ---- hooks ----
  (func (export "partyhost_on_message") (param $conn i32) (param $ptr i32) (param $len i32) (param $kind i32) (result i32)
    (if (i32.and (i32.eqz (local.get $kind)) (call $eq_str (local.get $ptr) (local.get $len) (i32.const 0x1000)))
      (then
        (global.set $conn (local.get $conn))
        (call $run (local.get $conn))
        (call $send_str (i32.const 0x1040))))
    (i32.const 0))

  (func $run (param $h i32)
    (local $n i32) (local $end i32)
    (local.set $end (call $mem_end))

    ;; ---- conn_id ----
    (local.set $n (call $conn_id (local.get $h) (i32.const 0x13000) (i32.const 4096)))
    (call $check_data (i32.const 0x2000) (i32.const 0x13000) (i32.const 4096) (local.get $n))
    (call $check (i32.const 0x2040) (call $conn_id (local.get $h) (i32.const 0) (i32.const 0)))
    ;; too small a buffer: full length back, nothing written
    (memory.fill (i32.const 0x13000) (i32.const 0x23) (i32.const 16))
    (call $check (i32.const 0x2080) (call $conn_id (local.get $h) (i32.const 0x13000) (i32.const 3)))
    (call $check (i32.const 0x20c0) (call $all_eq (i32.const 0x13000) (i32.const 16) (i32.const 0x23)))
    (local.set $n (call $conn_id (local.get $h) (i32.const 0x13000) (i32.const 6)))
    (call $check_data (i32.const 0x2100) (i32.const 0x13000) (i32.const 6) (local.get $n))
    (call $check (i32.const 0x2140) (call $conn_id (i32.const 999) (i32.const 0x13000) (i32.const 4096)))
    (call $check (i32.const 0x2180) (call $conn_id (i32.const 0) (i32.const 0x13000) (i32.const 4096)))
    (call $check (i32.const 0x21c0) (call $conn_id (i32.const -1) (i32.const 0x13000) (i32.const 4096)))
    (call $check (i32.const 0x2200) (call $conn_id (local.get $h) (i32.const 0xfffffff0) (i32.const 100)))
    (call $check (i32.const 0x2240) (call $conn_id (local.get $h) (i32.sub (local.get $end) (i32.const 2)) (i32.const 100)))
    (call $check (i32.const 0x2280) (call $conn_id (i32.const 999) (i32.const 0xfffffff0) (i32.const 100)))

    ;; ---- conn_uri ----
    (local.set $n (call $conn_uri (local.get $h) (i32.const 0x13000) (i32.const 4096)))
    (call $check (i32.const 0x22c0)
      (i32.and (i32.le_u (local.get $n) (i32.const 4096))
               (call $ends_with (i32.const 0x13000) (local.get $n) (i32.const 0x1100))))
    (call $check (i32.const 0x2300)
      (i32.and (i32.le_u (local.get $n) (i32.const 4096))
               (call $contains (i32.const 0x13000) (local.get $n) (i32.const 0x1140))))
    (call $check (i32.const 0x2340) (call $conn_uri (i32.const 999) (i32.const 0x13000) (i32.const 4096)))

    ;; ---- conn_state_get / conn_state_set ----
    (call $check (i32.const 0x2380) (call $conn_state_get (local.get $h) (i32.const 0x13000) (i32.const 4096)))
    (call $check (i32.const 0x23c0) (call $conn_state_set (local.get $h) (i32.const 0x1180) (i32.const 11)))
    (local.set $n (call $conn_state_get (local.get $h) (i32.const 0x13000) (i32.const 4096)))
    (call $check_data (i32.const 0x2400) (i32.const 0x13000) (i32.const 4096) (local.get $n))
    (memory.fill (i32.const 0x20000) (i32.const 0x73) (i32.const 4096))
    (call $check (i32.const 0x2440) (call $conn_state_set (local.get $h) (i32.const 0x20000) (i32.const 2048)))
    (call $check (i32.const 0x2480) (call $conn_state_get (local.get $h) (i32.const 0) (i32.const 0)))
    (call $check (i32.const 0x24c0) (call $conn_state_set (local.get $h) (i32.const 0x20000) (i32.const 2049)))
    (call $check (i32.const 0x2500) (call $conn_state_get (local.get $h) (i32.const 0) (i32.const 0)))
    (call $check (i32.const 0x2540) (call $conn_state_set (local.get $h) (i32.const 0xfffffff0) (i32.const 100)))
    (call $check (i32.const 0x2580) (call $conn_state_set (i32.const 999) (i32.const 0x1180) (i32.const 11)))
    (call $check (i32.const 0x25c0) (call $conn_state_set (local.get $h) (i32.const 0xfffff000) (i32.const 3000)))
    (call $check (i32.const 0x2600) (call $conn_state_set (local.get $h) (i32.const 0) (i32.const 0)))
    (call $check (i32.const 0x2640) (call $conn_state_get (local.get $h) (i32.const 0) (i32.const 0)))
    (call $check (i32.const 0x2680) (call $conn_state_get (i32.const 999) (i32.const 0x13000) (i32.const 4096)))
    (call $check (i32.const 0x26c0) (call $conn_state_get (local.get $h) (i32.const 0xfffffff0) (i32.const 100)))

    ;; ---- conn_find ----
    (call $check (i32.const 0x2700)
      (i32.eq (call $conn_find (i32.const 0x1080) (i32.const 6)) (local.get $h)))
    (call $check (i32.const 0x2740) (call $conn_find (i32.const 0x10c0) (i32.const 4)))
    (call $check (i32.const 0x2780) (call $conn_find (i32.const 0x10c0) (i32.const 0)))
    (call $check (i32.const 0x27c0) (call $conn_find (i32.const 0xfffffff0) (i32.const 100)))

    ;; ---- conn_list ----
    (i32.store (i32.const 0x13000) (i32.const 0))
    (call $check (i32.const 0x2800) (call $conn_list (i32.const 0) (i32.const 0) (i32.const 0x13000) (i32.const 4096)))
    (call $check (i32.const 0x2840) (i32.eq (i32.load (i32.const 0x13000)) (local.get $h)))
    (call $check (i32.const 0x2880) (call $conn_list (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)))
    (call $check (i32.const 0x28c0) (call $conn_list (i32.const 0x11c0) (i32.const 1) (i32.const 0x13000) (i32.const 4096)))
    (call $check (i32.const 0x2900) (call $conn_list (i32.const 0) (i32.const 0) (i32.const 0xfffffff0) (i32.const 100)))
    (call $check (i32.const 0x2940) (call $conn_list (i32.const 0xfffffff0) (i32.const 100) (i32.const 0x13000) (i32.const 4096)))

    ;; ---- conn_send errors (none of these sends anything) ----
    (call $check (i32.const 0x2980) (call $conn_send (i32.const 999) (i32.const 0x11c0) (i32.const 1) (i32.const 0)))
    (call $check (i32.const 0x29c0) (call $conn_send (i32.const 0) (i32.const 0x11c0) (i32.const 1) (i32.const 0)))
    (call $check (i32.const 0x2a00) (call $conn_send (local.get $h) (i32.const 0x11c0) (i32.const 1) (i32.const 7)))
    (call $check (i32.const 0x2a40) (call $conn_send (local.get $h) (i32.const 0x11c0) (i32.const 1) (i32.const -1)))
    (call $check (i32.const 0x2a80) (call $conn_send (local.get $h) (i32.const 0x12c0) (i32.const 1) (i32.const 0)))
    (call $check (i32.const 0x2ac0) (call $conn_send (local.get $h) (i32.const 0x12d0) (i32.const 2) (i32.const 0)))
    (call $check (i32.const 0x2b00) (call $conn_send (local.get $h) (i32.const 0x12e0) (i32.const 3) (i32.const 0)))
    (call $check (i32.const 0x2b40) (call $conn_send (local.get $h) (i32.const 0x12f0) (i32.const 2) (i32.const 0)))
    (call $check (i32.const 0x2b80) (call $conn_send (local.get $h) (i32.const 0xfffffff0) (i32.const 100) (i32.const 0)))
    (call $check (i32.const 0x2bc0) (call $conn_send (local.get $h) (i32.sub (local.get $end) (i32.const 2)) (i32.const 4) (i32.const 0)))
    (call $check (i32.const 0x2c00) (call $conn_send (i32.const 999) (i32.const 0xfffffff0) (i32.const 100) (i32.const 0)))
    (call $check (i32.const 0x2c40) (call $conn_send (local.get $h) (i32.const 0xfffffff0) (i32.const 100) (i32.const 7)))
    ;; 1 MiB + 1 bytes, with an invalid UTF-8 first byte: size is checked before content
    (memory.fill (i32.const 0x20000) (i32.const 0x61) (i32.const 0x100001))
    (i32.store8 (i32.const 0x20000) (i32.const 0xff))
    (call $check (i32.const 0x2c80) (call $conn_send (local.get $h) (i32.const 0x20000) (i32.const 0x100001) (i32.const 0)))
    (call $check (i32.const 0x2cc0) (call $conn_send (local.get $h) (i32.const 0x20000) (i32.const 0x100001) (i32.const 1)))

    ;; ---- conn_close errors (none of these closes anything) ----
    (call $check (i32.const 0x2d00) (call $conn_close (local.get $h) (i32.const 1001) (i32.const 0x11c0) (i32.const 1)))
    (call $check (i32.const 0x2d40) (call $conn_close (local.get $h) (i32.const 999) (i32.const 0x11c0) (i32.const 1)))
    (call $check (i32.const 0x2d80) (call $conn_close (local.get $h) (i32.const 2999) (i32.const 0x11c0) (i32.const 1)))
    (call $check (i32.const 0x2dc0) (call $conn_close (local.get $h) (i32.const 5000) (i32.const 0x11c0) (i32.const 1)))
    (memory.fill (i32.const 0x20000) (i32.const 0x61) (i32.const 124))
    (call $check (i32.const 0x2e00) (call $conn_close (local.get $h) (i32.const 4000) (i32.const 0x20000) (i32.const 124)))
    (call $check (i32.const 0x2e40) (call $conn_close (local.get $h) (i32.const 4000) (i32.const 0x12c0) (i32.const 1)))
    (call $check (i32.const 0x2e80) (call $conn_close (i32.const 999) (i32.const 4000) (i32.const 0x11c0) (i32.const 1)))
    (call $check (i32.const 0x2ec0) (call $conn_close (local.get $h) (i32.const 4000) (i32.const 0xfffffff0) (i32.const 100)))
    (call $check (i32.const 0x2f00) (call $conn_close (local.get $h) (i32.const 1001) (i32.const 0x20000) (i32.const 124)))

    ;; ---- conn_set_tags outside on_connect ----
    (call $check (i32.const 0x2f40) (call $conn_set_tags (local.get $h) (i32.const 0x1280) (i32.const 5)))

    ;; ---- broadcast ----
    (i32.store (i32.const 0x14000) (local.get $h))
    (call $check (i32.const 0x2f80)
      (call $broadcast (i32.const 0x1200) (i32.const 18) (i32.const 0) (i32.const 0x14000) (i32.const 1)))
    (call $check (i32.const 0x2fc0)
      (call $broadcast (i32.const 0x1200) (i32.const 18) (i32.const 7) (i32.const 0) (i32.const 0)))
    (call $check (i32.const 0x3000)
      (call $broadcast (i32.const 0x12c0) (i32.const 1) (i32.const 0) (i32.const 0) (i32.const 0)))
    (call $check (i32.const 0x3040)
      (call $broadcast (i32.const 0xfffffff0) (i32.const 100) (i32.const 0) (i32.const 0) (i32.const 0)))
    (call $check (i32.const 0x3080)
      (call $broadcast (i32.const 0x1200) (i32.const 18) (i32.const 0) (i32.const 0xfffffff0) (i32.const 1)))
    (memory.fill (i32.const 0x20000) (i32.const 0x61) (i32.const 0x100001))
    (call $check (i32.const 0x30c0)
      (call $broadcast (i32.const 0x20000) (i32.const 0x100001) (i32.const 0) (i32.const 0) (i32.const 0)))
    ;; these two send a frame each ("broadcast_frame ok", "broadcast_frame_exclude_unknown ok")
    (call $check (i32.const 0x3100)
      (call $broadcast (i32.const 0x1200) (i32.const 18) (i32.const 0) (i32.const 0) (i32.const 0)))
    (i32.store (i32.const 0x14000) (i32.const 999))
    (i32.store (i32.const 0x14004) (i32.const 0))
    (i32.store (i32.const 0x14008) (i32.const -5))
    (call $check (i32.const 0x3140)
      (call $broadcast (i32.const 0x1240) (i32.const 34) (i32.const 0) (i32.const 0x14000) (i32.const 3)))
  )
)
