// `ioam lab trace` on a real lab: the probes leave the source node through a raw IPv6 socket
// (Node has none, so a few lines of python3 send them, header included, exactly as built), and
// tcpdump on every interface they will arrive on — the path the emulation of the same file
// predicts, tunnels included — shows what each carried, link by link; what a decapsulating
// data plane wrote to its sink meanwhile is read too (sink-reader.ts).

import { spawn } from "node:child_process";
import { IoamError } from "../errors.js";
import { bytesToHex } from "../wire/hex.js";
import { Emulation } from "./emulation.js";
import type { LabState } from "./lab-state.js";
import { LiveCapture } from "./live-capture.js";
import { type Probe, type ProbeOptions, buildProbes, probeKey } from "./probes.js";
import type { Topology } from "./topology.js";
import { type SinkRecord, readSink, sinkSize } from "./sink-reader.js";
import { type Observation, type ProbeTrace, optionsOf, probeTrace } from "./trace.js";

/** Sends hex IPv6 packets from stdin, one per line, through an IPPROTO_RAW socket (header included), 10 ms apart. */
const SEND_RAW6 = `
import socket, sys, time
s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_RAW)
for line in sys.stdin:
    p = bytes.fromhex(line.strip())
    if p:
        s.sendto(p, (socket.inet_ntop(socket.AF_INET6, p[24:40]), 0))
        time.sleep(0.01)
`;

/** Time for the last probe to cross the lab after it was sent. */
const SETTLE_MS = 300;

async function sendRaw(netns: string, packets: readonly Uint8Array[]): Promise<void> {
  const child = spawn("ip", ["netns", "exec", netns, "python3", "-c", SEND_RAW6], { stdio: ["pipe", "ignore", "pipe"] });
  let err = "";
  child.stderr.on("data", (d: Buffer) => (err += d.toString()));
  child.stdin.end(packets.map((p) => bytesToHex(p)).join("\n") + "\n");
  const code = await new Promise<number>((resolve) => {
    child.on("error", () => resolve(127));
    child.on("close", (c) => resolve(c ?? 1));
  });
  if (code !== 0) throw new IoamError("NOT_SUPPORTED", `sending probes from ${netns} failed (${code}): ${err.trim().split("\n").pop() ?? ""} (ioam lab trace sends with python3)`);
}

/** Where each probe will arrive, as (node, interface) pairs in path order. */
function arrivalPoints(t: Topology, src: string, probes: readonly Probe[]): Array<Array<{ node: string; ifname: string }>> {
  const emu = new Emulation(t);
  return probes.map((p) => emu.send(src, p.packet, { reply: false }).hops.map((h) => ({ node: h.to, ifname: h.toIf })));
}

/** The sinks of the lab's running data planes, with their sizes before the probes. */
function sinkMarks(s: LabState): Map<string, { path: string; from: number }> {
  const out = new Map<string, { path: string; from: number }>();
  for (const [node, n] of Object.entries(s.nodes)) if (n.daemon?.status === "running") out.set(node, { path: n.daemon.sink, from: sinkSize(n.daemon.sink) });
  return out;
}

/** A probe's observations in path order: the capture at each arrival point, then that node's sink record. */
function observe(p: Probe, points: ReadonlyArray<{ node: string; ifname: string }>, seen: Map<string, Uint8Array[]>, sinks: Map<string, SinkRecord[]>): Observation[] {
  const obs: Observation[] = [];
  for (const pt of points) {
    const pkt = (seen.get(`${pt.node}:${pt.ifname}`) ?? []).find((x) => probeKey(x) === p.key);
    if (pkt) obs.push({ source: "capture", node: pt.node, ifname: pt.ifname, options: optionsOf(pkt) });
    const records = sinks.get(pt.node);
    const i = records?.findIndex((r) => r.key === p.key || r.key === undefined) ?? -1;
    if (i < 0) continue;
    const [r] = records!.splice(i, 1);
    obs.push({ source: "sink", node: pt.node, options: r!.options, ...(r!.potVerified ? { potVerified: r!.potVerified } : {}) });
  }
  return obs;
}

/** Sends the probes through the real lab and reads what they carried on each link and in each sink. */
export async function traceReal(t: Topology, s: LabState, src: string, dst: string, o: ProbeOptions): Promise<ProbeTrace[]> {
  const probes = buildProbes(t, src, dst, o);
  const points = arrivalPoints(t, src, probes);
  const unique = [...new Map(points.flat().map((pt) => [`${pt.node}:${pt.ifname}`, pt])).values()];
  const captures: LiveCapture[] = [];
  try {
    for (const pt of unique) captures.push(await LiveCapture.start(s.nodes[pt.node]!.netns, pt.ifname));
    const marks = sinkMarks(s);
    await sendRaw(s.nodes[src]!.netns, probes.map((p) => p.packet));
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    const seen = new Map<string, Uint8Array[]>();
    for (const [i, c] of captures.entries()) seen.set(`${unique[i]!.node}:${unique[i]!.ifname}`, await c.stop());
    captures.length = 0;
    const sinks = new Map([...marks].map(([node, m]) => [node, readSink(m.path, m.from)]));
    return probes.map((p, k) => {
      const obs = observe(p, points[k]!, seen, sinks);
      const last = obs.filter((x) => x.source === "capture").pop();
      return probeTrace(p, [src, ...new Set(obs.map((x) => x.node))], obs, last ? `seen arriving at ${last.node}` : "not seen on any link");
    });
  } finally {
    for (const c of captures) c.kill();
  }
}
