// test: serial
// `ioam ui --store postgres://…` (docs/api.md, "Stores"): the same journeys, problems and flags
// written into SQLite and into PostgreSQL, each served by its own `ioam ui` process — every named
// query of the API answers the same JSON over both. A URL with a password is refused before
// anything is opened, a database without ioamkit's schema names itself, and nothing is left running.

import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import pg from "pg";
import { PgServer, serversSkip } from "../../bench/scale-servers.js";
import type { Flag } from "../../src/collector/flags.js";
import type { Journey } from "../../src/collector/journeys.js";
import { PgStore } from "../../src/collector/store/pg-store.js";
import { SqliteStore } from "../../src/collector/store/sqlite-store.js";
import type { Store, WriteBatch } from "../../src/collector/store/store.js";
import type { Problem } from "../../src/collector/sources/source.js";
import { journeyTraceContext } from "../../src/wire/trace-context.js";
import { diamondJourneys } from "./fixtures.js";
import { get } from "./http.js";

const MAIN = join(fileURLToPath(new URL(".", import.meta.url)), "..", "..", "src", "cli", "main.js");
const skip = serversSkip();

/** Runs `ioam ui ARGS --json`: resolves with the process and its URL, or with its exit status and stderr. */
function ui(args: string[]): Promise<{ child: ChildProcess; port: number } | { status: number | null; stderr: string }> {
  const child = spawn(process.execPath, [MAIN, "ui", ...args, "--listen", "127.0.0.1:0", "--json"], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
  return new Promise((resolve) => {
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const served = out.includes("\n") ? (JSON.parse(out) as { url?: string }).url : undefined; // --json: an error is a JSON line too
      if (served) resolve({ child, port: Number(new URL(served).port) });
    });
    child.once("exit", (status) => resolve({ status, stderr: err + out }));
  });
}

async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  child.kill("SIGTERM");
  await exited;
}

/** The batches both stores get: the diamond's journeys (with application trace contexts), a gap, a malformed record, flags. */
function batches(journeys: readonly Journey[], end: number): WriteBatch[] {
  const problems: Problem[] = [
    { reason: "gap", source: "b:events", time: end - 5_000, since: end - 10_000, node: "r2", nodeId: 2, detail: "ioam agent b was not running" },
    { reason: "malformed", source: "stream", time: end - 10_000, detail: "id: expected NODE.START.SEQ", count: 3 },
  ];
  const flags: Flag[] = [
    { kind: "path-change", time: end - 30_000, route: "123|2001:db8::1|2001:db8::4", from: "123:1>2>4", to: "123:1>3>4" },
    { kind: "latency-anomaly", time: end - 5_000, path: "123:1>2>4", hop: 2, medianNs: 900_000, baselineNs: 150_000 },
  ];
  const out: WriteBatch[] = [];
  for (let i = 0; i < journeys.length; i += 1000) out.push({ journeys: journeys.slice(i, i + 1000) });
  out.push({ journeys: [], problems, flags });
  return out;
}

describe("ioam ui --store postgres://…", { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), `wm${process.pid}-ui-pg-`));
  const end = Date.now() - 5000;
  const win = `from=${end - 60_000}&to=${end + 1}`;
  let cluster: PgServer;
  let url: string;
  let journeys: Journey[];
  const children: ChildProcess[] = [];
  let ports: { sqlite: number; pg: number };

  before(async () => {
    cluster = await PgServer.start({ fsync: false });
    const admin = new pg.Client({ connectionString: cluster.url });
    await admin.connect();
    await admin.query(`CREATE DATABASE wm${process.pid}ui`);
    await admin.query(`CREATE DATABASE wm${process.pid}empty`);
    await admin.end();
    url = cluster.url.replace(/\/ioam$/, `/wm${process.pid}ui`);
    journeys = diamondJourneys(3000, end);
    const stores: Store[] = [SqliteStore.open(join(dir, "ui.db")), await PgStore.open(url)];
    for (const s of stores) {
      for (const b of batches(journeys, end)) await s.write(b);
      await s.close();
    }
    const started = await Promise.all([ui(["--db", join(dir, "ui.db")]), ui(["--store", url])]);
    for (const s of started) if ("child" in s) children.push(s.child);
    const [a, b] = started;
    assert.ok(a && "port" in a && b && "port" in b, `both ui processes serve: ${JSON.stringify(started.map((s) => ("stderr" in s ? s.stderr : "ok")))}`);
    ports = { sqlite: a.port, pg: b.port };
  });
  after(async () => {
    await Promise.all(children.map(stop));
    await cluster?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  /** GET `path` from both; asserts 200 and the same JSON; returns it. */
  const same = async (path: string): Promise<Record<string, unknown>> => {
    const [s, p] = await Promise.all([get(ports.sqlite, path), get(ports.pg, path)]);
    assert.equal(s.status, 200, `sqlite ${path}: ${s.body}`);
    assert.equal(p.status, 200, `postgres ${path}: ${p.body}`);
    assert.deepEqual(p.json(), s.json(), path);
    return s.json();
  };

  it("answers paths, topology, per-hop series and heatmaps identically", async () => {
    const paths = (await same(`/api/v1/paths?${win}&sample=10000`)) as { paths: Array<{ id: number }>; journeys: number };
    assert.equal(paths.journeys, journeys.length);
    assert.ok(paths.paths.length >= 2);
    await same(`/api/v1/topology?${win}&sample=10000`);
    for (const { id } of paths.paths) {
      for (const step of ["1m", "1s", "1h"]) await same(`/api/v1/paths/${id}/series?${win}&step=${step}`);
      await same(`/api/v1/paths/${id}/heatmap?${win}&step=1m&hop=2`);
    }
  });

  it("answers journeys by node, path, time and trace id identically", async () => {
    for (const q of ["node=3", "node=2&limit=50", "path=1&limit=200", "limit=1000"]) {
      const r = (await same(`/api/v1/journeys?${win}&${q}`)) as { journeys: unknown[] };
      assert.ok(r.journeys.length > 0, q);
    }
    const traced = journeys.find((j) => journeyTraceContext(j.hops));
    assert.ok(traced, "the diamond carries application trace contexts");
    const r = (await same(`/api/v1/journeys?trace=${journeyTraceContext(traced.hops)!.traceId}`)) as { journeys: unknown[] };
    assert.equal(r.journeys.length, 1);
  });

  it("answers problems (the gap counted over the stored journeys) and flags identically", async () => {
    const p = (await same(`/api/v1/problems?${win}`)) as { problems: Array<{ reason: string; count?: number }> };
    assert.deepEqual(p.problems.map((x) => x.reason).sort(), ["gap", "malformed"]);
    const crossed = journeys.filter((j) => j.time >= end - 10_000 && j.time < end - 5_000 && j.hops.some((h) => h.nodeId === 2)).length;
    assert.ok(crossed > 0);
    assert.equal(p.problems.find((x) => x.reason === "gap")!.count, crossed, "the gap counts the journeys that crossed node 2 meanwhile");
    const f = (await same(`/api/v1/flags?${win}`)) as { flags: Array<{ kind: string }> };
    assert.deepEqual(f.flags.map((x) => x.kind).sort(), ["latency-anomaly", "path-change"]);
  });

  it("opens the store read-only: a write is refused by PostgreSQL", async () => {
    const reader = await PgStore.openReader(url);
    try {
      await assert.rejects(reader.write({ journeys: [], problems: [{ reason: "malformed", source: "ui", time: end, detail: "must not be stored" }] }), /read-only transaction/);
    } finally {
      await reader.close();
    }
  });

  it("refuses a password in --store (status 2) and names a database without ioamkit's schema (status 1)", async () => {
    const withPassword = await ui(["--store", url.replace("ioam@", "ioam:secret@")]);
    assert.ok("status" in withPassword && withPassword.status === 2, JSON.stringify(withPassword));
    assert.match(withPassword.stderr, /passwords never go on the command line; use PGPASSWORD or ~\/\.pgpass/);
    assert.doesNotMatch(withPassword.stderr, /secret/);
    const empty = await ui(["--store", url.replace(/\/[^/]+$/, `/wm${process.pid}empty`)]);
    assert.ok("status" in empty && empty.status === 1, JSON.stringify(empty));
    assert.match(empty.stderr, /--store postgres:\/\/.*empty: no ioamkit schema in this database: it is created by ioam collect --store/);
  });
});
