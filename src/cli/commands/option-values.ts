// The placeholders of the IOAM option words (wire/ioam/option-words.ts OPTION_PHRASES) and of
// the route words that share them: one description and range each, for help, completion and
// the man page. test/cli/values.test.ts checks the ranges against the parsers.

import { INCREMENTAL_SIZE_MAX, PREALLOC_SIZE_MAX } from "../../wire/ioam/option-words.js";
import type { ValueSpec } from "../spec.js";
import { V } from "../values.js";

export const TRACE_VALUES = {
  TYPE: V.u24("24-bit IOAM trace type, bit 0 = 0x800000"),
  NS: V.u16("IOAM namespace"),
  SIZE: V.num(`node data bytes, a multiple of 4; pre-allocated at most ${PREALLOC_SIZE_MAX}, incremental (the RemainingLen budget) ${INCREMENTAL_SIZE_MAX}`, BigInt(INCREMENTAL_SIZE_MAX)),
} satisfies Record<string, ValueSpec>;

export const OPTION_VALUES: Readonly<Record<string, ValueSpec>> = {
  OPTION: V.text("an IOAM option: one of the phrases above"),
  ...TRACE_VALUES,
  FLAGS: { kind: "list", help: "trace flags, comma-separated", choices: ["loopback", "active", "overflow"] },
  POTTYPE: V.u8("POT type"),
  RND: V.u64("POT random number"),
  CML: V.u64("POT cumulative value"),
  NAME: V.text("a POT profile name (used by node policies)"),
  E2ETYPE: V.u16("16-bit E2E type: 0x8000 seq64, 0x4000 seq32, 0x2000 ts seconds, 0x1000 ts fraction"),
  SEQ: V.u64("sequence number (32 bits unless the type has the 64-bit bit)"),
  TIME: { kind: "seconds", help: "SECONDS[.FRACTION]; the fraction word is written in nanoseconds", max: 0xffffffffn },
  FLOWID: V.u32("DEX flow id"),
};
