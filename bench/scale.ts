// `npm run bench:scale [-- --short] [-- --json]`: the scale pipeline end to end (issue 14) —
// `ioam agent` (three routers' kernel events, fed through its decap sockets) → NATS JetStream →
// `ioam collect --source` workers → PostgreSQL — with 1 and then 2 workers, each run on a fresh
// nats-server and database of its own; then the lag under a burst at twice the 2-worker rate;
// and the CPU seconds each component spent per 100k records (/proc/PID/stat utime + stime, the
// PostgreSQL figure summing the postmaster and its backends), because on 2 shared cores the
// components compete and the worker count alone measures contention, not scaling. The baseline,
// in the same run: `ioam collect --decap` of the same events straight into SQLite.
//
// Hop records are the node entries of the stored journeys (as bench:collector counts them);
// records are the agents' events (one per router per packet).

import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { NatsServer, PgServer, serversSkip } from "./scale-servers.js";
import { SocketFeed, eventLine } from "./scale-traffic.js";

const SHORT = process.argv.includes("--short");
const JSON_ONLY = process.argv.includes("--json");
const HOPS = 3;
const PACKETS = SHORT ? 4000 : 40_000;
const BURST_SEC = SHORT ? 3 : 10;
const MAIN = join(fileURLToPath(new URL(".", import.meta.url)), "..", "src", "cli", "main.js");
const T0 = Date.UTC(2026, 0, 1) * 1000;
const dir = mkdtempSync(join(tmpdir(), "ioam-bench-scale-"));
const say = (s: string) => JSON_ONLY || process.stderr.write(`bench:scale: ${s}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** CPU seconds of a process (and, with `children`, of its direct children) so far. */
function cpuSeconds(pid: number | undefined, children = false): number {
  if (pid === undefined) return 0;
  const ticks = (p: string) => {
    try {
      const f = readFileSync(`/proc/${p}/stat`, "utf8");
      const rest = f.slice(f.lastIndexOf(")") + 2).split(" ");
      return { ppid: Number(rest[1]), cpu: Number(rest[11]) + Number(rest[12]) }; // fields 4, 14, 15 of proc(5)
    } catch {
      return { ppid: -1, cpu: 0 };
    }
  };
  let t = ticks(String(pid)).cpu;
  if (children) for (const p of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) if (ticks(p).ppid === pid) t += ticks(p).cpu;
  return t / 100; // USER_HZ, 100 on Linux (sysconf(_SC_CLK_TCK))
}

/** Starts an ioam command; resolves once its stderr matched `ready` (at once without). */
function startCli(args: string[], ready: RegExp | undefined, stdout?: (line: string) => void): Promise<ChildProcess> {
  const child = spawn(process.execPath, [MAIN, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let err = "";
  let out = "";
  child.stdout!.on("data", (d: Buffer) => {
    out += d.toString();
    for (let i; (i = out.indexOf("\n")) >= 0; out = out.slice(i + 1)) stdout?.(out.slice(0, i));
  });
  return new Promise((resolve, reject) => {
    if (!ready) resolve(child);
    child.stderr!.on("data", (d: Buffer) => {
      err += d.toString();
      if (ready?.test(err)) resolve(child);
    });
    child.once("exit", (code) => reject(new Error(`ioam ${args[0]} exited (${code}): ${err}`)));
  });
}

async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  await exited;
}

/** Every router's event lines of packets [from, to). */
function events(from: number, to: number): string[][] {
  return Array.from({ length: HOPS }, (_, h) => Array.from({ length: to - from }, (_, i) => eventLine(from + i, h, HOPS, T0)));
}

/** Writes each router's lines into its socket, at most `perSec` packets a second when given. */
async function feed(sockets: readonly string[], lines: string[][], perSec?: number): Promise<void> {
  const feeds = await Promise.all(sockets.map((s) => SocketFeed.open(s)));
  const chunk = 200;
  const start = Date.now();
  for (let i = 0; i < lines[0]!.length; i += chunk) {
    await Promise.all(feeds.map((f, h) => f.write(lines[h]!.slice(i, i + chunk))));
    if (perSec) await sleep(Math.max(0, start + ((i + chunk) / perSec) * 1000 - Date.now()));
  }
  await Promise.all(feeds.map((f) => f.close()));
}

interface Cpu {
  agent: number;
  natsServer: number;
  workers: number;
  postgres: number;
}

/** One pipeline run with `workers` workers; with `burst`, also the lag under twice `burst` packets/s. */
async function streamRun(db: PgServer, workers: number, burst = false): Promise<{ recordsPerSec: number; hopRecordsPerSec: number; cpuPer100kRecords: Cpu; burst?: { packetsPerSec: number; seconds: number; lagSec: number } }> {
  const nats = await NatsServer.start();
  const name = `bench_w${workers}_${burst ? "b" : "n"}`;
  const admin = new pg.Client({ connectionString: db.url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = db.url.replace(/\/ioam$/, `/${name}`);
  const client = new pg.Client({ connectionString: url });
  const config = join(dir, `${name}.yaml`);
  writeFileSync(config, "version: 1\nstream:\n  grace: 1s\n");
  const sockets = Array.from({ length: HOPS }, (_, h) => join(dir, `${name}-r${h + 1}.sock`));
  const procs: ChildProcess[] = [];
  try {
    for (let w = 0; w < workers; w++) procs.push(await startCli(["collect", "--source", nats.url, "--store", url, "--config", config], /\(ready\)/));
    const agent = await startCli(["agent", "--node", "bench", "--domain", "b", "--server", nats.url, "--spool", join(dir, `${name}-spool`), ...sockets.flatMap((s) => ["--decap", s])], /\(ready\)/);
    procs.push(agent);
    await client.connect();
    const stored = async () => Number((await client.query<{ n: string }>("SELECT coalesce(sum(observations), 0) AS n FROM journeys")).rows[0]!.n);
    const until = async (n: number) => {
      while ((await stored()) < n) await sleep(50);
    };
    const cpu = () => ({ agent: cpuSeconds(agent.pid), natsServer: cpuSeconds(nats.pid), workers: procs.slice(0, workers).reduce((s, p) => s + cpuSeconds(p.pid), 0), postgres: cpuSeconds(db.pid, true) });
    const lines = events(0, PACKETS);
    const cpu0 = cpu();
    const t0 = Date.now();
    await feed(sockets, lines);
    await until(PACKETS * HOPS);
    const sec = (Date.now() - t0) / 1000;
    const cpu1 = cpu();
    const records = PACKETS * HOPS;
    const per100k = (k: keyof Cpu) => +(((cpu1[k] - cpu0[k]) / records) * 100_000).toFixed(2);
    const out: Awaited<ReturnType<typeof streamRun>> = {
      recordsPerSec: Math.round(records / sec),
      hopRecordsPerSec: Math.round((PACKETS * HOPS) / sec),
      cpuPer100kRecords: { agent: per100k("agent"), natsServer: per100k("natsServer"), workers: per100k("workers"), postgres: per100k("postgres") },
    };
    if (burst) {
      const rate = out.recordsPerSec / HOPS; // packets/s sustained
      // Twice the sustained rate for BURST_SEC: the lag is how long after the burst's last record
      // its journeys are all stored (the backlog queued in JetStream and pending drains).
      const n = Math.round(rate * 2 * BURST_SEC);
      const more = events(PACKETS, PACKETS + n);
      const b0 = Date.now();
      await feed(sockets, more, rate * 2);
      const fedSec = (Date.now() - b0) / 1000;
      const f = Date.now();
      await until((PACKETS + n) * HOPS);
      out.burst = { packetsPerSec: Math.round(n / fedSec), seconds: +fedSec.toFixed(1), lagSec: +((Date.now() - f) / 1000).toFixed(2) };
    }
    return out;
  } finally {
    await client.end().catch(() => {});
    for (const p of procs.reverse()) await stop(p);
    await nats.cleanup();
  }
}

/** The baseline: ioam collect --decap of the same events into SQLite, one process. */
async function sqliteRun(): Promise<{ recordsPerSec: number; hopRecordsPerSec: number; cpuPer100kRecords: number }> {
  const sockets = Array.from({ length: HOPS }, (_, h) => join(dir, `sqlite-r${h + 1}.sock`));
  let journeys = 0;
  let wake: (() => void) | undefined;
  const collect = await startCli(["collect", "--db", join(dir, "baseline.db"), "--json", ...sockets.flatMap((s) => ["--decap", s])], undefined, (line) => {
    const v = JSON.parse(line) as { stored?: number };
    if (typeof v.stored === "number") (journeys = v.stored), wake?.();
  });
  try {
    while (!sockets.every((s) => existsSync(s))) await sleep(50);
    const lines = events(0, PACKETS);
    const cpu0 = cpuSeconds(collect.pid);
    const t0 = Date.now();
    await feed(sockets, lines);
    while (journeys < PACKETS) await new Promise<void>((r) => ((wake = r), setTimeout(r, 200)));
    const sec = (Date.now() - t0) / 1000;
    return { recordsPerSec: Math.round((PACKETS * HOPS) / sec), hopRecordsPerSec: Math.round((PACKETS * HOPS) / sec), cpuPer100kRecords: +(((cpuSeconds(collect.pid) - cpu0) / (PACKETS * HOPS)) * 100_000).toFixed(2) };
  } finally {
    await stop(collect);
  }
}

async function main(): Promise<void> {
  const skip = serversSkip();
  if (skip) throw new Error(skip);
  const load = loadavg()[0]!.toFixed(2);
  say(`load ${load}; ${PACKETS} packets over ${HOPS} routers (${PACKETS * HOPS} records) per run`);
  const db = await PgServer.start();
  try {
    say("baseline: ioam collect --decap into SQLite");
    const sqlite = await sqliteRun();
    say(`${sqlite.recordsPerSec} records/s; 1 worker`);
    const one = await streamRun(db, 1);
    say(`${one.recordsPerSec} records/s; 2 workers, then a burst at twice their rate`);
    const two = await streamRun(db, 2, true);
    const result = {
      bench: "scale", short: SHORT, loadAverage1m: Number(load), cores: 2, packets: PACKETS, hops: HOPS,
      baselineSqlite: sqlite,
      workers1: one,
      workers2: two,
    };
    process.stdout.write(JSON.stringify(result, null, JSON_ONLY ? 0 : 2) + "\n");
  } finally {
    await db.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  rmSync(dir, { recursive: true, force: true });
  process.stderr.write(`bench/scale: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exitCode = 1;
});
