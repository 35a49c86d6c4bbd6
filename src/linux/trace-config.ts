// What Linux refuses when an lwtunnel trace is configured (net/ipv6/ioam6_iptunnel.c
// ioam6_validate_trace / ioam6_build_state), as typed reasons: `ioam route` and `ioam apply`
// report them before the kernel is asked.

import { RESERVED_BIT, UNDEFINED_BITS_MASK } from "../wire/ioam/trace-type.js";

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
