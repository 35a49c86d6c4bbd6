// Running `ioam node run` in a test's netns: write its file, start it (resolving once it says
// "ready"), ask its stats, stop it with SIGTERM (its last stats come back on stdout, --json) or
// kill it with SIGKILL (pid from its state file) — and make sure no daemon outlives the test.

import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { NodeStats } from "../../src/dataplane/node-stats.js";
import { IOAM_MAIN } from "./netns.js";

const running = new Set<ChildProcess>();
process.on("exit", () => {
  for (const c of running) c.kill("SIGKILL");
});

export interface RunningNode {
  ns: string;
  file: string;
  child: ChildProcess;
  /** stderr so far. */
  log(): string;
  /** The daemon's own pid (inside the netns), from its state file. */
  pid(): number;
  stats(): NodeStats;
  /** SIGTERM; resolves with the last stats it printed (and its exit status). */
  stop(): Promise<{ code: number | null; last: NodeStats | undefined }>;
  kill9(): Promise<void>;
}

/** Writes `yaml` to dir/NAME.yaml and starts `ioam --netns ns node run` on it. */
export function startNode(ns: string, yaml: string, dir: string, opts: { sink?: string; name?: string; metrics?: string } = {}): Promise<RunningNode> {
  const file = join(dir, `${opts.name ?? ns}.yaml`);
  writeFileSync(file, yaml);
  const args = [IOAM_MAIN, "--netns", ns, "node", "run", file, "--json", ...(opts.sink ? ["--sink", opts.sink] : []), ...(opts.metrics ? ["--metrics", opts.metrics] : [])];
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
  running.add(child);
  let out = "";
  let err = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => (running.delete(child), resolve(code))));
  const node: RunningNode = {
    ns, file, child,
    log: () => err,
    pid: () => (JSON.parse(readFileSync(`/run/ioamkit/${ns}/node.json`, "utf8")) as { pid: number }).pid,
    stats: () => nodeStats(ns),
    async stop() {
      child.kill("SIGTERM");
      const code = await exited;
      return { code, last: out.trim() ? (JSON.parse(out.trim().split("\n").pop()!) as NodeStats) : undefined };
    },
    async kill9() {
      process.kill(node.pid(), "SIGKILL");
      await exited;
    },
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => (child.kill("SIGKILL"), reject(new Error(`ioam node run in ${ns}: not ready after 30 s: ${err}`))), 30_000);
    child.stderr!.on("data", () => /ioam node run: ready/.test(err) && (clearTimeout(timer), resolve(node)));
    void exited.then((code) => (clearTimeout(timer), reject(new Error(`ioam node run in ${ns} exited (${code}): ${err}`))));
  });
}

/** `ioam --netns ns node stats --json`. */
export function nodeStats(ns: string): NodeStats {
  const r = spawnSync(process.execPath, [IOAM_MAIN, "--netns", ns, "node", "stats", "--json"], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`ioam node stats in ${ns}: ${r.stderr}`);
  return JSON.parse(r.stdout) as NodeStats;
}

/** Runs the ioam CLI; status and output. */
export function ioam(args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [IOAM_MAIN, ...args], { encoding: "utf8" });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** A router's kernel part: node id N, west enabled (id N1), east (id N2), IOAM namespace 123. */
export const routerYaml = (id: number, dataplane = "") => `version: 1
node: { id: ${id} }
interfaces:
  west: { enabled: true, id: ${id}1 }
  east: { id: ${id}2 }
namespaces:
  123: { data: 0x${id}${id}${id}${id} }
${dataplane ? `dataplane:\n${dataplane}` : ""}`;
