;; Test guest for the host's services: when it starts, writes a line to WASI stdout (the host logs it at
;; INFO, tagged with party and room), one to WASI stderr (logged at WARNING) and logs one at DEBUG with
;; the log call; answers HTTP with its per-party config value "greeting".
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "partyhost" "config_get" (func $config_get (param i32 i32 i32 i32) (result i32)))
  (import "partyhost" "respond" (func $respond (param i32 i32 i32 i32 i32) (result i32)))
  (import "partyhost" "log" (func $log (param i32 i32 i32) (result i32)))
  (memory (export "memory") 1 2)
  (global $heap (mut i32) (i32.const 8192))
  (data (i32.const 0) "hello from wasi\n")      ;; 16 bytes
  (data (i32.const 32) "\00\00\00\00\10\00\00\00") ;; iovec {ptr 0, len 16}
  (data (i32.const 64) "greeting")               ;; 8 bytes
  (data (i32.const 80) "none")                   ;; 4 bytes
  (data (i32.const 96) "oops on stderr\n")      ;; 15 bytes
  (data (i32.const 112) "\60\00\00\00\0f\00\00\00") ;; iovec {ptr 96, len 15}
  (data (i32.const 128) "a debug line")          ;; 12 bytes

  (func (export "partyhost_abi_version") (result i32) (i32.const 1))
  (func (export "partyhost_alloc") (param $n i32) (result i32)
    (global.get $heap))

  (func (export "partyhost_on_start") (result i32)
    (drop (call $fd_write (i32.const 1) (i32.const 32) (i32.const 1) (i32.const 48)))
    (drop (call $fd_write (i32.const 2) (i32.const 112) (i32.const 1) (i32.const 48)))
    (drop (call $log (i32.const 0) (i32.const 128) (i32.const 12)))
    (i32.const 0))

  (func (export "partyhost_on_request") (param $ptr i32) (param $len i32) (result i32)
    (local $n i32)
    (local.set $n (call $config_get (i32.const 64) (i32.const 8) (i32.const 1024) (i32.const 256)))
    (if (i32.lt_s (local.get $n) (i32.const 0))
      (then (drop (call $respond (i32.const 404) (i32.const 0) (i32.const 0) (i32.const 80) (i32.const 4))))
      (else (drop (call $respond (i32.const 200) (i32.const 0) (i32.const 0) (i32.const 1024) (local.get $n)))))
    (i32.const 0))
)
