;; Test guest "memory-budget": linear memory of 1 page and no maximum (the host's cap applies), no
;; table, for the host-wide memory budget tests. Messages: "m" grows memory by 16 pages (1 MiB), "f"
;; grows it 16 pages at a time, then 1, until memory.grow fails, "x" traps; each is answered "RESULT PAGES"
;; (the last memory.grow's result, the pages after). A request whose URL ends in "fill" grows as "f"
;; does; every request is answered 200 "PAGES".
(module
  (import "partyhost" "conn_send" (func $conn_send (param i32 i32 i32 i32) (result i32)))
  (import "partyhost" "respond" (func $respond (param i32 i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (global $heap (mut i32) (i32.const 4096))

  (func (export "partyhost_abi_version") (result i32) (i32.const 1))

  (func (export "partyhost_alloc") (param $n i32) (result i32)
    (local $p i32)
    (local.set $p (global.get $heap))
    (global.set $heap (i32.add (local.get $p) (local.get $n)))
    (if (i32.gt_u (global.get $heap) (i32.const 65536)) (then (return (i32.const 0))))
    (local.get $p))

  ;; Grows 16 pages at a time until refused, then one at a time until refused; returns -1.
  (func $fill (result i32)
    (loop $more
      (br_if $more (i32.ne (memory.grow (i32.const 16)) (i32.const -1))))
    (loop $more
      (br_if $more (i32.ne (memory.grow (i32.const 1)) (i32.const -1))))
    (i32.const -1))

  ;; Writes the signed decimal of v at $at, returns the position after it.
  (func $decimal (param $v i32) (param $at i32) (result i32)
    (local $start i32) (local $end i32) (local $t i32)
    (if (i32.lt_s (local.get $v) (i32.const 0))
      (then
        (i32.store8 (local.get $at) (i32.const 45))
        (local.set $at (i32.add (local.get $at) (i32.const 1)))
        (local.set $v (i32.sub (i32.const 0) (local.get $v)))))
    (local.set $start (local.get $at))
    (loop $digits
      (i32.store8 (local.get $at) (i32.add (i32.const 48) (i32.rem_u (local.get $v) (i32.const 10))))
      (local.set $at (i32.add (local.get $at) (i32.const 1)))
      (local.set $v (i32.div_u (local.get $v) (i32.const 10)))
      (br_if $digits (i32.ne (local.get $v) (i32.const 0))))
    (local.set $end (i32.sub (local.get $at) (i32.const 1)))
    (block $done
      (loop $swap
        (br_if $done (i32.ge_u (local.get $start) (local.get $end)))
        (local.set $t (i32.load8_u (local.get $start)))
        (i32.store8 (local.get $start) (i32.load8_u (local.get $end)))
        (i32.store8 (local.get $end) (local.get $t))
        (local.set $start (i32.add (local.get $start) (i32.const 1)))
        (local.set $end (i32.sub (local.get $end) (i32.const 1)))
        (br $swap)))
    (local.get $at))

  (func (export "partyhost_on_message") (param $conn i32) (param $p i32) (param $n i32) (param $kind i32) (result i32)
    (local $first i32) (local $rc i32) (local $at i32)
    (global.set $heap (i32.const 4096))
    (local.set $first (i32.load8_u (local.get $p)))
    (if (i32.eq (local.get $first) (i32.const 0x78)) (then unreachable)) ;; "x"
    (if (i32.eq (local.get $first) (i32.const 0x6d)) ;; "m"
      (then (local.set $rc (memory.grow (i32.const 16)))))
    (if (i32.eq (local.get $first) (i32.const 0x66)) ;; "f"
      (then (local.set $rc (call $fill))))
    (local.set $at (call $decimal (local.get $rc) (i32.const 256)))
    (i32.store8 (local.get $at) (i32.const 32))
    (local.set $at (call $decimal (memory.size) (i32.add (local.get $at) (i32.const 1))))
    (i32.ne (i32.const 0)
      (call $conn_send (local.get $conn) (i32.const 256) (i32.sub (local.get $at) (i32.const 256)) (i32.const 0))))

  ;; The record starts [u32 len][method][u32 len][url]: the URL's last byte "l" means "fill".
  (func (export "partyhost_on_request") (param $ptr i32) (param $len i32) (result i32)
    (local $u i32) (local $at i32)
    (global.set $heap (i32.const 4096))
    (local.set $u (i32.add (local.get $ptr) (i32.add (i32.const 4) (i32.load (local.get $ptr)))))
    (if (i32.eq (i32.load8_u (i32.add (local.get $u) (i32.add (i32.const 3) (i32.load (local.get $u)))))
                (i32.const 0x6c))
      (then (drop (call $fill))))
    (local.set $at (call $decimal (memory.size) (i32.const 256)))
    (drop (call $respond (i32.const 200) (i32.const 0) (i32.const 0) (i32.const 256) (i32.sub (local.get $at) (i32.const 256))))
    (i32.const 0))
)
