// NOT NORMATIVE. A throw-away mock of the partyhost ABI v1 host (one reading of abi/v1/README.md),
// used only to check that the conformance modules do what their .expected files say before the real
// host existed. It follows the runner protocol of ../README.md in memory (no sockets). The real
// host and its Java runner are what count; when they disagree with this file, this file is wrong.
//
// Usage (from the repo root, after abi/conformance/build.sh):
//   node --experimental-wasm-type-reflection abi/conformance/tools/mockhost.js .
// (Node >= 20; the flag gives import/export signatures.)
const fs = require('fs'), path = require('path'), crypto = require('crypto');
const root = process.argv[2] || '.';
const abi = JSON.parse(fs.readFileSync(path.join(root, 'abi/v1/abi.json'), 'utf8'));
// WASI preview1 signatures of the allowed subset (abi.json lists only the names).
const WASI = {clock_time_get: [['i32', 'i64', 'i32'], ['i32']], clock_res_get: [['i32', 'i32'], ['i32']],
  random_get: [['i32', 'i32'], ['i32']], fd_write: [['i32', 'i32', 'i32', 'i32'], ['i32']], fd_close: [['i32'], ['i32']],
  fd_seek: [['i32', 'i64', 'i32', 'i32'], ['i32']], fd_fdstat_get: [['i32', 'i32'], ['i32']],
  environ_get: [['i32', 'i32'], ['i32']], environ_sizes_get: [['i32', 'i32'], ['i32']], args_get: [['i32', 'i32'], ['i32']],
  args_sizes_get: [['i32', 'i32'], ['i32']], proc_exit: [['i32'], []], sched_yield: [[], ['i32']]};
const OK=0, NOT_FOUND=-1, BAD_HANDLE=-2, BAD_POINTER=-3, TOO_LARGE=-4, INVALID=-5, NOT_IMPL=-6, WRONG_HOOK=-8, CLOSED=-9;
const enc = new TextEncoder();
const utf8ok = (b) => { try { new TextDecoder('utf-8', {fatal: true}).decode(b); return true; } catch { return false; } };
const sameSig = (a, b) => JSON.stringify(a.parameters) === JSON.stringify(b.params) && JSON.stringify(a.results) === JSON.stringify(b.results);

function encodeList(items) {
  const parts = [];
  for (const it of items) { const b = typeof it === 'string' ? enc.encode(it) : it; const h = Buffer.alloc(4); h.writeUInt32LE(b.length); parts.push(h, Buffer.from(b)); }
  return Buffer.concat(parts);
}
function decodeList(b) {
  const out = []; let off = 0;
  while (off < b.length) { if (off + 4 > b.length) return null; const n = b.readUInt32LE(off); off += 4; if (n > b.length - off) return null; out.push(b.subarray(off, off + n)); off += n; }
  return out;
}

function validate(mod) {
  const exps = WebAssembly.Module.exports(mod), imps = WebAssembly.Module.imports(mod);
  for (const r of abi.requiredExports) if (!exps.find(e => e.name === r)) throw new Error('missing export ' + r);
  for (const i of imps) {
    if (i.module === 'partyhost' && abi.imports[i.name]) { if (i.kind !== 'function' || !sameSig(i.type, abi.imports[i.name])) throw new Error(`wrong signature for import ${i.module}.${i.name}`); continue; }
    if (i.module === 'wasi_snapshot_preview1' && abi.wasi.includes(i.name)) {
      const [params, results] = WASI[i.name]; if (i.kind !== 'function' || !sameSig(i.type, {params, results})) throw new Error(`wrong signature for import ${i.module}.${i.name}`); continue; }
    throw new Error(`unknown import ${i.module}.${i.name}`);
  }
  for (const e of exps) if (abi.exports[e.name] && (e.kind !== 'function' || !sameSig(e.type, abi.exports[e.name]))) throw new Error(`wrong signature for export ${e.name}`);
  const mem = exps.find(e => e.name === 'memory'); if (mem.kind !== 'memory') throw new Error('missing export memory');
}

function makeRoom(mod, party, room) {
  const conns = new Map(); let nextHandle = 1; let hook = null, hookConn = 0; let effects = []; let response = null;
  let inst, mem;
  const buf = () => Buffer.from(mem.buffer);
  const inMem = (p, l) => (p >>> 0) + (l >>> 0) <= mem.buffer.byteLength;
  const bytes = (p, l) => Buffer.from(buf().subarray(p >>> 0, (p >>> 0) + (l >>> 0)));
  const out = (data, p, cap) => { if (!inMem(p, cap)) return BAD_POINTER; if (data.length <= (cap >>> 0)) buf().set(data, p >>> 0); return data.length; };
  const conn = (h) => conns.get(h);
  const H = {
    conn_send(c, p, l, k) { const x = conn(c); if (!x) return BAD_HANDLE; if (!inMem(p, l)) return BAD_POINTER; if ((l >>> 0) > 1 << 20) return TOO_LARGE;
      if (k !== 0 && k !== 1) return INVALID; const b = bytes(p, l); if (k === 0 && !utf8ok(b)) return INVALID; if (!x.open) return CLOSED;
      effects.push({to: c, kind: k, data: b}); return OK; },
    broadcast(p, l, k, ep, ec) { if (!inMem(p, l)) return BAD_POINTER; if (ec < 0) return INVALID; if (!inMem(ep, ec * 4)) return BAD_POINTER; if ((l >>> 0) > 1 << 20) return TOO_LARGE;
      if (k !== 0 && k !== 1) return INVALID; const b = bytes(p, l); if (k === 0 && !utf8ok(b)) return INVALID;
      const ex = new Set(); for (let i = 0; i < ec; i++) ex.add(buf().readInt32LE(ep + 4 * i));
      let n = 0; for (const [h, x] of conns) if (x.open && !ex.has(h)) { effects.push({to: h, kind: k, data: b}); n++; } return n; },
    conn_close(c, code, rp, rl) { const x = conn(c); if (!x) return BAD_HANDLE; if (!inMem(rp, rl)) return BAD_POINTER; if ((rl >>> 0) > 123) return TOO_LARGE;
      if (!(code === 1000 || (code >= 3000 && code <= 4999))) return INVALID; const r = bytes(rp, rl); if (!utf8ok(r)) return INVALID; if (!x.open) return CLOSED;
      x.open = false; effects.push({to: c, close: code, reason: r.toString()}); return OK; },
    conn_id(c, p, cap) { const x = conn(c); if (!x) return BAD_HANDLE; return out(enc.encode(x.id), p, cap); },
    conn_uri(c, p, cap) { const x = conn(c); if (!x) return BAD_HANDLE; return out(enc.encode(x.uri), p, cap); },
    conn_find(p, l) { if (!inMem(p, l)) return BAD_POINTER; const id = bytes(p, l).toString(); for (const [h, x] of conns) if (x.open && x.id === id) return h; return NOT_FOUND; },
    conn_state_get(c, p, cap) { const x = conn(c); if (!x) return BAD_HANDLE; return out(x.state, p, cap); },
    conn_state_set(c, p, l) { const x = conn(c); if (!x) return BAD_HANDLE; if (!inMem(p, l)) return BAD_POINTER; if ((l >>> 0) > 2048) return TOO_LARGE; x.state = bytes(p, l); return OK; },
    conn_set_tags(c, p, l) { const x = conn(c); if (!x) return BAD_HANDLE; if (hook !== 'on_connect' || hookConn !== c) return WRONG_HOOK; if (!inMem(p, l)) return BAD_POINTER;
      const items = decodeList(bytes(p, l)); if (!items) return INVALID; if (items.length > 10) return TOO_LARGE;
      for (const t of items) { if (t.length > 256) return TOO_LARGE; } for (const t of items) { if (t.length === 0 || !utf8ok(t)) return INVALID; }
      x.tags = items.map(t => t.toString()); return OK; },
    conn_tags(c, p, cap) { const x = conn(c); if (!x) return BAD_HANDLE; return out(encodeList(x.tags), p, cap); },
    conn_list(tp, tl, p, cap) { if (!inMem(tp, tl) || !inMem(p, cap)) return BAD_POINTER; const tag = (tl >>> 0) > 0 ? bytes(tp, tl).toString() : null;
      const hs = [...conns].filter(([h, x]) => x.open && (tag === null || x.tags.includes(tag))).map(([h]) => h);
      const b = Buffer.alloc(4 * hs.length); hs.forEach((h, i) => b.writeInt32LE(h, 4 * i)); return out(b, p, cap); },
    room_id(p, cap) { return out(enc.encode(room), p, cap); },
    party_name(p, cap) { return out(enc.encode(party), p, cap); },
    respond(st, hp, hl, bp, bl) { if (hook !== 'on_request') return WRONG_HOOK; if (!inMem(hp, hl) || !inMem(bp, bl)) return BAD_POINTER; if ((bl >>> 0) > 16 << 20) return TOO_LARGE;
      if (st < 100 || st > 599) return INVALID; const hs = decodeList(bytes(hp, hl)); if (!hs || hs.length % 2) return INVALID;
      response = {status: st, headers: hs.map(String), body: bytes(bp, bl).toString()}; return OK; },
    config_get(kp, kl, p, cap) { if (!inMem(kp, kl) || !inMem(p, cap)) return BAD_POINTER; return NOT_FOUND; },
    log(lv, p, l) { if (!inMem(p, l)) return BAD_POINTER; if (lv < 0 || lv > 3) return INVALID; if (process.env.LOG) console.error(`[log ${lv}] ${party}/${room}: ${bytes(p, Math.min(l, 16384))}`); return OK; },
    now_ms() { return BigInt(Date.now()); },
    random_fill(p, l) { if (!inMem(p, l)) return BAD_POINTER; if ((l >>> 0) > 65536) return TOO_LARGE; buf().set(crypto.randomBytes(l >>> 0), p >>> 0); return OK; },
  };
  for (const n of ['storage_get', 'storage_put', 'storage_delete', 'storage_list', 'storage_delete_all', 'alarm_set', 'alarm_get', 'alarm_delete']) H[n] = () => NOT_IMPL;
  inst = new WebAssembly.Instance(mod, {partyhost: H});
  mem = inst.exports.memory;
  const pass = (data) => { if (data.length === 0) return 0; const p = inst.exports.partyhost_alloc(data.length); if (p === 0 || !inMem(p, data.length)) throw new Error('alloc failed'); buf().set(data, p >>> 0); return p; };
  const call = (name, conn, ...args) => { const f = inst.exports['partyhost_' + name]; if (!f) return 0; hook = name; hookConn = conn; try { return f(...args); } finally { hook = null; hookConn = 0; } };
  if (inst.exports._initialize) inst.exports._initialize();
  call('on_start', 0);
  return {
    connect(id, uri, record) { const h = nextHandle++; conns.set(h, {id, uri, state: Buffer.alloc(0), tags: [], open: true});
      const r = call('on_connect', h, h, pass(record), record.length); if (r) console.error('on_connect returned', r); return h; },
    message(h, text) { const d = Buffer.from(text); const r = call('on_message', h, h, pass(d), d.length, 0); if (r) console.error('on_message returned', r); },
    request(record) { response = null; const r = call('on_request', 0, pass(record), record.length); if (r) console.error('on_request returned', r); return response || {status: 500, body: ''}; },
    take() { const e = effects; effects = []; return e; },
  };
}

const src = path.join(root, 'abi/conformance'), bin = path.join(root, 'build/conformance'); let failed = 0;
const cases = [
  ...fs.readdirSync(src).filter(f => f.endsWith('.wat')).map(f => ({name: f.slice(0, -4), dir: src, wasm: path.join(bin, f.slice(0, -4) + '.wasm')})),
  ...fs.readdirSync(path.join(src, 'invalid')).filter(f => f.endsWith('.wat')).map(f => ({name: f.slice(0, -4), dir: path.join(src, 'invalid'), wasm: path.join(bin, 'invalid', f.slice(0, -4) + '.wasm')}))];
for (const {name, dir, wasm} of cases) {
  const mod = new WebAssembly.Module(fs.readFileSync(wasm));
  const reasonFile = path.join(dir, name + '.reason');
  if (fs.existsSync(reasonFile)) {
    const want = fs.readFileSync(reasonFile, 'utf8').trim(); let msg = 'accepted';
    try { validate(mod); const inst = new WebAssembly.Instance(mod, {partyhost: new Proxy({}, {get: () => () => 0})}); const v = inst.exports.partyhost_abi_version(); if (v !== 1) throw new Error('unsupported abi version ' + v + ' (this host serves 1)'); } catch (e) { msg = e.message; }
    const ok = msg.includes(want); if (!ok) failed++; console.log(`${ok ? 'PASS' : 'FAIL'} invalid/${name}: ${msg}`); continue;
  }
  validate(mod);
  const wsExp = path.join(dir, name + '.ws.expected'), httpExp = path.join(dir, name + '.http.expected');
  if (fs.existsSync(wsExp)) {
    const room = makeRoom(mod, name, 'room-1');
    const uri = `ws://host/parties/${name}/room-1?_pk=conf-1&x=1`;
    const rec = encodeList(['GET', `http://host/parties/${name}/room-1?_pk=conf-1&x=1`, '', 'host', 'host', 'upgrade', 'websocket', 'connection', 'Upgrade', 'sec-websocket-key', 'abc', 'sec-websocket-version', '13']);
    const h = room.connect('conf-1', uri, rec); const pre = room.take();
    room.message(h, 'run'); const effs = [...pre, ...room.take()];
    const lines = []; for (const e of effs) { if (e.to !== h) continue; if (e.close) { lines.push(`<close ${e.close}>`); continue; } if (e.kind !== 0) continue; const t = e.data.toString(); if (t === 'end') break; lines.push(t); }
    const got = lines.join('\n'), want = fs.readFileSync(wsExp, 'utf8').replace(/\n$/, '');
    report(name + ' ws', got, want);
  }
  if (fs.existsSync(httpExp)) {
    const room = makeRoom(mod, name, 'room-1');
    const rec = encodeList(['POST', `http://host/parties/${name}/room-1/sub/path?q=1`, 'hello', 'host', 'host', 'content-length', '5', 'x-test', 'yes', 'user-agent', 'Java-http-client/21']);
    const r = room.request(rec); const want = fs.readFileSync(httpExp, 'utf8').replace(/\n$/, '');
    report(name + ' http', `status ${r.status}\n` + r.body, 'status 200\n' + want);
  }
}
function report(what, got, want) {
  if (got === want) { console.log('PASS ' + what); return; }
  failed++; console.log('FAIL ' + what); const g = got.split('\n'), w = want.split('\n');
  for (let i = 0; i < Math.max(g.length, w.length); i++) if (g[i] !== w[i]) console.log(`  line ${i + 1}: got ${JSON.stringify(g[i])} want ${JSON.stringify(w[i])}`);
}
process.exit(failed ? 1 : 0);
