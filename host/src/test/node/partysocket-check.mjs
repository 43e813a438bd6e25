// Drives a running partyhost server with PartyKit's real, unmodified npm client `partysocket`.
//
//   npm ci --prefix host/src/test/node
//   node host/src/test/node/partysocket-check.mjs <port>
//
// Expects the server's `chat` party (which is also the main party) on 127.0.0.1:<port>:
//   - on connect: {"type":"history","messages":[{"from":ID,"text":T},...]} (last 100 of the room)
//   - a text message from a client goes to every OTHER connection of the room as
//     {"type":"message","from":"<connection id>","text":"<text>"} and is appended to the history
//   - connection id = the `_pk` query parameter (partysocket's `id` option)
//
// Prints one closing line `partysocket: N passed, M failed`; exits 0 only if every check passed.
// Bounded: the whole run is limited to 20 s; any failure or timeout exits 1 with a message.

import PartySocket from "partysocket";
import WS from "ws";

const OVERALL_TIMEOUT_MS = 20_000;
const WAIT_MS = 5_000; // one expected message
const QUIET_MS = 300; // window in which an unexpected message must NOT arrive

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  console.error("usage: node partysocket-check.mjs <port>");
  process.exit(2);
}
const host = `127.0.0.1:${port}`;
const room = `ps-check-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

let passed = 0;
const sockets = [];
let finished = false;

function log(line) {
  console.log(`partysocket-check: ${line}`);
}

function pass(name) {
  passed++;
  log(`PASS ${name}`);
}

function finish(code, why) {
  if (finished) return;
  finished = true;
  if (why) console.error(`partysocket-check: FAIL ${why}`);
  console.log(`partysocket: ${passed} passed, ${code === 0 ? 0 : 1} failed`);
  for (const s of sockets) {
    try {
      s.close();
    } catch {
      // ignore
    }
  }
  // Give the close frames a moment to go out, then leave (also if something keeps the loop alive).
  setTimeout(() => process.exit(code), 100);
}

const overall = setTimeout(
  () => finish(1, `overall timeout: not done after ${OVERALL_TIMEOUT_MS} ms (room ${room})`),
  OVERALL_TIMEOUT_MS,
);
overall.unref();
process.on("unhandledRejection", (e) => finish(1, `unhandled rejection: ${e?.stack || e}`));
process.on("uncaughtException", (e) => finish(1, `uncaught exception: ${e?.stack || e}`));

/** Wraps a PartySocket: records every parsed message and lets the test wait for one. */
function track(label, socket) {
  sockets.push(socket);
  const t = { label, socket, inbox: [], waiters: [], opens: 0, closes: [] };
  socket.addEventListener("open", () => {
    t.opens++;
    log(`${label} open #${t.opens}: ${socket.url}`);
  });
  socket.addEventListener("close", (e) => {
    t.closes.push(e.code);
  });
  socket.addEventListener("error", (e) => {
    log(`${label} socket error: ${e?.message || e?.error?.message || "(no message)"}`);
  });
  socket.addEventListener("message", (e) => {
    let msg;
    if (typeof e.data !== "string") {
      msg = { __binary: true };
    } else {
      try {
        msg = JSON.parse(e.data);
      } catch {
        msg = { __unparsable: e.data };
      }
    }
    t.inbox.push(msg);
    for (const w of [...t.waiters]) w();
  });
  return t;
}

/** Resolves with the first message in t.inbox (from index `from` on) matching `pred`. */
function waitFor(t, what, pred, from = 0, ms = WAIT_MS) {
  return new Promise((resolve, reject) => {
    const check = () => {
      for (let i = from; i < t.inbox.length; i++) {
        if (pred(t.inbox[i])) {
          cleanup();
          resolve(t.inbox[i]);
          return true;
        }
      }
      return false;
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(
        new Error(
          `${t.label}: timed out after ${ms} ms waiting for ${what}; received so far: ` +
            JSON.stringify(t.inbox.slice(from)),
        ),
      );
    }, ms);
    const cleanup = () => {
      clearTimeout(timer);
      t.waiters = t.waiters.filter((w) => w !== check);
    };
    t.waiters.push(check);
    check();
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const isHistory = (m) => m && m.type === "history";
const isChat = (from, text) => (m) => m && m.type === "message" && m.from === from && m.text === text;

function assert(cond, message) {
  if (!cond) throw new Error(message);
}

function assertHistory(msg, label, expected) {
  assert(Array.isArray(msg.messages), `${label}: history.messages is not an array: ${JSON.stringify(msg)}`);
  for (const e of expected) {
    assert(
      msg.messages.some((m) => m && m.from === e.from && m.text === e.text),
      `${label}: history lacks ${JSON.stringify(e)}: ${JSON.stringify(msg)}`,
    );
  }
}

async function main() {
  log(`server ${host}, room ${room}`);

  // 1. A: no party -> partysocket uses /parties/main/<room>; B: party "chat", with a user query.
  const A = track(
    "A(alice, main)",
    new PartySocket({ host, room, id: "alice", WebSocket: WS }),
  );
  const B = track(
    "B(bob, chat)",
    new PartySocket({ host, room, party: "chat", id: "bob", query: { token: "t1" }, WebSocket: WS }),
  );
  assert(A.socket.id === "alice" && B.socket.id === "bob", `socket ids: ${A.socket.id}, ${B.socket.id}`);

  const [hA, hB] = await Promise.all([
    waitFor(A, "history on connect", isHistory),
    waitFor(B, "history on connect", isHistory),
  ]);
  assertHistory(hA, A.label, []);
  assertHistory(hB, B.label, []);
  assert(hA.messages.length === 0, `${A.label}: history of a fresh room is not empty: ${JSON.stringify(hA)}`);
  assert(hB.messages.length === 0, `${B.label}: history of a fresh room is not empty: ${JSON.stringify(hB)}`);
  assert(
    new URL(A.socket.url).pathname === `/parties/main/${room}`,
    `A connected to unexpected URL ${A.socket.url}`,
  );
  pass("both sockets (main party via /parties/main, party chat) got a history on connect");

  const aBefore = A.inbox.length;
  A.socket.send("hi from alice");
  const got = await waitFor(B, "alice's message", isChat("alice", "hi from alice"));
  assert(
    Object.keys(got).sort().join(",") === "from,text,type",
    `${B.label}: message has unexpected fields: ${JSON.stringify(got)}`,
  );
  pass("B received {type:message, from:alice, text:'hi from alice'}");

  await sleep(QUIET_MS);
  const echoed = A.inbox.slice(aBefore).filter((m) => m && m.type === "message");
  assert(echoed.length === 0, `${A.label} received its own message back: ${JSON.stringify(echoed)}`);
  pass("A did not receive its own message");

  // 2. A query (here a function, re-evaluated on each reconnect, as PartyKit documents for tokens)
  //    must not break anything: C joins, sees alice's message in its history, and can talk.
  let queryCalls = 0;
  const C = track(
    "C(carol, chat)",
    new PartySocket({
      host,
      room,
      party: "chat",
      id: "carol",
      query: async () => ({ token: `t${++queryCalls + 1}`, who: "carol" }),
      WebSocket: WS,
    }),
  );
  const hC = await waitFor(C, "history on connect", isHistory);
  assertHistory(hC, C.label, [{ from: "alice", text: "hi from alice" }]);
  const cUrl = new URL(C.socket.url);
  assert(
    cUrl.searchParams.get("_pk") === "carol" && cUrl.searchParams.get("token") === "t2",
    `C connected to unexpected URL ${C.socket.url}`,
  );
  pass("socket with a query (function) connected and got a history containing alice's message");

  const aBeforeC = A.inbox.length;
  const bBeforeC = B.inbox.length;
  C.socket.send("hi from carol");
  await Promise.all([
    waitFor(A, "carol's message", isChat("carol", "hi from carol"), aBeforeC),
    waitFor(B, "carol's message", isChat("carol", "hi from carol"), bBeforeC),
  ]);
  pass("A and B (query token=t1) received carol's message");

  // 3. Reconnect B (partysocket API): it gets a fresh history with alice's message, keeps its id,
  //    and still receives new messages on the new connection.
  const bBeforeRe = B.inbox.length;
  const bOpens = B.opens;
  B.socket.reconnect();
  const hB2 = await waitFor(B, "history after reconnect", isHistory, bBeforeRe);
  assert(B.opens === bOpens + 1, `${B.label}: expected one new open after reconnect, opens=${B.opens}`);
  assertHistory(hB2, `${B.label} after reconnect`, [
    { from: "alice", text: "hi from alice" },
    { from: "carol", text: "hi from carol" },
  ]);
  const bUrl = new URL(B.socket.url);
  assert(
    bUrl.pathname === `/parties/chat/${room}` && bUrl.searchParams.get("_pk") === "bob",
    `${B.label}: reconnected to unexpected URL ${B.socket.url}`,
  );
  pass("B.reconnect() got a history containing alice's message, same id bob");

  const bBeforeMsg = B.inbox.length;
  A.socket.send("after reconnect");
  await waitFor(B, "alice's message after reconnect", isChat("alice", "after reconnect"), bBeforeMsg);
  pass("B receives messages on its new connection");

  finish(0);
}

main().catch((e) => finish(1, e?.message || String(e)));
