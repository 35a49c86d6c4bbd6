// bench/codec: (a) view-level parse of packets already in memory (IoamScanner + TraceView), beside
// the record decoder as a baseline; (b) `ioam decode --pcap --json` to /dev/null beside
// `tshark -T json` on the same file, in the same run; (c) `ioam decode`'s default beside inline
// (--threads 0) and worker threads for 10k, 100k and 1M packets (decode-modes.ts). Prints one
// JSON object.
// Usage: node dist/bench/codec.js [--packets 1000000] [--threads N] [--skip-tshark] [--runs K] [--short]
//   The operator mix: flows over 3–6 routers with the trace types used in practice (traffic.ts).
//   --threads N is passed to `ioam decode` in (b) (default: its own default).
//   --runs K: (c) takes the best of K runs of each (default 3): the machine is shared.
//   --short: for CI, 20k packets, no tshark, (c) at 2k and 20k packets, one run each.

import { spawnSync } from "node:child_process";
import { mkdirSync, openSync, closeSync, statSync } from "node:fs";
import { join } from "node:path";
import { LINKTYPE } from "../src/capture/link-type.js";
import { openPcapWriter } from "../src/capture/writer.js";
import { buildPacket } from "../src/wire/build.js";
import { IoamScanner } from "../src/wire/ioam-scan.js";
import { TraceView } from "../src/wire/ioam/trace-view.js";
import { decodePacket } from "../src/wire/packet.js";
import { operatorTraffic } from "./traffic.js";
import { decodeModes } from "./decode-modes.js";

const argv = process.argv.slice(2);
const SHORT = argv.includes("--short");
const PACKETS = Number(argv[argv.indexOf("--packets") + 1] ?? 0) || (SHORT ? 20_000 : 1_000_000);
const SKIP_TSHARK = SHORT || argv.includes("--skip-tshark");
const RUNS = Number(argv[argv.indexOf("--runs") + 1] ?? 0) || (SHORT ? 1 : 3);
const MODE_SIZES = SHORT ? [2_000, 20_000] : [10_000, 100_000, 1_000_000];
const MIX = "operator";
const THREADS = argv.includes("--threads") ? ["--threads", argv[argv.indexOf("--threads") + 1] ?? ""] : [];
const OUT = "bench/out";

function progress(msg: string): void {
  process.stderr.write(`bench/codec: ${msg}\n`);
}

/** PACKETS packets: 4096 distinct ones of the chosen mix, repeated. */
function makePackets(): { buf: Uint8Array; offsets: Int32Array; lengths: Int32Array; distinct: Uint8Array[] } {
  const specs = operatorTraffic(4096);
  const distinct = specs.map((s) => buildPacket(s));
  const lengths = new Int32Array(PACKETS);
  const offsets = new Int32Array(PACKETS);
  let total = 0;
  for (let i = 0; i < PACKETS; i++) {
    offsets[i] = total;
    total += lengths[i] = distinct[i % distinct.length]!.length;
  }
  const buf = new Uint8Array(total);
  for (let i = 0; i < PACKETS; i++) buf.set(distinct[i % distinct.length]!, offsets[i]!);
  return { buf, offsets, lengths, distinct };
}

function viewParse(buf: Uint8Array, offsets: Int32Array, lengths: Int32Array): { options: number; seconds: number; checksum: number } {
  const scan = new IoamScanner();
  const view = new TraceView();
  let options = 0;
  let checksum = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < offsets.length; i++) {
    const o = offsets[i]!;
    if (!scan.reset(buf, o, o + lengths[i]!)) continue;
    while (scan.next()) {
      options++;
      const t = scan.ioamType();
      if ((t === 0 || t === 1) && view.reset(buf, scan.optionOffset, scan.optionEnd) && view.nodeLenMatches()) {
        checksum = (checksum + view.namespaceId + view.remainingLen + view.traceType) | 0;
      }
    }
  }
  return { options, seconds: Number(process.hrtime.bigint() - t0) / 1e9, checksum };
}

function recordDecode(buf: Uint8Array, offsets: Int32Array, lengths: Int32Array, n: number): { options: number; seconds: number } {
  let options = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) options += decodePacket(buf.subarray(offsets[i]!, offsets[i]! + lengths[i]!)).options.length;
  return { options, seconds: Number(process.hrtime.bigint() - t0) / 1e9 };
}

/** Writes the first n packets (repeating the distinct ones) as a raw-IP pcap; returns its path. */
async function writeCapture(file: string, n: number, buf: Uint8Array, offsets: Int32Array, lengths: Int32Array): Promise<string> {
  progress(`writing ${file}`);
  const w = await openPcapWriter(file, { linkType: LINKTYPE.RAW, nanosecond: true });
  for (let i = 0; i < n; i++) {
    const j = i % offsets.length;
    w.write({ tsSec: 1_700_000_000 + Math.floor(i / 1000), tsNsec: (i % 1000) * 1000, data: buf.subarray(offsets[j]!, offsets[j]! + lengths[j]!) });
  }
  await w.close();
  return file;
}

function timeCommand(cmd: string, args: string[]): number {
  const devnull = openSync("/dev/null", "w");
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { stdio: ["ignore", devnull, "inherit"], maxBuffer: 0 });
  closeSync(devnull);
  if (r.status !== 0) throw new Error(`${cmd} exited with ${r.status ?? r.signal}`);
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

async function main(): Promise<void> {
  progress(`building ${PACKETS} packets`);
  const { buf, offsets, lengths } = makePackets();
  progress("(a) view-level parse, best of 7 after a warm-up");
  viewParse(buf, offsets.subarray(0, 100_000), lengths);
  const runs = Array.from({ length: 7 }, () => viewParse(buf, offsets, lengths));
  const best = runs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
  const baseN = Math.min(PACKETS, 200_000);
  const base = recordDecode(buf, offsets, lengths, baseN);
  const result: Record<string, unknown> = {
    packets: PACKETS,
    mix: MIX,
    viewParse: { optionsPerSecond: Math.round(best.options / best.seconds), options: best.options, seconds: best.seconds, goal: 10_000_000 },
    baselineRecordDecode: { optionsPerSecond: Math.round(base.options / base.seconds), packets: baseN },
    viewVsRecord: +(base.seconds / baseN / (best.seconds / PACKETS)).toFixed(1),
  };
  mkdirSync(OUT, { recursive: true });
  const file = await writeCapture(join(OUT, `codec-${MIX}-${PACKETS}.pcap`), PACKETS, buf, offsets, lengths);
  progress("(b) ioam decode --pcap --json > /dev/null");
  const ours = timeCommand(process.execPath, ["dist/src/cli/main.js", "decode", "--json", ...THREADS, "--pcap", file]);
  result.decodeJson = { recordsPerSecond: Math.round(PACKETS / ours), seconds: ours, fileBytes: statSync(file).size, ...(THREADS.length ? { threads: Number(THREADS[1]) } : {}), goal: 300_000 };
  if (!SKIP_TSHARK) {
    progress("(b) tshark -T json > /dev/null (the baseline; this takes a while)");
    const ts = timeCommand("tshark", ["-n", "-r", file, "-T", "json"]);
    result.tsharkJson = { recordsPerSecond: Math.round(PACKETS / ts), seconds: ts };
    result.decodeJsonVsTshark = +(ts / ours).toFixed(1);
    result.goalVsTshark = 30;
  }
  progress(`(c) ioam decode: default vs inline vs threads, best of ${RUNS}`);
  result.decodeModes = await decodeModes(MODE_SIZES, RUNS, (n) => writeCapture(join(OUT, `codec-${MIX}-${n}.pcap`), n, buf, offsets, lengths));
  process.stdout.write(JSON.stringify(result, null, 2) + "\n");
}

await main();
