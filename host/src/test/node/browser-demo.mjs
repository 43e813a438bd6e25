// The demo page (build/web, served by the host at /) in a real browser: Debian's Chromium, headless,
// driven by playwright-core (no browser download).
//
//   node host/src/test/node/browser-demo.mjs <port> <room> <screenshot.png>
//
// Two people (two browser contexts: own storage, own sockets) see each other's cursors and chat.
// Then the script prints `READY` and waits for a line `RESTARTED` on stdin: the test driving it
// restarts the host on the same port and data meanwhile. Both pages must reconnect by themselves
// (partysocket), find the chat history, and go on: a new message and new cursor moves each way.
// Prints `OK` and exits 0; exits 1 on any failure, or after 100 s.

import { chromium } from "playwright-core";
import { createInterface } from "node:readline";

const [port, room, screenshot] = [Number(process.argv[2]), process.argv[3], process.argv[4]];
if (!Number.isInteger(port) || !room || !screenshot) {
  console.error("usage: node browser-demo.mjs <port> <room> <screenshot.png>");
  process.exit(2);
}
const started = Date.now();
const log = (line) => console.log(`${((Date.now() - started) / 1000).toFixed(1)}s ${line}`);
setTimeout(() => {
  console.log("FAIL timeout");
  process.exit(1);
}, 100_000).unref();

const lines = createInterface({ input: process.stdin });
const nextLine = () => new Promise((resolve) => lines.once("line", resolve));

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  // Small: the machines that run the tests have 2 cores and little memory to spare.
  args: [
    "--disable-dev-shm-usage",
    "--disable-gpu",
    "--disable-extensions",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--mute-audio",
    "--renderer-process-limit=2",
    "--js-flags=--max-old-space-size=64",
  ],
});

try {
  const base = `http://127.0.0.1:${port}/?room=${encodeURIComponent(room)}`;
  const open = async (name) => {
    const context = await browser.newContext({ viewport: { width: 1100, height: 680 } });
    const page = await context.newPage();
    page.on("pageerror", (e) => log(`${name}: page error: ${e.message}`));
    await page.goto(`${base}&name=${name}`);
    await page.waitForSelector("#status[data-state=open]");
    return page;
  };
  const ada = await open("Ada");
  const bo = await open("Bo");
  log("both pages live");

  // `who` moves the pointer to a fraction of the board; `viewer` must see it there (its cursors ease
  // toward the target, so wait until the arrow's tip is within 3 px).
  const pointTo = async (who, viewer, name, fx, fy) => {
    const box = await who.locator("#board").boundingBox();
    await who.mouse.move(box.x + fx * box.width, box.y + fy * box.height, { steps: 8 });
    await viewer.waitForFunction(
      ([name, fx, fy]) => {
        const board = document.getElementById("board").getBoundingClientRect();
        for (const el of document.querySelectorAll(".cursor:not(.away)")) {
          if (el.querySelector(".label").textContent !== name) continue;
          const r = el.getBoundingClientRect();
          const [x, y] = [r.left - board.left, r.top - board.top];
          return Math.abs(x - fx * board.width) < 3 && Math.abs(y - fy * board.height) < 3;
        }
        return false;
      },
      [name, fx, fy],
      { timeout: 10_000 },
    );
  };
  const say = async (who, text) => {
    await who.fill("#text", text);
    await who.press("#text", "Enter");
  };
  const hears = (viewer, name, text) =>
    viewer.locator(".msg", { hasText: text }).filter({ has: viewer.locator(".name", { hasText: name }) })
      .waitFor({ timeout: 10_000 });

  await pointTo(ada, bo, "Ada", 0.3, 0.4);
  await pointTo(bo, ada, "Bo", 0.7, 0.6);
  log("cursors seen both ways");
  await say(ada, "hello from Ada");
  await hears(bo, "Ada", "hello from Ada");
  await say(bo, "hi Ada, Bo here");
  await hears(ada, "Bo", "hi Ada, Bo here");
  log("chat both ways");
  // The lobby party's list, fed by the chat rooms' calls: this room, with both people.
  await ada.waitForFunction(
    (room) => document.querySelector(`#rooms li[data-room="${CSS.escape(room)}"] .count`)?.textContent === "2",
    room,
    { timeout: 10_000 },
  );
  log("the lobby lists the room with 2 people");

  // Record each page's status changes, to see that it lost the host and came back.
  for (const page of [ada, bo]) {
    await page.evaluate(() => {
      const status = document.getElementById("status");
      window.statusSeen = [];
      new MutationObserver(() => window.statusSeen.push(status.dataset.state)).observe(status, {
        attributes: true, childList: true,
      });
    });
  }
  console.log("READY");
  if ((await nextLine()) !== "RESTARTED") throw new Error("expected RESTARTED");
  log("host restarted");
  for (const page of [ada, bo]) {
    await page.waitForFunction(
      () => window.statusSeen.includes("connecting") && document.getElementById("status").dataset.state === "open",
      null,
      { timeout: 30_000 },
    );
  }
  log("both pages reconnected");
  // The history comes back on reconnect: the messages from before are still there.
  await hears(bo, "Ada", "hello from Ada");
  await hears(ada, "Bo", "hi Ada, Bo here");

  await say(ada, "still here after the restart");
  await hears(bo, "Ada", "still here after the restart");
  await say(bo, "me too");
  await hears(ada, "Bo", "me too");
  await pointTo(ada, bo, "Ada", 0.55, 0.25);
  await pointTo(bo, ada, "Bo", 0.35, 0.7);
  log("chat and cursors go on after the restart");

  await ada.screenshot({ path: screenshot });
  log(`screenshot: ${screenshot}`);
  console.log("OK");
} catch (e) {
  console.log(`FAIL ${e.stack || e}`);
  process.exitCode = 1;
} finally {
  await browser.close();
  lines.close();
}
