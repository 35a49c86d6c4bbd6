// The live tail under a client that stops reading: its bounded buffer fills, it is dropped,
// and a client that reads keeps receiving every journey stored after that, in order.

import assert from "node:assert/strict";
import { connect } from "node:net";
import { after, before, describe, it } from "node:test";
import WebSocket from "ws";
import { type Journey, Joiner } from "../../src/collector/journeys.js";
import type { SqliteStore } from "../../src/collector/store/sqlite-store.js";
import { GeneratedDiamond } from "./generated-diamond.js";
import type { UiServer } from "../../src/ui/server.js";
import { startUi } from "../../src/ui/start.js";
import { diamondStore } from "./fixtures.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A WebSocket client that completes the handshake and then never reads again. */
function stalledClient(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = connect(port, "127.0.0.1", () => {
      s.write(`GET /api/v1/tail HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`);
    });
    s.once("data", (d: Buffer) => {
      if (!d.toString().startsWith("HTTP/1.1 101")) return reject(new Error(d.toString()));
      s.pause(); // from here on nothing is read: the kernel's buffers fill, then the server's
      resolve();
    });
    s.on("error", () => {});
  });
}

describe("live tail", () => {
  let store: SqliteStore;
  let ui: UiServer;
  const gen = new GeneratedDiamond({ seed: 3 });
  const written: number[] = [];
  before(async () => {
    ({ store } = await diamondStore(10));
    ui = await startUi(store, { listen: "127.0.0.1:0", tail: { pollMs: 50, maxBufferedBytes: 256 * 1024 } });
  });
  after(async () => {
    await ui.close();
    await store.close();
  });

  /** Stores `n` journeys of now; returns their ids in storage order. */
  async function storeNow(n: number): Promise<void> {
    const js: Journey[] = [];
    const joiner = new Joiner((j) => js.push(j), { windowMs: 1 });
    const t = Date.now();
    for (let i = 0; i < n; i++) joiner.add(gen.packet(t - n * 0.01 + i * 0.01));
    joiner.drain();
    await store.write({ journeys: js });
    const last = store.stats().journeys;
    for (let id = last - js.length + 1; id <= last; id++) written.push(id);
  }

  it("drops a client that stops reading; a reading client gets every journey stored after that", async () => {
    const received: number[] = [];
    const reader = new WebSocket(`ws://127.0.0.1:${ui.port}/api/v1/tail`);
    reader.on("message", (m) => {
      const msg = JSON.parse(String(m)) as { type: string; journey?: { id: number } };
      if (msg.type === "journey") received.push(msg.journey!.id);
    });
    await new Promise((r) => reader.once("open", r));
    await stalledClient(ui.port);
    await sleep(200);
    let rounds = 0;
    while (ui.tail.stats.dropped === 0 && rounds++ < 400) {
      await storeNow(400);
      await sleep(40);
    }
    assert.equal(ui.tail.stats.dropped, 1, `the stalled client was dropped after ${rounds} rounds (${ui.tail.stats.sent} messages sent)`);
    const from = written.length;
    for (let i = 0; i < 5; i++) (await storeNow(200), await sleep(60));
    const after = written.slice(from);
    const deadline = Date.now() + 10_000;
    while (!after.every((id) => received.includes(id)) && Date.now() < deadline) await sleep(50);
    const got = new Set(received);
    assert.deepEqual(after.filter((id) => !got.has(id)), [], "every journey stored after the drop reached the reading client");
    assert.equal(got.size, received.length, "no journey twice");
    assert.equal(ui.tail.stats.clients, 1);
    reader.close();
  });
});
