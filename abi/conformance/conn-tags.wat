;; partyhost ABI v1 conformance module "conn-tags" (WebSocket runner: conn-tags.ws.expected).
;; on_connect calls conn_set_tags with bad and good arguments (ending with ["red","blue"] and one
;; more failing call) and keeps the results; on "run" it prints them, then checks conn_tags,
;; conn_list by tag, and conn_set_tags outside on_connect. One text frame per check, then "end".
(module
  (import "partyhost" "conn_send"     (func $conn_send     (param i32 i32 i32 i32) (result i32)))
  (import "partyhost" "conn_set_tags" (func $conn_set_tags (param i32 i32 i32) (result i32)))
  (import "partyhost" "conn_tags"     (func $conn_tags     (param i32 i32 i32) (result i32)))
  (import "partyhost" "conn_list"     (func $conn_list     (param i32 i32 i32 i32) (result i32)))

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

  ;; ---- constant data ----
  (data (i32.const 0x1000) "run\00")
  (data (i32.const 0x1040) "end\00")
  (data (i32.const 0x1080) "red\00")
  (data (i32.const 0x10c0) "blue\00")
  (data (i32.const 0x1100) "green\00")
  (data (i32.const 0x1140) "RED\00")

  ;; tag lists (byte-string lists, ABI section 5); lengths in comments
  (data (i32.const 0x4000) "\03\00\00\00red\04\00\00\00blue")                    ;; ["red","blue"], 15
  (data (i32.const 0x4100) "\02\00\00\00t0\02\00\00\00t1\02\00\00\00t2\02\00\00\00t3\02\00\00\00t4"
                           "\02\00\00\00t5\02\00\00\00t6\02\00\00\00t7\02\00\00\00t8\02\00\00\00t9")
                                                                                 ;; 10 tags, 60
  (data (i32.const 0x4200) "\02\00\00\00t0\02\00\00\00t1\02\00\00\00t2\02\00\00\00t3\02\00\00\00t4"
                           "\02\00\00\00t5\02\00\00\00t6\02\00\00\00t7\02\00\00\00t8\02\00\00\00t9"
                           "\02\00\00\00ta")                                     ;; 11 tags, 66
  (data (i32.const 0x4300) "\00\00\00\00")                                       ;; [""], 4
  (data (i32.const 0x4400) "\01\00\00\00\ff")                                    ;; ["\xff"], 5
  (data (i32.const 0x4500) "\05\00\00\00a")                                      ;; item longer than the list, 5
  (data (i32.const 0x4600) "\01\00\00\00a\00")                                   ;; ["a"] + 1 stray byte, 6

  ;; check names; 0x2000 + 0x40*i is the name of the on_connect result i (stored at 0x14000 + 4*i)
  (data (i32.const 0x2000) "set_tags_bad_handle\00")
  (data (i32.const 0x2040) "set_tags_11_tags\00")
  (data (i32.const 0x2080) "set_tags_empty_tag\00")
  (data (i32.const 0x20c0) "set_tags_257_bytes\00")
  (data (i32.const 0x2100) "set_tags_bad_utf8\00")
  (data (i32.const 0x2140) "set_tags_bad_encoding\00")
  (data (i32.const 0x2180) "set_tags_trailing_bytes\00")
  (data (i32.const 0x21c0) "set_tags_oob\00")
  (data (i32.const 0x2200) "set_tags_10_tags\00")
  (data (i32.const 0x2240) "tags_len_after_10_tags\00")
  (data (i32.const 0x2280) "set_tags_256_bytes\00")
  (data (i32.const 0x22c0) "tags_len_after_256_bytes\00")
  (data (i32.const 0x2300) "set_tags_empty_list\00")
  (data (i32.const 0x2340) "tags_len_after_empty_list\00")
  (data (i32.const 0x2380) "set_tags_red_blue\00")
  (data (i32.const 0x23c0) "set_tags_11_tags_again\00")
  ;; names of the checks made on "run"
  (data (i32.const 0x2400) "message_handle_same\00")
  (data (i32.const 0x2440) "tags\00")
  (data (i32.const 0x2480) "tags_len\00")
  (data (i32.const 0x24c0) "tags_small_cap\00")
  (data (i32.const 0x2500) "conn_tags_bad_handle\00")
  (data (i32.const 0x2540) "conn_list_red\00")
  (data (i32.const 0x2580) "conn_list_red_is_self\00")
  (data (i32.const 0x25c0) "conn_list_blue\00")
  (data (i32.const 0x2600) "conn_list_green\00")
  (data (i32.const 0x2640) "conn_list_upper_red\00")
  (data (i32.const 0x2680) "conn_list_all\00")
  (data (i32.const 0x26c0) "set_tags_in_on_message\00")
  (data (i32.const 0x2700) "conn_tags_out_oob\00")

  (global $connect_handle (mut i32) (i32.const 0))

  ;; Store result i of on_connect.
  (func $keep (param $i i32) (param $v i32)
    (i32.store (i32.add (i32.const 0x14000) (i32.shl (local.get $i) (i32.const 2))) (local.get $v)))

  ;; ---- hooks ----
  (func (export "partyhost_on_connect") (param $conn i32) (param $req_ptr i32) (param $req_len i32) (result i32)
    (global.set $connect_handle (local.get $conn))
    (call $keep (i32.const 0) (call $conn_set_tags (i32.const 999) (i32.const 0x4000) (i32.const 15)))
    (call $keep (i32.const 1) (call $conn_set_tags (local.get $conn) (i32.const 0x4200) (i32.const 66)))
    (call $keep (i32.const 2) (call $conn_set_tags (local.get $conn) (i32.const 0x4300) (i32.const 4)))
    ;; one tag of 257 bytes at 0x20000: length prefix + 257 x "a"
    (i32.store (i32.const 0x20000) (i32.const 257))
    (memory.fill (i32.const 0x20004) (i32.const 0x61) (i32.const 257))
    (call $keep (i32.const 3) (call $conn_set_tags (local.get $conn) (i32.const 0x20000) (i32.const 261)))
    (call $keep (i32.const 4) (call $conn_set_tags (local.get $conn) (i32.const 0x4400) (i32.const 5)))
    (call $keep (i32.const 5) (call $conn_set_tags (local.get $conn) (i32.const 0x4500) (i32.const 5)))
    (call $keep (i32.const 6) (call $conn_set_tags (local.get $conn) (i32.const 0x4600) (i32.const 6)))
    (call $keep (i32.const 7) (call $conn_set_tags (local.get $conn) (i32.const 0xfffffff0) (i32.const 100)))
    (call $keep (i32.const 8) (call $conn_set_tags (local.get $conn) (i32.const 0x4100) (i32.const 60)))
    (call $keep (i32.const 9) (call $conn_tags (local.get $conn) (i32.const 0) (i32.const 0)))
    ;; one tag of 256 bytes
    (i32.store (i32.const 0x20000) (i32.const 256))
    (call $keep (i32.const 10) (call $conn_set_tags (local.get $conn) (i32.const 0x20000) (i32.const 260)))
    (call $keep (i32.const 11) (call $conn_tags (local.get $conn) (i32.const 0) (i32.const 0)))
    (call $keep (i32.const 12) (call $conn_set_tags (local.get $conn) (i32.const 0) (i32.const 0)))
    (call $keep (i32.const 13) (call $conn_tags (local.get $conn) (i32.const 0) (i32.const 0)))
    (call $keep (i32.const 14) (call $conn_set_tags (local.get $conn) (i32.const 0x4000) (i32.const 15)))
    ;; a failing call leaves the tags as they are
    (call $keep (i32.const 15) (call $conn_set_tags (local.get $conn) (i32.const 0x4200) (i32.const 66)))
    (i32.const 0))

  (func (export "partyhost_on_message") (param $conn i32) (param $ptr i32) (param $len i32) (param $kind i32) (result i32)
    (if (i32.and (i32.eqz (local.get $kind)) (call $eq_str (local.get $ptr) (local.get $len) (i32.const 0x1000)))
      (then
        (global.set $conn (local.get $conn))
        (call $run (local.get $conn))
        (call $send_str (i32.const 0x1040))))
    (i32.const 0))

  (func $run (param $h i32)
    (local $i i32) (local $n i32)
    ;; results of on_connect
    (loop $l
      (call $check (i32.add (i32.const 0x2000) (i32.shl (local.get $i) (i32.const 6)))
                   (i32.load (i32.add (i32.const 0x14000) (i32.shl (local.get $i) (i32.const 2)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 16))))

    (call $check (i32.const 0x2400) (i32.eq (local.get $h) (global.get $connect_handle)))

    ;; conn_tags, printed as the items joined with ","
    (local.set $n (call $conn_tags (local.get $h) (i32.const 0x13000) (i32.const 4096)))
    (call $line_begin (i32.const 0x2440))
    (if (i32.and (i32.ge_s (local.get $n) (i32.const 0)) (i32.le_s (local.get $n) (i32.const 4096)))
      (then
        (local.set $i (i32.const 0))
        (block $done
          (loop $l
            (br_if $done (i32.eqz (call $list_item (i32.const 0x13000) (local.get $n) (local.get $i))))
            (if (local.get $i) (then (call $put_char (i32.const 0x2c))))
            (call $put (global.get $item_ptr) (global.get $item_len))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $l))))
      (else
        (call $put_char (i32.const 0x3f))
        (call $put_int (local.get $n))))
    (call $line_end)
    (call $check (i32.const 0x2480) (local.get $n))
    (call $check (i32.const 0x24c0) (call $conn_tags (local.get $h) (i32.const 0x13000) (i32.const 4)))
    (call $check (i32.const 0x2500) (call $conn_tags (i32.const 999) (i32.const 0x13000) (i32.const 4096)))

    ;; conn_list by tag
    (i32.store (i32.const 0x13000) (i32.const 0))
    (call $check (i32.const 0x2540) (call $conn_list (i32.const 0x1080) (i32.const 3) (i32.const 0x13000) (i32.const 4096)))
    (call $check (i32.const 0x2580) (i32.eq (i32.load (i32.const 0x13000)) (local.get $h)))
    (call $check (i32.const 0x25c0) (call $conn_list (i32.const 0x10c0) (i32.const 4) (i32.const 0x13000) (i32.const 4096)))
    (call $check (i32.const 0x2600) (call $conn_list (i32.const 0x1100) (i32.const 5) (i32.const 0x13000) (i32.const 4096)))
    (call $check (i32.const 0x2640) (call $conn_list (i32.const 0x1140) (i32.const 3) (i32.const 0x13000) (i32.const 4096)))
    (call $check (i32.const 0x2680) (call $conn_list (i32.const 0) (i32.const 0) (i32.const 0x13000) (i32.const 4096)))

    (call $check (i32.const 0x26c0) (call $conn_set_tags (local.get $h) (i32.const 0x4000) (i32.const 15)))
    (call $check (i32.const 0x2700) (call $conn_tags (local.get $h) (i32.const 0xfffffff0) (i32.const 100)))
  )
)
