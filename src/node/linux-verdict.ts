// What Linux does with a received IOAM option (net/ipv6/exthdrs.c ipv6_hop_ioam), as typed
// reasons in the kernel's order of checks. Transit (transit.ts) is its one user.

import { IOAM_OPT, IOAM_TYPE, IPV6_OPT_IOAM } from "../wire/ioam/option-header.js";
import { TRACE_TOO_SHORT, checkTraceOption, traceNamespaceId, traceNodeLenMatches, traceRemainingLenFits } from "../wire/ioam/trace-view.js";

/** Verdicts in the order the kernel checks them; "process" means fill the trace. */
export const LINUX_VERDICTS = [
  "process",
  "drop-misaligned", // step 1, even when IOAM is disabled on the interface
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

/**
 * The kernel's verdict for the option TLV at b[opt, optEnd) in a Hop-by-Hop header, whose IPv6
 * header starts at `ipv6Start`. `ingress` (net.ipv6.conf.<ingress>.ioam6_enabled) and the
 * node's IOAM `namespaces` decide steps 2 and 8; without them those checks pass.
 */
export function linuxOptionVerdict(b: Uint8Array, opt: number, optEnd: number, ipv6Start: number, ingress?: { enabled: boolean }, namespaces?: { has(id: number): boolean }): LinuxVerdict {
  if (b[opt] !== IPV6_OPT_IOAM) return "ignore-not-ioam";
  if ((opt - ipv6Start) % 4 !== 0) return "drop-misaligned";
  if (ingress && !ingress.enabled) return "ignore-disabled";
  if (optEnd - opt < IOAM_OPT.BODY) return "drop-short-option";
  if (b[opt + IOAM_OPT.IOAM_TYPE] !== IOAM_TYPE.PREALLOC_TRACE) return "ignore-not-prealloc";
  const body = checkTraceOption(b, opt, optEnd);
  if (body === TRACE_TOO_SHORT) return "drop-short-trace";
  if (!traceRemainingLenFits(b, body, optEnd)) return "drop-remaining-len";
  if (!traceNodeLenMatches(b, body)) return "drop-nodelen";
  if (namespaces && !namespaces.has(traceNamespaceId(b, body))) return "ignore-unknown-namespace";
  return "process";
}
