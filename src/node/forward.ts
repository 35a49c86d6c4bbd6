// The forwarding step the kernel takes after Hop-by-Hop processing (ip6_forward): a packet
// whose hop limit would reach 0 is dropped with ICMPv6 Time Exceeded and counted as
// Ip6InHdrErrors; otherwise the hop limit is decremented. The lab emulation and the kernel
// differential test use it to move a packet from one node to the next.

import { IPV6 } from "../wire/ipv6.js";
import type { NodeCounters } from "./counters.js";

export type ForwardResult = "forward" | "drop-hop-limit";

export function forwardHopLimit(b: Uint8Array, start: number, counters: NodeCounters): ForwardResult {
  const at = start + IPV6.HOP_LIMIT;
  if (b[at]! <= 1) {
    counters.Ip6InHdrErrors++;
    return "drop-hop-limit";
  }
  b[at] = b[at]! - 1;
  return "forward";
}
