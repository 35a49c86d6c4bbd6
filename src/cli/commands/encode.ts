// `ioam encode`: builds IPv6 packets carrying IOAM options described in the shared option
// words, or rebuilds packets from canonical JSON records; prints hex or writes a capture.

import { LINKTYPE, wrapIpv6 } from "../../capture/link-type.js";
import { openPcapWriter, openPcapngWriter } from "../../capture/writer.js";
import { type PacketSpec, type UpperSpec, buildPacket } from "../../wire/build.js";
import { UsageError } from "../../errors.js";
import { bytesToHex } from "../../wire/hex.js";
import { OPTION_PHRASES, parseOptionWords } from "../../wire/ioam/option-words.js";
import { decodePacket } from "../../wire/packet.js";
import { packetToJson } from "../../wire/json/record-json.js";
import type { Parsed } from "../args.js";
import { hexArg } from "../hex-arg.js";
import { OutputBuffer, Progress } from "../output.js";
import type { CommandSpec } from "../spec.js";
import { V } from "../values.js";
import { packetsFromJson } from "./encode-from-json.js";
import { OPTION_VALUES } from "./option-values.js";

const LINKS: Record<string, number> = { raw: LINKTYPE.RAW, ethernet: LINKTYPE.ETHERNET, sll: LINKTYPE.LINUX_SLL, sll2: LINKTYPE.LINUX_SLL2 };

function dataFlag(a: Parsed): Uint8Array {
  const d = a.text("data");
  if (d === undefined) return new TextEncoder().encode("ioam");
  return /^0x/i.test(d) ? hexArg(d, "--data") : new TextEncoder().encode(d);
}

function upperSpec(a: Parsed, i: number): UpperSpec {
  const kind = a.text("payload")!;
  switch (kind) {
    case "icmp-echo": return { kind, id: a.num("id"), seq: (i + 1) & 0xffff, data: dataFlag(a) };
    case "udp": return { kind, srcPort: (a.num("sport") + i) & 0xffff, dstPort: a.has("dport") ? a.num("dport") : 9, data: dataFlag(a) };
    case "tcp": return { kind, srcPort: (a.num("sport") + i) & 0xffff, dstPort: a.has("dport") ? a.num("dport") : 80 };
    default: return { kind: "none" };
  }
}

function specsFor(a: Parsed): PacketSpec[] {
  if (a.words.length === 0) throw new UsageError("encode needs at least one IOAM option, e.g. trace prealloc type 0x800000 ns 123 size 12 (see ioam encode --help)");
  const options = parseOptionWords(a.words);
  const base = { src: a.text("src")!, dst: a.text("dst")!, hopLimit: a.num("hop-limit"), flowLabel: a.num("flow-label"), trafficClass: a.num("tclass"), options };
  return Array.from({ length: a.num("count") }, (_, i) => ({ ...base, upper: upperSpec(a, i) }));
}

async function writeCapture(path: string, linkName: string, packets: Uint8Array[]): Promise<void> {
  const linkType = LINKS[linkName]!;
  const w = path.endsWith(".pcapng") ? await openPcapngWriter(path, { interfaces: [{ linkType, tsResolutionNs: true }] }) : await openPcapWriter(path, { linkType, nanosecond: true });
  const now = Date.now();
  packets.forEach((p, i) => w.write({ tsSec: Math.floor(now / 1000), tsNsec: ((now % 1000) * 1e6 + i * 1000) % 1e9, data: wrapIpv6(linkType, p) }));
  await w.close();
}

/** Builds every packet, with progress on a terminal for large counts. */
function build(a: Parsed): Uint8Array[] {
  const progress = new Progress("built");
  const packets = specsFor(a).map((s, i) => (progress.tick(i + 1), buildPacket(s)));
  progress.done();
  return packets;
}

async function run(a: Parsed): Promise<number> {
  const packets = a.has("from-json") ? await packetsFromJson(a.text("from-json")!) : build(a);
  const pcap = a.text("pcap");
  if (pcap !== undefined) {
    await writeCapture(pcap, a.text("link")!, packets);
    process.stderr.write(`wrote ${packets.length} packet${packets.length === 1 ? "" : "s"} to ${pcap}\n`);
    return 0;
  }
  const out = new OutputBuffer();
  for (const p of packets) out.line(a.has("json") ? packetToJson(decodePacket(p)) : bytesToHex(p));
  await out.close();
  return 0;
}

const OUT_FLAGS = ["pcap", "link", "json"] as const;

export const encodeCommand: CommandSpec = {
  name: "encode",
  summary: "build IPv6 packets with IOAM options (hex, JSON or pcap)",
  description: `Builds IPv6 packets carrying IOAM options, laid out and padded as Linux does, with a valid
upper-layer checksum. Prints one hex line per packet (--json: the decoded record), or writes
a pcap (.pcap) or pcapng (.pcapng) file. --from-json rebuilds packets from
'ioam decode --json --payload' records (one per line), byte for byte.`,
  forms: [
    { words: "OPTION...", phrases: OPTION_PHRASES, flags: ["src", "dst", "hop-limit", "flow-label", "tclass", "payload", "sport", "dport", "id", "data", "count", ...OUT_FLAGS], required: ["src", "dst"] },
    { whenFlag: "from-json", words: "", flags: ["from-json", ...OUT_FLAGS], required: ["from-json"] },
  ],
  flags: [
    { name: "src", help: "source address", value: { placeholder: "ADDR", spec: V.ipv6("an IPv6 address") } },
    { name: "dst", help: "destination address", value: { placeholder: "ADDR", spec: V.ipv6("an IPv6 address") } },
    { name: "hop-limit", help: "IPv6 Hop Limit", value: { placeholder: "N", spec: V.u8("hops"), default: "64" } },
    { name: "flow-label", help: "IPv6 Flow Label", value: { placeholder: "N", spec: V.num("flow label", 0xfffffn), default: "0" } },
    { name: "tclass", help: "IPv6 Traffic Class", value: { placeholder: "N", spec: V.u8("traffic class"), default: "0" } },
    { name: "payload", help: "the upper layer after the IOAM headers", value: { placeholder: "KIND", spec: V.choice("upper layer", ["icmp-echo", "udp", "tcp", "none"]), default: "icmp-echo" } },
    { name: "sport", help: "UDP/TCP source port (counts up with --count)", value: { placeholder: "N", spec: V.u16("port"), default: "49152" }, onlyWith: { flag: "payload", values: ["udp", "tcp"], default: "icmp-echo" } },
    { name: "dport", help: "UDP/TCP destination port (default 9, discard, for udp; 80 for tcp)", value: { placeholder: "N", spec: V.u16("port") }, onlyWith: { flag: "payload", values: ["udp", "tcp"], default: "icmp-echo" } },
    { name: "id", help: "ICMPv6 echo identifier", value: { placeholder: "N", spec: V.u16("identifier"), default: "0x1234" }, onlyWith: { flag: "payload", values: ["icmp-echo"], default: "icmp-echo" } },
    { name: "data", help: 'echo or UDP data: text, or 0x and hex (default "ioam")', value: { placeholder: "DATA", spec: V.text("text or 0x hex") }, onlyWith: { flag: "payload", values: ["icmp-echo", "udp"], default: "icmp-echo" } },
    { name: "count", help: "build N packets, the ICMPv6 sequence / source port counting up", value: { placeholder: "N", spec: V.count("packets"), default: "1" } },
    { name: "pcap", help: "write a capture instead of hex: pcapng if FILE ends in .pcapng, else pcap", value: { placeholder: "FILE", spec: V.outfile("a file to write") } },
    { name: "link", help: "link type of the capture", value: { placeholder: "LINK", spec: V.choice("link type", Object.keys(LINKS)), default: "raw" }, onlyWith: { flag: "pcap" } },
    { name: "json", help: "print the decoded record of each packet instead of hex", notWith: ["pcap"] },
    { name: "from-json", help: "rebuild packets from decode --json --payload records; - reads standard input", value: { placeholder: "FILE", spec: V.file("a file of records or -") } },
  ],
  values: OPTION_VALUES,
  examples: [
    { cmd: "ioam encode --src 2001:db8::1 --dst 2001:db8::2 trace prealloc type 0x800000 ns 123 size 12", runnable: true },
    { cmd: "ioam encode --src 2001:db8::1 --dst 2001:db8::2 --payload udp trace prealloc type 0xf00000 ns 1 size 32 e2e ns 1 type 0x4000 seq 7 --pcap /tmp/ioam-example.pcapng", runnable: true },
    { cmd: "ioam decode --json --payload --pcap samples/ioam-trace.pcapng | ioam encode --from-json -", runnable: true },
  ],
  run,
};
