// test: serial
// Stream assembly by the agents' watermark (docs/deployment.md, "Watermarks"): one agent's NATS
// connectivity is cut (tcp-hold.ts) while the others keep publishing, so that its records of the
// same packets reach the database many graces later, replayed from its spool. No journey may be
// assembled past the held agent's watermark: every journey is stored once, complete (the exact
// observations and path `ioam analyze` computes), with no late completion and per-hop series only
// of the full paths. An agent silent longer than stream.silentAfter stops holding the others back,
// reported as an `agent-silent` problem; its records then complete their journeys late. The wait
// limit (stream.maxWait) assembles journeys whatever the watermark, counted as `wait-limit`.

import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { PgServer, serversSkip } from "../../bench/scale-servers.js";
import { type Packet, StreamLab, analyzeCounts, traffic } from "./stream-lab.js";
import { TcpHold } from "./tcp-hold.js";

const N = 600;
const skip = serversSkip();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The packet with every event's capture time set to `t` (the agents' stream time is the wall clock). */
const retimed = (p: Packet, t: number): Packet => ({ nodes: p.nodes, events: new Map([...p.events].map(([k, line]) => [k, line.replace(/"time":[-0-9.e+]+/, `"time":${t}`)])) });

describe("stream assembly by the agents' watermark", { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), `wm${process.pid}-backlog-`));
  let cluster: PgServer;
  let packets: Packet[];
  let analyze: Map<string, number>;
  let lab: StreamLab | undefined;
  let relay: TcpHold | undefined;
  let n = 0;
  before(async () => {
    cluster = await PgServer.start({ fsync: false });
    const t = await traffic(dir, N);
    packets = t.packets;
    analyze = analyzeCounts(t.pcap);
  });
  after(async () => {
    await lab?.stop();
    await relay?.close();
    await cluster?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Agents a and c on the server, b through the relay; two workers with `stream`. */
  const up = async (stream: string) => {
    await lab?.stop();
    await relay?.close();
    lab = await StreamLab.start(cluster, mkdtempSync(join(dir, "lab-")), `wm${process.pid}backlog${++n}`, stream);
    relay = await TcpHold.start(lab.nats.port);
    await Promise.all([lab.startWorker(), lab.startWorker()]);
    await lab.startAgent("a");
    await lab.startAgent("b", relay.url);
    await lab.startAgent("c");
    return { l: lab, hold: relay };
  };
  /** Feeds packets [from, to) in chunks 100 ms apart, each stamped with the time it is fed. */
  const feedLive = async (l: StreamLab, from: number, to: number) => {
    for (let i = from; i < to; i += 50) {
      const now = Date.now();
      const chunk = packets.map((p, k) => (k >= i && k < Math.min(to, i + 50) ? retimed(p, now) : p));
      await l.feed(chunk, i, Math.min(to, i + 50));
      await sleep(100);
    }
  };
  const problems = async (l: StreamLab, reason: string) => (await l.db.query<{ node: string | null; count: string | null }>("SELECT node, count FROM problems WHERE reason = $1", [reason])).rows;

  it("one agent's records replayed after 5 graces: every journey complete, no late completion, series of the full paths only", async () => {
    const { l, hold } = await up("  ackWait: 3s\n  grace: 1s\n  silentAfter: 60s\n  maxWait: 120s\n");
    await feedLive(l, 0, N / 3);
    await sleep(2000);
    hold.hold();
    const heldAt = Date.now();
    await feedLive(l, N / 3, N);
    await sleep(5000);
    assert.equal(await l.count(`SELECT count(*) AS n FROM journeys WHERE time_ms >= ${heldAt}`), 0, "nothing assembled past the held agent's watermark");
    assert.ok((await l.count("SELECT count(*) AS n FROM pending")) > 0, "the other agents' records wait");
    hold.release();
    await l.drained();
    await l.assertExactlyOnce(packets, analyze);
    assert.deepEqual(await problems(l, "late"), [], "no journey completed late");
    assert.deepEqual(await problems(l, "wait-limit"), []);
    // hop 0 of every path counts each of its journeys once; no series row of a path no journey has.
    const series = (await l.db.query<{ path_id: string; n: string }>("SELECT path_id, sum(count) AS n FROM hop_series WHERE resolution = 60000 AND hop = 0 GROUP BY 1")).rows;
    const journeys = (await l.db.query<{ path_id: string; n: string }>("SELECT path_id, count(*) AS n FROM journeys GROUP BY 1")).rows;
    assert.deepEqual(Object.fromEntries(series.map((r) => [r.path_id, Number(r.n)])), Object.fromEntries(journeys.map((r) => [r.path_id, Number(r.n)])), "per-hop series per path = journeys per path");
    assert.equal(await l.count("SELECT count(*) AS n FROM hop_series WHERE path_id NOT IN (SELECT path_id FROM journeys)"), 0, "no shorter-path series rows");
  });

  it("an agent silent longer than stream.silentAfter stops holding assembly back, reported once; its records complete their journeys late", async () => {
    const { l, hold } = await up("  ackWait: 3s\n  grace: 1s\n  silentAfter: 4s\n  maxWait: 120s\n");
    await feedLive(l, 0, N / 3);
    hold.hold();
    const heldAt = Date.now();
    await feedLive(l, N / 3, N);
    await l.until("journeys assembled without the silent agent", async () => (await l.count(`SELECT count(*) AS n FROM journeys WHERE time_ms >= ${heldAt}`)) > 0, 30_000);
    await l.until("agent b reported silent", async () => (await problems(l, "agent-silent")).length > 0, 10_000);
    await sleep(3000); // another worker's report would show by now
    const silent = await problems(l, "agent-silent");
    assert.deepEqual(silent.map((p) => p.node), ["b"], "agent b reported silent, once");
    hold.release();
    await l.drained();
    await l.assertExactlyOnce(packets, analyze);
    const late = await problems(l, "late");
    assert.ok(late.reduce((k, p) => k + Number(p.count), 0) > 0, "b's records completed their journeys late");
  });

  it("stream.maxWait assembles a held agent's journeys whatever its watermark, counted as wait-limit; its records complete them late", async () => {
    const { l, hold } = await up("  ackWait: 3s\n  grace: 1s\n  silentAfter: 120s\n  maxWait: 5s\n");
    await feedLive(l, 0, N / 3);
    hold.hold();
    const heldAt = Date.now();
    await feedLive(l, N / 3, N);
    await l.until("journeys assembled at the wait limit", async () => (await l.count(`SELECT count(*) AS n FROM journeys WHERE time_ms >= ${heldAt}`)) > 0, 30_000);
    assert.deepEqual(await problems(l, "agent-silent"), [], "b is not silent yet: the wait limit, not silence, let them go");
    const forced = (await problems(l, "wait-limit")).reduce((k, p) => k + Number(p.count), 0);
    assert.ok(forced > 0, "wait-limit problems count the journeys");
    hold.release();
    await l.drained();
    await l.assertExactlyOnce(packets, analyze);
  });
});
