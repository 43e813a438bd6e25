#!/bin/sh
# Compile every conformance module with wabt's wat2wasm (Debian package "wabt", tested with 1.0.32)
# into build/conformance/ and build/conformance/invalid/ (build/ is git-ignored).
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
src=$root/abi/conformance
out=$root/build/conformance
mkdir -p "$out/invalid"
for f in "$src"/*.wat; do
  wat2wasm "$f" -o "$out/$(basename "$f" .wat).wasm"
done
for f in "$src"/invalid/*.wat; do
  wat2wasm "$f" -o "$out/invalid/$(basename "$f" .wat).wasm"
done
echo "built $(ls "$out"/*.wasm | wc -l) modules and $(ls "$out"/invalid/*.wasm | wc -l) invalid modules into $out"
