// The collector under real network conditions on the diamond lab (examples/diamond.yaml: r1
// encapsulates towards r4 through r2 with an E2E sequence number; `ioam collect` follows r4's
// sink). This kernel has no netem, so the conditions are the real thing, one after another on
// one probe flow (h1 → h2, one UDP source port), each read from /metrics as an operator would
// (deltas of counters and of histogram buckets between two scrapes):
//
//   loss   ip6tables at r2 drops 10% of the tunnel's packets at random: the collector's E2E loss
//          equals the rule's own drop counter, and is 10 ± 3% of the probes;
//   queue  tbf at 2 Mbit/s on r2 → r4 under ~10 Mbit/s of UDP: r2's queue depth (Linux: the
//          egress qdisc's backlog in bytes) rises from 0, and the r2 → r4 hop latency p50 grows
//          ≥ 5× over the idle p50 (compared bucket against bucket, so ≥ 10× in fact);
//   route  r1's route to the tunnel end moves from r2 to r3: exactly one path-change flag.

import assert from "node:assert/strict";
import Database from "better-sqlite3";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { labDir } from "../../src/lab/lab-state.js";
import { udpPaced } from "../harness/flows.js";
import { type CollectChild, startCollect } from "../harness/collect-child.js";
import { runIoam } from "../harness/netns.js";
import { toolSkip } from "../harness/tools.js";

const skip = toolSkip({ ping: "iputils-ping", tc: "iproute2", ip6tables: "iptables" });
const ROOT = join(fileURLToPath(new URL(".", import.meta.url)), "..", "..", "..");
const PATH = process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin";
const ioam = (...args: string[]) => runIoam(args, PATH);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One scrape: every sample by its full series text, e.g. `ioam_path_changes_total` or `x_bucket{…,le="0.5"}`. */
type Scrape = Map<string, number>;

async function scrape(port: number): Promise<Scrape> {
  const text = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text());
  const m: Scrape = new Map();
  for (const line of text.split("\n")) {
    const s = /^([a-z_]+(?:\{.*\})?) (\S+)$/.exec(line);
    if (s) m.set(s[1]!, Number(s[2]));
  }
  return m;
}

/** The sum over series of `name` whose labels include every `want` pair, later − earlier. */
function delta(a: Scrape, b: Scrape, name: string, want: Record<string, string> = {}): number {
  let sum = 0;
  for (const [k, v] of b) if (seriesMatches(k, name, want)) sum += v - (a.get(k) ?? 0);
  return sum;
}

function seriesMatches(series: string, name: string, want: Record<string, string>): boolean {
  if (series !== name && !series.startsWith(name + "{")) return false;
  return Object.entries(want).every(([k, v]) => series.includes(`${k}="${v}"`));
}

/** The median's bucket (its `le` bound) of histogram `name`'s observations between two scrapes. */
function medianBound(a: Scrape, b: Scrape, name: string, want: Record<string, string>): { count: number; le: number } {
  const count = delta(a, b, name + "_count", want);
  const les = new Set<number>();
  for (const k of b.keys()) if (seriesMatches(k, name + "_bucket", want)) les.add(Number(/le="([^"]+)"/.exec(k)![1]));
  for (const le of [...les].sort((x, y) => x - y)) {
    if (delta(a, b, name + "_bucket", { ...want, le: String(le) }) >= count / 2) return { count, le };
  }
  return { count, le: Infinity };
}

/** The bound just below `le` among the histogram's buckets: the median is above it. */
function bucketFloor(b: Scrape, name: string, want: Record<string, string>, le: number): number {
  let floor = 0;
  for (const k of b.keys()) {
    if (!seriesMatches(k, name + "_bucket", want)) continue;
    const v = Number(/le="([^"]+)"/.exec(k)![1]);
    if (v < le && v > floor) floor = v;
  }
  return floor;
}

/** Hop labels on r1 → r2 → r4 (node:ingress/egress as in the path key). */
const R2 = { hop: "1", node: "2:513/516" };
const R4 = { hop: "2", node: "4:1026/65535" };

const inNs = (lab: string, node: string, ...cmd: string[]) => {
  const r = ioam("lab", "exec", lab, node, "--", ...cmd);
  assert.equal(r.code, 0, `${node}: ${cmd.join(" ")}: ${r.err}`);
  return r.out;
};

describe("the collector under real conditions on the diamond lab", { skip }, () => {
  const lab = `t${process.pid}-cond`;
  const dir = mkdtempSync(join(tmpdir(), "ioamkit-labcond-"));
  let collector: CollectChild | undefined;
  let port = 0;
  let last: Scrape;
  const h1 = `ioamkit.${lab}.h1`;
  const probes = (count: number, pps: number, size = 64) => udpPaced(h1, "fd00:20::2", { count, pps, size });
  /** Waits for the collector to have seen `n` more journeys than at `since`, then scrapes. */
  const settle = async (since: Scrape, n: number): Promise<Scrape> => {
    let s = await scrape(port);
    for (let t = Date.now(); delta(since, s, "ioam_journeys_total") < n && Date.now() - t < 20_000; s = await scrape(port)) await sleep(200);
    await sleep(700); // stragglers: a record written after the count was reached
    return scrape(port);
  };

  before(async () => {
    const trace = "type 0xf20000 size 60 e2e ns 100 type 0x4000"; // ids, if ids, timestamps, queue depth; 32-bit E2E sequence
    const up = ioam("lab", "up", join(ROOT, "examples", "diamond.yaml"), `TRACE=${trace}`, "--name", lab);
    assert.equal(up.code, 0, up.err);
    const config = join(dir, "collect.yaml");
    writeFileSync(config, `version: 1\nnamespaces:\n  100: {}\nexports:\n  prometheus: { listen: "127.0.0.1:0" }\n`);
    collector = await startCollect(["--config", config, "--db", join(dir, "cond.db"), "--decap", join(labDir(lab), "r4.sink.ndjson")]);
    port = collector.metricsPort!;
    last = await scrape(port);
  });

  after(async () => {
    await collector?.stop();
    ioam("lab", "down", lab);
    rmSync(dir, { recursive: true, force: true });
  });

  let idle: Scrape;
  let idleStart: Scrape;

  it("idle: probes cross r1 → r2 → r4 with r2's queue empty", async () => {
    idleStart = last;
    assert.equal(await probes(300, 100), 300);
    idle = last = await settle(idleStart, 300);
    assert.equal(delta(idleStart, idle, "ioam_journeys_total"), 300, collector!.stderr());
    const q = medianBound(idleStart, idle, "ioam_hop_queue_depth", R2);
    assert.equal(q.count, 300);
    assert.ok(q.le <= 2, `r2's queue depth median is in the lowest bucket (le ${q.le})`);
  });

  it("loss: a 10% random drop at r2 shows as exactly the dropped probes, 10 ± 3% of 5000", async (t) => {
    const start = last;
    const rule = ["FORWARD", "-d", "fd00:24::2", "-m", "statistic", "--mode", "random", "--probability", "0.1", "-j", "DROP"];
    inNs(lab, "r2", "ip6tables", "-w", "-I", ...rule);
    assert.equal(await probes(5000, 1000), 5000);
    const counters = inNs(lab, "r2", "ip6tables", "-w", "-L", "FORWARD", "-v", "-x", "-n");
    inNs(lab, "r2", "ip6tables", "-w", "-D", ...rule);
    const dropped = Number(/^\s*(\d+)\s+\d+\s+DROP\b.*statistic/m.exec(counters)?.[1]);
    assert.equal(await probes(20, 100), 20, "numbers after the last drop close its gap");
    const end = (last = await settle(start, 5020 - dropped));
    const lost = delta(start, end, "ioam_lost_packets_total");
    assert.equal(delta(start, end, "ioam_journeys_total"), 5020 - dropped, "every probe the rule passed is a journey");
    t.diagnostic(`dropped ${dropped}, lost ${lost} (${((lost / 5000) * 100).toFixed(1)}%)`);
    assert.equal(lost, dropped, "E2E loss = the rule's drops");
    assert.ok(Math.abs(lost / 5000 - 0.1) <= 0.03, `loss ${((lost / 5000) * 100).toFixed(1)}% is 10 ± 3%`);
  });

  it("queue: tbf on r2 → r4 under more UDP than it passes raises r2's queue depth and the hop's p50 ≥ 5×", async (t) => {
    const start = last;
    inNs(lab, "r2", "tc", "qdisc", "add", "dev", "eth2", "root", "tbf", "rate", "2mbit", "burst", "4kb", "latency", "300ms");
    try {
      await probes(3000, 1000, 1200);
      await sleep(1000); // the queue drains (≤ 300 ms) and r4 records what passed
    } finally {
      inNs(lab, "r2", "tc", "qdisc", "del", "dev", "eth2", "root");
    }
    const loaded = (last = await settle(start, 1));
    const hop = R4;
    const before = medianBound(idleStart, idle, "ioam_hop_latency_seconds", hop);
    const under = medianBound(start, loaded, "ioam_hop_latency_seconds", hop);
    const underFloor = bucketFloor(loaded, "ioam_hop_latency_seconds", hop, under.le);
    assert.ok(under.count > 300, `the tbf passed ${under.count} probes`);
    assert.ok(underFloor >= 5 * before.le, `r2 → r4 p50 under load > ${underFloor} s, idle ≤ ${before.le} s`);
    const q = medianBound(start, loaded, "ioam_hop_queue_depth", R2);
    t.diagnostic(`r2 → r4 p50: idle ≤ ${before.le} s, loaded ${underFloor}–${under.le} s (${under.count} probes); r2 queue p50 ≤ ${q.le} bytes`);
    assert.ok(bucketFloor(loaded, "ioam_hop_queue_depth", R2, q.le) >= 10_000, `r2's queue depth p50 ≤ ${q.le} bytes: the tbf's backlog`);
  });

  it("route: moving r1's route to r4 from r2 to r3 raises exactly one path-change flag", async () => {
    const start = last;
    assert.equal(delta(new Map(), start, "ioam_path_changes_total"), 0, "no change before the move");
    inNs(lab, "r1", "ip", "-6", "route", "replace", "fd00:24::/48", "via", "fd00:13::2", "dev", "eth3");
    assert.equal(await probes(100, 100), 100);
    const end = (last = await settle(start, 100));
    assert.equal(delta(start, end, "ioam_path_changes_total"), 1);
    assert.equal(await collector!.stop(), 0, collector!.stderr());
    const db = new Database(join(dir, "cond.db"), { readonly: true });
    const flags = db.prepare("SELECT detail FROM flags WHERE kind = 'path-change'").all() as Array<{ detail: string }>;
    const paths = db.prepare("SELECT p.nodes, count(*) AS n FROM journeys j JOIN paths p ON p.id = j.path_id GROUP BY p.id").all() as Array<{ nodes: string; n: number }>;
    db.close();
    assert.equal(flags.length, 1);
    const f = JSON.parse(flags[0]!.detail) as { from: string; to: string };
    assert.match(f.from, /\|1:[^>]*>2:[^>]*>4:/);
    assert.match(f.to, /\|1:[^>]*>3:[^>]*>4:/);
    const via = (mid: string) => paths.find((p) => JSON.stringify(JSON.parse(p.nodes)) === JSON.stringify(["1", mid, "4"]))?.n ?? 0;
    assert.ok(via("3") >= 97 && via("2") >= 5000, JSON.stringify(paths));
  });
});
