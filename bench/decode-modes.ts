// bench/codec (c): `ioam decode --json --pcap FILE > /dev/null` as a user runs it (a new process,
// start-up included) in its default mode beside inline (--threads 0) and 1 and 2 worker
// threads, for captures of several sizes. The machine is shared with other work, so each time
// is the best of `runs`; the load average is printed with the table.

import { spawnSync } from "node:child_process";
import { closeSync, openSync, statSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { decodeThreads } from "../src/cli/decode-threads.js";

const MODES: ReadonlyArray<[string, string[]]> = [
  ["default", []],
  ["inline", ["--threads", "0"]],
  ["threads1", ["--threads", "1"]],
  ["threads2", ["--threads", "2"]],
];

/** Wall-clock seconds of one `ioam decode --json` of `file` to /dev/null. */
function timeDecode(file: string, flags: readonly string[]): number {
  const devnull = openSync("/dev/null", "w");
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ["dist/src/cli/main.js", "decode", "--json", ...flags, "--pcap", file], { stdio: ["ignore", devnull, "inherit"] });
  closeSync(devnull);
  if (r.status !== 0) throw new Error(`ioam decode ${flags.join(" ")} exited with ${r.status ?? r.signal}`);
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

/** One row per size: seconds per mode (best of runs, modes interleaved so load hits all alike). */
export async function decodeModes(sizes: readonly number[], runs: number, capture: (packets: number) => Promise<string>): Promise<object> {
  const cores = availableParallelism();
  const rows = [];
  for (const packets of sizes) {
    const file = await capture(packets);
    const best: Record<string, number> = {};
    for (let r = 0; r < runs; r++) for (const [name, flags] of MODES) best[name] = Math.min(best[name] ?? Infinity, timeDecode(file, flags));
    const seconds = Object.fromEntries(Object.entries(best).map(([k, v]) => [k, +v.toFixed(3)]));
    const bytes = statSync(file).size;
    const defaultThreads = decodeThreads(undefined, bytes, cores);
    // With defaultThreads 0 the default is the inline path itself: the ratio then measures noise.
    rows.push({ packets, fileBytes: bytes, defaultThreads, defaultIsInline: defaultThreads === 0, seconds, defaultVsInline: +(best.default! / best.inline!).toFixed(2) });
  }
  return { cores, runs, loadAverage: loadavg().map((x) => +x.toFixed(2)), note: `best of ${runs} wall-clock runs per mode, a new process each (start-up included), --json to /dev/null; the machine is shared, so times are noisy`, goal: "defaultVsInline <= 1.10", rows };
}
