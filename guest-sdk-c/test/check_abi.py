#!/usr/bin/env python3
"""Compare a module's partyhost imports and hook exports with abi/v1/abi.json.

    python3 guest-sdk-c/test/check_abi.py build/wasm/all_abi.wasm [abi/v1/abi.json]

Needs wasm2wat (wabt). Every import and export present must match its
signature; with --all every import and export listed in abi.json must exist.
"""
import json, re, subprocess, sys

args = [a for a in sys.argv[1:] if a != '--all']
require_all = '--all' in sys.argv
abi = json.load(open(args[1] if len(args) > 1 else 'abi/v1/abi.json'))
wat = subprocess.run(['wasm2wat', args[0]], check=True, capture_output=True, text=True).stdout
types = {m[1]: m[2] for m in re.finditer(r'\(type \(;(\d+);\) \(func(.*?)\)\)\n', wat)}

def sig(t):
    return (' '.join(re.findall(r'\(param ([^)]*)\)', t)).split(),
            ' '.join(re.findall(r'\(result ([^)]*)\)', t)).split())

imports = {m[2]: (m[1], sig(types[m[3]])) for m in
           re.finditer(r'\(import "(\w+)" "(\w+)" \(func \S+ \(type (\d+)\)', wat)}
funcs = {m[1]: m[2] for m in re.finditer(r'\(func \(;(\d+);\) \(type (\d+)\)', wat)}
exports = {m[1]: sig(types[funcs[m[2]]]) for m in re.finditer(r'\(export "(\w+)" \(func (\d+)\)\)', wat)}
bad = 0
for name, (module, s) in imports.items():
    if module == abi['importModule']:
        want = abi['imports'].get(name)
        ok = want is not None and s == (want['params'], want['results'])
    else:
        ok = module == 'wasi_snapshot_preview1' and name in abi['wasi']
    if not ok:
        print(f'bad import {module}.{name} {s}'); bad += 1
for name, want in abi['exports'].items():
    if name in exports and exports[name] != (want['params'], want['results']):
        print(f'bad export {name} {exports[name]}'); bad += 1
    if name not in exports and (require_all or name in abi['requiredExports']):
        print(f'missing export {name}'); bad += 1
if 'memory' not in re.findall(r'\(export "(\w+)" \(memory', wat):
    print('missing export memory'); bad += 1
if require_all:
    for name in abi['imports']:
        if name not in imports:
            print(f'missing import {name}'); bad += 1
print(f'{args[0]}: {len(imports)} imports, {len(exports)} function exports, {bad} problems')
sys.exit(1 if bad else 0)
