// `ioam decode`: packets as hex words or from a pcap/pcapng file (or pipe), printed as a table
// or as canonical JSON records (one per line). Every frame read is printed before any error
// about the input is reported.

import { availableParallelism } from "node:os";
import { openByteInput } from "../../capture/byte-input.js";
import { readFrames } from "../../capture/reader.js";
import { UsageError } from "../../errors.js";
import type { Parsed } from "../args.js";
import { type DecodeTotals, decodeWithWorkers } from "../decode-pool.js";
import { decodeThreads } from "../decode-threads.js";
import { hexArg } from "../hex-arg.js";
import { OutputBuffer, Progress } from "../output.js";
import { type Prefix, type RenderOptions, noCounts, renderFrame, renderPacket, tally } from "../render-frame.js";
import type { CommandSpec } from "../spec.js";
import { readStdin } from "../stdin.js";
import { V } from "../values.js";
import { decodeSummary } from "./decode-summary.js";

interface DecodeContext extends RenderOptions {
  out: OutputBuffer;
}

/** Hex packets from the words (or stdin lines for "-"), all checked before any is printed; returns the malformed count. */
async function decodeHexWords(ctx: DecodeContext, words: readonly string[], limit: number): Promise<{ failures: number; packets: number }> {
  let texts = words;
  if (words[0] === "-") {
    if (words.length > 1) throw new UsageError(`decode -: reads packets from standard input only (got "${words[1]}" too)`);
    texts = (await readStdin()).split("\n").filter((l) => l.trim() !== "");
  }
  const packets = texts.slice(0, limit).map((t, i) => hexArg(t.trim(), texts.length > 1 ? `packet ${i + 1}` : "the packet"));
  const many = packets.length > 1;
  let failures = 0;
  packets.forEach((bytes, i) => {
    const prefix: Prefix = (w) => (many ? (w.ascii('{"v":1,"index":'), w.uint(i + 1), w.byte(0x2c)) : w.ascii('{"v":1,'));
    if (!renderPacket(ctx.out, bytes, many ? `packet ${i + 1}: ` : "", prefix, ctx)) failures++;
  });
  return { failures, packets: packets.length };
}

/** Decodes on the main thread: frames are rendered as the reader hands them over. */
async function decodeInline(ctx: DecodeContext, input: Parameters<typeof readFrames>[0], limit: number, progress: Progress, totals: DecodeTotals): Promise<void> {
  for await (const _ of readFrames(input, (f, b) => {
    if (totals.frames >= limit) return;
    tally(totals, renderFrame(ctx.out, ++totals.frames, f, b.subarray(f.dataStart, f.dataStart + f.capturedLength), ctx), f.linkType);
    progress.tick(totals.frames);
  })) {
    await ctx.out.maybeFlush();
    if (totals.frames >= limit) break;
  }
}

async function decodePcap(ctx: DecodeContext, a: Parsed): Promise<number> {
  const path = a.text("pcap")!;
  const limit = a.has("limit") ? a.num("limit") : Number.MAX_SAFE_INTEGER;
  const input = await openByteInput(path);
  const threads = decodeThreads(a.has("threads") ? a.num("threads") : undefined, input.size, availableParallelism());
  const totals: DecodeTotals = { frames: 0, ...noCounts() };
  const progress = new Progress("decoded");
  try {
    if (threads > 0) await decodeWithWorkers(input, ctx, limit, threads, ctx.out, progress, totals);
    else await decodeInline(ctx, input, limit, progress, totals);
  } finally {
    await ctx.out.close(); // every frame read goes out, also when the capture turns out bad
    progress.done();
    const summary = decodeSummary(input.name, totals);
    if (summary) process.stderr.write(summary + "\n");
  }
  return totals.malformed || totals.otherLink ? 1 : 0;
}

async function run(a: Parsed): Promise<number> {
  const ctx: DecodeContext = { json: a.has("json"), payload: a.has("payload"), ioamOnly: a.has("ioam-only"), out: new OutputBuffer() };
  if (a.has("pcap")) {
    if (a.words.length) throw new UsageError(`decode --pcap takes no packets on the command line (got "${a.words[0]}")`);
    return decodePcap(ctx, a);
  }
  if (a.words.length === 0) throw new UsageError("decode needs packets (hex), - (hex lines on stdin) or --pcap FILE; see ioam decode --help");
  const { failures, packets } = await decodeHexWords(ctx, a.words, a.has("limit") ? a.num("limit") : Number.MAX_SAFE_INTEGER);
  await ctx.out.close();
  if (failures) process.stderr.write(`${failures} of ${packets} packet${packets === 1 ? "" : "s"} malformed\n`);
  return failures ? 1 : 0;
}

const OUTPUT_FLAGS = ["json", "payload", "ioam-only", "limit"] as const;

export const decodeCommand: CommandSpec = {
  name: "decode",
  summary: "decode IPv6 packets and their IOAM options (hex, or pcap/pcapng from a file or pipe)",
  description: `Decodes IPv6 packets and every IOAM option in them (pre-allocated and incremental trace,
proof of transit, edge-to-edge, direct export, unknown types kept as bytes). --pcap reads pcap
or pcapng (Ethernet, raw IP, Linux cooked SLL/SLL2) as a stream: a file, a FIFO, /dev/stdin,
or - for standard input (tcpdump -w - | ioam decode --pcap -). Every complete frame is
printed; a capture cut inside a record is reported after them.

Exit status 1 when a packet is malformed or a frame's link type cannot be read (the output
still has every packet, malformed ones as errors); frames that are not IPv6, or that the
capture's snap length cut short, are counted on stderr but are not failures.`,
  forms: [
    { whenFlag: "pcap", words: "", flags: ["pcap", ...OUTPUT_FLAGS, "threads"], required: ["pcap"] },
    { words: "HEX...", flags: OUTPUT_FLAGS },
    { whenWord: "-", words: "-", flags: OUTPUT_FLAGS },
  ],
  flags: [
    { name: "pcap", help: "read frames from a pcap or pcapng file; - reads standard input", value: { placeholder: "FILE", spec: V.file("a capture file, FIFO or -") } },
    { name: "json", help: "one canonical record (v: 1) per packet, one per line" },
    { name: "payload", help: "add the upper-layer bytes to --json records (encode --from-json needs them)", onlyWith: { flag: "json" } },
    { name: "ioam-only", help: "print only packets that carry an IOAM option" },
    { name: "limit", help: "stop after N packets", value: { placeholder: "N", spec: V.count("packets", BigInt(Number.MAX_SAFE_INTEGER)) } },
    { name: "threads", help: "decode on N worker threads, 0 on the main thread; default: by input size and cores", value: { placeholder: "N", spec: V.num("threads", 64n) } },
  ],
  values: {
    HEX: V.text("one IPv6 packet in hex from the IPv6 header on (0x, spaces and colons allowed)"),
  },
  examples: [
    { cmd: "ioam decode --pcap samples/ioam-trace.pcapng --limit 1", runnable: true },
    { cmd: "ioam decode --json --pcap samples/ioam-trace.pcapng | jq -c '.options[].nodes'", runnable: true },
    { cmd: "ioam decode 600123450066003d20010db800010000000000000000000220010db80004000000000000000000023a09010031460000007b2800f20000003d0000040029002a6922fa6000000168000000003e000002001500166922fa60000000b4000000003f000001000b000c6922fa6000000000000000000102000080002ac301d20001696f616d6b69742073616d706c65", runnable: true },
    { cmd: "tcpdump -i eth0 -w - ip6 | ioam decode --pcap -" },
  ],
  run,
};
