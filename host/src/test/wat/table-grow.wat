;; Test guest "table-grow": a table of 1 entry (at most 1,000,000). A message "g" grows it by 1,000;
;; every message is answered with table.grow's result and the table's size, as "RESULT SIZE".
(module
  (import "partyhost" "conn_send" (func $conn_send (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1 1)
  (table $t 1 1000000 funcref)
  (global $heap (mut i32) (i32.const 4096))

  (func (export "partyhost_abi_version") (result i32) (i32.const 1))

  (func (export "partyhost_alloc") (param $n i32) (result i32)
    (local $p i32)
    (local.set $p (global.get $heap))
    (global.set $heap (i32.add (local.get $p) (local.get $n)))
    (if (i32.gt_u (global.get $heap) (i32.const 65536)) (then (return (i32.const 0))))
    (local.get $p))

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
    (local $rc i32) (local $at i32)
    (global.set $heap (i32.const 4096))
    (local.set $rc (i32.const 0))
    (if (i32.eq (i32.load8_u (local.get $p)) (i32.const 103)) ;; "g"
      (then (local.set $rc (table.grow $t (ref.null func) (i32.const 1000)))))
    (local.set $at (call $decimal (local.get $rc) (i32.const 256)))
    (i32.store8 (local.get $at) (i32.const 32))
    (local.set $at (call $decimal (table.size $t) (i32.add (local.get $at) (i32.const 1))))
    (i32.ne (i32.const 0)
      (call $conn_send (local.get $conn) (i32.const 256) (i32.sub (local.get $at) (i32.const 256)) (i32.const 0))))
)
