;; partyhost ABI v1 conformance module "storage-alarm" (WebSocket runner: storage-alarm.ws.expected).
;; On "run": the storage and alarm host calls of ABI v1.1 (section 7, "Storage" and "Alarm"):
;; get/put/delete with their limits (keys 1 byte to 2 KiB, values 0 to 2 MiB), out-buffer rules,
;; list order (unsigned bytes), prefix, bounds, limit and reverse, put_many/delete_many (all or
;; nothing), delete_all (the alarm stays), alarm set/get/replace/delete, BAD_POINTER and the check
;; order of section 4. One text frame per check, then "end". It starts with storage_delete_all and
;; ends with an empty store and no alarm (the one it sets lies in 2100 and is deleted again), so
;; nothing is left to fire. Memory grows on the first "run" by 2 MiB + 4 KiB for the big values.
(module
  (import "partyhost" "conn_send"           (func $conn_send           (param i32 i32 i32 i32) (result i32)))
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

  ;; ---- memory layout ----
  ;; 0x000000-0x000fff  unused
  ;; 0x001000-0x00ffff  constant data: NUL-terminated strings in 64-byte slots, byte lists
  ;; 0x010000-0x011fff  output buffer (one line, or the whole HTTP body)
  ;; 0x012000-0x01201f  digits for $put_int
  ;; 0x013000-0x013fff  scratch out buffer for host call results
  ;; 0x014000-0x01ffff  other scratch (exclude lists, saved results)
  ;; 0x020000-0x1fffff  big scratch (1 MiB + 1 messages, random_fill, long tags)
  ;; 0x200000-          heap of partyhost_alloc (bump allocator, grows memory)
  ;; In this module: 0x14000 holds the byte-string lists it builds, 0x20000 a 2049-byte key
  ;; ("kkk..."), and $big a region of 0x201000 bytes taken from the heap on the first "run" (memory
  ;; grows past the 40 declared pages) for the 2 MiB and 2 MiB + 1 values and a list holding one.
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

  ;; ==== helpers of this module ====

  (global $big (mut i32) (i32.const 0))   ;; 0x201000 bytes from the heap, taken on the first "run"

  ;; ---- building byte-string lists (ABI section 5) at $lb_base ----
  (global $lb_base (mut i32) (i32.const 0))
  (global $lb_pos (mut i32) (i32.const 0))

  (func $lb_start (param $p i32)
    (global.set $lb_base (local.get $p))
    (global.set $lb_pos (local.get $p)))

  ;; A raw u32 (an item length, or a bad one).
  (func $lb_u32 (param $v i32)
    (i32.store (global.get $lb_pos) (local.get $v))
    (global.set $lb_pos (i32.add (global.get $lb_pos) (i32.const 4))))

  ;; Raw bytes, no length in front.
  (func $lb_raw (param $src i32) (param $n i32)
    (memory.copy (global.get $lb_pos) (local.get $src) (local.get $n))
    (global.set $lb_pos (i32.add (global.get $lb_pos) (local.get $n))))

  ;; An item: the n bytes at src.
  (func $lb_item (param $src i32) (param $n i32)
    (call $lb_u32 (local.get $n))
    (call $lb_raw (local.get $src) (local.get $n)))

  ;; An item of n bytes, all equal to c.
  (func $lb_fill (param $n i32) (param $c i32)
    (call $lb_u32 (local.get $n))
    (memory.fill (global.get $lb_pos) (local.get $c) (local.get $n))
    (global.set $lb_pos (i32.add (global.get $lb_pos) (local.get $n))))

  ;; Bytes built since $lb_start.
  (func $lb_len (result i32)
    (i32.sub (global.get $lb_pos) (global.get $lb_base)))

  ;; ---- printing ----

  (func $hex_digit (param $d i32) (result i32)
    (i32.add (local.get $d) (select (i32.const 0x30) (i32.const 0x57) (i32.lt_u (local.get $d) (i32.const 10)))))

  ;; The n bytes at p, each byte outside 0x21..0x7e and each "," "=" "\" written as \xNN (lower
  ;; case). Stops when the output buffer is nearly full (a wrong result is never expected anyway).
  (func $put_escaped (param $p i32) (param $n i32)
    (local $i i32) (local $c i32)
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (br_if $done (i32.ge_u (global.get $out_len) (i32.const 0x1f00)))
        (local.set $c (i32.load8_u (i32.add (local.get $p) (local.get $i))))
        (if (i32.or
              (i32.or (i32.lt_u (local.get $c) (i32.const 0x21)) (i32.gt_u (local.get $c) (i32.const 0x7e)))
              (i32.or (i32.or (i32.eq (local.get $c) (i32.const 0x2c)) (i32.eq (local.get $c) (i32.const 0x3d)))
                      (i32.eq (local.get $c) (i32.const 0x5c))))
          (then
            (call $put_char (i32.const 0x5c))
            (call $put_char (i32.const 0x78))
            (call $put_char (call $hex_digit (i32.shr_u (local.get $c) (i32.const 4))))
            (call $put_char (call $hex_digit (i32.and (local.get $c) (i32.const 15)))))
          (else (call $put_char (local.get $c))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l))))

  ;; Line "<name> <listing>" for a storage_list result: n is what the call returned for the buffer
  ;; of cap bytes at 0x13000. The listing is "key=value" entries joined by "," (bytes escaped as in
  ;; $put_escaped); an empty list prints "(none)", a status or an over-long length "?<n>", a
  ;; malformed list or an odd number of items "?bad-list".
  (func $check_list (param $name i32) (param $cap i32) (param $n i32)
    (local $count i32) (local $i i32)
    (call $line_begin (local.get $name))
    (block $done
      (if (i32.or (i32.lt_s (local.get $n) (i32.const 0)) (i32.gt_s (local.get $n) (local.get $cap)))
        (then
          (call $put_char (i32.const 0x3f))
          (call $put_int (local.get $n))
          (br $done)))
      (local.set $count (call $list_count (i32.const 0x13000) (local.get $n)))
      (if (i32.or (i32.lt_s (local.get $count) (i32.const 0)) (i32.and (local.get $count) (i32.const 1)))
        (then
          (call $put_str (i32.const 0x10c0))
          (br $done)))
      (if (i32.eqz (local.get $count))
        (then
          (call $put_str (i32.const 0x1080))
          (br $done)))
      (loop $l
        (if (local.get $i) (then (call $put_char (i32.const 0x2c))))
        (drop (call $list_item (i32.const 0x13000) (local.get $n) (local.get $i)))
        (call $put_escaped (global.get $item_ptr) (global.get $item_len))
        (call $put_char (i32.const 0x3d))
        (drop (call $list_item (i32.const 0x13000) (local.get $n) (i32.add (local.get $i) (i32.const 1))))
        (call $put_escaped (global.get $item_ptr) (global.get $item_len))
        (local.set $i (i32.add (local.get $i) (i32.const 2)))
        (br_if $l (i32.lt_u (local.get $i) (local.get $count)))))
    (call $line_end))

  ;; storage_list into the scratch out buffer (0x13000, 4096 bytes).
  (func $list (param $prefix i32) (param $prefix_len i32) (param $start i32) (param $start_len i32)
              (param $end i32) (param $end_len i32) (param $limit i32) (param $reverse i32) (result i32)
    (call $storage_list (local.get $prefix) (local.get $prefix_len) (local.get $start) (local.get $start_len)
                        (local.get $end) (local.get $end_len) (local.get $limit) (local.get $reverse)
                        (i32.const 0x13000) (i32.const 4096)))

  ;; Signed decimal of an i64; digits are built backwards in 0x12000..0x1201f.
  (func $put_i64 (param $v i64)
    (local $u i64) (local $p i32)
    (local.set $u (local.get $v))
    (if (i64.lt_s (local.get $v) (i64.const 0))
      (then
        (call $put_char (i32.const 0x2d))
        (local.set $u (i64.sub (i64.const 0) (local.get $v)))))
    (local.set $p (i32.const 0x12020))
    (loop $l
      (local.set $p (i32.sub (local.get $p) (i32.const 1)))
      (i32.store8 (local.get $p)
        (i32.add (i32.const 0x30) (i32.wrap_i64 (i64.rem_u (local.get $u) (i64.const 10)))))
      (local.set $u (i64.div_u (local.get $u) (i64.const 10)))
      (br_if $l (i64.ne (local.get $u) (i64.const 0))))
    (call $put (local.get $p) (i32.sub (i32.const 0x12020) (local.get $p))))

  ;; Line "<name> <the i64 at p>" after alarm_get(p) returned s; "?<s>" when s is not 0.
  (func $check_alarm (param $name i32) (param $p i32) (param $s i32)
    (call $line_begin (local.get $name))
    (if (i32.eqz (local.get $s))
      (then (call $put_i64 (i64.load (local.get $p))))
      (else
        (call $put_char (i32.const 0x3f))
        (call $put_int (local.get $s))))
    (call $line_end))

  ;; ---- small things ----

  ;; 16 sentinel bytes "#" at the scratch out buffer, and whether they are all still there.
  (func $fill_sentinel
    (memory.fill (i32.const 0x13000) (i32.const 0x23) (i32.const 16)))
  (func $sentinel_ok (result i32)
    (call $all_eq (i32.const 0x13000) (i32.const 16) (i32.const 0x23)))

  ;; The first of two statuses that is not 0.
  (func $first_error (param $a i32) (param $b i32) (result i32)
    (select (local.get $a) (local.get $b) (local.get $a)))

  ;; Line "<name> <data>" for storage_get(key) into the scratch out buffer.
  (func $check_get (param $name i32) (param $key i32) (param $key_len i32)
    (call $check_data (local.get $name) (i32.const 0x13000) (i32.const 4096)
      (call $storage_get (local.get $key) (local.get $key_len) (i32.const 0x13000) (i32.const 4096))))

  ;; ---- constant data ----
  (data (i32.const 0x1000) "run\00")
  (data (i32.const 0x1040) "end\00")
  (data (i32.const 0x1080) "(none)\00")
  (data (i32.const 0x10c0) "?bad-list\00")
  (data (i32.const 0x1100) "greeting\00")
  (data (i32.const 0x1140) "hello\00")
  (data (i32.const 0x1180) "hello world\00")
  (data (i32.const 0x11c0) "empty\00")
  (data (i32.const 0x1200) "never\00")
  (data (i32.const 0x1240) "big\00")
  (data (i32.const 0x1280) "a\00")
  (data (i32.const 0x12c0) "b\00")
  (data (i32.const 0x1300) "b\00\00")   ;; key "b" 0x00, 2 bytes
  (data (i32.const 0x1340) "b\01\00")   ;; key "b" 0x01, 2 bytes (never stored: a start bound)
  (data (i32.const 0x1380) "ba\00")
  (data (i32.const 0x13c0) "b\80\00")   ;; key "b" 0x80, 2 bytes
  (data (i32.const 0x1400) "b\ff\00")   ;; key "b" 0xff, 2 bytes
  (data (i32.const 0x1440) "c\00")
  (data (i32.const 0x1480) "zz\00")
  (data (i32.const 0x14c0) "1\00")
  (data (i32.const 0x1500) "2\00")
  (data (i32.const 0x1540) "3\00")
  (data (i32.const 0x1580) "4\00")
  (data (i32.const 0x15c0) "5\00")
  (data (i32.const 0x1600) "6\00")
  (data (i32.const 0x1640) "7\00")
  (data (i32.const 0x1680) "m1\00")
  (data (i32.const 0x16c0) "v1\00")
  (data (i32.const 0x1700) "m2\00")
  (data (i32.const 0x1740) "v2\00")
  (data (i32.const 0x1780) "m3\00")
  (data (i32.const 0x17c0) "o1\00")
  (data (i32.const 0x1800) "o2\00")
  (data (i32.const 0x1840) "x\00")
  (data (i32.const 0x1880) "y\00")
  (data (i32.const 0x18c0) "changed\00")
  (data (i32.const 0x1900) "r\00")
  (data (i32.const 0x1940) "first\00")
  (data (i32.const 0x1980) "second\00")
  (data (i32.const 0x19c0) "nope\00")

  ;; check names
  (data (i32.const 0x2000) "memory_grow_for_2mib\00")
  (data (i32.const 0x2040) "storage_delete_all_first\00")
  (data (i32.const 0x2080) "storage_get_missing\00")
  (data (i32.const 0x20c0) "storage_get_missing_untouched\00")
  (data (i32.const 0x2100) "storage_put\00")
  (data (i32.const 0x2140) "storage_get\00")
  (data (i32.const 0x2180) "storage_put_overwrite\00")
  (data (i32.const 0x21c0) "storage_get_overwritten\00")
  (data (i32.const 0x2200) "storage_get_len_only\00")
  (data (i32.const 0x2240) "storage_get_small_cap\00")
  (data (i32.const 0x2280) "storage_get_small_cap_untouched\00")
  (data (i32.const 0x22c0) "storage_get_exact_cap\00")
  (data (i32.const 0x2300) "storage_put_empty_value\00")
  (data (i32.const 0x2340) "storage_get_empty_value\00")
  (data (i32.const 0x2380) "storage_put_empty_value_far_pointer\00")
  (data (i32.const 0x23c0) "storage_put_empty_key\00")
  (data (i32.const 0x2400) "storage_put_key_2048\00")
  (data (i32.const 0x2440) "storage_get_key_2048_len\00")
  (data (i32.const 0x2480) "storage_delete_key_2048\00")
  (data (i32.const 0x24c0) "storage_put_key_2049\00")
  (data (i32.const 0x2500) "storage_get_key_2049\00")
  (data (i32.const 0x2540) "storage_delete_key_2049\00")
  (data (i32.const 0x2580) "storage_put_value_2mib\00")
  (data (i32.const 0x25c0) "storage_get_value_2mib_len\00")
  (data (i32.const 0x2600) "storage_get_value_2mib\00")
  (data (i32.const 0x2640) "storage_get_value_2mib_ends\00")
  (data (i32.const 0x2680) "storage_delete_value_2mib\00")
  (data (i32.const 0x26c0) "storage_put_value_2mib_plus_1\00")
  (data (i32.const 0x2700) "storage_get_after_value_too_large\00")
  (data (i32.const 0x2740) "storage_put_overwrite_too_large\00")
  (data (i32.const 0x2780) "storage_get_after_overwrite_too_large\00")
  (data (i32.const 0x27c0) "storage_put_empty_key_and_value_too_large\00")
  (data (i32.const 0x2800) "storage_get_key_oob\00")
  (data (i32.const 0x2840) "storage_get_out_oob\00")
  (data (i32.const 0x2880) "storage_get_out_partly_oob\00")
  (data (i32.const 0x28c0) "storage_get_missing_out_oob\00")
  (data (i32.const 0x2900) "storage_get_key_2049_and_out_oob\00")
  (data (i32.const 0x2940) "storage_put_key_oob\00")
  (data (i32.const 0x2980) "storage_put_value_oob\00")
  (data (i32.const 0x29c0) "storage_put_value_partly_oob\00")
  (data (i32.const 0x2a00) "storage_get_after_put_oob\00")
  (data (i32.const 0x2a40) "storage_put_key_oob_and_too_large\00")
  (data (i32.const 0x2a80) "storage_put_key_2049_and_value_oob\00")
  (data (i32.const 0x2ac0) "storage_put_empty_key_and_value_oob\00")
  (data (i32.const 0x2b00) "storage_delete_oob\00")
  (data (i32.const 0x2b40) "storage_delete_oob_and_too_large\00")
  (data (i32.const 0x2b80) "storage_delete_existing\00")
  (data (i32.const 0x2bc0) "storage_delete_again\00")
  (data (i32.const 0x2c00) "storage_get_deleted\00")
  (data (i32.const 0x2c40) "storage_delete_missing\00")
  (data (i32.const 0x2c80) "storage_delete_empty_value\00")
  (data (i32.const 0x2cc0) "storage_put_list_keys\00")
  (data (i32.const 0x2d00) "storage_list_all\00")
  (data (i32.const 0x2d40) "storage_list_reverse\00")
  (data (i32.const 0x2d80) "storage_list_prefix_b\00")
  (data (i32.const 0x2dc0) "storage_list_prefix_b00\00")
  (data (i32.const 0x2e00) "storage_list_prefix_bff\00")
  (data (i32.const 0x2e40) "storage_list_prefix_no_match\00")
  (data (i32.const 0x2e80) "storage_list_start\00")
  (data (i32.const 0x2ec0) "storage_list_start_not_a_key\00")
  (data (i32.const 0x2f00) "storage_list_end\00")
  (data (i32.const 0x2f40) "storage_list_start_end\00")
  (data (i32.const 0x2f80) "storage_list_prefix_start_end\00")
  (data (i32.const 0x2fc0) "storage_list_start_after_end\00")
  (data (i32.const 0x3000) "storage_list_start_equals_end\00")
  (data (i32.const 0x3040) "storage_list_limit_2\00")
  (data (i32.const 0x3080) "storage_list_limit_2_reverse\00")
  (data (i32.const 0x30c0) "storage_list_prefix_end_limit_2_reverse\00")
  (data (i32.const 0x3100) "storage_list_start_end_limit_1_reverse\00")
  (data (i32.const 0x3140) "storage_list_prefix_limit_negative\00")
  (data (i32.const 0x3180) "storage_list_empty_views_far_pointer\00")
  (data (i32.const 0x31c0) "storage_list_len_only\00")
  (data (i32.const 0x3200) "storage_list_small_cap\00")
  (data (i32.const 0x3240) "storage_list_small_cap_untouched\00")
  (data (i32.const 0x3280) "storage_list_exact_cap\00")
  (data (i32.const 0x32c0) "storage_list_reverse_2\00")
  (data (i32.const 0x3300) "storage_list_reverse_negative\00")
  (data (i32.const 0x3340) "storage_list_prefix_oob\00")
  (data (i32.const 0x3380) "storage_list_start_oob\00")
  (data (i32.const 0x33c0) "storage_list_end_oob\00")
  (data (i32.const 0x3400) "storage_list_out_oob\00")
  (data (i32.const 0x3440) "storage_list_out_oob_and_reverse_2\00")
  (data (i32.const 0x3480) "storage_put_many\00")
  (data (i32.const 0x34c0) "storage_put_many_get_m1\00")
  (data (i32.const 0x3500) "storage_put_many_get_m2\00")
  (data (i32.const 0x3540) "storage_put_many_get_m3_empty\00")
  (data (i32.const 0x3580) "storage_put_many_empty_list\00")
  (data (i32.const 0x35c0) "storage_put_many_empty_list_far_pointer\00")
  (data (i32.const 0x3600) "storage_put_many_odd\00")
  (data (i32.const 0x3640) "storage_put_many_odd_get_o1\00")
  (data (i32.const 0x3680) "storage_put_many_item_past_end\00")
  (data (i32.const 0x36c0) "storage_put_many_item_past_end_get_o1\00")
  (data (i32.const 0x3700) "storage_put_many_truncated_length\00")
  (data (i32.const 0x3740) "storage_put_many_truncated_length_get_o1\00")
  (data (i32.const 0x3780) "storage_put_many_empty_key\00")
  (data (i32.const 0x37c0) "storage_put_many_empty_key_get_o1\00")
  (data (i32.const 0x3800) "storage_put_many_key_2049\00")
  (data (i32.const 0x3840) "storage_put_many_key_2049_get_o1\00")
  (data (i32.const 0x3880) "storage_put_many_key_2049_and_empty_key\00")
  (data (i32.const 0x38c0) "storage_put_many_value_too_large\00")
  (data (i32.const 0x3900) "storage_put_many_value_too_large_get_o1\00")
  (data (i32.const 0x3940) "storage_put_many_failing_overwrite\00")
  (data (i32.const 0x3980) "storage_put_many_failing_overwrite_get_m1\00")
  (data (i32.const 0x39c0) "storage_put_many_repeated_key\00")
  (data (i32.const 0x3a00) "storage_put_many_repeated_key_get\00")
  (data (i32.const 0x3a40) "storage_put_many_oob\00")
  (data (i32.const 0x3a80) "storage_put_many_partly_oob\00")
  (data (i32.const 0x3ac0) "storage_delete_many\00")
  (data (i32.const 0x3b00) "storage_delete_many_get_m1\00")
  (data (i32.const 0x3b40) "storage_delete_many_get_m3\00")
  (data (i32.const 0x3b80) "storage_delete_many_empty_list\00")
  (data (i32.const 0x3bc0) "storage_delete_many_empty_list_far_pointer\00")
  (data (i32.const 0x3c00) "storage_delete_many_key_2049\00")
  (data (i32.const 0x3c40) "storage_delete_many_key_2049_get_r\00")
  (data (i32.const 0x3c80) "storage_delete_many_truncated_length\00")
  (data (i32.const 0x3cc0) "storage_delete_many_truncated_length_get_r\00")
  (data (i32.const 0x3d00) "storage_delete_many_oob\00")
  (data (i32.const 0x3d40) "storage_delete_many_with_empty_value\00")
  (data (i32.const 0x3d80) "alarm_get_none\00")
  (data (i32.const 0x3dc0) "alarm_get_none_untouched\00")
  (data (i32.const 0x3e00) "alarm_get_oob\00")
  (data (i32.const 0x3e40) "alarm_get_partly_oob\00")
  (data (i32.const 0x3e80) "alarm_set\00")
  (data (i32.const 0x3ec0) "alarm_get\00")
  (data (i32.const 0x3f00) "alarm_get_value\00")
  (data (i32.const 0x3f40) "alarm_get_writes_8_bytes\00")
  (data (i32.const 0x3f80) "alarm_set_replace\00")
  (data (i32.const 0x3fc0) "alarm_get_replaced_value\00")
  (data (i32.const 0x4000) "alarm_get_unaligned\00")
  (data (i32.const 0x4040) "alarm_get_unaligned_value\00")
  (data (i32.const 0x4080) "alarm_get_oob_with_alarm\00")
  (data (i32.const 0x40c0) "storage_delete_all\00")
  (data (i32.const 0x4100) "storage_list_after_delete_all\00")
  (data (i32.const 0x4140) "storage_get_after_delete_all\00")
  (data (i32.const 0x4180) "alarm_get_after_delete_all_value\00")
  (data (i32.const 0x41c0) "alarm_delete\00")
  (data (i32.const 0x4200) "alarm_get_after_delete\00")
  (data (i32.const 0x4240) "alarm_get_after_delete_untouched\00")
  (data (i32.const 0x4280) "alarm_delete_none\00")

  ;; ---- hooks ----
  (func (export "partyhost_on_message") (param $conn i32) (param $ptr i32) (param $len i32) (param $kind i32) (result i32)
    (if (i32.and (i32.eqz (local.get $kind)) (call $eq_str (local.get $ptr) (local.get $len) (i32.const 0x1000)))
      (then
        (global.set $conn (local.get $conn))
        (call $run)
        (call $send_str (i32.const 0x1040))))
    (i32.const 0))

  (func $run
    (local $r i32) (local $v i32)

    ;; Scratch for the big values, from the heap (memory grows). Without it the run stops here.
    (if (i32.eqz (global.get $big))
      (then (global.set $big (call $alloc (i32.const 0x201000)))))
    (call $check (i32.const 0x2000) (i32.ne (global.get $big) (i32.const 0)))
    (if (i32.eqz (global.get $big)) (then (return)))
    (local.set $v (i32.add (global.get $big) (i32.const 0x100)))          ;; value bytes "vvv..."
    (memory.fill (local.get $v) (i32.const 0x76) (i32.const 0x200001))
    (memory.fill (i32.const 0x20000) (i32.const 0x6b) (i32.const 2049))   ;; key bytes "kkk..."

    ;; The runner starts on an empty store; make sure of it.
    (call $check (i32.const 0x2040) (call $storage_delete_all))

    ;; ---- storage_get / storage_put ----
    (call $fill_sentinel)
    (call $check (i32.const 0x2080)
      (call $storage_get (i32.const 0x1100) (i32.const 8) (i32.const 0x13000) (i32.const 4096)))
    (call $check (i32.const 0x20c0) (call $sentinel_ok))
    (call $check (i32.const 0x2100)
      (call $storage_put (i32.const 0x1100) (i32.const 8) (i32.const 0x1140) (i32.const 5)))
    (call $check_get (i32.const 0x2140) (i32.const 0x1100) (i32.const 8))
    (call $check (i32.const 0x2180)
      (call $storage_put (i32.const 0x1100) (i32.const 8) (i32.const 0x1180) (i32.const 11)))
    (call $check_get (i32.const 0x21c0) (i32.const 0x1100) (i32.const 8))
    (call $check (i32.const 0x2200)
      (call $storage_get (i32.const 0x1100) (i32.const 8) (i32.const 0) (i32.const 0)))
    ;; too small a buffer: full length back, nothing written
    (call $fill_sentinel)
    (call $check (i32.const 0x2240)
      (call $storage_get (i32.const 0x1100) (i32.const 8) (i32.const 0x13000) (i32.const 5)))
    (call $check (i32.const 0x2280) (call $sentinel_ok))
    (call $check_data (i32.const 0x22c0) (i32.const 0x13000) (i32.const 11)
      (call $storage_get (i32.const 0x1100) (i32.const 8) (i32.const 0x13000) (i32.const 11)))
    ;; an empty value exists (length 0, not NOT_FOUND); an empty view may point anywhere
    (call $check (i32.const 0x2300)
      (call $storage_put (i32.const 0x11c0) (i32.const 5) (i32.const 0) (i32.const 0)))
    (call $check (i32.const 0x2340)
      (call $storage_get (i32.const 0x11c0) (i32.const 5) (i32.const 0x13000) (i32.const 4096)))
    (call $check (i32.const 0x2380)
      (call $storage_put (i32.const 0x11c0) (i32.const 5) (i32.const 0xfffffff0) (i32.const 0)))

    ;; ---- limits: keys 1 byte to 2 KiB, values 0 to 2 MiB ----
    (call $check (i32.const 0x23c0)
      (call $storage_put (i32.const 0x1100) (i32.const 0) (i32.const 0x1140) (i32.const 5)))
    (call $check (i32.const 0x2400)
      (call $storage_put (i32.const 0x20000) (i32.const 2048) (i32.const 0x1140) (i32.const 5)))
    (call $check (i32.const 0x2440)
      (call $storage_get (i32.const 0x20000) (i32.const 2048) (i32.const 0) (i32.const 0)))
    (call $check (i32.const 0x2480)
      (call $storage_delete (i32.const 0x20000) (i32.const 2048)))
    (call $check (i32.const 0x24c0)
      (call $storage_put (i32.const 0x20000) (i32.const 2049) (i32.const 0x1140) (i32.const 5)))
    (call $check (i32.const 0x2500)
      (call $storage_get (i32.const 0x20000) (i32.const 2049) (i32.const 0x13000) (i32.const 4096)))
    (call $check (i32.const 0x2540)
      (call $storage_delete (i32.const 0x20000) (i32.const 2049)))
    (call $check (i32.const 0x2580)
      (call $storage_put (i32.const 0x1240) (i32.const 3) (local.get $v) (i32.const 0x200000)))
    (call $check (i32.const 0x25c0)
      (call $storage_get (i32.const 0x1240) (i32.const 3) (i32.const 0) (i32.const 0)))
    (memory.fill (local.get $v) (i32.const 0) (i32.const 0x200000))
    (call $check (i32.const 0x2600)
      (call $storage_get (i32.const 0x1240) (i32.const 3) (local.get $v) (i32.const 0x200000)))
    (call $check (i32.const 0x2640)
      (i32.and (call $all_eq (local.get $v) (i32.const 64) (i32.const 0x76))
               (call $all_eq (i32.add (local.get $v) (i32.const 0x1fffc0)) (i32.const 64) (i32.const 0x76))))
    (call $check (i32.const 0x2680)
      (call $storage_delete (i32.const 0x1240) (i32.const 3)))
    (memory.fill (local.get $v) (i32.const 0x76) (i32.const 0x200001))
    (call $check (i32.const 0x26c0)
      (call $storage_put (i32.const 0x1240) (i32.const 3) (local.get $v) (i32.const 0x200001)))
    (call $check (i32.const 0x2700)
      (call $storage_get (i32.const 0x1240) (i32.const 3) (i32.const 0) (i32.const 0)))
    (call $check (i32.const 0x2740)
      (call $storage_put (i32.const 0x1100) (i32.const 8) (local.get $v) (i32.const 0x200001)))
    (call $check_get (i32.const 0x2780) (i32.const 0x1100) (i32.const 8))
    (call $check (i32.const 0x27c0)
      (call $storage_put (i32.const 0x1100) (i32.const 0) (local.get $v) (i32.const 0x200001)))

    ;; ---- bad pointers: BAD_POINTER before sizes, content and NOT_FOUND ----
    (call $check (i32.const 0x2800)
      (call $storage_get (i32.const 0xfffffff0) (i32.const 100) (i32.const 0x13000) (i32.const 4096)))
    (call $check (i32.const 0x2840)
      (call $storage_get (i32.const 0x1100) (i32.const 8) (i32.const 0xfffffff0) (i32.const 100)))
    (call $check (i32.const 0x2880)
      (call $storage_get (i32.const 0x1100) (i32.const 8) (i32.sub (call $mem_end) (i32.const 2)) (i32.const 100)))
    (call $check (i32.const 0x28c0)
      (call $storage_get (i32.const 0x1200) (i32.const 5) (i32.const 0xfffffff0) (i32.const 100)))
    (call $check (i32.const 0x2900)
      (call $storage_get (i32.const 0x20000) (i32.const 2049) (i32.const 0xfffffff0) (i32.const 100)))
    (call $check (i32.const 0x2940)
      (call $storage_put (i32.const 0xfffffff0) (i32.const 100) (i32.const 0x1140) (i32.const 5)))
    (call $check (i32.const 0x2980)
      (call $storage_put (i32.const 0x1100) (i32.const 8) (i32.const 0xfffffff0) (i32.const 100)))
    (call $check (i32.const 0x29c0)
      (call $storage_put (i32.const 0x1100) (i32.const 8) (i32.sub (call $mem_end) (i32.const 2)) (i32.const 100)))
    (call $check_get (i32.const 0x2a00) (i32.const 0x1100) (i32.const 8))
    (call $check (i32.const 0x2a40)
      (call $storage_put (i32.const 0xfffff000) (i32.const 3000) (i32.const 0x1140) (i32.const 5)))
    (call $check (i32.const 0x2a80)
      (call $storage_put (i32.const 0x20000) (i32.const 2049) (i32.const 0xfffffff0) (i32.const 100)))
    (call $check (i32.const 0x2ac0)
      (call $storage_put (i32.const 0x1100) (i32.const 0) (i32.const 0xfffffff0) (i32.const 100)))
    (call $check (i32.const 0x2b00)
      (call $storage_delete (i32.const 0xfffffff0) (i32.const 100)))
    (call $check (i32.const 0x2b40)
      (call $storage_delete (i32.const 0xfffff000) (i32.const 3000)))

    ;; ---- storage_delete ----
    (call $check (i32.const 0x2b80)
      (call $storage_delete (i32.const 0x1100) (i32.const 8)))
    (call $check (i32.const 0x2bc0)
      (call $storage_delete (i32.const 0x1100) (i32.const 8)))
    (call $check (i32.const 0x2c00)
      (call $storage_get (i32.const 0x1100) (i32.const 8) (i32.const 0x13000) (i32.const 4096)))
    (call $check (i32.const 0x2c40)
      (call $storage_delete (i32.const 0x1200) (i32.const 5)))
    (call $check (i32.const 0x2c80)
      (call $storage_delete (i32.const 0x11c0) (i32.const 5)))

    ;; ---- storage_list ----
    ;; The store is empty now. Seven keys, put out of order; in unsigned byte order they are
    ;; a < b < b\x00 < ba < b\x80 < b\xff < c (signed bytes would put b\x80 and b\xff before b\x00).
    (local.set $r (call $storage_put (i32.const 0x1440) (i32.const 1) (i32.const 0x1640) (i32.const 1)))
    (local.set $r (call $first_error (local.get $r)
      (call $storage_put (i32.const 0x1400) (i32.const 2) (i32.const 0x1600) (i32.const 1))))
    (local.set $r (call $first_error (local.get $r)
      (call $storage_put (i32.const 0x1280) (i32.const 1) (i32.const 0x14c0) (i32.const 1))))
    (local.set $r (call $first_error (local.get $r)
      (call $storage_put (i32.const 0x13c0) (i32.const 2) (i32.const 0x15c0) (i32.const 1))))
    (local.set $r (call $first_error (local.get $r)
      (call $storage_put (i32.const 0x12c0) (i32.const 1) (i32.const 0x1500) (i32.const 1))))
    (local.set $r (call $first_error (local.get $r)
      (call $storage_put (i32.const 0x1380) (i32.const 2) (i32.const 0x1580) (i32.const 1))))
    (local.set $r (call $first_error (local.get $r)
      (call $storage_put (i32.const 0x1300) (i32.const 2) (i32.const 0x1540) (i32.const 1))))
    (call $check (i32.const 0x2cc0) (local.get $r))
    (call $check_list (i32.const 0x2d00) (i32.const 4096)
      (call $list (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)))
    (call $check_list (i32.const 0x2d40) (i32.const 4096)
      (call $list (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 1)))
    (call $check_list (i32.const 0x2d80) (i32.const 4096)
      (call $list (i32.const 0x12c0) (i32.const 1) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)))
    (call $check_list (i32.const 0x2dc0) (i32.const 4096)
      (call $list (i32.const 0x1300) (i32.const 2) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)))
    (call $check_list (i32.const 0x2e00) (i32.const 4096)
      (call $list (i32.const 0x1400) (i32.const 2) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)))
    (call $check_list (i32.const 0x2e40) (i32.const 4096)
      (call $list (i32.const 0x1480) (i32.const 2) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)))
    (call $check_list (i32.const 0x2e80) (i32.const 4096)
      (call $list (i32.const 0) (i32.const 0) (i32.const 0x13c0) (i32.const 2) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)))
    (call $check_list (i32.const 0x2ec0) (i32.const 4096)
      (call $list (i32.const 0) (i32.const 0) (i32.const 0x1340) (i32.const 2) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)))
    (call $check_list (i32.const 0x2f00) (i32.const 4096)
      (call $list (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0x12c0) (i32.const 1) (i32.const 0) (i32.const 0)))
    (call $check_list (i32.const 0x2f40) (i32.const 4096)
      (call $list (i32.const 0) (i32.const 0) (i32.const 0x1300) (i32.const 2) (i32.const 0x1400) (i32.const 2) (i32.const 0) (i32.const 0)))
    (call $check_list (i32.const 0x2f80) (i32.const 4096)
      (call $list (i32.const 0x12c0) (i32.const 1) (i32.const 0x1280) (i32.const 1) (i32.const 0x13c0) (i32.const 2) (i32.const 0) (i32.const 0)))
    (call $check_list (i32.const 0x2fc0) (i32.const 4096)
      (call $list (i32.const 0) (i32.const 0) (i32.const 0x1440) (i32.const 1) (i32.const 0x1280) (i32.const 1) (i32.const 0) (i32.const 0)))
    (call $check_list (i32.const 0x3000) (i32.const 4096)
      (call $list (i32.const 0) (i32.const 0) (i32.const 0x1380) (i32.const 2) (i32.const 0x1380) (i32.const 2) (i32.const 0) (i32.const 0)))
    (call $check_list (i32.const 0x3040) (i32.const 4096)
      (call $list (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 2) (i32.const 0)))
    (call $check_list (i32.const 0x3080) (i32.const 4096)
      (call $list (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 2) (i32.const 1)))
    (call $check_list (i32.const 0x30c0) (i32.const 4096)
      (call $list (i32.const 0x12c0) (i32.const 1) (i32.const 0) (i32.const 0) (i32.const 0x1400) (i32.const 2) (i32.const 2) (i32.const 1)))
    (call $check_list (i32.const 0x3100) (i32.const 4096)
      (call $list (i32.const 0) (i32.const 0) (i32.const 0x12c0) (i32.const 1) (i32.const 0x1440) (i32.const 1) (i32.const 1) (i32.const 1)))
    (call $check_list (i32.const 0x3140) (i32.const 4096)
      (call $list (i32.const 0x12c0) (i32.const 1) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const -1) (i32.const 0)))
    (call $check_list (i32.const 0x3180) (i32.const 4096)
      (call $list (i32.const 0xfffffff0) (i32.const 0) (i32.const 0xfffffff0) (i32.const 0) (i32.const 0xfffffff0) (i32.const 0) (i32.const 0) (i32.const 0)))
    ;; out-buffer rules; the prefix "b" listing is 5 entries of 4 + key + 4 + 1 bytes: 54 bytes
    (call $check (i32.const 0x31c0)
      (call $storage_list (i32.const 0x12c0) (i32.const 1) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)
                          (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)))
    (call $fill_sentinel)
    (call $check (i32.const 0x3200)
      (call $storage_list (i32.const 0x12c0) (i32.const 1) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)
                          (i32.const 0) (i32.const 0) (i32.const 0x13000) (i32.const 10)))
    (call $check (i32.const 0x3240) (call $sentinel_ok))
    (call $check_list (i32.const 0x3280) (i32.const 54)
      (call $storage_list (i32.const 0x12c0) (i32.const 1) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)
                          (i32.const 0) (i32.const 0) (i32.const 0x13000) (i32.const 54)))
    ;; errors
    (call $check (i32.const 0x32c0)
      (call $list (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 2)))
    (call $check (i32.const 0x3300)
      (call $list (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const -1)))
    (call $check (i32.const 0x3340)
      (call $list (i32.const 0xfffffff0) (i32.const 100) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)))
    (call $check (i32.const 0x3380)
      (call $list (i32.const 0) (i32.const 0) (i32.const 0xfffffff0) (i32.const 100) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)))
    (call $check (i32.const 0x33c0)
      (call $list (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0xfffffff0) (i32.const 100) (i32.const 0) (i32.const 0)))
    (call $check (i32.const 0x3400)
      (call $storage_list (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)
                          (i32.const 0) (i32.const 0) (i32.const 0xfffffff0) (i32.const 100)))
    (call $check (i32.const 0x3440)
      (call $storage_list (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)
                          (i32.const 0) (i32.const 2) (i32.const 0xfffffff0) (i32.const 100)))

    ;; ---- storage_put_many (all or nothing; o1 is the first key of every failing batch) ----
    (call $lb_start (i32.const 0x14000))
    (call $lb_item (i32.const 0x1680) (i32.const 2))
    (call $lb_item (i32.const 0x16c0) (i32.const 2))
    (call $lb_item (i32.const 0x1700) (i32.const 2))
    (call $lb_item (i32.const 0x1740) (i32.const 2))
    (call $lb_item (i32.const 0x1780) (i32.const 2))
    (call $lb_item (i32.const 0) (i32.const 0))
    (call $check (i32.const 0x3480) (call $storage_put_many (i32.const 0x14000) (call $lb_len)))
    (call $check_get (i32.const 0x34c0) (i32.const 0x1680) (i32.const 2))
    (call $check_get (i32.const 0x3500) (i32.const 0x1700) (i32.const 2))
    (call $check (i32.const 0x3540)
      (call $storage_get (i32.const 0x1780) (i32.const 2) (i32.const 0x13000) (i32.const 4096)))
    (call $check (i32.const 0x3580)
      (call $storage_put_many (i32.const 0) (i32.const 0)))
    (call $check (i32.const 0x35c0)
      (call $storage_put_many (i32.const 0xfffffff0) (i32.const 0)))
    ;; [o1, x, o2]: an odd number of items
    (call $lb_start (i32.const 0x14000))
    (call $lb_item (i32.const 0x17c0) (i32.const 2))
    (call $lb_item (i32.const 0x1840) (i32.const 1))
    (call $lb_item (i32.const 0x1800) (i32.const 2))
    (call $check (i32.const 0x3600) (call $storage_put_many (i32.const 0x14000) (call $lb_len)))
    (call $check (i32.const 0x3640)
      (call $storage_get (i32.const 0x17c0) (i32.const 2) (i32.const 0x13000) (i32.const 4096)))
    ;; [o1, x, o2] then an item of length 100 with 1 byte: it runs past the end of the list
    (call $lb_u32 (i32.const 100))
    (call $lb_raw (i32.const 0x1880) (i32.const 1))
    (call $check (i32.const 0x3680) (call $storage_put_many (i32.const 0x14000) (call $lb_len)))
    (call $check (i32.const 0x36c0)
      (call $storage_get (i32.const 0x17c0) (i32.const 2) (i32.const 0x13000) (i32.const 4096)))
    ;; [o1, x] then 2 bytes: a truncated item length
    (call $lb_start (i32.const 0x14000))
    (call $lb_item (i32.const 0x17c0) (i32.const 2))
    (call $lb_item (i32.const 0x1840) (i32.const 1))
    (call $lb_raw (i32.const 0x1800) (i32.const 2))
    (call $check (i32.const 0x3700) (call $storage_put_many (i32.const 0x14000) (call $lb_len)))
    (call $check (i32.const 0x3740)
      (call $storage_get (i32.const 0x17c0) (i32.const 2) (i32.const 0x13000) (i32.const 4096)))
    ;; [o1, x, "", y]: an empty key
    (call $lb_start (i32.const 0x14000))
    (call $lb_item (i32.const 0x17c0) (i32.const 2))
    (call $lb_item (i32.const 0x1840) (i32.const 1))
    (call $lb_item (i32.const 0) (i32.const 0))
    (call $lb_item (i32.const 0x1880) (i32.const 1))
    (call $check (i32.const 0x3780) (call $storage_put_many (i32.const 0x14000) (call $lb_len)))
    (call $check (i32.const 0x37c0)
      (call $storage_get (i32.const 0x17c0) (i32.const 2) (i32.const 0x13000) (i32.const 4096)))
    ;; [o1, x, kkk... (2049 bytes), y]
    (call $lb_start (i32.const 0x14000))
    (call $lb_item (i32.const 0x17c0) (i32.const 2))
    (call $lb_item (i32.const 0x1840) (i32.const 1))
    (call $lb_fill (i32.const 2049) (i32.const 0x6b))
    (call $lb_item (i32.const 0x1880) (i32.const 1))
    (call $check (i32.const 0x3800) (call $storage_put_many (i32.const 0x14000) (call $lb_len)))
    (call $check (i32.const 0x3840)
      (call $storage_get (i32.const 0x17c0) (i32.const 2) (i32.const 0x13000) (i32.const 4096)))
    ;; [kkk... (2049 bytes), x, "", y]: TOO_LARGE (size) before INVALID (content)
    (call $lb_start (i32.const 0x14000))
    (call $lb_fill (i32.const 2049) (i32.const 0x6b))
    (call $lb_item (i32.const 0x1840) (i32.const 1))
    (call $lb_item (i32.const 0) (i32.const 0))
    (call $lb_item (i32.const 0x1880) (i32.const 1))
    (call $check (i32.const 0x3880) (call $storage_put_many (i32.const 0x14000) (call $lb_len)))
    ;; [o1, x, o2, vvv... (2 MiB + 1 bytes)], built in the big region
    (call $lb_start (global.get $big))
    (call $lb_item (i32.const 0x17c0) (i32.const 2))
    (call $lb_item (i32.const 0x1840) (i32.const 1))
    (call $lb_item (i32.const 0x1800) (i32.const 2))
    (call $lb_fill (i32.const 0x200001) (i32.const 0x76))
    (call $check (i32.const 0x38c0) (call $storage_put_many (global.get $big) (call $lb_len)))
    (call $check (i32.const 0x3900)
      (call $storage_get (i32.const 0x17c0) (i32.const 2) (i32.const 0x13000) (i32.const 4096)))
    ;; [m1, changed, "", y] fails: m1 keeps its value
    (call $lb_start (i32.const 0x14000))
    (call $lb_item (i32.const 0x1680) (i32.const 2))
    (call $lb_item (i32.const 0x18c0) (i32.const 7))
    (call $lb_item (i32.const 0) (i32.const 0))
    (call $lb_item (i32.const 0x1880) (i32.const 1))
    (call $check (i32.const 0x3940) (call $storage_put_many (i32.const 0x14000) (call $lb_len)))
    (call $check_get (i32.const 0x3980) (i32.const 0x1680) (i32.const 2))
    ;; [r, first, r, second]: the last value wins
    (call $lb_start (i32.const 0x14000))
    (call $lb_item (i32.const 0x1900) (i32.const 1))
    (call $lb_item (i32.const 0x1940) (i32.const 5))
    (call $lb_item (i32.const 0x1900) (i32.const 1))
    (call $lb_item (i32.const 0x1980) (i32.const 6))
    (call $check (i32.const 0x39c0) (call $storage_put_many (i32.const 0x14000) (call $lb_len)))
    (call $check_get (i32.const 0x3a00) (i32.const 0x1900) (i32.const 1))
    (call $check (i32.const 0x3a40)
      (call $storage_put_many (i32.const 0xfffffff0) (i32.const 100)))
    (call $check (i32.const 0x3a80)
      (call $storage_put_many (i32.sub (call $mem_end) (i32.const 2)) (i32.const 100)))

    ;; ---- storage_delete_many (now stored: the seven list keys, m1, m2, m3 (empty value), r) ----
    (call $lb_start (i32.const 0x14000))
    (call $lb_item (i32.const 0x1680) (i32.const 2))
    (call $lb_item (i32.const 0x1700) (i32.const 2))
    (call $lb_item (i32.const 0x19c0) (i32.const 4))
    (call $check (i32.const 0x3ac0) (call $storage_delete_many (i32.const 0x14000) (call $lb_len)))
    (call $check (i32.const 0x3b00)
      (call $storage_get (i32.const 0x1680) (i32.const 2) (i32.const 0x13000) (i32.const 4096)))
    (call $check (i32.const 0x3b40)
      (call $storage_get (i32.const 0x1780) (i32.const 2) (i32.const 0x13000) (i32.const 4096)))
    (call $check (i32.const 0x3b80)
      (call $storage_delete_many (i32.const 0) (i32.const 0)))
    (call $check (i32.const 0x3bc0)
      (call $storage_delete_many (i32.const 0xfffffff0) (i32.const 0)))
    ;; [r, kkk... (2049 bytes)]: nothing deleted
    (call $lb_start (i32.const 0x14000))
    (call $lb_item (i32.const 0x1900) (i32.const 1))
    (call $lb_fill (i32.const 2049) (i32.const 0x6b))
    (call $check (i32.const 0x3c00) (call $storage_delete_many (i32.const 0x14000) (call $lb_len)))
    (call $check_get (i32.const 0x3c40) (i32.const 0x1900) (i32.const 1))
    ;; [r] then 2 bytes: a truncated item length; nothing deleted
    (call $lb_start (i32.const 0x14000))
    (call $lb_item (i32.const 0x1900) (i32.const 1))
    (call $lb_raw (i32.const 0x1800) (i32.const 2))
    (call $check (i32.const 0x3c80) (call $storage_delete_many (i32.const 0x14000) (call $lb_len)))
    (call $check_get (i32.const 0x3cc0) (i32.const 0x1900) (i32.const 1))
    (call $check (i32.const 0x3d00)
      (call $storage_delete_many (i32.const 0xfffffff0) (i32.const 100)))
    ;; [r, m3]: both exist (m3 with an empty value)
    (call $lb_start (i32.const 0x14000))
    (call $lb_item (i32.const 0x1900) (i32.const 1))
    (call $lb_item (i32.const 0x1780) (i32.const 2))
    (call $check (i32.const 0x3d40) (call $storage_delete_many (i32.const 0x14000) (call $lb_len)))

    ;; ---- alarm (T1 = 2100-01-01, T2 = 2101-01-01, UTC: far enough never to fire) ----
    (call $fill_sentinel)
    (call $check (i32.const 0x3d80) (call $alarm_get (i32.const 0x13000)))
    (call $check (i32.const 0x3dc0) (call $sentinel_ok))
    (call $check (i32.const 0x3e00) (call $alarm_get (i32.const 0xfffffffc)))
    (call $check (i32.const 0x3e40) (call $alarm_get (i32.sub (call $mem_end) (i32.const 4))))
    (call $check (i32.const 0x3e80) (call $alarm_set (i64.const 4102444800000)))
    (call $fill_sentinel)
    (local.set $r (call $alarm_get (i32.const 0x13000)))
    (call $check (i32.const 0x3ec0) (local.get $r))
    (call $check_alarm (i32.const 0x3f00) (i32.const 0x13000) (local.get $r))
    (call $check (i32.const 0x3f40) (call $all_eq (i32.const 0x13008) (i32.const 8) (i32.const 0x23)))
    (call $check (i32.const 0x3f80) (call $alarm_set (i64.const 4133980800000)))
    (local.set $r (call $alarm_get (i32.const 0x13000)))
    (call $check_alarm (i32.const 0x3fc0) (i32.const 0x13000) (local.get $r))
    (local.set $r (call $alarm_get (i32.const 0x13001)))
    (call $check (i32.const 0x4000) (local.get $r))
    (call $check_alarm (i32.const 0x4040) (i32.const 0x13001) (local.get $r))
    (call $check (i32.const 0x4080) (call $alarm_get (i32.const 0xfffffff0)))

    ;; ---- storage_delete_all: every key goes, the alarm stays ----
    (call $check (i32.const 0x40c0) (call $storage_delete_all))
    (call $check_list (i32.const 0x4100) (i32.const 4096)
      (call $list (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)))
    (call $check (i32.const 0x4140)
      (call $storage_get (i32.const 0x1280) (i32.const 1) (i32.const 0x13000) (i32.const 4096)))
    (local.set $r (call $alarm_get (i32.const 0x13000)))
    (call $check_alarm (i32.const 0x4180) (i32.const 0x13000) (local.get $r))

    ;; ---- alarm_delete: the room ends with no alarm ----
    (call $check (i32.const 0x41c0) (call $alarm_delete))
    (call $fill_sentinel)
    (call $check (i32.const 0x4200) (call $alarm_get (i32.const 0x13000)))
    (call $check (i32.const 0x4240) (call $sentinel_ok))
    (call $check (i32.const 0x4280) (call $alarm_delete))
  )
)
