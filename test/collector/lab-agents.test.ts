// The diamond lab (examples/diamond.yaml) brought up with `ioam lab up --agents`: every router
// has an `ioam agent` (src/lab/agent-hook.ts) reading its namespace's ioam6_events and, on r1
// and r4, their data plane's decap sink; NATS JetStream, two `ioam collect --source` workers and
// PostgreSQL are the test's own. h1 pings h2 a fixed number of times; tcpdump captures the
// same traffic where it enters the decapsulating node — r4's link from r2 for the requests,
// r1's link from r2 for the replies — and `ioam analyze --json` computes their journeys.
// PostgreSQL must hold exactly those journeys, each completed by one more hop: the
// decapsulating node's own entry, which its data plane writes in userspace after the capture
// point (docs/lab.md, "The emulation": a decapsulating node fills, then hands the record to its
// sink), and which reaches the store through that node's agent. r1's and r4's kernels report no
// events: what reaches them in IOAM is their data plane's. The trace carries timestamps
// (type 0xf00000): a kernel event has no flow, so the oldest entry with its timestamp is what
// tells the workers that r2's event and r4's sink record are the same packet (journey-key.ts).

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, describe, it } from "node:test";
import type { ChildProcess } from "node:child_process";
import pg from "pg";
import { NatsServer, PgServer, serversSkip } from "../../bench/scale-servers.js";
import { netnsName } from "../../src/lab/lab-state.js";
import { IOAM_MAIN, rootSkip, runIoam } from "../harness/netns.js";
import { Capture } from "../harness/process.js";
import { toolSkip } from "../harness/tools.js";
import { signal, startCli } from "./stream-lab.js";

const N = 40;
const ROOT = join(fileURLToPath(new URL(".", import.meta.url)), "..", "..", "..");
const PATH = process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin";
const ioam = (...args: string[]) => runIoam(args, PATH);
const skip = rootSkip() || serversSkip() || toolSkip({ ping: "iputils-ping", tcpdump: "tcpdump" });

/** Journeys per path, as `ioam analyze --json` computes them from a capture. */
function analyze(file: string): Array<[string, number]> {
  const r = spawnSync(process.execPath, [IOAM_MAIN, "analyze", "--json", file], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return (JSON.parse(r.stdout) as { paths: Array<{ path: string; journeys: number }> }).paths.map((p) => [p.path, p.journeys]);
}

type Row = { key: string; at: string; observations: number };

describe("ioam lab up --agents: the diamond's routers each run ioam agent → JetStream → 2 workers → PostgreSQL", { skip }, () => {
  const lab = `sc${process.pid}ag`;
  const dir = mkdtempSync(join(tmpdir(), `sc${process.pid}-labag-`));
  const procs: ChildProcess[] = [];
  const captures: Capture[] = [];
  let nats: NatsServer | undefined;
  let db: PgServer | undefined;
  after(async () => {
    captures.forEach((c) => c.cleanup());
    ioam("lab", "down", lab);
    await Promise.all(procs.map((p) => signal(p, "SIGKILL")));
    await Promise.all([nats?.cleanup(), db?.cleanup()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it("stores exactly the journeys ioam analyze computes from captures of the same pings, each with the decapsulating node's hop", async () => {
    [nats, db] = await Promise.all([NatsServer.start(), PgServer.start({ fsync: false })]);
    const config = join(dir, "collect.yaml");
    writeFileSync(config, "version: 1\nstream:\n  ackWait: 3s\n  grace: 1s\n");
    for (let w = 0; w < 2; w++) procs.push(await startCli(["collect", "--source", nats.url, "--store", db.url, "--config", config], "worker"));
    const up = ioam("lab", "up", join(ROOT, "examples", "diamond.yaml"), "TRACE=type 0xf00000 size 48", "--name", lab, "--agents", nats.url);
    assert.equal(up.code, 0, up.err);
    assert.equal((up.out.match(/agent: running/g) ?? []).length, 4, `an agent per router: ${up.out}`);

    // Hop-by-Hop options first (ip6[6] == 0): the instrumented packets, not neighbour discovery.
    captures.push(await Capture.start(netnsName(lab, "r4"), "eth1", "ip6[6] == 0"), await Capture.start(netnsName(lab, "r1"), "eth2", "ip6[6] == 0"));
    const ping = ioam("lab", "exec", lab, "h1", "--", "ping", "-c", String(N), "-i", "0.05", "-W", "2", "fd00:20::2");
    assert.match(ping.out, new RegExp(`${N} received`), ping.out + ping.err);
    const [requests, replies] = captures;
    assert.equal((await requests!.stop(N)).length, N, "r4 received each request from r2");
    assert.equal((await replies!.stop(N)).length, N, "r1 received each reply from r2");

    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const rows = await storedWhenSettled(client, 2 * N);
      // Each captured journey, completed by the decapsulating node's entry — its ingress from r2
      // and no egress (65535: the tunnel ends there) — and observed twice: r2's kernel event (its
      // agent names r2's namespace) and the decapsulating node's sink record (which names its own).
      const ns = (node: string) => netnsName(lab, node);
      const [toH2, toH1] = [analyze(requests!.file), analyze(replies!.file)];
      const expected = Object.fromEntries([
        ...toH2.map(([path, n]) => [`${path}>4:${0x0402}/65535 @ ${ns("r2")},${ns("r4")} #2`, n]),
        ...toH1.map(([path, n]) => [`${path}>1:${0x0102}/65535 @ ${ns("r1")},${ns("r2")} #2`, n]),
      ]);
      const stored: Record<string, number> = {};
      for (const r of rows) {
        const k = `${r.key} @ ${r.at.split(",").sort().join(",")} #${r.observations}`;
        stored[k] = (stored[k] ?? 0) + 1;
      }
      assert.deepEqual(stored, expected, "the journeys ioam analyze computes, each with the decapsulating node's hop and both observations");
      assert.deepEqual([...toH2, ...toH1].map(([p, n]) => [p.split("|")[1]!.split(">").map((h) => h.split(":")[0]).join(">"), n]), [["1>2", N], ["4>2", N]], "the captures: each ping r1 → r2, each reply r4 → r2");
      const count = async (sql: string) => Number((await client.query<{ n: string }>(sql)).rows[0]!.n);
      assert.equal(await count("SELECT count(DISTINCT id) AS n FROM records"), await count("SELECT count(*) AS n FROM records"), "no record id twice");
      assert.equal(await count("SELECT coalesce(sum(observations), 0) AS n FROM journeys"), await count("SELECT count(*) AS n FROM records"), "every record in exactly one journey");
    } finally {
      await client.end();
    }
  });
});

/** The stored journeys, once there are `n` of them, nothing is pending and the observations stopped growing. */
async function storedWhenSettled(client: pg.Client, n: number): Promise<Row[]> {
  let last = "";
  let rows: Row[] = [];
  for (const end = Date.now() + 60_000; Date.now() < end; await new Promise((r) => setTimeout(r, 500))) {
    rows = (await client.query<Row>("SELECT p.key, j.at, j.observations FROM journeys j JOIN paths p ON p.id = j.path_id").catch(() => ({ rows: [] as Row[] }))).rows;
    const pending = Number((await client.query<{ n: string }>("SELECT count(*) AS n FROM pending").catch(() => ({ rows: [{ n: "1" }] }))).rows[0]!.n);
    const now = `${rows.length}/${rows.reduce((s, r) => s + r.observations, 0)}/${pending}`;
    if (rows.length >= n && pending === 0 && now === last) return rows;
    last = now;
  }
  assert.fail(`not settled after 60 s: journeys/observations/pending ${last}`);
}
