// bench/instructions: instructions per operation of the hot paths, counted by valgrind's
// callgrind — repeatable to a few per cent whatever else the machine is doing, unlike seconds on
// a shared 2-core VM — for this build and, with --base, another build side by side (e.g. a
// worktree of the previous commit). Each workload runs twice (N and 3N rounds) in a fresh
// single-threaded Node; the difference divided by the extra operations removes start-up and
// compilation. Prints one JSON object. Needs valgrind (apt-get install valgrind).
// Usage: node dist/bench/instructions.js [--base /path/to/other/worktree] [--rounds N]

import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(fileURLToPath(new URL(".", import.meta.url)), "..", "..");
const argv = process.argv.slice(2);
const BASE = argv.includes("--base") ? argv[argv.indexOf("--base") + 1] : undefined;
const ROUNDS = Number(argv.includes("--rounds") ? argv[argv.indexOf("--rounds") + 1] : 100);

/** Workloads: a name and the operations one round performs (the worker script defines them). */
const WORKLOADS: Record<string, number> = { "transit 0x800000": 5 * 256, "transit 0xfce000": 5 * 256, "direct json": 1024, "view walk": 1024 };

function instructions(tree: string, workload: string, rounds: number, dir: string): number {
  const out = join(dir, "cg.out");
  const worker = join(ROOT, "dist", "bench", "instructions-worker.js");
  const r = spawnSync("valgrind", ["--tool=callgrind", `--callgrind-out-file=${out}`, process.execPath, "--single-threaded", worker, tree, workload, String(rounds)], { encoding: "utf8" });
  const m = /Collected : (\d+)/.exec(r.stderr);
  if (!m) throw new Error(`valgrind gave no count for ${workload} in ${tree}: ${r.stderr.slice(-400)}`);
  return Number(m[1]);
}

function perOperation(tree: string, workload: string, dir: string): number {
  const lo = instructions(tree, workload, ROUNDS, dir);
  const hi = instructions(tree, workload, 3 * ROUNDS, dir);
  return Math.round((hi - lo) / (2 * ROUNDS * WORKLOADS[workload]!));
}

function main(): void {
  if (spawnSync("valgrind", ["--version"]).status !== 0) throw new Error("bench/instructions needs valgrind (apt-get install valgrind)");
  const dir = mkdtempSync(join(tmpdir(), "ioamkit-instr-"));
  try {
    const rows: Record<string, Record<string, number | string>> = {};
    for (const w of Object.keys(WORKLOADS)) {
      process.stderr.write(`bench/instructions: ${w}\n`);
      const here = perOperation(ROOT, w, dir);
      rows[w] = { instructions: here };
      if (BASE) {
        const base = perOperation(BASE, w, dir);
        rows[w] = { instructions: here, base, change: `${(((here - base) / base) * 100).toFixed(1)}%` };
      }
    }
    process.stdout.write(JSON.stringify({ bench: "instructions", rounds: ROUNDS, base: BASE ?? null, perOperation: rows }, null, 2) + "\n");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
