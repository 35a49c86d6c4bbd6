// The scale pipeline as processes, for the exactly-once and fault tests (stream-faults.test.ts):
// a nats-server of its own, a database of its own in a shared PostgreSQL cluster, `ioam agent`
// processes (each serving the kernel events of some routers, fed through its decap sockets) and
// `ioam collect --source … --store …` workers. The traffic is a capture of the generated diamond
// domain (bench/collector-traffic.ts); every router's ioam6_event of a packet is derived from it
// — node k sees its own entry and every earlier one, as the kernel reports them — so that
// `ioam analyze` of the capture says what the database must hold.

import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { GEN_NAMESPACE, GEN_TRACE_TYPE, genPathKey, writeJourneyCapture } from "../../bench/collector-traffic.js";
import { NatsServer, type PgServer } from "../../bench/scale-servers.js";
import { SocketFeed } from "../../bench/scale-traffic.js";
import { ipv6Offset } from "../../src/capture/link-type.js";
import { readFrames } from "../../src/capture/reader.js";
import type { Observation } from "../../src/collector/observation.js";
import { observationLine } from "../../src/collector/stream/record.js";
import type { TraceNode } from "../../src/wire/ioam/trace-node.js";
import { decodePacket } from "../../src/wire/packet.js";

const MAIN = join(fileURLToPath(new URL(".", import.meta.url)), "..", "..", "src", "cli", "main.js");

/** Which routers (IOAM node ids) each agent serves. */
export const AGENTS: Readonly<Record<string, readonly number[]>> = { a: [1, 4], b: [2, 5], c: [3, 6] };

/** One packet of the capture: its routers in traversal order and each router's event line. */
export interface Packet {
  nodes: number[];
  events: Map<number, string>;
}

/** Writes the capture and derives every router's events of each packet. */
export async function traffic(dir: string, n: number): Promise<{ pcap: string; packets: Packet[] }> {
  const pcap = join(dir, "traffic.pcap");
  writeJourneyCapture(pcap, n, { seed: 7 });
  const packets: Packet[] = [];
  for await (const _ of readFrames(pcap, (f, b) => {
    const frame = b.subarray(f.dataStart, f.dataStart + f.capturedLength);
    const trace = decodePacket(frame.subarray(ipv6Offset(f.linkType, frame))).options.find((o) => o.kind === "trace");
    if (trace?.kind !== "trace") return;
    const hops: TraceNode[] = trace.nodes
      .slice()
      .reverse()
      .map((x) => ({ hopLimit: x.hopLimit!, nodeId: x.nodeId!, ingressIf: x.ingressIf!, egressIf: x.egressIf!, tsSec: x.tsSec!, tsFrac: x.tsFrac!, queueDepth: x.queueDepth! }));
    const events = new Map<number, string>();
    hops.forEach((h, i) => {
      const o: Observation = { source: "kernel-event", time: h.tsSec! * 1000 + h.tsFrac! / 1000, timeSource: "collector-clock", at: `r${h.nodeId}`, namespaceId: GEN_NAMESPACE, traceType: GEN_TRACE_TYPE, overflow: false, nodes: hops.slice(0, i + 1).reverse() };
      events.set(h.nodeId!, observationLine("gen.0.0", o));
    });
    packets.push({ nodes: hops.map((h) => h.nodeId!), events });
  }));
  return { pcap, packets };
}

/** Journeys per path as `ioam analyze --json` reports them for the capture. */
export function analyzeCounts(pcap: string): Map<string, number> {
  const r = spawnSync(process.execPath, [MAIN, "analyze", "--json", pcap], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout) as { paths: Array<{ path: string; journeys: number }> };
  return new Map(report.paths.map((p) => [p.path, p.journeys]));
}

/** Starts a CLI process; resolves once it printed "(ready)" on stderr. */
export function startCli(args: string[], what: string, env: NodeJS.ProcessEnv = process.env): Promise<ChildProcess> {
  const child = spawn(process.execPath, [MAIN, ...args], { stdio: ["ignore", "ignore", "pipe"], env });
  let err = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what}: not ready after 30 s: ${err}`)), 30_000);
    child.stderr!.on("data", (d: Buffer) => {
      err += d.toString();
      if (err.includes("(ready)")) (clearTimeout(timer), resolve(child));
    });
    child.once("exit", (code) => (clearTimeout(timer), reject(new Error(`${what} exited (${code}): ${err}`))));
  });
}

/** Sends a signal and waits for the exit. */
export async function signal(child: ChildProcess, sig: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  child.kill(sig);
  await exited;
}

/** One pipeline: its nats-server, database, agents and workers. */
export class StreamLab {
  readonly agents = new Map<string, ChildProcess>();
  readonly workers: ChildProcess[] = [];
  /** Routers whose events reached a running agent, per packet index. */
  readonly delivered: Array<Set<number>> = [];
  private readonly config: string;

  private constructor(readonly nats: NatsServer, readonly dbUrl: string, readonly dir: string, readonly db: pg.Pool, stream: string) {
    this.config = join(dir, "collect.yaml");
    writeFileSync(this.config, `version: 1\nstream:\n${stream}`);
  }

  /**
   * A lab whose workers read `stream` (collect.yaml's stream section, indented); by default a short
   * ack wait and grace: a killed worker's messages come back within seconds (docs/deployment.md, "Sizing").
   */
  static async start(cluster: PgServer, dir: string, name: string, stream = "  ackWait: 3s\n  grace: 1s\n"): Promise<StreamLab> {
    const nats = await NatsServer.start();
    const admin = new pg.Client({ connectionString: cluster.url });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = cluster.url.replace(/\/ioam$/, `/${name}`);
    const db = new pg.Pool({ connectionString: url, max: 1 }); // a pool: it reconnects after a database restart
    db.on("error", () => {});
    return new StreamLab(nats, url, dir, db, stream);
  }

  async startWorker(): Promise<ChildProcess> {
    const w = await startCli(["collect", "--source", this.nats.url, "--store", this.dbUrl, "--config", this.config], "worker");
    this.workers.push(w);
    return w;
  }

  /** Starts agent `name`, publishing to `server` (default: the lab's nats-server). */
  async startAgent(name: string, server = this.nats.url): Promise<ChildProcess> {
    const decap = AGENTS[name]!.flatMap((k) => ["--decap", this.socket(k)]);
    const a = await startCli(["agent", "--node", name, "--domain", "t", "--server", server, "--spool", join(this.dir, `spool-${name}`), ...decap], `agent ${name}`);
    this.agents.set(name, a);
    return a;
  }

  private socket(node: number): string {
    return join(this.dir, `r${node}.sock`);
  }

  /** Feeds packets [from, to) to the routers of the running agents (the others' events are lost, as kernel events are). */
  async feed(packets: readonly Packet[], from: number, to: number): Promise<void> {
    const up = new Set([...this.agents].filter(([, p]) => p.exitCode === null && p.signalCode === null).flatMap(([name]) => AGENTS[name]!));
    const lines = new Map<number, string[]>();
    for (let i = from; i < to; i++) {
      const got = (this.delivered[i] ??= new Set());
      for (const [node, line] of packets[i]!.events) {
        if (!up.has(node)) continue;
        got.add(node);
        (lines.get(node) ?? lines.set(node, []).get(node)!).push(line);
      }
    }
    await Promise.all(
      [...lines].map(async ([node, ls]) => {
        const f = await SocketFeed.open(this.socket(node));
        for (let i = 0; i < ls.length; i += 200) await f.write(ls.slice(i, i + 200));
        await f.close();
      }),
    );
  }

  async count(sql: string): Promise<number> {
    return Number((await this.db.query<{ n: string }>(sql)).rows[0]!.n);
  }

  async until(what: string, test: () => Promise<boolean>, ms = 60_000): Promise<void> {
    for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 100))) if (await test()) return;
    assert.fail(`timed out waiting until ${what}`);
  }

  /** Waits until every delivered event is in a stored journey and nothing waits in pending. */
  async drained(ms = 120_000): Promise<void> {
    const events = this.delivered.reduce((n, s) => n + (s?.size ?? 0), 0);
    let last = "";
    for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 250))) {
      try {
        const [observed, pending] = [await this.count("SELECT coalesce(sum(observations), 0) AS n FROM journeys"), await this.count("SELECT count(*) AS n FROM pending")];
        last = `${observed} of ${events} events in journeys, ${pending} records pending`;
        if (observed >= events && pending === 0) return;
      } catch (e) {
        last = (e as Error).message; // the database restarting
      }
    }
    assert.fail(`not drained after ${ms} ms: ${last}`);
  }

  /**
   * Exactly once: one journey per packet, each with the observations of the routers whose events
   * were delivered and the path up to the last of them; no record stored twice. With `analyze`,
   * also the journeys per path that `ioam analyze` computes from the capture.
   */
  async assertExactlyOnce(packets: readonly Packet[], analyze?: Map<string, number>): Promise<void> {
    const expected = new Map<string, number>();
    packets.forEach((p, i) => {
      const got = this.delivered[i] ?? new Set();
      const upTo = Math.max(...p.nodes.map((k, h) => (got.has(k) ? h : -1)));
      if (upTo < 0) return;
      const key = `${genPathKey(p.nodes.slice(0, upTo + 1))}#${got.size}`;
      expected.set(key, (expected.get(key) ?? 0) + 1);
    });
    const rows = (await this.db.query<{ key: string; observations: number; n: string }>("SELECT p.key, j.observations, count(*) AS n FROM journeys j JOIN paths p ON p.id = j.path_id GROUP BY 1, 2")).rows;
    const stored = new Map(rows.map((r) => [`${r.key}#${r.observations}`, Number(r.n)]));
    assert.deepEqual(Object.fromEntries([...stored].sort()), Object.fromEntries([...expected].sort()), "journeys per path and observation count");
    assert.equal(await this.count("SELECT count(DISTINCT jkey) AS n FROM journeys"), await this.count("SELECT count(*) AS n FROM journeys"), "one journey per key");
    const events = this.delivered.reduce((n, s) => n + (s?.size ?? 0), 0);
    assert.equal(await this.count("SELECT count(*) AS n FROM records WHERE id NOT IN (SELECT id FROM records GROUP BY id HAVING count(*) > 1)"), await this.count("SELECT count(*) AS n FROM records"), "no record id twice");
    assert.equal(await this.count("SELECT coalesce(sum(observations), 0) AS n FROM journeys"), events, "every delivered event in exactly one journey");
    if (analyze) {
      const perPath = new Map((await this.db.query<{ key: string; n: string }>("SELECT p.key, count(*) AS n FROM journeys j JOIN paths p ON p.id = j.path_id GROUP BY 1")).rows.map((r) => [r.key, Number(r.n)]));
      assert.deepEqual(Object.fromEntries([...perPath].sort()), Object.fromEntries([...analyze].sort()), "journeys per path as ioam analyze computes them");
    }
  }

  async stop(): Promise<void> {
    await Promise.all([...this.agents.values(), ...this.workers].map((p) => signal(p, "SIGKILL")));
    await this.db.end().catch(() => {});
    await this.nats.cleanup();
  }
}
