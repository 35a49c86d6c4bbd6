// test: serial
// Agents → JetStream → two workers → PostgreSQL as processes (stream-lab.ts), with nothing lost
// or doubled whatever dies (docs/deployment.md, "Exactly once"): the database holds exactly the
// journeys `ioam analyze` computes from the capture of the same traffic, after a clean run and
// after each fault — a worker SIGKILLed mid-stream, nats-server stopped 10 s (the agents spool,
// then replay), PostgreSQL restarted mid-stream, an agent SIGKILLed and restarted (its routers'
// events meanwhile are lost, as kernel events are: counted as a gap, never stored twice).

import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { PgServer, serversSkip } from "../../bench/scale-servers.js";
import { AGENTS, type Packet, StreamLab, analyzeCounts, signal, traffic } from "./stream-lab.js";

const N = 1500;
const skip = serversSkip();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("stream pipeline, exactly once through faults", { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), "ioam-faults-"));
  let cluster: PgServer;
  let packets: Packet[];
  let analyze: Map<string, number>;
  let n = 0;
  let lab: StreamLab | undefined;
  before(async () => {
    cluster = await PgServer.start({ fsync: false });
    const t = await traffic(dir, N);
    packets = t.packets;
    analyze = analyzeCounts(t.pcap);
  });
  after(async () => {
    await lab?.stop();
    await cluster?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A lab with every agent and two workers running. */
  const up = async () => {
    await lab?.stop();
    const d = mkdtempSync(join(dir, "lab-"));
    lab = await StreamLab.start(cluster, d, `faults${++n}`);
    await Promise.all([lab.startWorker(), lab.startWorker()]);
    for (const name of Object.keys(AGENTS)) await lab.startAgent(name);
    return lab;
  };
  const thirds = [0, Math.floor(N / 3), Math.floor((2 * N) / 3), N];

  it("stores exactly the journeys ioam analyze computes, with two workers", async () => {
    const l = await up();
    await l.feed(packets, 0, N);
    await l.drained();
    await l.assertExactlyOnce(packets, analyze);
  });

  it("a worker SIGKILLed mid-stream: its unacknowledged messages go to the other", async () => {
    const l = await up();
    await l.feed(packets, thirds[0]!, thirds[2]!);
    await signal(l.workers[0]!, "SIGKILL");
    await l.feed(packets, thirds[2]!, N);
    await l.drained();
    await l.assertExactlyOnce(packets, analyze);
  });

  it("nats-server stopped for 10 s: the agents spool, then replay", async () => {
    const l = await up();
    await l.feed(packets, thirds[0]!, thirds[1]!);
    await l.nats.stop();
    await l.feed(packets, thirds[1]!, thirds[2]!);
    await sleep(10_000);
    await l.nats.start();
    await l.feed(packets, thirds[2]!, N);
    await l.drained();
    await l.assertExactlyOnce(packets, analyze);
  });

  it("PostgreSQL restarted mid-stream: the workers retry, nothing is acknowledged before its commit", async () => {
    const l = await up();
    await l.feed(packets, thirds[0]!, thirds[1]!);
    await cluster.stop();
    await l.feed(packets, thirds[1]!, thirds[2]!);
    await sleep(3000);
    await cluster.start();
    await l.feed(packets, thirds[2]!, N);
    await l.drained();
    await l.assertExactlyOnce(packets, analyze);
  });

  it("an agent SIGKILLed and restarted: no record twice, its downtime a counted gap", async () => {
    const l = await up();
    await l.feed(packets, thirds[0]!, thirds[1]!);
    // What it read is in its spool or published; what still sits in its socket dies with it, as
    // kernel events queued on a netlink socket do: kill it once it read everything fed so far.
    const fed = packets.slice(0, thirds[1]).reduce((k, p) => k + p.nodes.filter((x) => AGENTS.b!.includes(x)).length, 0);
    await l.until("agent b read its events", async () => (await l.count("SELECT count(*) AS n FROM records WHERE id LIKE 'b.%'")) >= fed);
    await signal(l.agents.get("b")!, "SIGKILL");
    await l.feed(packets, thirds[1]!, thirds[2]!); // routers 2 and 5: nobody listens
    await l.startAgent("b");
    await l.feed(packets, thirds[2]!, N);
    await l.drained();
    await l.assertExactlyOnce(packets);
    const gaps = (await l.db.query<{ source: string; since_ms: number; time_ms: number }>("SELECT source, since_ms, time_ms FROM problems WHERE reason = 'gap'")).rows;
    assert.deepEqual(gaps.map((g) => g.source).sort(), ["b:decap:" + join(l.dir, "r2.sock"), "b:decap:" + join(l.dir, "r5.sock")]);
    assert.ok(gaps.every((g) => g.since_ms < g.time_ms));
  });
});
