// `ioam collect --netns r1 --netns r2 --netns r3` on a chain of three kernel IOAM routers
// (h1 — r1 — r2 — r3 — h2, configured with ip ioam and sysctl): the three ioam6_events of each
// traced packet become one journey (joined by content: timestamps), with its three hops in path
// order; packets whose trace carries no timestamps are not joined (one record per node); a
// packet of an IOAM namespace the configuration does not list is counted, not stored; /metrics
// shows the stored journeys.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import Database from "better-sqlite3";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type Chain, chain } from "../../src/lab/line.js";
import { buildPacket } from "../../src/wire/build.js";
import { parseOptionWords } from "../../src/wire/ioam/option-words.js";
import { configureWithIproute2, routerFixture } from "../fixtures/node-config.js";
import { IOAM_MAIN, NetnsSet, rootSkip } from "../harness/netns.js";
import { injectPackets } from "../harness/process.js";

const skip = rootSkip();

describe("ioam collect on kernel ioam6_events from three netns", { skip }, () => {
  const nets = new NetnsSet();
  const dir = mkdtempSync(join(tmpdir(), "ioam-collect-ev-"));
  let net: Chain;
  before(() => {
    net = chain(nets, 3, "ce");
    net.routers.forEach((r, i) => configureWithIproute2(r, routerFixture(i + 1)));
  });
  after(() => (nets.cleanup(), rmSync(dir, { recursive: true, force: true })));

  const packet = (words: string) => buildPacket({ src: net.h1Addr, dst: net.h2Addr, hopLimit: 64, options: parseOptionWords(words.split(" ")), upper: { kind: "udp", srcPort: 4000, dstPort: 5000, data: new Uint8Array(8) } });

  it("joins each packet's three events into one journey and stores it", async () => {
    const db = join(dir, "ev.db");
    const config = join(dir, "collect.yaml");
    writeFileSync(config, `version: 1\nnamespaces:\n  123: { tsFormat: linux }\nexports:\n  prometheus: { listen: "127.0.0.1:0" }\n`);
    const args = [IOAM_MAIN, "collect", "--config", config, "--db", db, "--json", ...net.routers.flatMap((r) => ["--netns", r])];
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d));
    const ready = new Promise<void>((resolve, reject) => {
      child.stderr.on("data", (d: Buffer) => ((err += d), /\(ready\)/.test(err) && resolve()));
      child.on("exit", (c) => reject(new Error(`collect exited ${c}: ${err}`)));
    });
    await ready;
    const port = Number(/metrics on :(\d+)/.exec(err)?.[1]);
    const timed = Array.from({ length: 20 }, () => packet("trace prealloc type 0xf20000 ns 123 size 60"));
    const untimed = Array.from({ length: 5 }, () => packet("trace prealloc type 0xc00000 ns 123 size 24"));
    injectPackets(nets, net.h1, [...timed, ...untimed, packet("trace prealloc type 0xf20000 ns 124 size 60")]);
    // Stop once every event arrived: 25 packets × 3 routers, plus the namespace-124 packet's 3.
    for (let i = 0; i < 200; i++) {
      const m = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text());
      if (Number(/^ioam_collector_records_total (\d+)/m.exec(m)?.[1]) >= 78) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const exited = new Promise<number | null>((r) => child.on("exit", r));
    child.kill("SIGTERM");
    assert.equal(await exited, 0, err);
    const summary = JSON.parse(out.trim().split("\n").pop()!) as { journeysStored: number; problems: Record<string, number> };
    assert.equal(summary.problems["unknown-namespace"], 3, "namespace 124 is not configured");

    const d = new Database(db, { readonly: true });
    const rows = d.prepare("SELECT j.joined_by, j.observations, j.at, p.key FROM journeys j JOIN paths p ON p.id = j.path_id").all() as Array<{ joined_by: string; observations: number; at: string; key: string }>;
    d.close();
    const joined = rows.filter((r) => r.joined_by === "content");
    assert.equal(joined.length, 20, "one journey per timed packet");
    for (const r of joined) {
      assert.equal(r.observations, 3);
      assert.deepEqual(r.at.split(",").sort(), [...net.routers].sort());
      assert.equal(r.key, "123|1:11/12>2:21/22>3:31/32");
    }
    const alone = rows.filter((r) => r.joined_by === "none");
    assert.equal(alone.length, 15, "untimed traces: one record per node, never joined");
    assert.deepEqual([...new Set(alone.map((r) => r.key))].sort(), ["123|1:11/12", "123|1:11/12>2:21/22", "123|1:11/12>2:21/22>3:31/32"]);
  });
});
