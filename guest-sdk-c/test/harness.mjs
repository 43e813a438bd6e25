// A tiny fake partyhost host in Node (>= 20) to smoke-test the C examples:
//   node guest-sdk-c/test/harness.mjs build/wasm/counter.wasm build/wasm/relay-c.wasm
// It implements only what the examples need, following abi/v1/README.md:
// arguments go through partyhost_alloc, sends are recorded per hook.
import { readFileSync } from 'node:fs';
import { WASI } from 'node:wasi';
import assert from 'node:assert/strict';

const enc = new TextEncoder(), dec = new TextDecoder();

function list(items) {
  const bufs = items.map((s) => (typeof s === 'string' ? enc.encode(s) : s));
  const out = new Uint8Array(bufs.reduce((n, b) => n + 4 + b.length, 0));
  const dv = new DataView(out.buffer);
  let o = 0;
  for (const b of bufs) { dv.setUint32(o, b.length, true); out.set(b, o + 4); o += 4 + b.length; }
  return out;
}

function parseList(bytes) {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), items = [];
  for (let o = 0; o < bytes.length;) { const n = dv.getUint32(o, true); items.push(dec.decode(bytes.subarray(o + 4, o + 4 + n))); o += 4 + n; }
  return items;
}

async function load(path) {
  const bytes = readFileSync(path);
  const mod = await WebAssembly.compile(bytes);
  const room = { conns: new Set(), out: [], response: null };
  let inst;
  const mem = () => new Uint8Array(inst.exports.memory.buffer);
  const view = (p, n) => mem().slice(p, p + n);
  const partyhost = {
    conn_send(c, p, n, k) { if (!room.conns.has(c)) return -2; room.out.push({ to: c, data: view(p, n), kind: k }); return 0; },
    broadcast(p, n, k, ep, ec) {
      const dv = new DataView(inst.exports.memory.buffer), ex = new Set();
      for (let i = 0; i < ec; i++) ex.add(dv.getInt32(ep + 4 * i, true));
      let count = 0;
      for (const c of room.conns) if (!ex.has(c)) { room.out.push({ to: c, data: view(p, n), kind: k }); count++; }
      return count;
    },
    respond(status, hp, hn, bp, bn) { room.response = { status, headers: parseList(view(hp, hn)), body: dec.decode(view(bp, bn)) }; return 0; },
    log(level, p, n) { console.log(`[guest ${level}] ${dec.decode(view(p, n))}`); return 0; },
  };
  const imports = { partyhost };
  const needsWasi = WebAssembly.Module.imports(mod).some((i) => i.module === 'wasi_snapshot_preview1');
  let wasi;
  if (needsWasi) { wasi = new WASI({ version: 'preview1' }); imports.wasi_snapshot_preview1 = wasi.wasiImport; }
  for (const i of WebAssembly.Module.imports(mod))
    assert.ok(i.module === 'partyhost' || i.module === 'wasi_snapshot_preview1', `import ${i.module}.${i.name}`);
  inst = await WebAssembly.instantiate(mod, imports);
  const x = inst.exports;
  assert.equal(x.partyhost_abi_version(), 1);
  if (wasi) wasi.initialize(inst);
  if (x.partyhost_on_start) assert.equal(x.partyhost_on_start(), 0);
  const arg = (bytes) => {
    if (bytes.length === 0) return [0, 0];
    const p = x.partyhost_alloc(bytes.length) >>> 0;
    assert.ok(p !== 0 && p + bytes.length <= mem().length);
    mem().set(bytes, p);
    return [p, bytes.length];
  };
  const hook = (name, ...a) => { room.out = []; room.response = null; const r = x[name] ? x[name](...a) : 0; return { r, out: room.out, response: room.response }; };
  return {
    x, room, pages: () => x.memory.buffer.byteLength / 65536,
    connect(c) { room.conns.add(c); return hook('partyhost_on_connect', c, ...arg(list(['GET', 'http://h/parties/p/r', '', 'host', 'h']))); },
    message(c, data, kind = 0) { const b = typeof data === 'string' ? enc.encode(data) : data; return hook('partyhost_on_message', c, ...arg(b), kind); },
    close(c) { const h = hook('partyhost_on_close', c, 1000, ...arg(enc.encode('bye'))); room.conns.delete(c); return h; },
    request(method, body = '') {
      if (!x.partyhost_on_request) return { r: 0, response: { status: 404 } };
      return hook('partyhost_on_request', ...arg(list([method, 'http://h/parties/p/r', body, 'host', 'h'])));
    },
  };
}

const texts = (out) => out.map((m) => `${m.to}:${dec.decode(m.data)}`);
let checks = 0;
const eq = (a, b, msg) => { assert.deepEqual(a, b, msg); checks++; };

for (const path of process.argv.slice(2)) {
  const g = await load(path);
  if (path.includes('counter')) {
    eq(texts(g.connect(1).out), ['1:{"count":0}'], 'connect 1');
    eq(texts(g.connect(2).out), ['2:{"count":0}'], 'connect 2');
    eq(texts(g.message(1, 'inc').out), ['1:{"count":1}', '2:{"count":1}'], 'inc broadcast');
    eq(texts(g.message(1, 'hello').out), [], 'other text ignored');
    eq(texts(g.message(1, 'inc', 1).out), [], 'binary inc ignored');
    let q = g.request('GET');
    eq([q.r, q.response.status, q.response.body, q.response.headers], [0, 200, '{"count":1}', ['content-type', 'application/json']], 'GET');
    q = g.request('POST');
    eq([q.response.status, q.response.body], [200, '{"count":2}'], 'POST');
    q = g.request('DELETE');
    eq([q.response.status, q.response.headers], [405, ['allow', 'GET, POST']], 'DELETE');
    eq(g.close(2).r, 0, 'close');
    eq(texts(g.message(1, 'inc').out), ['1:{"count":3}'], 'after close');
    for (let i = 0; i < 100000; i++) g.message(1, 'inc');
    eq(g.request('GET').response.body, '{"count":100003}', 'many incs');
  } else {
    for (let c = 1; c <= 3; c++) eq(g.connect(c).out, [], `connect ${c}`);
    eq(texts(g.message(2, 'hi').out), ['1:hi', '3:hi'], 'relay text');
    const bin = g.message(1, new Uint8Array([0, 1, 2, 255]), 1).out;
    eq(bin.map((m) => [m.to, m.kind, [...m.data]]), [[2, 1, [0, 1, 2, 255]], [3, 1, [0, 1, 2, 255]]], 'relay binary');
    eq(texts(g.message(3, '').out), ['1:', '2:'], 'empty message');
    eq(g.request('GET').response.status, 404, 'no on_request export');
    const before = g.pages();
    for (let i = 0; i < 200000; i++) g.message(1 + (i % 3), new Uint8Array(1 + ((i * 7919) % 70000)), 1);
    eq(g.pages() <= before + 2, true, `memory stays flat (${before} -> ${g.pages()} pages)`);
    const big = new Uint8Array(15 * 1024 * 1024);
    eq(g.message(1, big, 1).out.length, 2, 'a 15 MiB message fits in 16 MiB');
    eq(g.message(1, 'x').out.length, 2, 'and memory is reusable afterwards');
  }
  console.log(`${path}: ok (${g.pages()} pages)`);
}
console.log(`${checks} passed, 0 failed`);
