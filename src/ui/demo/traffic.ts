// Where the demo's journeys come from: the real diamond lab (root, kernel and userspace nodes)
// or, without root, the same domain in process. Each is a DemoTraffic: the collector sources
// that read it, the node names, and how to take it all down again.

import type { Source } from "../../collector/sources/source.js";
import { DIAMOND_NAMES, GeneratedDiamond } from "./generated-diamond.js";

export interface DemoTraffic {
  /** "lab" (namespaces, kernel + data plane), "emulation" (the lab in process) or "generated". */
  mode: "lab" | "emulation" | "generated";
  /** One line saying what runs. */
  label: string;
  sources: Source[];
  nodeNames: ReadonlyMap<string, string>;
  /** Stops the traffic and removes everything it made (namespaces, rules, processes). */
  stop(): Promise<void>;
}

/** The diamond's journeys generated in process (no root, no lab). */
export function generatedTraffic(rate: number): DemoTraffic {
  const source = new GeneratedDiamond({ rate });
  return {
    mode: "generated",
    label: `diamond r1—{r2,r3}—r4, generated in process (${rate} packets/s, no root needed)`,
    sources: [source],
    nodeNames: DIAMOND_NAMES,
    stop: () => source.stop(),
  };
}

/**
 * Why the real lab cannot run here, or undefined when it can. The lab (`ioam lab up`) and the
 * data plane daemon (`ioam node run`) are separate work not in this build yet: once they are,
 * lab-traffic.ts starts examples/diamond.yaml with traffic and the collector reads the
 * decapsulating nodes' sinks and the kernel nodes' events.
 */
export function realLabUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return "not root";
  return "this build has no ioam lab / ioam node run yet";
}
