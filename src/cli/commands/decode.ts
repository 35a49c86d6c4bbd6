// `ioam decode`: packets as hex words or from a pcap/pcapng file, printed as a table or as
// canonical JSON records (one per line).

import { readFile } from "node:fs/promises";
import { readCapture } from "../../capture/reader.js";
import { ipv6Offset } from "../../capture/link-type.js";
import { DecodeError, UsageError } from "../../wire/errors.js";
import { hexToBytes } from "../../wire/hex.js";
import { type PacketRecord, decodePacket } from "../../wire/packet.js";
import { writePacketMembers } from "../../wire/record-json.js";
import { type JsonBytes, asciiBytes } from "../../wire/json-bytes.js";
import type { CapturedPacket } from "../../capture/packet.js";
import { type ParsedArgs, intFlag } from "../args.js";
import type { Command } from "../command.js";
import { packetLines } from "../format-packet.js";
import { OutputBuffer, Progress } from "../output.js";

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

Examples:
  ioam decode 60000000002c003e20010db8...8000473212340001696f616d
  ioam decode --pcap samples/ioam-trace.pcapng
  ioam decode --json --pcap capture.pcap | jq '.options[].nodes'`;

interface DecodeContext {
  json: boolean;
  payload: boolean;
  ioamOnly: boolean;
  out: OutputBuffer;
  failures: number;
}

function errorJson(e: DecodeError): string {
  return `"error":{"code":"${e.code}","offset":${e.offset},"layer":"${e.layer}","message":${JSON.stringify(e.message)}}`;
}

/** Writes `{"v":1,` and the capture members of a frame into the output. */
type Prefix = (w: JsonBytes) => void;

function emit(ctx: DecodeContext, bytes: Uint8Array, label: string, prefix: Prefix): void {
  let rec: PacketRecord;
  try {
    rec = decodePacket(bytes);
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    ctx.failures++;
    if (ctx.json) {
      prefix(ctx.out.w);
      ctx.out.w.text(errorJson(e));
      ctx.out.w.ascii("}");
      ctx.out.endLine();
    }
    else ctx.out.line(`${label}malformed: ${e.message} (${e.code} at byte ${e.offset})`);
    return;
  }
  if (ctx.ioamOnly && rec.options.length === 0) return;
  if (ctx.json) {
    prefix(ctx.out.w);
    writePacketMembers(ctx.out.w, rec, ctx.payload);
    ctx.out.w.ascii("}");
    ctx.out.endLine();
  }
  else for (const l of packetLines(rec, label)) ctx.out.line(l);
}

async function decodeHexWords(ctx: DecodeContext, words: string[]): Promise<void> {
  if (words.length === 1 && words[0] === "-") words = (await readFile("/dev/stdin", "utf8")).split("\n").filter((l) => l.trim() !== "");
  words.forEach((w, i) => {
    const bytes = hexToBytes(w);
    if (!bytes) throw new UsageError(`packet ${i + 1} is not hex: "${w.slice(0, 40)}"`);
    const prefix: Prefix = (w) => (words.length > 1 ? (w.ascii('{"v":1,"index":'), w.uint(i + 1), w.ascii(",")) : w.ascii('{"v":1,'));
    emit(ctx, bytes, words.length > 1 ? `packet ${i + 1}: ` : "", prefix);
  });
}

const CAPTURE = {
  open: asciiBytes('{"v":1,"capture":{"frame":'),
  tsSec: asciiBytes(',"tsSec":'),
  tsNsec: asciiBytes(',"tsNsec":'),
  length: asciiBytes(',"length":'),
  capturedLength: asciiBytes(',"capturedLength":'),
  close: asciiBytes("},"),
};

function captureMembers(w: JsonBytes, frame: number, p: CapturedPacket): void {
  w.raw(CAPTURE.open);
  w.uint(frame);
  w.raw(CAPTURE.tsSec);
  w.uint(p.tsSec);
  w.raw(CAPTURE.tsNsec);
  w.uint(p.tsNsec);
  w.raw(CAPTURE.length);
  w.uint(p.originalLength);
  w.raw(CAPTURE.capturedLength);
  w.uint(p.capturedLength);
  w.raw(CAPTURE.close);
}

async function decodePcap(ctx: DecodeContext, path: string, limit: number): Promise<{ frames: number; notIpv6: number }> {
  const progress = new Progress("decoded");
  let frames = 0;
  let notIpv6 = 0;
  outer: for await (const batch of readCapture(path)) {
    for (const p of batch) {
      if (frames >= limit) break outer;
      frames++;
      const off = ipv6Offset(p.linkType, p.data);
      if (off < 0) {
        notIpv6++;
        continue;
      }
      const label = ctx.json ? "" : `frame ${frames} ${p.tsSec}.${String(p.tsNsec).padStart(9, "0")}  `;
      emit(ctx, p.data.subarray(off), label, (w) => captureMembers(w, frames, p));
      progress.tick(frames);
    }
    await ctx.out.maybeFlush();
  }
  progress.done();
  return { frames, notIpv6 };
}

async function run(a: ParsedArgs): Promise<number> {
  const ctx: DecodeContext = { json: a.booleans.has("json"), payload: a.booleans.has("payload"), ioamOnly: a.booleans.has("ioam-only"), out: new OutputBuffer(), failures: 0 };
  const pcap = a.flags.get("pcap");
  if (pcap !== undefined) {
    if (a.positional.length) throw new UsageError(`decode --pcap takes no packets on the command line (got "${a.positional[0]}")`);
    const { frames, notIpv6 } = await decodePcap(ctx, pcap, intFlag(a, "limit", Number.MAX_SAFE_INTEGER, 1));
    await ctx.out.flush();
    if (notIpv6 || ctx.failures) process.stderr.write(`${pcap}: ${frames} frames, ${notIpv6} not IPv6, ${ctx.failures} malformed\n`);
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
  flags: { values: ["pcap", "limit"], booleans: ["payload", "ioam-only"] },
  run,
};
