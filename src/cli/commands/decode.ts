// `ioam decode`: packets as hex words or from a pcap/pcapng file, printed as a table or as
// canonical JSON records (one per line).

import { stat } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { type FrameSink, readFrames } from "../../capture/reader.js";
import { UsageError } from "../../errors.js";
import { hexToBytes } from "../../wire/hex.js";
import { type ParsedArgs, intFlag } from "../args.js";
import type { Command } from "../command.js";
import { type DecodeTotals, decodeWithWorkers } from "../decode-pool.js";
import { OutputBuffer, Progress } from "../output.js";
import { readStdin } from "../stdin.js";
import { type Prefix, type RenderOptions, renderFrame, renderPacket, tally } from "../render-frame.js";

const HELP = `usage: ioam decode [--json] [--payload] HEX...
       ioam decode [--json] [--payload] [--ioam-only] [--limit N] --pcap FILE
       ioam decode [--json] -            (hex packets, one per line, on stdin)

Decodes IPv6 packets and every IOAM option in them (pre-allocated and incremental
trace, proof of transit, edge-to-edge, direct export, unknown types kept as bytes).
HEX is one IPv6 packet starting at the IPv6 header. --pcap reads pcap or pcapng
(Ethernet, raw IP, Linux cooked SLL/SLL2) without loading the file into memory.

  --json        one canonical record (v: 1) per packet, one per line
  --payload     include the upper-layer bytes in --json records (for encode --from-json)
  --ioam-only   print only packets that carry an IOAM option
  --limit N     stop after N packets
  --threads N   decode a large capture on N worker threads (default: cores, at most 4;
                0 decodes on the main thread); the output order is the capture's

Examples:
  ioam decode 60000000002c003e20010db8...8000473212340001696f616d
  ioam decode --pcap samples/ioam-trace.pcapng
  ioam decode --json --pcap capture.pcap | jq '.options[].nodes'`;

interface DecodeContext extends RenderOptions {
  out: OutputBuffer;
  failures: number;
}

async function decodeHexWords(ctx: DecodeContext, words: string[]): Promise<void> {
  if (words.length === 1 && words[0] === "-") words = (await readStdin()).split("\n").filter((l) => l.trim() !== "");
  words.forEach((word, i) => {
    const bytes = hexToBytes(word);
    if (!bytes) throw new UsageError(`packet ${i + 1} is not hex: "${word.slice(0, 40)}"`);
    const many = words.length > 1;
    const prefix: Prefix = (w) => (many ? (w.ascii('{"v":1,"index":'), w.uint(i + 1), w.byte(0x2c)) : w.ascii('{"v":1,'));
    if (!renderPacket(ctx.out, bytes, many ? `packet ${i + 1}: ` : "", prefix, ctx)) ctx.failures++;
  });
}

/** Captures smaller than this are decoded inline: starting workers would cost more. */
const WORKER_MIN_BYTES = 8 << 20;

async function decodeInline(ctx: DecodeContext, path: string, limit: number, progress: Progress): Promise<DecodeTotals> {
  const totals: DecodeTotals = { frames: 0, notIpv6: 0, malformed: 0 };
  const sink: FrameSink = (f, b) => {
    if (totals.frames >= limit) return;
    tally(totals, renderFrame(ctx.out, ++totals.frames, f, b.subarray(f.dataStart, f.dataStart + f.capturedLength), ctx));
    progress.tick(totals.frames);
  };
  for await (const _ of readFrames(path, sink)) {
    await ctx.out.maybeFlush();
    if (totals.frames >= limit) break;
  }
  return totals;
}

/** Uses `threads` workers when asked explicitly, or by default for a large capture. */
async function decodePcap(ctx: DecodeContext, path: string, limit: number, threads: number, explicit: boolean): Promise<DecodeTotals> {
  const progress = new Progress("decoded");
  const parallel = threads > 0 && (explicit || (await stat(path)).size >= WORKER_MIN_BYTES);
  const totals = parallel ? await decodeWithWorkers(path, ctx, limit, threads, ctx.out, progress) : await decodeInline(ctx, path, limit, progress);
  progress.done();
  return totals;
}

async function run(a: ParsedArgs): Promise<number> {
  const ctx: DecodeContext = { json: a.booleans.has("json"), payload: a.booleans.has("payload"), ioamOnly: a.booleans.has("ioam-only"), out: new OutputBuffer(), failures: 0 };
  const pcap = a.flags.get("pcap");
  if (pcap !== undefined) {
    if (a.positional.length) throw new UsageError(`decode --pcap takes no packets on the command line (got "${a.positional[0]}")`);
    const threads = intFlag(a, "threads", Math.min(availableParallelism(), 4), 0, 64);
    const { frames, notIpv6, malformed } = await decodePcap(ctx, pcap, intFlag(a, "limit", Number.MAX_SAFE_INTEGER, 1), threads, a.flags.has("threads"));
    await ctx.out.flush();
    if (notIpv6 || malformed) process.stderr.write(`${pcap}: ${frames} frames, ${notIpv6} not IPv6, ${malformed} malformed\n`);
    return 0;
  }
  if (a.positional.length === 0) throw new UsageError("decode needs packets (hex) or --pcap FILE; see ioam decode --help");
  await decodeHexWords(ctx, a.positional);
  await ctx.out.flush();
  return ctx.failures ? 1 : 0;
}

export const decodeCommand: Command = {
  name: "decode",
  summary: "decode IPv6 packets and their IOAM options (hex or pcap/pcapng)",
  help: HELP,
  flags: { values: ["pcap", "limit", "threads"], booleans: ["payload", "ioam-only"] },
  run,
};
