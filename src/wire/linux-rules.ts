// What Linux does with a received IOAM option (ipv6_hop_ioam, linux-ioam6.md §3.1) and what it
// refuses when an lwtunnel trace is configured (ioam6_build_state, §5.1), as typed reasons.
// The node engine's transit uses linuxOptionVerdict; `ioam encode`/routes/apply use the config check.

import { IOAM_OPT, IOAM_TYPE, IPV6_OPT_IOAM } from "./ioam/option.js";
import { TRACE } from "./ioam/trace.js";
import { RESERVED_BIT, UNDEFINED_BITS_MASK, nodeLenOf } from "./ioam/trace-type.js";

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

/** Why the kernel refuses a trace template (extack "invalid trace validation" and friends). */
export type LinuxTraceConfigProblem =
  | "type-zero"
  | "undefined-bits"
  | "reserved-bit"
  | "size-zero"
  | "size-not-multiple-of-4"
  | "size-too-large";

/** The reasons the kernel (6.12+) refuses `trace prealloc type T ns N size S`; empty if accepted. */
export function linuxTraceConfigProblems(traceType: number, size: number): LinuxTraceConfigProblem[] {
  const p: LinuxTraceConfigProblem[] = [];
  if (traceType === 0) p.push("type-zero");
  if (traceType & UNDEFINED_BITS_MASK) p.push("undefined-bits");
  if (traceType & RESERVED_BIT) p.push("reserved-bit");
  if (size === 0) p.push("size-zero");
  else if (size % 4 !== 0) p.push("size-not-multiple-of-4");
  else if (size > 244) p.push("size-too-large");
  return p;
}

/** Human text for a configuration problem, as an operator reads it. */
export const LINUX_TRACE_CONFIG_TEXT: Readonly<Record<LinuxTraceConfigProblem, string>> = {
  "type-zero": "trace type 0 carries no data (the kernel refuses it)",
  "undefined-bits": "trace type sets undefined bits 12-21 (the kernel accepts only bits 0-11 and 22)",
  "reserved-bit": "trace type sets reserved bit 23 (refused since Linux 6.12)",
  "size-zero": "size 0 leaves no room for node data",
  "size-not-multiple-of-4": "size must be a multiple of 4",
  "size-too-large": "size exceeds 244, the most Opt Data Len can hold",
};
