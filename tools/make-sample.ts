// Generates samples/ioam-trace.pcapng, the capture `npm start` decodes: what h2 receives in the
// classic h1 → r1 → r2 → r4 → h2 set-up (inline pre-allocated trace filled by three Linux
// routers), plus one packet of every other IOAM option. Run: node dist/tools/make-sample.js

import { LINKTYPE, wrapIpv6 } from "../src/capture/link-type.js";
import { openPcapngWriter } from "../src/capture/writer.js";
import { type OptionSpec, buildPacket } from "../src/wire/build.js";
import type { TraceNode } from "../src/wire/ioam/trace-node.js";
import { nodeLenOf } from "../src/wire/ioam/trace-type.js";

const T0 = 1_763_900_000;
const ROUTERS = [
  { id: 1, in: 11, out: 12 },
  { id: 2, in: 21, out: 22 },
  { id: 4, in: 41, out: 42 },
];

/** Node entries as three Linux routers write them: hop limit already decremented, µs timestamps. */
function hops(i: number, count: number): TraceNode[] {
  return ROUTERS.slice(0, count).map((r, k) => ({
    hopLimit: 63 - k,
    nodeId: r.id,
    ingressIf: r.in,
    egressIf: r.out,
    tsSec: T0 + i,
    tsFrac: (i * 1000 + k * 180 + ((i * 37) % 50)) % 1_000_000,
    queueDepth: k === 1 ? (i % 4) * 1500 : 0,
  })).reverse();
}

function trace(i: number, count: number, size: number, type = 0xf20000): OptionSpec {
  const nodes = hops(i, count);
  const used = nodes.length * nodeLenOf(type);
  const room = size / 4 - used;
  return {
    kind: "trace", variant: "prealloc", namespaceId: 123, nodeLen: nodeLenOf(type),
    flags: { overflow: room < nodeLenOf(type) && count < 3, loopback: false, active: false, unknownBits: 0 },
    remainingLen: Math.max(room, 0), traceType: type, reserved: 0, nodes,
  };
}

async function main(): Promise<void> {
  const w = await openPcapngWriter("samples/ioam-trace.pcapng", { interfaces: [{ linkType: LINKTYPE.ETHERNET, name: "h2-eth0", tsResolutionNs: true }] });
  const base = { src: "2001:db8:1::2", dst: "2001:db8:4::2", hopLimit: 61, flowLabel: 0x12345 };
  const packets: Uint8Array[] = [];
  for (let i = 0; i < 6; i++) {
    packets.push(buildPacket({ ...base, options: [trace(i, 3, 60)], upper: { kind: "icmp-echo", id: 0x1d2, seq: i + 1, data: new TextEncoder().encode("ioamkit sample") } }));
  }
  packets.push(buildPacket({ ...base, options: [trace(6, 2, 20)], upper: { kind: "udp", srcPort: 40000, dstPort: 4789 } }));
  packets.push(buildPacket({ ...base, options: [{ kind: "trace", variant: "incremental", namespaceId: 123, nodeLen: 1, flags: { overflow: false, loopback: false, active: false, unknownBits: 0 }, remainingLen: 5, traceType: 0x800000, reserved: 0, nodes: [{ hopLimit: 62, nodeId: 2 }, { hopLimit: 63, nodeId: 1 }] }], upper: { kind: "icmp-echo", id: 0x1d2, seq: 8 } }));
  packets.push(buildPacket({ ...base, options: [{ kind: "pot", namespaceId: 1, potType: 0, flags: 0, random: 77n, cumulative: 94n }], upper: { kind: "tcp", srcPort: 40001, dstPort: 443 } }));
  packets.push(buildPacket({ ...base, options: [{ kind: "e2e", namespaceId: 1, e2eType: 0x7000, seq32: 42, tsSec: T0, tsFrac: 500_000_000 }], upper: { kind: "udp", srcPort: 40002, dstPort: 53 } }));
  packets.push(buildPacket({ ...base, options: [{ kind: "dex", namespaceId: 1, flags: 0, extFlags: 0xc0, traceType: 0xc00000, reserved: 0, flowId: 7, seq: 9 }], upper: { kind: "icmp-echo", id: 0x1d2, seq: 11 } }));
  packets.forEach((p, i) => w.write({ tsSec: T0 + i, tsNsec: 1000 * i + 250_000, data: wrapIpv6(LINKTYPE.ETHERNET, p) }));
  await w.close();
  process.stderr.write(`wrote ${packets.length} packets to samples/ioam-trace.pcapng\n`);
}

await main();
