// bench/engine: transit fills/s and encapsulations/s of the node engine on one core, for a
// 5-hop trace of type 0x800000 and of a wide, 8-field type (0xfce000: hop/id, if ids, ts sec,
// ts frac, transit delay, ns data + wide id, wide if ids, wide ns data). A fill counts from
// the IPv6 header through the Hop-by-Hop walk, the checks, the fill and the counters. Beside
// it, in the same run: the read-only view walk of the same packets (IoamScanner + TraceView),
// and — as root, unless --skip-kernel — the kernel's own forwarding rate through a chain of
// namespaces (packets injected with a raw socket, counted by the routers' Ip6OutForwDatagrams).
// Prints one JSON object. Usage: node dist/bench/engine.js [--fills 2000000] [--skip-kernel]

import { newCounters } from "../src/node/counters.js";
import { type PacketContext, fixedClock } from "../src/node/context.js";
import { Encapsulator } from "../src/node/encap.js";
import { createNodeState } from "../src/node/state.js";
import { transitPacket } from "../src/node/transit.js";
import { buildPacket } from "../src/wire/build.js";
import { IoamScanner } from "../src/wire/ioam-scan.js";
import { nodeLenOf } from "../src/wire/ioam/trace-type.js";
import { TraceView } from "../src/wire/ioam/trace-view.js";
import { NetnsSet } from "../src/linux/netns-set.js";
import { chain } from "../src/lab/line.js";

const argv = process.argv.slice(2);
const FILLS = Number(argv[argv.indexOf("--fills") + 1] ?? 0) || 2_000_000;
const HOPS = 5;
const DISTINCT = 1024;
const progress = (m: string) => process.stderr.write(`bench/engine: ${m}\n`);

const node = createNodeState({ nodeId: 7, nodeIdWide: 0x77n, interfaces: { west: { enabled: true, id: 1, wide: 11 }, east: { id: 2, wide: 22 } }, namespaces: [{ id: 123, data: 0xdead, wide: 0xbeefn }] });
const ctx: PacketContext = { stage: "prerouting", ingress: "west", egress: "east", clock: fixedClock(1700000000, 123456000), queueDepth: 0 };

function packets(type: number): Uint8Array[] {
  const size = 4 * HOPS * nodeLenOf(type);
  return Array.from({ length: DISTINCT }, (_, i) =>
    buildPacket({ src: "2001:db8::1", dst: "2001:db8:1::2", hopLimit: 64, flowLabel: i, options: [{ kind: "trace", variant: "prealloc", namespaceId: 123, nodeLen: nodeLenOf(type), flags: { overflow: false, loopback: false, active: false, unknownBits: 0 }, remainingLen: size / 4, traceType: type, reserved: 0, nodes: [] }], upper: { kind: "udp", srcPort: 1000 + i, dstPort: 5000, data: new Uint8Array(64) } }),
  );
}

/** Best of `runs` of fn(), in operations per second. */
function best(runs: number, ops: number, fn: () => void): number {
  let bestSec = Infinity;
  for (let r = 0; r < runs; r++) {
    const t0 = process.hrtime.bigint();
    fn();
    bestSec = Math.min(bestSec, Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return ops / bestSec;
}

function transitRate(type: number): { fillsPerSec: number; viewWalksPerSec: number } {
  const pkts = packets(type);
  const work = pkts.map((p) => p.slice());
  const counters = newCounters();
  const rounds = Math.ceil(FILLS / (DISTINCT * HOPS));
  // Each round refills every packet HOPS times, then restores it; the restore is timed alone and subtracted.
  const restore = () => {
    for (let i = 0; i < DISTINCT; i++) work[i]!.set(pkts[i]!);
  };
  const withFills = best(5, rounds * DISTINCT * HOPS, () => {
    for (let r = 0; r < rounds; r++) {
      restore();
      for (let i = 0; i < DISTINCT; i++) {
        const b = work[i]!;
        for (let h = 0; h < HOPS; h++) transitPacket(b, 0, b.length, node, ctx, counters);
      }
    }
  });
  const restoreOnly = best(5, rounds, () => {
    for (let r = 0; r < rounds; r++) restore();
  });
  const fillSec = 1 / withFills - 1 / (restoreOnly * DISTINCT * HOPS);
  if (counters.ioamFilled === 0) throw new Error("no fills happened");
  const scan = new IoamScanner();
  const view = new TraceView();
  let sink = 0;
  const viewWalksPerSec = best(5, rounds * DISTINCT * HOPS, () => {
    for (let r = 0; r < rounds * HOPS; r++) {
      for (let i = 0; i < DISTINCT; i++) {
        const b = pkts[i]!;
        if (!scan.reset(b, 0, b.length)) continue;
        while (scan.next()) if (view.reset(b, scan.optionOffset, scan.optionEnd)) sink += view.remainingLen;
      }
    }
  });
  if (sink < 0) throw new Error("unreachable");
  return { fillsPerSec: Math.round(1 / fillSec), viewWalksPerSec: Math.round(viewWalksPerSec) };
}

function encapRate(mode: "inline" | "encap", type: number): number {
  const e = new Encapsulator({ mode, freqK: 1, freqN: 1, ...(mode === "encap" ? { tundst: "2001:db8:9::1" } : {}), trace: { namespaceId: 123, traceType: type, size: 4 * HOPS * nodeLenOf(type) } });
  const plain = Array.from({ length: DISTINCT }, (_, i) => buildPacket({ src: "2001:db8::1", dst: "2001:db8:1::2", flowLabel: i, options: [], upper: { kind: "udp", srcPort: 1000 + i, dstPort: 5000, data: new Uint8Array(64) } }));
  const counters = { encapInline: 0, encapOuter: 0, encap_skipped_mtu: 0 };
  const facts = { tunnelSource: "2001:db8::1", mtu: 1500 };
  const n = Math.ceil(FILLS / 4 / DISTINCT);
  return Math.round(best(5, n * DISTINCT, () => {
    for (let r = 0; r < n; r++) for (let i = 0; i < DISTINCT; i++) e.process(plain[i]!, node, ctx, facts, counters);
  }));
}

/** The kernel forwarding one packet stream through namespaces h1 — r1 — h2 (root only). */
function kernelForwardingRate(): number | string {
  if (process.getuid?.() !== 0 || argv.includes("--skip-kernel")) return "skipped (needs root)";
  progress("kernel reference: h1 — r1 — h2, 200000 packets from a raw socket");
  const nets = new NetnsSet();
  try {
    const net = chain(nets, 1, "bench");
    const r1 = net.routers[0]!;
    nets.exec(net.h1, "ping", ["-c1", "-W2", net.h2Addr]);
    const script = `import socket,time,sys\ns=socket.socket(socket.AF_INET6,socket.SOCK_RAW,socket.IPPROTO_RAW)\np=bytes.fromhex(sys.argv[1])\nt=time.perf_counter()\nfor _ in range(200000): s.sendto(p,('${net.h2Addr}',0))\nprint(time.perf_counter()-t)`;
    const pkt = Buffer.from(buildPacket({ src: net.h1Addr, dst: net.h2Addr, hopLimit: 64, options: [], upper: { kind: "udp", srcPort: 1, dstPort: 5000, data: new Uint8Array(64) } })).toString("hex");
    const forwarded = () => Number(/Ip6OutForwDatagrams\s+(\d+)/.exec(nets.exec(r1, "cat", ["/proc/net/snmp6"]))![1]);
    const before = forwarded();
    const seconds = Number(nets.exec(net.h1, "python3", ["-c", script, pkt]));
    return Math.round((forwarded() - before) / seconds);
  } finally {
    nets.cleanup();
  }
}

progress(`transit: ${FILLS} fills per type, ${HOPS} hops, best of 5`);
const short = transitRate(0x800000);
const wide = transitRate(0xfce000);
progress("encapsulation");
const result = {
  bench: "engine",
  hops: HOPS,
  transit: {
    "0x800000": { fillsPerSec: short.fillsPerSec, viewWalksPerSec: short.viewWalksPerSec },
    "0xfce000": { fillsPerSec: wide.fillsPerSec, viewWalksPerSec: wide.viewWalksPerSec },
    goalFillsPerSec: 5_000_000,
  },
  encapPerSec: { inline: encapRate("inline", 0x800000), encap: encapRate("encap", 0x800000), "encap 0xfce000": encapRate("encap", 0xfce000) },
  kernelForwardingPacketsPerSec: kernelForwardingRate(),
};
process.stdout.write(JSON.stringify(result, null, 2) + "\n");
