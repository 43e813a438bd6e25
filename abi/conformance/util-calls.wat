;; partyhost ABI v1 conformance module "util-calls" (WebSocket runner: util-calls.ws.expected).
;; On "run": room_id, party_name, config_get, log, now_ms, random_fill, and respond outside
;; on_request. One text frame per check, then "end".
(module
  (import "partyhost" "conn_send"   (func $conn_send   (param i32 i32 i32 i32) (result i32)))
  (import "partyhost" "room_id"     (func $room_id     (param i32 i32) (result i32)))
  (import "partyhost" "party_name"  (func $party_name  (param i32 i32) (result i32)))
  (import "partyhost" "config_get"  (func $config_get  (param i32 i32 i32 i32) (result i32)))
  (import "partyhost" "log"         (func $log         (param i32 i32 i32) (result i32)))
  (import "partyhost" "now_ms"      (func $now_ms      (result i64)))
  (import "partyhost" "random_fill" (func $random_fill (param i32 i32) (result i32)))
  (import "partyhost" "respond"     (func $respond     (param i32 i32 i32 i32 i32) (result i32)))

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
  (data (i32.const 0x1080) "conformance.unset.key\00")
  (data (i32.const 0x10c0) "util-calls conformance log line\00")

  ;; check names
  (data (i32.const 0x2000) "room_id\00")
  (data (i32.const 0x2040) "room_id_len_only\00")
  (data (i32.const 0x2080) "room_id_out_oob\00")
  (data (i32.const 0x20c0) "party_name\00")
  (data (i32.const 0x2100) "party_name_len_only\00")
  (data (i32.const 0x2140) "config_get_unset\00")
  (data (i32.const 0x2180) "config_get_key_oob\00")
  (data (i32.const 0x21c0) "config_get_unset_out_oob\00")
  (data (i32.const 0x2200) "log_debug\00")
  (data (i32.const 0x2240) "log_info\00")
  (data (i32.const 0x2280) "log_warn\00")
  (data (i32.const 0x22c0) "log_error\00")
  (data (i32.const 0x2300) "log_level_4\00")
  (data (i32.const 0x2340) "log_level_9\00")
  (data (i32.const 0x2380) "log_level_negative\00")
  (data (i32.const 0x23c0) "log_empty\00")
  (data (i32.const 0x2400) "log_20000_bytes\00")
  (data (i32.const 0x2440) "log_oob\00")
  (data (i32.const 0x2480) "now_ms_plausible\00")
  (data (i32.const 0x24c0) "random_fill_16\00")
  (data (i32.const 0x2500) "random_fill_16_nonzero\00")
  (data (i32.const 0x2540) "random_fill_0\00")
  (data (i32.const 0x2580) "random_fill_65536\00")
  (data (i32.const 0x25c0) "random_fill_65537\00")
  (data (i32.const 0x2600) "random_fill_70000\00")
  (data (i32.const 0x2640) "random_fill_oob\00")
  (data (i32.const 0x2680) "random_fill_partly_oob\00")
  (data (i32.const 0x26c0) "random_fill_oob_and_too_large\00")
  (data (i32.const 0x2700) "respond_wrong_hook\00")
  (data (i32.const 0x2740) "log_level_9_and_oob\00")
  (data (i32.const 0x2780) "log_empty_far_pointer\00")
  (data (i32.const 0x27c0) "random_fill_0_far_pointer\00")

  ;; ---- hooks ----
  (func (export "partyhost_on_message") (param $conn i32) (param $ptr i32) (param $len i32) (param $kind i32) (result i32)
    (if (i32.and (i32.eqz (local.get $kind)) (call $eq_str (local.get $ptr) (local.get $len) (i32.const 0x1000)))
      (then
        (global.set $conn (local.get $conn))
        (call $run)
        (call $send_str (i32.const 0x1040))))
    (i32.const 0))

  (func $run
    (local $n i32) (local $end i32) (local $t i64)
    (local.set $end (call $mem_end))

    ;; ---- room_id / party_name ----
    (local.set $n (call $room_id (i32.const 0x13000) (i32.const 4096)))
    (call $check_data (i32.const 0x2000) (i32.const 0x13000) (i32.const 4096) (local.get $n))
    (call $check (i32.const 0x2040) (call $room_id (i32.const 0) (i32.const 0)))
    (call $check (i32.const 0x2080) (call $room_id (i32.const 0xfffffff0) (i32.const 100)))
    (local.set $n (call $party_name (i32.const 0x13000) (i32.const 4096)))
    (call $check_data (i32.const 0x20c0) (i32.const 0x13000) (i32.const 4096) (local.get $n))
    (call $check (i32.const 0x2100) (call $party_name (i32.const 0) (i32.const 0)))

    ;; ---- config_get ----
    (call $check (i32.const 0x2140) (call $config_get (i32.const 0x1080) (i32.const 21) (i32.const 0x13000) (i32.const 4096)))
    (call $check (i32.const 0x2180) (call $config_get (i32.const 0xfffffff0) (i32.const 100) (i32.const 0x13000) (i32.const 4096)))
    (call $check (i32.const 0x21c0) (call $config_get (i32.const 0x1080) (i32.const 21) (i32.const 0xfffffff0) (i32.const 100)))

    ;; ---- log ----
    (call $check (i32.const 0x2200) (call $log (i32.const 0) (i32.const 0x10c0) (i32.const 31)))
    (call $check (i32.const 0x2240) (call $log (i32.const 1) (i32.const 0x10c0) (i32.const 31)))
    (call $check (i32.const 0x2280) (call $log (i32.const 2) (i32.const 0x10c0) (i32.const 31)))
    (call $check (i32.const 0x22c0) (call $log (i32.const 3) (i32.const 0x10c0) (i32.const 31)))
    (call $check (i32.const 0x2300) (call $log (i32.const 4) (i32.const 0x10c0) (i32.const 31)))
    (call $check (i32.const 0x2340) (call $log (i32.const 9) (i32.const 0x10c0) (i32.const 31)))
    (call $check (i32.const 0x2380) (call $log (i32.const -1) (i32.const 0x10c0) (i32.const 31)))
    (call $check (i32.const 0x23c0) (call $log (i32.const 1) (i32.const 0) (i32.const 0)))
    (memory.fill (i32.const 0x20000) (i32.const 0x6c) (i32.const 20000))
    (call $check (i32.const 0x2400) (call $log (i32.const 0) (i32.const 0x20000) (i32.const 20000)))
    (call $check (i32.const 0x2440) (call $log (i32.const 1) (i32.const 0xfffffff0) (i32.const 100)))
    (call $check (i32.const 0x2740) (call $log (i32.const 9) (i32.const 0xfffffff0) (i32.const 100)))
    ;; A view of 0 bytes names no memory: any pointer will do (section 1).
    (call $check (i32.const 0x2780) (call $log (i32.const 1) (i32.const 0xfffffff0) (i32.const 0)))
    (call $check (i32.const 0x27c0) (call $random_fill (i32.const 0xfffffff0) (i32.const 0)))

    ;; ---- now_ms: after 2023-11-14 (1700000000000) and before 2100-01-01 (4102444800000) ----
    (local.set $t (call $now_ms))
    (call $check (i32.const 0x2480)
      (i32.and (i64.gt_s (local.get $t) (i64.const 1700000000000))
               (i64.lt_s (local.get $t) (i64.const 4102444800000))))

    ;; ---- random_fill ----
    (memory.fill (i32.const 0x13000) (i32.const 0) (i32.const 16))
    (call $check (i32.const 0x24c0) (call $random_fill (i32.const 0x13000) (i32.const 16)))
    (call $check (i32.const 0x2500) (i32.eqz (call $all_eq (i32.const 0x13000) (i32.const 16) (i32.const 0))))
    (call $check (i32.const 0x2540) (call $random_fill (i32.const 0) (i32.const 0)))
    (call $check (i32.const 0x2580) (call $random_fill (i32.const 0x20000) (i32.const 65536)))
    (call $check (i32.const 0x25c0) (call $random_fill (i32.const 0x20000) (i32.const 65537)))
    (call $check (i32.const 0x2600) (call $random_fill (i32.const 0x20000) (i32.const 70000)))
    (call $check (i32.const 0x2640) (call $random_fill (i32.const 0xfffffff0) (i32.const 16)))
    (call $check (i32.const 0x2680) (call $random_fill (i32.sub (local.get $end) (i32.const 8)) (i32.const 16)))
    (call $check (i32.const 0x26c0) (call $random_fill (i32.const 0xfffffff0) (i32.const 70000)))

    ;; ---- respond outside on_request ----
    (call $check (i32.const 0x2700) (call $respond (i32.const 200) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)))
  )
)
