// Where the demo's journeys come from: the real diamond lab (root, kernel and userspace nodes)
// or, without root, the same lab in the emulation. Each is a DemoTraffic: the collector sources
// that read it, the node names, and how to take it all down again.

import type { Source } from "../../collector/sources/source.js";
import { EmulatedDiamond, nodeNamesOf } from "./emulated-diamond.js";

export interface DemoTraffic {
  /** "lab" (namespaces, kernel + data plane) or "emulation" (the lab in this process). */
  mode: "lab" | "emulation";
  /** One line saying what runs. */
  label: string;
  sources: Source[];
  nodeNames: ReadonlyMap<string, string>;
  /** Stops the traffic and removes everything it made (namespaces, rules, processes). */
  stop(): Promise<void>;
}

/** examples/diamond.yaml in the lab's emulation, h1 sending `rate` packets/s to h2 (no root needed). */
export function emulatedTraffic(rate: number): DemoTraffic {
  const source = new EmulatedDiamond({ rate });
  return {
    mode: "emulation",
    label: `examples/diamond.yaml in the lab's emulation: h1 → h2 at ${rate} packets/s (UDP and pings), r1/r4 data plane, r2/r3 kernel transit; no root needed`,
    sources: [source],
    nodeNames: nodeNamesOf(source.topology),
    stop: () => source.stop(),
  };
}
