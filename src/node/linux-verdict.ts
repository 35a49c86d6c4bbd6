// What Linux does with a received IOAM option (net/ipv6/exthdrs.c ipv6_hop_ioam), as typed
// reasons in the kernel's order of checks. Transit (transit.ts) is its one user.

import { IOAM_OPT, IOAM_TYPE, IPV6_OPT_IOAM } from "../wire/ioam/option.js";
import { TRACE } from "../wire/ioam/trace.js";
import { nodeLenOf } from "../wire/ioam/trace-type.js";

/** Verdicts in the order the kernel checks them; "process" means fill the trace. */
export const LINUX_VERDICTS = [
  "process",
  "drop-misaligned", // §3.1 step 1, even when IOAM is disabled on the interface
  "ignore-disabled", // step 2: conf.<ingress>.ioam6_enabled = 0
  "drop-short-option", // step 3: Opt Data Len < 2
  "ignore-not-prealloc", // step 4: IOAM-Opt-Type ≠ 0
  "drop-short-trace", // step 5: Opt Data Len < 10
  "drop-remaining-len", // step 6: Opt Data Len < 10 + 4·RemainingLen
  "drop-nodelen", // step 7: NodeLen ≠ the value from the Trace-Type (6db8b56eed62)
  "ignore-unknown-namespace", // step 8
  "ignore-not-ioam", // option type other than 0x31 (Linux knows only 0x31 in Hop-by-Hop)
] as const;
export type LinuxVerdict = (typeof LINUX_VERDICTS)[number];

/** The node state a verdict depends on; without it, steps 2 and 8 are not decided. */
export interface LinuxIngressState {
  ioam6Enabled: boolean;
  hasNamespace(id: number): boolean;
}

/**
 * The kernel's verdict for the option TLV at b[opt, optEnd) in a Hop-by-Hop header, whose IPv6
 * header starts at `ipv6Start`. Without `ingress`, the state-dependent checks pass.
 */
export function linuxOptionVerdict(b: Uint8Array, opt: number, optEnd: number, ipv6Start: number, ingress?: LinuxIngressState): LinuxVerdict {
  if (b[opt] !== IPV6_OPT_IOAM) return "ignore-not-ioam";
  if ((opt - ipv6Start) % 4 !== 0) return "drop-misaligned";
  if (ingress && !ingress.ioam6Enabled) return "ignore-disabled";
  const optLen = optEnd - opt - 2;
  if (optLen < 2) return "drop-short-option";
  if (b[opt + IOAM_OPT.IOAM_TYPE] !== IOAM_TYPE.PREALLOC_TRACE) return "ignore-not-prealloc";
  if (optLen < 10) return "drop-short-trace";
  const body = opt + IOAM_OPT.BODY;
  if (optLen < 10 + 4 * (b[body + TRACE.REMLEN]! & 0x7f)) return "drop-remaining-len";
  const traceType = ((b[body + TRACE.TYPE]! << 16) | (b[body + TRACE.TYPE + 1]! << 8) | b[body + TRACE.TYPE + 2]!) >>> 0;
  if (b[body + TRACE.NODELEN_FLAGS]! >>> 3 !== nodeLenOf(traceType)) return "drop-nodelen";
  if (ingress && !ingress.hasNamespace((b[body]! << 8) | b[body + 1]!)) return "ignore-unknown-namespace";
  return "process";
}
