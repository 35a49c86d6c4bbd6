// One workload of bench/instructions, run under callgrind: loads the modules of the build at
// argv[2] (so that two builds can be compared with the same inputs, which come from this
// build), then performs argv[4] rounds of argv[3]. Paths that moved between builds are tried
// in order.

import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { operatorTraffic } from "./traffic.js";
import { buildPacket } from "../src/wire/build.js";
import { nodeLenOf } from "../src/wire/ioam/trace-type.js";

const [tree, workload, roundsText] = process.argv.slice(2) as [string, string, string];
const rounds = Number(roundsText);

/** Imports the first of `paths` (relative to the build's dist/) that exists. */
async function load(...paths: string[]): Promise<Record<string, unknown>> {
  for (const p of paths) {
    try {
      return (await import(pathToFileURL(join(tree, "dist", p)).href)) as Record<string, unknown>;
    } catch (e) {
      if ((e as { code?: string }).code !== "ERR_MODULE_NOT_FOUND") throw e;
    }
  }
  throw new Error(`none of ${paths.join(", ")} in ${tree}`);
}

type Fn = (...a: unknown[]) => unknown;

async function transit(type: number): Promise<void> {
  const { transitPacket } = (await load("src/node/transit.js")) as { transitPacket: Fn };
  const { createNodeState } = (await load("src/node/state.js")) as { createNodeState: Fn };
  const node = createNodeState({ nodeId: 7, nodeIdWide: 0x77n, interfaces: { west: { enabled: true, id: 1, wide: 11 }, east: { id: 2, wide: 22 } }, namespaces: [{ id: 123, data: 0xdead, wide: 0xbeefn }] });
  const t0 = { sec: 1_700_000_000, nsec: 123_456_000 };
  // Both the context of builds before the clock (time) and after it (clock) are given.
  const ctx = { stage: "prerouting", ingress: "west", egress: "east", time: t0, clock: () => t0, queueDepth: 0 };
  const words = nodeLenOf(type);
  const pkts = Array.from({ length: 256 }, (_, i) => buildPacket({ src: "2001:db8::1", dst: "2001:db8:1::2", hopLimit: 64, flowLabel: i, options: [{ kind: "trace", variant: "prealloc", namespaceId: 123, nodeLen: words, flags: { overflow: false, loopback: false, active: false, unknownBits: 0 }, remainingLen: 5 * words, traceType: type, reserved: 0, nodes: [] }], upper: { kind: "udp", srcPort: 1000 + i, dstPort: 5000, data: new Uint8Array(64) } }));
  const counters = { Ip6InHdrErrors: 0, ioamFilled: 0, ioamOverflowed: 0, ioamAlreadyOverflowed: 0, ioamIgnored: 0, potUpdated: 0 };
  const body = 48; // IPv6 40 + Hop-by-Hop 2 + PadN 2 + option header 4
  for (let r = 0; r < rounds; r++) {
    for (const b of pkts) {
      b[body + 3] = 5 * words; // room for five more nodes
      for (let h = 0; h < 5; h++) transitPacket(b, 0, b.length, node, ctx, counters);
    }
  }
}

async function directJson(): Promise<void> {
  const { writePacketMembersDirect } = (await load("src/wire/json/direct-json.js", "src/wire/direct-json.js")) as { writePacketMembersDirect: Fn };
  const { JsonBytes } = (await load("src/wire/json/json-bytes.js", "src/wire/json-bytes.js")) as { JsonBytes: new (n: number) => { pos: number } };
  const pkts = operatorTraffic(1024).map((s) => buildPacket(s));
  const w = new JsonBytes(1 << 20);
  for (let r = 0; r < rounds; r++) for (const p of pkts) ((w.pos = 0), writePacketMembersDirect(w, p, false));
}

async function viewWalk(): Promise<void> {
  const { IoamScanner } = (await load("src/wire/ioam-scan.js")) as { IoamScanner: new () => { reset: Fn; next: () => boolean; optionOffset: number; optionEnd: number } };
  const { TraceView } = (await load("src/wire/ioam/trace-view.js")) as { TraceView: new () => { reset: Fn; nodeLenMatches: () => boolean; namespaceId: number; remainingLen: number } };
  const pkts = operatorTraffic(1024).map((s) => buildPacket(s));
  const s = new IoamScanner();
  const v = new TraceView();
  let sink = 0;
  for (let r = 0; r < rounds; r++) {
    for (const p of pkts) {
      if (!s.reset(p, 0, p.length)) continue;
      while (s.next()) {
        const ok = v.reset(p, s.optionOffset, s.optionEnd); // true (now) or 0 (before the checked view returned a boolean)
        if ((ok === true || ok === 0) && v.nodeLenMatches()) sink += v.namespaceId + v.remainingLen;
      }
    }
  }
  if (sink < 0) console.log(sink);
}

const RUN: Record<string, () => Promise<void>> = {
  "transit 0x800000": () => transit(0x800000),
  "transit 0xfce000": () => transit(0xfce000),
  "direct json": directJson,
  "view walk": viewWalk,
};
await RUN[workload]!();
