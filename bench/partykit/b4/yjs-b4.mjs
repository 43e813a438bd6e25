// B4 through a Yjs server: one client replays the editing trace (./trace.mjs) into a Y.Text, every
// edit its own transaction and so its own update message, sent at once by the provider (as an
// editor would), while two more clients follow; then late joiners come, one after another. Started by make
// bench-yjs (bench/.../YjsBench.java), which starts the server; runs alone too:
//
//   node bench/partykit/b4/yjs-b4.mjs --port P [--path /parties/yjs] [--room b4] [--edits 259778]
//        [--provider y-websocket|y-partykit] [--timeout 300] [--label name]
//
// The writer and each follower run in a worker thread of their own (a Node event loop each), so
// that applying updates does not hold up sending them. The writer sends as fast as its socket takes
// them: it yields to its event loop every 256 edits and waits while over 1 MiB is buffered.
//
// Measured: from the writer's first send until both followers' documents match the writer's (the
// same state vector, length and content), in edits per second; the writer's own send time; and a
// late joiner's first sync: from the provider's creation (the connect) to its 'sync' event, and the
// bytes of the WebSocket messages it got meanwhile (the median of five, each a fresh worker), next
// to the same against a server that only sends the document (the floor, set by the client's own
// work). The last line is `b4-result {json}`. Bounded:
// --timeout seconds in all, then a result with `error`.

import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";
import { createHash } from "node:crypto";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import * as Y from "yjs";
import { WebsocketProvider } from "y-websocket";
import YPartyKitProvider from "y-partykit/provider";
import WS, { WebSocketServer } from "ws";
import { b4Trace, B4_EDITS } from "./trace.mjs";

const now = () => performance.timeOrigin + performance.now();
const LATE_JOINERS = 5;
const sha = (s) => createHash("sha256").update(s).digest("hex");

/** A `ws` WebSocket that counts the bytes of the messages it receives. */
function countingSocket(counter) {
  return class extends WS {
    constructor(...args) {
      super(...args);
      this.on("message", (data) => {
        if (counter.messages === 0) counter.first = now();
        counter.messages++;
        counter.bytes += data.byteLength ?? data.length;
      });
    }
  };
}

function connect(options, doc, counter) {
  const WebSocketPolyfill = counter ? countingSocket(counter) : WS;
  const { port, path, room, provider } = options;
  if (provider === "y-partykit") {
    const party = path.split("/").filter(Boolean)[1];
    return new YPartyKitProvider(`127.0.0.1:${port}`, room, doc, { party, WebSocketPolyfill, disableBc: true });
  }
  return new WebsocketProvider(`ws://127.0.0.1:${port}${path}`, room, doc, { WebSocketPolyfill, disableBc: true });
}

const synced = (provider) =>
  new Promise((resolve) => (provider.synced ? resolve() : provider.once("sync", () => resolve())));

if (!isMainThread && workerData.role === "late") {
  // A late joiner, in a fresh worker (so a cold V8, as a new page's): from the connect to 'sync'.
  const { options, target } = workerData;
  const counter = { messages: 0, bytes: 0 };
  const doc = new Y.Doc();
  const t = now();
  const provider = connect(options, doc, counter);
  await synced(provider);
  const ms = now() - t;
  const text = doc.getText("text").toString();
  parentPort.postMessage({
    ms,
    firstMessageMs: counter.first - t,
    bytes: counter.bytes,
    messages: counter.messages,
    same: text.length === target.length && sha(text) === target.hash,
    update: Y.encodeStateAsUpdate(doc),
  });
  provider.destroy();
} else if (!isMainThread) {
  const { role, options } = workerData;
  const doc = new Y.Doc();
  const text = doc.getText("text");
  const provider = connect(options, doc, null);
  // Closed sockets (the provider reconnects and syncs anew, so a document can still match): their
  // close codes, reported with the result.
  const closes = [];
  provider.on("connection-close", (event) => {
    closes.push(event?.code ?? "?");
    if (role === "writer") parentPort.postMessage({ type: "closed", t: now() });
  });
  await synced(provider);
  if (role === "writer") {
    const { edits } = b4Trace(options.edits);
    parentPort.postMessage({ type: "ready" });
    parentPort.once("message", async () => {
      const t0 = now();
      parentPort.postMessage({ type: "started", t0 });
      for (let i = 0; i < edits.length; i++) {
        const [pos, del, ins] = edits[i];
        if (del > 0) text.delete(pos, del);
        else text.insert(pos, ins);
        if ((i & 255) === 255) {
          await new Promise((r) => setImmediate(r));
          while (provider.ws && provider.ws.bufferedAmount > 1 << 20) await new Promise((r) => setTimeout(r, 1));
          if ((i & 16383) === 16383) parentPort.postMessage({ type: "progress", sent: i + 1 });
        }
      }
      const sent = now();
      const s = text.toString();
      parentPort.postMessage({
        type: "sent",
        t0,
        sent,
        clientID: doc.clientID,
        sv: Y.encodeStateVector(doc),
        length: text.length,
        hash: sha(s),
        updateBytes: Y.encodeStateAsUpdate(doc).length,
        closes,
      });
    });
  } else {
    let target = null;
    let done = false;
    const check = () => {
      if (done || !target || text.length !== target.length) return;
      const sv = Y.encodeStateVector(doc);
      if (Buffer.compare(Buffer.from(sv), Buffer.from(target.sv)) !== 0) return;
      const t = now();
      done = true;
      parentPort.postMessage({ type: "matched", t, same: sha(text.toString()) === target.hash, closes });
    };
    doc.on("update", check);
    parentPort.on("message", (m) => {
      if (m.type === "target") {
        target = m;
        check();
      } else if (m.type === "progress?") {
        let clock = 0;
        for (const c of Y.decodeStateVector(Y.encodeStateVector(doc)).values()) clock = Math.max(clock, c);
        parentPort.postMessage({ type: "progress", length: text.length, clock, t: now(), closes });
      }
    });
    parentPort.postMessage({ type: "ready" });
  }
  parentPort.on("message", (m) => {
    if (m.type === "close") {
      provider.destroy();
      setTimeout(() => process.exit(0), 200);
    }
  });
} else {
  const args = process.argv.slice(2);
  const flag = (name, dflt) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : dflt;
  };
  const options = {
    port: Number(flag("port")),
    path: flag("path", "/parties/yjs"),
    room: flag("room", `b4-${Date.now()}`),
    edits: Math.min(B4_EDITS, Number(flag("edits", B4_EDITS))),
    provider: flag("provider", "y-websocket"),
  };
  const label = flag("label", `127.0.0.1:${options.port}`);
  const timeout = Number(flag("timeout", 300)) * 1000;
  if (!Number.isInteger(options.port)) {
    console.error("usage: node yjs-b4.mjs --port P [--path /parties/yjs] [--room R] [--edits N] [--provider y-websocket|y-partykit] [--timeout S]");
    process.exit(2);
  }
  const result = { label, edits: options.edits, provider: options.provider, room: options.room };
  const workers = [];
  const finish = (error) => {
    if (error) result.error = error;
    console.log(`b4-result ${JSON.stringify(result)}`);
    for (const w of workers) w.postMessage({ type: "close" });
    setTimeout(() => process.exit(0), 1000).unref();
  };
  const progress = { sent: 0, lengths: [0, 0], clocks: [0, 0], at: [0, 0], t0: 0 };
  // Edits that reached both followers: every edit up to the writer's clock-th insert.
  const deliveredEdits = () => {
    const clock = Math.min(...progress.clocks);
    let delivered = 0;
    for (let inserts = 0; delivered < trace.length && inserts < clock; delivered++) if (trace[delivered][1] === 0) inserts++;
    return delivered;
  };
  const askFollowers = async () => {
    followers.forEach((f) => f.postMessage({ type: "progress?" }));
    await new Promise((r) => setTimeout(r, 300));
  };
  // Out of time: the rate so far, from the edits both followers have (the writer's clock in their
  // state vectors counts its inserted characters: every edit up to its last insert arrived).
  const deadline = setTimeout(async () => {
    await askFollowers();
    const delivered = deliveredEdits();
    if (progress.t0 > 0 && delivered > 0) {
      Object.assign(result, {
        partial: true,
        editsDelivered: delivered,
        updatesPerSecond: delivered / ((Math.max(...progress.at) - progress.t0) / 1000),
      });
    }
    finish(
      `timeout after ${timeout / 1000} s: ${progress.sent} of ${options.edits} edits sent, ` +
        `${delivered} reached both followers (at ${progress.lengths.join(" and ")} characters)`,
    );
  }, timeout);
  const trace = b4Trace(options.edits).edits;

  const start = (role) => {
    const w = new Worker(fileURLToPath(import.meta.url), { workerData: { role, options } });
    w.on("error", (e) => finish(`${role} failed: ${e.stack ?? e}`));
    workers.push(w);
    return w;
  };
  const next = (w, type) =>
    new Promise((resolve) => {
      const on = (m) => {
        if (m.type === type) {
          w.off("message", on);
          resolve(m);
        }
      };
      w.on("message", on);
    });

  const writer = start("writer");
  const followers = [start("follower"), start("follower")];
  writer.on("message", async (m) => {
    if (m.type === "closed" && !result.firstClose) {
      // The writer's socket closed (y-websocket's provider closes a socket that got nothing for
      // 30 s, and reconnects): what went through one update at a time until then.
      result.firstClose = { seconds: (m.t - progress.t0) / 1000 };
      await askFollowers();
      result.firstClose.editsDelivered = deliveredEdits();
      result.firstClose.updatesPerSecond = result.firstClose.editsDelivered / result.firstClose.seconds;
    }
    if (m.type === "progress") progress.sent = m.sent;
    if (m.type === "started") progress.t0 = m.t0;
    if (m.type === "sent") progress.sent = options.edits;
  });
  followers.forEach((f, i) =>
    f.on("message", (m) => {
      if (m.type !== "progress") return;
      progress.lengths[i] = m.length;
      progress.clocks[i] = m.clock;
      progress.at[i] = m.t;
    }),
  );
  const ticker = setInterval(() => {
    followers.forEach((f) => f.postMessage({ type: "progress?" }));
    console.error(`  [${label}] ${progress.sent} of ${options.edits} edits sent; followers at ${progress.lengths.join(" and ")} characters`);
  }, 10_000);

  await Promise.all([writer, ...followers].map((w) => next(w, "ready")));
  const matched = followers.map((f) => next(f, "matched"));
  const sentP = next(writer, "sent");
  writer.postMessage({ type: "go" });
  const sent = await sentP;
  followers.forEach((f) => f.postMessage({ type: "target", sv: sent.sv, length: sent.length, hash: sent.hash }));
  const [a, b] = await Promise.all(matched);
  clearInterval(ticker);
  const last = Math.max(a.t, b.t);
  Object.assign(result, {
    textLength: sent.length,
    writerSnapshotBytes: sent.updateBytes,
    sendSeconds: (sent.sent - sent.t0) / 1000,
    matchSeconds: (last - sent.t0) / 1000,
    updatesPerSecond: options.edits / ((last - sent.t0) / 1000),
    followersSame: a.same && b.same,
    // Sockets the server closed meanwhile, with their codes: writer, then followers.
    socketsClosed: [sent.closes, a.closes, b.closes],
  });
  if (!result.followersSame) {
    clearTimeout(deadline);
    finish("a follower's text differs from the writer's");
  } else {
    await lateJoiner(options, sent, result);
    clearTimeout(deadline);
    finish(result.lateJoinerSame ? null : `the late joiner's text at its first sync differs`);
  }
}

async function lateJoiner(options, sent, result) {
  // Late joiners one after another, each in a fresh worker, in turns with as many against a server
  // that does nothing but send the whole document in one sync step 2 as soon as a socket opens
  // (the document as the first joiner got it): the fastest any server could be, for these clients.
  const join = (opts) =>
    new Promise((resolve, reject) => {
      const w = new Worker(fileURLToPath(import.meta.url), {
        workerData: { role: "late", options: opts, target: { length: sent.length, hash: sent.hash } },
      });
      w.once("message", resolve);
      w.once("error", reject);
    });
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const joins = [await join(options)];
  const update = joins[0].update;
  const length = []; // y-protocols: message sync (0), sync step 2 (1), the update's length (varuint)
  for (let n = update.length; ; n = Math.floor(n / 128)) {
    if (n < 128) { length.push(n); break; }
    length.push((n % 128) | 128);
  }
  const bytes = Buffer.concat([Buffer.from([0, 1, ...length]), update]);
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  server.on("connection", (ws) => ws.send(bytes));
  await new Promise((r) => server.once("listening", r));
  const floorOptions = { ...options, port: server.address().port, path: "/parties/floor" };
  const floor = [await join(floorOptions)];
  // taken in turns, so that both see the same machine
  for (let i = 1; i < LATE_JOINERS; i++) {
    joins.push(await join(options));
    floor.push(await join(floorOptions));
  }
  server.close();
  Object.assign(result, {
    lateJoinMs: median(joins.map((j) => j.ms)),
    lateJoinAllMs: joins.map((j) => +j.ms.toFixed(1)),
    lateJoinFirstMessageMs: median(joins.map((j) => j.firstMessageMs)),
    lateJoinBytes: joins[0].bytes,
    lateJoinMessages: joins[0].messages,
    lateJoinerSame: joins.every((j) => j.same),
    floorJoinMs: median(floor.map((j) => j.ms)),
    floorJoinAllMs: floor.map((j) => +j.ms.toFixed(1)),
  });
}
