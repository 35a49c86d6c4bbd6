// `ioam encode`: builds IPv6 packets carrying IOAM options described in the shared option
// words, or rebuilds packets from canonical JSON records; prints hex or writes a capture.

import { LINKTYPE, wrapIpv6 } from "../../capture/link-type.js";
import { openPcapWriter, openPcapngWriter } from "../../capture/writer.js";
import { type PacketSpec, type UpperSpec, buildPacket } from "../../wire/build.js";
import { UsageError } from "../../errors.js";
import { bytesToHex, hexToBytes } from "../../wire/hex.js";
import { parseIpv6Address } from "../../wire/ipv6-address.js";
import { parseOptionWords } from "../../wire/ioam/option-words.js";
import { decodePacket, encodePacket } from "../../wire/packet.js";
import { packetFromJson } from "../../wire/json/record-from-json.js";
import { packetToJson } from "../../wire/json/record-json.js";
import { type ParsedArgs, intFlag } from "../args.js";
import type { Command } from "../command.js";
import { OutputBuffer } from "../output.js";
import { readTextInput } from "../stdin.js";

const HELP = `usage: ioam encode --src ADDR --dst ADDR [--hop-limit N] [--flow-label N] [--tclass N]
                   [--payload icmp-echo|udp|tcp|none] [--sport N] [--dport N] [--data TEXT|0xHEX]
                   [--count N] [--pcap FILE [--link raw|ethernet|sll|sll2]] OPTION...
       ioam encode --from-json FILE|- [--pcap FILE]

Builds IPv6 packets carrying IOAM options, laid out and padded as Linux does, with a
valid upper-layer checksum. Prints one hex line per packet (--json: the decoded record),
or writes a pcap (.pcap) or pcapng (.pcapng) file.

OPTION (any number, any order of keywords within each):
  trace prealloc|incremental type T ns N size S [flags loopback,active]
  pot ns N [type P] [random R] [cumulative C]
  e2e ns N type T [seq S] [ts SEC[.FRAC]]
  dex ns N type T [flowid F] [seq [S]]
  ... [in hop|dest] [opttype 0x31|0x11]     override RFC 9486's placement
--from-json rebuilds packets from 'ioam decode --json --payload' records (one per line).
--count N   builds N packets, the ICMPv6 sequence / UDP source port counting up.

Examples:
  ioam encode --src 2001:db8::1 --dst 2001:db8::2 trace prealloc type 0x800000 ns 123 size 12
  ioam encode --src 2001:db8::1 --dst 2001:db8::2 --payload udp --dport 4789 \\
      trace prealloc type 0xf00000 ns 1 size 32 e2e ns 1 type 0x4000 seq 7 --pcap out.pcapng`;

const LINKS: Record<string, number> = { raw: LINKTYPE.RAW, ethernet: LINKTYPE.ETHERNET, sll: LINKTYPE.LINUX_SLL, sll2: LINKTYPE.LINUX_SLL2 };

function dataFlag(a: ParsedArgs): Uint8Array {
  const d = a.flags.get("data");
  if (d === undefined) return new TextEncoder().encode("ioam");
  if (d.startsWith("0x")) {
    const b = hexToBytes(d);
    if (!b) throw new UsageError(`--data "${d}" is not hex`);
    return b;
  }
  return new TextEncoder().encode(d);
}

function upperSpec(a: ParsedArgs, i: number): UpperSpec {
  const kind = a.flags.get("payload") ?? "icmp-echo";
  const data = dataFlag(a);
  switch (kind) {
    case "icmp-echo": return { kind, id: intFlag(a, "id", 0x1234, 0, 0xffff), seq: (i + 1) & 0xffff, data };
    case "udp": return { kind, srcPort: (intFlag(a, "sport", 49152, 0, 0xffff) + i) & 0xffff, dstPort: intFlag(a, "dport", 9, 0, 0xffff), data };
    case "tcp": return { kind, srcPort: (intFlag(a, "sport", 49152, 0, 0xffff) + i) & 0xffff, dstPort: intFlag(a, "dport", 80, 0, 0xffff) };
    case "none": return { kind };
    default: throw new UsageError(`--payload "${kind}" is not one of icmp-echo, udp, tcp, none`);
  }
}

function specFor(a: ParsedArgs, i: number): PacketSpec {
  const src = a.flags.get("src");
  const dst = a.flags.get("dst");
  if (!src || !dst) throw new UsageError("encode needs --src and --dst (or --from-json)");
  for (const [name, v] of [["src", src], ["dst", dst]] as const) {
    if (!parseIpv6Address(v)) throw new UsageError(`--${name} "${v}" is not an IPv6 address`);
  }
  return {
    src,
    dst,
    hopLimit: intFlag(a, "hop-limit", 64, 0, 255),
    flowLabel: intFlag(a, "flow-label", 0, 0, 0xfffff),
    trafficClass: intFlag(a, "tclass", 0, 0, 255),
    options: parseOptionWords(a.positional),
    upper: upperSpec(a, i),
  };
}

async function packetsFromJson(path: string): Promise<Uint8Array[]> {
  const text = await readTextInput(path);
  return text.split("\n").filter((l) => l.trim()).map((line, i) => {
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      throw new UsageError(`${path}:${i + 1}: not JSON`);
    }
    return encodePacket(packetFromJson(json));
  });
}

async function writeCapture(path: string, linkName: string, packets: Uint8Array[]): Promise<void> {
  const linkType = LINKS[linkName];
  if (linkType === undefined) throw new UsageError(`--link "${linkName}" is not one of ${Object.keys(LINKS).join(", ")}`);
  const w = path.endsWith(".pcapng") ? await openPcapngWriter(path, { interfaces: [{ linkType, tsResolutionNs: true }] }) : await openPcapWriter(path, { linkType, nanosecond: true });
  const now = Date.now();
  packets.forEach((p, i) => w.write({ tsSec: Math.floor(now / 1000), tsNsec: ((now % 1000) * 1e6 + i * 1000) % 1e9, data: wrapIpv6(linkType, p) }));
  await w.close();
}

async function run(a: ParsedArgs): Promise<number> {
  const fromJson = a.flags.get("from-json");
  const count = intFlag(a, "count", 1, 1, 10_000_000);
  const packets = fromJson !== undefined ? await packetsFromJson(fromJson) : Array.from({ length: count }, (_, i) => buildPacket(specFor(a, i)));
  const pcap = a.flags.get("pcap");
  if (pcap !== undefined) {
    await writeCapture(pcap, a.flags.get("link") ?? "raw", packets);
    process.stderr.write(`wrote ${packets.length} packet${packets.length === 1 ? "" : "s"} to ${pcap}\n`);
    return 0;
  }
  const out = new OutputBuffer();
  for (const p of packets) out.line(a.booleans.has("json") ? packetToJson(decodePacket(p)) : bytesToHex(p));
  await out.flush();
  return 0;
}

export const encodeCommand: Command = {
  name: "encode",
  summary: "build IPv6 packets with IOAM options (hex, JSON or pcap)",
  help: HELP,
  flags: { values: ["src", "dst", "hop-limit", "flow-label", "tclass", "payload", "sport", "dport", "id", "data", "count", "pcap", "link", "from-json"] },
  run,
};
