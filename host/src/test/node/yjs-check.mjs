// Real Yjs clients (yjs with y-websocket's WebsocketProvider and y-partykit's provider, over `ws`)
// against the `yjs` party.
//
//   node host/src/test/node/yjs-check.mjs <port> edit <room>     3 clients edit, converge, a late joiner
//   node host/src/test/node/yjs-check.mjs <port> big <room>      a document over the message limit
//   node host/src/test/node/yjs-check.mjs <port> reload <room>   one client reads the document
//   node host/src/test/node/yjs-check.mjs <port> offline <room>  edits made offline merge on reconnect
//   node host/src/test/node/yjs-check.mjs <port> typing <room>   4,000 keystrokes, one update each
//   node host/src/test/node/yjs-check.mjs <port> readonly <room> <token>  only the token writes
//
// edit: three clients (two y-websocket, one y-partykit) edit text (with formats and embeds), a map (nested map, binary, any values),
// an array and an XML fragment at once; all replicas must reach the same state vector, delete set and JSON. A
// fourth client joining later must have it all at its first sync. One client's awareness must reach
// the others (the late joiner from the room's memory) and disappear once its socket closes without
// a goodbye. big: one client writes 1.2 MB of text in updates of 400 KB, then another
// (y-partykit) one update of 1.5 MB (which its provider sends in chunks), which a third follows; a late joiner
// must have it all at its first sync (the room sends it in parts under the 1 MiB message limit).
// offline: two clients sync, one goes offline, both edit (the offline one deletes text the other
// typed), it reconnects: both converge, and a late joiner has it all. typing: a writer types 4,000
// keystrokes (some backspaces) as an editor sends them, one update each, which a follower follows;
// prints the bytes sent and the size of yjs's own snapshot of the document, then disconnects (a
// caller checks what the room stores); the document read over HTTP is the same. readonly: a client with the token writes, one without it
// edits only its own replica: the room drops its updates. Every mode prints `yjs-state: <hash>` of the document's state vector, delete set
// and content, so a caller can compare them across a host restart; then `yjs-check: OK`. Bounded: 40 s.

import * as Y from "yjs";
import { WebsocketProvider } from "y-websocket";
import YPartyKitProvider from "y-partykit/provider";
import WS from "ws";
import { createHash } from "node:crypto";

const [port, mode, room, token] = [Number(process.argv[2]), process.argv[3], process.argv[4], process.argv[5]];
if (!Number.isInteger(port) || !["edit", "big", "reload", "offline", "typing", "readonly"].includes(mode) || !room) {
  console.error("usage: node yjs-check.mjs <port> edit|big|reload|offline|typing|readonly <room> [token]");
  process.exit(2);
}
setTimeout(() => fail("timeout after 40 s"), 40_000).unref();

function fail(why) {
  console.log(`yjs-check: FAIL ${why}`);
  process.exit(1);
}

// Node has BroadcastChannel: without disableBc, clients in one process would sync around the host.
function connect(name, kind, params = {}) {
  const doc = new Y.Doc();
  const provider =
    kind === "y-partykit"
      ? new YPartyKitProvider(`127.0.0.1:${port}`, room, doc, { party: "yjs", WebSocketPolyfill: WS, disableBc: true, params })
      : new WebsocketProvider(`ws://127.0.0.1:${port}/parties/yjs`, room, doc, { WebSocketPolyfill: WS, disableBc: true, params });
  return { name, doc, provider };
}

const synced = (c) =>
  new Promise((resolve) => (c.provider.synced ? resolve() : c.provider.once("sync", () => resolve())));

async function until(what, check, detail = () => "", ms = 20_000) {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) fail(`waited ${ms} ms for ${what}${detail()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

// The document as comparable JSON: state vector and delete set sorted by client, every shared type.
function state(doc) {
  const sv = [...Y.decodeStateVector(Y.encodeStateVector(doc)).entries()].sort((a, b) => a[0] - b[0]);
  const ds = [...Y.createDeleteSetFromStructStore(doc.store).clients.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([client, items]) => [client, items.map((i) => [i.clock, i.len])]);
  return canonical({
    sv,
    ds,
    text: doc.getText("text").toDelta(),
    map: doc.getMap("map").toJSON(),
    array: doc.getArray("array").toJSON(),
    xml: doc.getXmlFragment("xml").toString(),
  });
}

// JSON with object keys sorted (a map's keys come in each replica's own insertion order) and
// bytes as arrays.
function canonical(v) {
  if (v instanceof Uint8Array) return JSON.stringify({ binary: [...v] });
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (v && typeof v === "object") {
    const keys = Object.keys(v).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(",")}}`;
  }
  return JSON.stringify(v) ?? "null";
}

// Deterministic, so that a failure can be replayed.
let seed = 42;
const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const pick = (n) => Math.floor(random() * n);

function edit(c, round) {
  const { doc, name } = c;
  const text = doc.getText("text");
  const map = doc.getMap("map");
  const array = doc.getArray("array");
  doc.transact(() => {
    text.insert(pick(text.length + 1), `${name}${round} `, round % 3 === 0 ? { bold: true } : undefined);
    if (round % 5 === 0) text.insertEmbed(pick(text.length + 1), { image: `${name}.png` });
    if (round % 4 === 1 && text.length > 4) text.format(pick(text.length - 3), 3, { italic: name });
    if (round % 6 === 5 && text.length > 10) text.delete(pick(text.length - 2), 2);
    map.set(`${name}-last`, round);
    map.set("shared", { by: name, round, list: [1, "two", null, true] });
    if (round === 2) {
      const nested = new Y.Map();
      map.set(`${name}-nested`, nested);
      nested.set("deep", new Y.Array());
    }
    const nested = map.get(`${name}-nested`);
    if (nested) nested.get("deep").push([round]);
    if (round === 3) map.set(`${name}-bytes`, new Uint8Array([round, 255, 0]));
    array.insert(pick(array.length + 1), [`${name}:${round}`, round * 1.5]);
    if (round % 7 === 0) {
      const xml = doc.getXmlFragment("xml");
      const el = new Y.XmlElement(`p-${name}`);
      el.setAttribute("round", String(round));
      el.insert(0, [new Y.XmlText(`${name}${round}`)]);
      xml.insert(pick(xml.length + 1), [el]);
    }
    if (round % 4 === 3 && array.length > 2) array.delete(pick(array.length - 1), 1);
  });
}

const digest = (s) => `${createHash("sha256").update(s).digest("hex")} (${s.length} bytes of JSON)`;

if (mode === "reload") {
  const c = connect("reader", "y-websocket");
  await synced(c);
  const s = state(c.doc);
  if (c.doc.getText("text").length === 0) fail("the document is empty: " + s.slice(0, 1000));
  console.log(`yjs-state: ${digest(s)}`);
  console.log("yjs-check: OK");
  process.exit(0);
}

if (mode === "big") {
  const [writer, paster, follower] = [connect("w", "y-websocket"), connect("p", "y-partykit"), connect("f", "y-websocket")];
  await Promise.all([writer, paster, follower].map(synced));
  const text = writer.doc.getText("text");
  for (let i = 0; i < 3; i++) {
    text.insert(text.length, String.fromCharCode(97 + i).repeat(400_000)); // one 400 KB update each
    await new Promise((r) => setTimeout(r, 50));
  }
  await until("the follower's 1.2 MB", () => follower.doc.getText("text").length === 1_200_000);
  // A 1.5 MB update: y-partykit's provider sends it in chunks between text markers.
  await until("the paster's 1.2 MB", () => paster.doc.getText("text").length === 1_200_000);
  const pasted = paster.doc.getText("text");
  paster.doc.transact(() => {
    for (let i = 0; i < 3; i++) pasted.insert(400_000 * i + 1, String.fromCharCode(100 + i).repeat(500_000));
  });
  await until("the follower's 2.7 MB", () => follower.doc.getText("text").length === 2_700_000);
  const late = connect("late", "y-partykit");
  let atFirstSync = null;
  late.provider.once("sync", () => (atFirstSync = state(late.doc)));
  await until("the late joiner's first sync", () => atFirstSync !== null);
  const whole = state(writer.doc);
  if (atFirstSync !== whole) fail(`late joiner at first sync: ${late.doc.getText("text").length} characters`);
  console.log(`yjs-state: ${digest(whole)}`);
  console.log("yjs-check: OK");
  process.exit(0);
}

// A late joiner that must hold `expected` at its first sync.
async function lateJoiner(expected, kind = "y-partykit", params = {}) {
  const late = connect("late", kind, params);
  let atFirstSync = null;
  late.provider.once("sync", () => (atFirstSync = state(late.doc)));
  await until("the late joiner's first sync", () => atFirstSync !== null);
  if (atFirstSync !== expected) fail(`late joiner at first sync:\n${atFirstSync}\nexpected:\n${expected}`);
  return late;
}

if (mode === "offline") {
  const [a, b] = [connect("a", "y-websocket"), connect("b", "y-partykit")];
  await Promise.all([a, b].map(synced));
  for (let round = 0; round < 6; round++) edit(a, round);
  await until("b has a's edits", () => state(b.doc) === state(a.doc));
  b.provider.disconnect();
  await until("b offline", () => !b.provider.wsconnected);
  for (let round = 6; round < 20; round++) edit(a, round);
  const text = b.doc.getText("text");
  b.doc.transact(() => {
    text.delete(0, Math.min(5, text.length)); // deletes what a typed
    text.insert(0, "written offline ");
    b.doc.getMap("map").set("offline", { by: "b" });
    b.doc.getArray("array").push(["offline"]);
  });
  for (let round = 20; round < 26; round++) edit(b, round);
  if (state(b.doc) === state(a.doc)) fail("the replicas did not diverge");
  b.provider.connect();
  await until(
    "convergence after reconnecting",
    () => state(b.doc) === state(a.doc) && a.doc.getMap("map").get("offline")?.by === "b",
    () => `\na: ${state(a.doc)}\nb: ${state(b.doc)}`,
  );
  const converged = state(a.doc);
  await lateJoiner(converged, "y-websocket");
  console.log(`yjs-state: ${digest(converged)}`);
  console.log("yjs-check: OK");
  process.exit(0);
}

if (mode === "typing") {
  const [writer, follower] = [connect("w", "y-websocket"), connect("f", "y-partykit")];
  await Promise.all([writer, follower].map(synced));
  let sent = 0;
  writer.doc.on("update", (u) => (sent += u.length));
  const text = writer.doc.getText("text");
  let cursor = 0;
  for (let i = 0; i < 4_000; i++) {
    if (random() < 0.03) cursor = pick(text.length + 1); // the cursor jumps
    if (cursor > 0 && random() < 0.15) text.delete(--cursor, 1); // a backspace
    else text.insert(cursor++, String.fromCharCode(97 + pick(26)));
    if (i % 200 === 199) await new Promise((r) => setTimeout(r, 1));
  }
  await until("the follower", () => state(follower.doc) === state(writer.doc));
  const typed = state(writer.doc);
  await lateJoiner(typed);
  // The document over HTTP: one V1 update that Y.applyUpdate reads.
  const res = await fetch(`http://127.0.0.1:${port}/parties/yjs/${room}`);
  if (res.status !== 200) fail(`GET the document: ${res.status}`);
  const fetched = new Y.Doc();
  Y.applyUpdate(fetched, new Uint8Array(await res.arrayBuffer()));
  if (state(fetched) !== typed) fail(`the document over HTTP differs:\n${state(fetched)}\nexpected:\n${typed}`);
  console.log(`typing: sent ${sent} bytes in updates; yjs's own snapshot is ${Y.encodeStateAsUpdate(writer.doc).length} bytes`);
  console.log(`yjs-state: ${digest(typed)}`);
  console.log("yjs-check: OK");
  process.exit(0);
}

if (mode === "readonly") {
  const [writer, reader] = [connect("w", "y-websocket", { token }), connect("r", "y-partykit")];
  await Promise.all([writer, reader].map(synced));
  writer.doc.getText("text").insert(0, "by the writer");
  await until("the reader has the writer's text", () => reader.doc.getText("text").toString() === "by the writer");
  reader.doc.getText("text").insert(0, "by the reader ");
  reader.doc.getMap("map").set("reader", true);
  writer.doc.getMap("map").set("writer", true);
  await until("the reader has the writer's map entry", () => reader.doc.getMap("map").get("writer") === true);
  await new Promise((r) => setTimeout(r, 300)); // time for the reader's edits to arrive, were they relayed
  if (writer.doc.getMap("map").get("reader") !== undefined) fail("the read-only client's update reached the writer");
  const written = state(writer.doc);
  await lateJoiner(written, "y-websocket", { token });
  console.log(`yjs-state: ${digest(written)}`);
  console.log("yjs-check: OK");
  process.exit(0);
}

const clients = [connect("a", "y-websocket"), connect("b", "y-partykit"), connect("c", "y-websocket")];
await Promise.all(clients.map(synced));

// Awareness: a's state reaches b and c.
const [a, b, c] = clients;
a.provider.awareness.setLocalStateField("user", { name: "alice" });
const seesAlice = (x) => x.provider.awareness.getStates().get(a.doc.clientID)?.user?.name === "alice";
await until("alice's awareness at b and c", () => seesAlice(b) && seesAlice(c));

// Concurrent edits: every client edits each round, without waiting for the others.
for (let round = 0; round < 30; round++) {
  for (const x of clients) edit(x, round);
  if (round % 10 === 9) await new Promise((r) => setTimeout(r, 5));
}
await until(
  "convergence",
  () => clients.every((x) => state(x.doc) === state(a.doc)),
  () => clients.map((x) => `\n${x.name}: ${state(x.doc)}`).join(""),
);
const converged = state(a.doc);

// A pause, long enough for a host with a short roomIdleMs to hibernate the room (dropping its
// instance, so that the late joiner is served from storage and the connections' states).
await new Promise((r) => setTimeout(r, 1000));

// A late joiner: complete at its first sync, and told of alice by the room.
const late = connect("late", "y-partykit");
let atFirstSync = null;
let aliceAtFirstSync = false;
late.provider.once("sync", () => {
  atFirstSync = state(late.doc);
  aliceAtFirstSync = seesAlice(late); // the room sends the states it knows before its sync step 2
});
await until("the late joiner's first sync", () => atFirstSync !== null);
if (atFirstSync !== converged) fail(`late joiner at first sync:\n${atFirstSync}\nexpected:\n${converged}`);
if (!aliceAtFirstSync) fail("the late joiner did not know alice's awareness at its first sync");

// a's socket closes without a goodbye (no null state of its own): the room announces the removal.
a.provider.shouldConnect = false;
a.provider.ws.close();
// Within 5 s: the clients' own timeout of a silent state is 30 s.
await until(
  "alice's awareness removed",
  () => [b, c, late].every((x) => !x.provider.awareness.getStates().has(a.doc.clientID)),
  () => "",
  5_000,
);

console.log(`yjs-state: ${digest(converged)}`);
console.log(`yjs-check: OK ${converged.length} bytes of JSON`);
process.exit(0);
