#!/usr/bin/env bash
# `make dev`: serves the examples like `make run`, with --watch, and rebuilds the parties whose
# sources change (examples-wasm, the SDKs). make rebuilds only what changed; the host swaps in each
# new module (its live rooms restart with 1012, so clients reconnect) and logs it. A build that
# fails is shown, and the previous modules serve on.
#
#   host/scripts/dev.sh PORT JAR WASM_DIR MAIN_PARTY     (JAVA_OPTS: the host's JVM options)
set -u
port=$1 jar=$2 wasm=$3 main=$4

# shellcheck disable=SC2086 # JAVA_OPTS holds several options
java ${JAVA_OPTS:-} -jar "$jar" --parties "$wasm" --main-party "$main" --port "$port" --watch &
host=$!
stamp=$(mktemp) built=$(mktemp) log=$(mktemp)
trap 'kill "$host" 2>/dev/null; wait "$host"; rm -f "$stamp" "$built" "$log"' EXIT
trap 'exit 0' INT TERM

sources() {
  find examples-wasm guest-sdk-rust/src guest-sdk-c -type f -newer "$1" \
    \( -name '*.rs' -o -name '*.c' -o -name '*.h' -o -name 'Cargo.toml' \) 2>/dev/null
}

while kill -0 "$host" 2>/dev/null; do
  sleep 1
  changed=$(sources "$stamp" | head -3 | tr '\n' ' ')
  [ -z "$changed" ] && continue
  touch "$stamp" "$built" # a change during the build is seen at the next round
  echo "dev: ${changed}changed: rebuilding"
  start=$(date +%s%N)
  if make --no-print-directory examples >"$log" 2>&1; then
    rebuilt=$(find "$wasm" -name '*.wasm' -newer "$built" -printf '%f ' 2>/dev/null)
    rebuilt=${rebuilt:-nothing }
    echo "dev: rebuilt ${rebuilt% } in $(( ($(date +%s%N) - start) / 1000000 )) ms"
  else
    echo "dev: the build failed (the previous modules serve on):"
    grep -E -A8 'error(\[|:)' "$log" | head -40
  fi
done
