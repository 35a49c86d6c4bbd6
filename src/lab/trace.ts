// `ioam lab trace`: what each probe carried when it was last seen inside the IOAM domain —
// the decapsulating node's sink, or the packet on the last link where it still carried IOAM
// (as a capture on the receiving interface shows it, before that node's own processing). The
// real lab and the emulation both list a probe's observations in path order and pick with
// pickObservation, so their answers are comparable.

import type { IoamOption } from "../wire/ioam/option.js";
import { decodePacket } from "../wire/packet.js";
import { Emulation } from "./emulation.js";
import { type Probe, type ProbeOptions, buildProbes } from "./probes.js";
import type { Topology } from "./topology.js";

/** One place a probe was seen. */
export interface Observation {
  source: "capture" | "sink";
  node: string;
  /** The receiving interface, for a capture. */
  ifname?: string;
  options: IoamOption[];
  /** A sink's proof-of-transit verdicts, one per POT option the node verifies. */
  potVerified?: boolean[];
}

export interface ProbeTrace {
  probe: { seq: number; proto: Probe["proto"]; src: string; dst: string };
  /** Nodes the probe crossed, source first (as far as it was seen). */
  path: string[];
  /** Where its IOAM data was read; absent when it was never seen carrying IOAM. */
  at?: Omit<Observation, "options">;
  options: IoamOption[];
  potVerified?: boolean[];
  /** How the probe ended, where known (the emulation knows; the real lab tells delivery from captures). */
  end?: string;
}

/** The last observation that carried IOAM. */
export function pickObservation(obs: readonly Observation[]): Observation | undefined {
  for (let i = obs.length - 1; i >= 0; i--) if (obs[i]!.options.length > 0) return obs[i];
  return undefined;
}

/** The IOAM options of a packet seen on a link (outer headers: what the domain reads). */
export function optionsOf(packet: Uint8Array): IoamOption[] {
  try {
    return decodePacket(packet).options;
  } catch {
    return [];
  }
}

/** A probe's trace from its observations. */
export function probeTrace(p: Probe, path: string[], obs: readonly Observation[], end?: string): ProbeTrace {
  const chosen = pickObservation(obs);
  const t: ProbeTrace = { probe: { seq: p.seq, proto: p.proto, src: p.src, dst: p.dst }, path, options: chosen?.options ?? [] };
  if (chosen) {
    const { options: _o, potVerified, ...at } = chosen;
    t.at = at;
    if (potVerified) t.potVerified = potVerified;
  }
  if (end !== undefined) t.end = end;
  return t;
}

/** Sends each probe through an emulation of `t` and reads what it carried. */
export function traceEmulated(t: Topology, src: string, dst: string, o: ProbeOptions, emu = new Emulation(t)): ProbeTrace[] {
  return buildProbes(t, src, dst, o).map((p) => {
    const j = emu.send(src, p.packet, { reply: false });
    const obs: Observation[] = [];
    for (const h of j.hops) {
      obs.push({ source: "capture", node: h.to, ifname: h.toIf, options: optionsOf(h.packet) });
      for (const s of j.sink.filter((x) => x.node === h.to)) obs.push({ source: "sink", node: s.node, options: s.record.options, ...(s.record.potVerified ? { potVerified: s.record.potVerified } : {}) });
    }
    const end = j.end.kind === "delivered" ? `delivered to ${j.end.node}` : `dropped at ${j.end.node}: ${j.end.reason}`;
    return probeTrace(p, [src, ...j.hops.map((h) => h.to)], obs, end);
  });
}
