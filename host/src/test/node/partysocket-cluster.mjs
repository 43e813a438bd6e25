// PartyKit's real `partysocket` against a cluster: one client per node, all in one chat room.
//
//   node host/src/test/node/partysocket-cluster.mjs <port> <port> <port> ...
//
// Each client connects through its own node (the room runs on one of them; the others forward), then
// sends 50 numbered messages. Every client must receive every other client's 50 messages, each
// sender's in the order it sent them. Prints `partysocket-cluster: OK <n> messages` and exits 0, or
// `FAIL ...` and exits 1. Bounded: 40 s.

import PartySocket from "partysocket";
import WS from "ws";

const ports = process.argv.slice(2).map(Number);
if (ports.length < 2 || ports.some((p) => !Number.isInteger(p))) {
  console.error("usage: node partysocket-cluster.mjs <port> <port> ...");
  process.exit(2);
}
const COUNT = 50;
const room = `cluster-${Date.now().toString(36)}`;
setTimeout(() => fail("timeout after 40 s: " + JSON.stringify(progress())), 40_000).unref();

function fail(why) {
  console.log(`partysocket-cluster: FAIL ${why}`);
  process.exit(1);
}

const clients = ports.map((port, i) => {
  const id = `c${i}`;
  const socket = new PartySocket({ host: `127.0.0.1:${port}`, room, party: "chat", id, WebSocket: WS });
  const client = { id, socket, next: {}, received: 0, open: false };
  socket.addEventListener("message", (e) => {
    const m = JSON.parse(e.data);
    if (m.type !== "message") return; // the history on connect
    const [from, n] = [m.from, Number(m.text.split(" ")[1])];
    const expected = client.next[from] ?? 0;
    if (n !== expected) fail(`${id} got message ${n} from ${from}, expected ${expected}`);
    client.next[from] = expected + 1;
    client.received++;
    if (clients.every((c) => c.received === COUNT * (clients.length - 1))) {
      console.log(`partysocket-cluster: OK ${clients.length * COUNT} messages`);
      process.exit(0);
    }
  });
  socket.addEventListener("open", () => {
    client.open = true;
    if (clients.every((c) => c.open)) start();
  });
  return client;
});

let started = false;
function start() {
  if (started) return;
  started = true;
  // Every socket is open (and in the room: the host runs the connect hook before the handshake).
  for (const c of clients) for (let n = 0; n < COUNT; n++) c.socket.send(`msg ${n}`);
}

function progress() {
  return clients.map((c) => ({ id: c.id, open: c.open, received: c.received }));
}
