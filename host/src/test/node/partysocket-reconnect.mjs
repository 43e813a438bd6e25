// A chat client that outlives a host restart: PartyKit's real `partysocket` reconnects by itself.
//
//   node host/src/test/node/partysocket-reconnect.mjs <port> <room>
//
// Connects to the `chat` party, sends "before restart", and prints `READY` once the message is in
// the room's history (another socket of this script sees it). The test driving this script then
// restarts the host on the same port. partysocket reconnects, gets the history on connect, and the
// script prints `RECONNECTED <n>` (n: messages in that history) and exits 0 if "before restart" is
// among them. Bounded: exits 1 after 40 s.

import PartySocket from "partysocket";
import WS from "ws";

const [port, room] = [Number(process.argv[2]), process.argv[3]];
if (!Number.isInteger(port) || !room) {
  console.error("usage: node partysocket-reconnect.mjs <port> <room>");
  process.exit(2);
}
const host = `127.0.0.1:${port}`;
setTimeout(() => {
  console.log("FAIL timeout");
  process.exit(1);
}, 40_000);

const writer = new PartySocket({ host, room, party: "chat", id: "writer", WebSocket: WS });
const reader = new PartySocket({
  host, room, party: "chat", id: "reader", WebSocket: WS,
  minReconnectionDelay: 200, maxReconnectionDelay: 1000,
});
let opens = 0;
reader.addEventListener("open", () => {
  opens++;
  if (opens === 1) writer.send("before restart");
});
reader.addEventListener("message", (e) => {
  const m = JSON.parse(e.data);
  if (opens === 1 && m.type === "message" && m.text === "before restart") {
    writer.close();
    console.log("READY");
  } else if (opens > 1 && m.type === "history") {
    const texts = m.messages.map((x) => x.text);
    console.log(`RECONNECTED ${texts.length}`);
    process.exit(texts.includes("before restart") ? 0 : 1);
  }
});
