// The demo page: live cursors (the `cursors` party) and a chat (the `chat` party) in one room,
// through PartyKit's own client, partysocket, which reconnects by itself (a host restart is a
// short "reconnecting", then both parts go on), and the chat rooms that have people in them, from
// the `lobby` party (chat rooms report to it by calls between rooms). Bundled by esbuild at build
// time (make web).
//
// Address: /?room=NAME&name=YOU (both optional: room "lobby", a name made up and remembered).

import PartySocket from "partysocket";

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const room = params.get("room") || "lobby";

// --- who I am: a name and a colour, kept in this browser ------------------------------------
const COLORS = ["#e11d48", "#f97316", "#eab308", "#16a34a", "#0891b2", "#2563eb", "#7c3aed", "#db2777"];
const ADJECTIVES = ["Brave", "Calm", "Clever", "Curious", "Eager", "Gentle", "Happy", "Jolly", "Lucky", "Swift"];
const ANIMALS = ["Otter", "Fox", "Panda", "Koala", "Heron", "Lynx", "Puffin", "Badger", "Gecko", "Walrus"];
const pick = (list) => list[Math.floor(Math.random() * list.length)];
const isColor = (c) => typeof c === "string" && /^#[0-9a-f]{6}$/i.test(c);

// A colour from the name, so that two people rarely start alike (one click on the swatch changes it).
function colorOf(name) {
  let h = 0;
  for (const ch of name) h = (h * 31 + ch.codePointAt(0)) >>> 0;
  return COLORS[h % COLORS.length];
}

const me = {
  name: params.get("name") || localStorage.getItem("partyhost.name") || `${pick(ADJECTIVES)} ${pick(ANIMALS)}`,
  color: localStorage.getItem("partyhost.color"),
};
if (!isColor(me.color)) me.color = colorOf(me.name);

function initials(name) {
  const words = name.trim().split(/\s+/).filter(Boolean);
  return (words.length > 1 ? words[0][0] + words[1][0] : (words[0] || "?").slice(0, 2)).toUpperCase();
}

// Both sockets: plain ws on http pages, wss on https ones (partysocket would guess by host name).
const common = {
  host: location.host,
  room,
  protocol: location.protocol === "https:" ? "wss" : "ws",
  minReconnectionDelay: 300,
  maxReconnectionDelay: 3000,
};
// Re-read at each reconnect, so a renamed person comes back under the new name.
const cursors = new PartySocket({ ...common, party: "cursors", query: () => ({ name: me.name, color: me.color }) });
const chat = new PartySocket({ ...common, party: "chat" });

// --- connection status: live only when both sockets are open ---------------------------------
const status = $("status");
function showStatus() {
  const open = cursors.readyState === WebSocket.OPEN && chat.readyState === WebSocket.OPEN;
  const seen = status.dataset.everOpen === "1";
  status.dataset.state = open ? "open" : "connecting";
  status.textContent = open ? "live" : seen ? "reconnecting…" : "connecting…";
  if (open) status.dataset.everOpen = "1";
}
for (const socket of [cursors, chat]) {
  socket.addEventListener("open", showStatus);
  socket.addEventListener("close", showStatus);
}

// --- my name and colour in the bar ----------------------------------------------------------
$("room").textContent = `#${room}`;
const nameInput = $("my-name");
const swatch = $("my-swatch");
function showMe() {
  nameInput.value = me.name;
  swatch.style.background = me.color;
  localStorage.setItem("partyhost.name", me.name);
  localStorage.setItem("partyhost.color", me.color);
}
function announce() {
  showMe();
  cursors.send(JSON.stringify({ type: "hello", name: me.name, color: me.color }));
  renderPeople();
}
nameInput.addEventListener("change", () => {
  me.name = nameInput.value.trim().slice(0, 32) || me.name;
  announce();
});
nameInput.addEventListener("keydown", (e) => e.key === "Enter" && nameInput.blur());
swatch.addEventListener("click", () => {
  me.color = COLORS[(COLORS.indexOf(me.color) + 1) % COLORS.length];
  announce();
});
showMe();

// --- other people's cursors, eased toward where they are --------------------------------------
const board = $("board");
const layer = $("cursors");
const users = new Map(); // id -> { name, color, x, y (targets, fractions or null), el, px, py }
const ARROW = '<svg viewBox="0 0 22 22"><path d="M3 2l15 8.2-6.6 1.7L8.2 19z" stroke="#fff" stroke-width="1.5" stroke-linejoin="round"/></svg>';

function upsert(u) {
  let user = users.get(u.id);
  if (!user) {
    const el = document.createElement("div");
    el.className = "cursor away";
    el.dataset.id = u.id;
    el.innerHTML = `${ARROW}<span class="label"></span>`;
    layer.append(el);
    user = { el, px: null, py: null };
    users.set(u.id, user);
  }
  Object.assign(user, { name: u.name, color: isColor(u.color) ? u.color : "#64748b" });
  user.el.querySelector("path").setAttribute("fill", user.color);
  const label = user.el.querySelector(".label");
  label.textContent = user.name;
  label.style.background = user.color;
  move(u.id, u.x, u.y);
}

function move(id, x, y) {
  const user = users.get(id);
  if (!user) return;
  user.x = typeof x === "number" ? x : null;
  user.y = typeof y === "number" ? y : null;
  user.el.classList.toggle("away", user.x === null);
  if (user.x !== null && user.px === null) [user.px, user.py] = [user.x, user.y]; // appear in place
}

function remove(id) {
  users.get(id)?.el.remove();
  users.delete(id);
}

// Each frame moves a cursor part of the way to its target: smooth at any message rate, and a
// frame-rate-independent time constant (about 60 ms).
let last = performance.now();
function frame(now) {
  const k = 1 - Math.exp(-(now - last) / 60);
  last = now;
  const { width, height } = board.getBoundingClientRect();
  for (const user of users.values()) {
    if (user.x === null || user.px === null) continue;
    user.px += (user.x - user.px) * k;
    user.py += (user.y - user.py) * k;
    user.el.style.transform = `translate(${(user.px * width).toFixed(1)}px, ${(user.py * height).toFixed(1)}px)`;
  }
  requestAnimationFrame(frame);
}
requestAnimationFrame(frame);

cursors.addEventListener("message", (e) => {
  const m = JSON.parse(e.data);
  if (m.type === "sync") {
    // A (re)connect: the room's view replaces ours.
    for (const id of [...users.keys()]) remove(id);
    m.users.forEach(upsert);
  } else if (m.type === "join") upsert(m);
  else if (m.type === "move") move(m.id, m.x, m.y);
  else if (m.type === "leave") remove(m.id);
  renderPeople();
});

// My pointer: at most one message per 30 ms, the last position always sent.
let pending = null;
let timer = null;
function flush() {
  timer = null;
  if (pending) cursors.send(JSON.stringify(pending));
  pending = null;
}
function send(msg) {
  pending = msg;
  if (!timer) timer = setTimeout(flush, 30);
}
board.addEventListener("pointermove", (e) => {
  const r = board.getBoundingClientRect();
  send({ type: "move", x: (e.clientX - r.left) / r.width, y: (e.clientY - r.top) / r.height });
  $("hint").classList.add("faded");
});
board.addEventListener("pointerleave", () => send({ type: "hide" }));

// --- people here: me first, then everyone the cursors party knows -------------------------------
function renderPeople() {
  const people = [{ name: me.name, color: me.color, you: true }, ...users.values()];
  const shown = people.slice(0, 6);
  $("people").replaceChildren(
    ...shown.map((p) => {
      const el = document.createElement("span");
      el.className = "avatar";
      el.style.background = p.color;
      el.textContent = initials(p.name);
      el.title = p.you ? `${p.name} (you)` : p.name;
      return el;
    }),
    ...(people.length > shown.length ? [Object.assign(document.createElement("span"), { className: "avatar more", textContent: `+${people.length - shown.length}` })] : []),
  );
}
renderPeople();

// --- chat: the chat party relays text; ours carries the sender's name and colour as JSON ----------
const list = $("messages");
function decode(from, text) {
  try {
    const m = JSON.parse(text);
    if (m && typeof m.text === "string") return { name: String(m.name || "guest"), color: m.color, text: m.text, mine: false };
  } catch {}
  return { name: from.slice(0, 8), color: null, text, mine: false }; // another client's plain text
}

function addMessage(m) {
  list.querySelector(".empty")?.remove();
  const li = document.createElement("li");
  li.className = m.mine ? "msg mine" : "msg";
  const color = isColor(m.color) ? m.color : "#64748b";
  li.innerHTML = '<span class="dot"></span><div class="body"><div class="name"></div><div class="text"></div></div>';
  li.querySelector(".dot").style.background = color;
  li.querySelector(".dot").textContent = initials(m.name);
  li.querySelector(".name").textContent = m.mine ? "You" : m.name;
  li.querySelector(".name").style.color = color;
  li.querySelector(".text").textContent = m.text;
  list.append(li);
  list.scrollTop = list.scrollHeight;
}

function showEmpty() {
  list.innerHTML = '<li class="empty">No messages yet. Say hello!</li>';
}
showEmpty();

chat.addEventListener("message", (e) => {
  const m = JSON.parse(e.data);
  if (m.type === "history") {
    // Sent on every (re)connect: the room's last 100 messages replace what we show.
    showEmpty();
    for (const h of m.messages) {
      const msg = decode(h.from, h.text);
      msg.mine = h.from === chat.id;
      addMessage(msg);
    }
  } else if (m.type === "message") addMessage(decode(m.from, m.text));
});

$("composer").addEventListener("submit", (e) => {
  e.preventDefault();
  const input = $("text");
  const text = input.value.trim();
  if (!text) return;
  // Sent while disconnected, partysocket queues it and sends it on reconnect.
  chat.send(JSON.stringify({ name: me.name, color: me.color, text }));
  addMessage({ name: me.name, color: me.color, text, mine: true });
  input.value = "";
});

// --- chat rooms with people in them: the lobby party's list, read every few seconds ------------
async function showRooms() {
  try {
    const r = await fetch("/parties/lobby/chat");
    if (!r.ok) return; // no lobby party on this host: the list stays empty
    const { rooms } = await r.json();
    $("rooms").replaceChildren(
      ...rooms.map(({ id, connections }) => {
        const li = document.createElement("li");
        const a = Object.assign(document.createElement("a"), { href: `?room=${encodeURIComponent(id)}`, textContent: `#${id}` });
        li.className = id === room ? "here" : "";
        li.dataset.room = id;
        li.append(a, Object.assign(document.createElement("span"), { className: "count", textContent: connections }));
        return li;
      }),
    );
  } catch {} // reconnecting: try again on the next tick
}
showRooms();
setInterval(showRooms, 2000);
