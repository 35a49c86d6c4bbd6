// test: serial
// Kernel routers each running `ioam agent` (root): a chain of three kernel IOAM routers
// (h1 — r1 — r2 — r3 — h2, the lab's line topology, configured with ip ioam and sysctl), an
// agent per router reading that router's ioam6_events (--netns), NATS JetStream, two
// `ioam collect --source` workers and PostgreSQL (servers of the test's own). A fixed count of
// traced packets from h1: PostgreSQL holds exactly the journeys `ioam analyze` computes from a
// capture of the same packets at h2 — one per packet, each with its three routers' events. Then
// r2's agent is SIGKILLed, packets cross, it restarts: its gap counts exactly those journeys.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import pg from "pg";
import { NatsServer, PgServer, serversSkip } from "../../bench/scale-servers.js";
import { type Chain, chain } from "../../src/lab/line.js";
import { buildPacket } from "../../src/wire/build.js";
import { parseOptionWords } from "../../src/wire/ioam/option-words.js";
import { configureWithIproute2, routerFixture } from "../fixtures/node-config.js";
import { IOAM_MAIN, NetnsSet, rootSkip } from "../harness/netns.js";
import { Capture, injectPackets } from "../harness/process.js";
import { signal, startCli } from "./stream-lab.js";
import type { ChildProcess } from "node:child_process";
import type { Problem } from "../../src/collector/sources/source.js";
import { PgStore } from "../../src/collector/store/pg-store.js";

const N = 100;
const skip = rootSkip() || serversSkip();

describe("routers each running ioam agent → JetStream → 2 workers → PostgreSQL", { skip }, () => {
  const nets = new NetnsSet();
  const dir = mkdtempSync(join(tmpdir(), "ioam-stream-kernel-"));
  const procs: ChildProcess[] = [];
  const agents = new Map<string, ChildProcess>();
  const agentOf = async (r: string) => {
    const a = await startCli(["agent", "--node", r, "--domain", "lab", "--server", nats.url, "--spool", join(dir, `spool-${r}`), "--netns", r], `agent ${r}`);
    agents.set(r, a);
    procs.push(a);
  };
  const packet = () => buildPacket({ src: net.h1Addr, dst: net.h2Addr, hopLimit: 64, options: parseOptionWords("trace prealloc type 0xf20000 ns 123 size 60".split(" ")), upper: { kind: "udp", srcPort: 4000, dstPort: 5000, data: new Uint8Array(8) } });
  let net: Chain;
  let nats: NatsServer;
  let db: PgServer;
  before(async () => {
    net = chain(nets, 3, "sk");
    net.routers.forEach((r, i) => configureWithIproute2(r, routerFixture(i + 1)));
    [nats, db] = await Promise.all([NatsServer.start(), PgServer.start({ fsync: false })]);
  });
  after(async () => {
    await Promise.all(procs.map((p) => signal(p, "SIGKILL")));
    await Promise.all([nats?.cleanup(), db?.cleanup()]);
    nets.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it("stores exactly the journeys ioam analyze computes from a capture of the traffic", async () => {
    const config = join(dir, "collect.yaml");
    writeFileSync(config, "version: 1\nstream:\n  ackWait: 3s\n  grace: 1s\n");
    for (let w = 0; w < 2; w++) procs.push(await startCli(["collect", "--source", nats.url, "--store", db.url, "--config", config], "worker"));
    for (const r of net.routers) await agentOf(r);
    const capture = await Capture.start(net.h2, "west", "ip6[6] == 0"); // hop-by-hop options: the traced packets, not neighbour discovery
    try {
      for (let i = 0; i < N; i += 20) injectPackets(nets, net.h1, Array.from({ length: 20 }, packet));
      assert.equal((await capture.stop(N)).length, N, "the capture saw every packet");
      const report = spawnSync(process.execPath, [IOAM_MAIN, "analyze", "--json", capture.file], { encoding: "utf8" });
      assert.equal(report.status, 0, report.stderr);
      const analyze = (JSON.parse(report.stdout) as { paths: Array<{ path: string; journeys: number }> }).paths.map((p) => [p.path, p.journeys]);
      assert.deepEqual(analyze, [["123|1:11/12>2:21/22>3:31/32", N]]);

      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      const count = async (sql: string) => Number((await client.query<{ n: string }>(sql)).rows[0]!.n);
      try {
        for (const end = Date.now() + 60_000; Date.now() < end; await new Promise((r) => setTimeout(r, 200))) {
          const done = (await count("SELECT coalesce(sum(observations), 0) AS n FROM journeys")) >= 3 * N && (await count("SELECT count(*) AS n FROM pending")) === 0;
          if (done) break;
        }
        const rows = (await client.query<{ key: string; n: string; observations: number; at: string }>("SELECT p.key, j.observations, j.at, count(*) OVER (PARTITION BY p.key) AS n FROM journeys j JOIN paths p ON p.id = j.path_id")).rows;
        assert.deepEqual([...new Map(rows.map((r) => [r.key, Number(r.n)]))], analyze, "journeys per path as ioam analyze computes them");
        for (const r of rows) {
          assert.equal(r.observations, 3);
          assert.deepEqual(r.at.split(",").sort(), [...net.routers].sort());
        }
        assert.equal(await count("SELECT count(DISTINCT id) AS n FROM records"), await count("SELECT count(*) AS n FROM records"), "no record id twice");
      } finally {
        await client.end();
      }
    } finally {
      capture.cleanup();
    }
  });

  it("counts the journeys that crossed a router while its agent was down as that agent's gap", async () => {
    const store = await PgStore.open(db.url);
    const observed = async () => Number((await store.withClient((c) => c.query<{ n: string }>("SELECT coalesce(sum(observations), 0) AS n FROM journeys"))).rows[0]!.n);
    try {
      const [r1, r2, r3] = net.routers as [string, string, string];
      const before = await observed();
      await signal(agents.get(r2)!, "SIGKILL");
      injectPackets(nets, net.h1, Array.from({ length: 20 }, packet));
      for (const end = Date.now() + 60_000; Date.now() < end && (await observed()) < before + 40; ) await new Promise((r) => setTimeout(r, 200));
      assert.equal(await observed(), before + 40, "r1's and r3's events of the 20 packets");
      await agentOf(r2);
      let gap: Problem | undefined;
      for (const end = Date.now() + 60_000; Date.now() < end && !gap; await new Promise((r) => setTimeout(r, 200))) gap = (await store.problems({ from: 0, to: Date.now() + 60_000 })).find((p) => p.reason === "gap" && p.node === r2);
      assert.ok(gap, "the restarted agent reported its gap");
      assert.equal(gap.nodeId, 2);
      assert.equal(gap.count, 20, "the 20 journeys that crossed node 2 without its observation");
      assert.ok([r1, r3].every((r) => !gap!.source.startsWith(`${r}:`)));
    } finally {
      await store.close();
    }
  });
});
