// The words that describe an IOAM option, shared by `ioam encode`, routes, `ioam apply` and
// labs (docs/architecture.md, "Option words"):
//   trace prealloc|incremental type T ns N size S [flags loopback,active]
//   pot ns N [type P] [random R] [cumulative C] [profile NAME]
//   e2e ns N type T [seq S] [ts SEC[.FRAC]]
//   dex ns N type T [flowid F] [seq [S]]
// and, on any of them, [in hop|dest] [opttype 0x31|0x11] to override RFC 9486's placement.
// Numbers follow iproute2 (0x hex, leading-0 octal, decimal). Keywords may come in any order.

import { UsageError } from "../../errors.js";
import { parseUint, parseUintBig } from "../number-text.js";
import type { OptionSpec } from "../build.js";
import { DEX_EXT_FLOW_ID, DEX_EXT_SEQ } from "./dex.js";
import { E2E_SEQ32, E2E_SEQ64, E2E_TS_FRAC, E2E_TS_SEC } from "./e2e.js";
import type { TraceFlags } from "./trace.js";
import { nodeLenOf } from "./trace-type.js";

const STARTERS = new Set(["trace", "pot", "e2e", "dex"]);

/** Splits words into option phrases and parses each; throws UsageError naming the word. */
export function parseOptionWords(words: readonly string[]): OptionSpec[] {
  const phrases: string[][] = [];
  for (const w of words) {
    if (STARTERS.has(w)) phrases.push([w]);
    else if (phrases.length === 0) throw new UsageError(`expected an option (trace, pot, e2e or dex), got "${w}"`);
    else phrases[phrases.length - 1]!.push(w);
  }
  return phrases.map(parsePhrase);
}

type Reader = {
  take(key: string): string | undefined;
  flag(key: string): boolean;
  /** A flag word optionally followed by a number: undefined if absent, null if bare. */
  flagNumber(key: string, max: number): number | null | undefined;
  rest(): string[];
  what: string;
};

function reader(phrase: string[]): Reader {
  const words = phrase.slice(1);
  const used = new Array<boolean>(words.length).fill(false);
  const what = phrase[0]!;
  return {
    what,
    take(key) {
      const i = words.findIndex((w, j) => w === key && !used[j]);
      if (i < 0) return undefined;
      const v = words[i + 1];
      if (v === undefined) throw new UsageError(`${what}: "${key}" needs a value`);
      used[i] = used[i + 1] = true;
      return v;
    },
    flag(key) {
      const i = words.findIndex((w, j) => w === key && !used[j]);
      if (i >= 0) used[i] = true;
      return i >= 0;
    },
    flagNumber(key, max) {
      const i = words.findIndex((w, j) => w === key && !used[j]);
      if (i < 0) return undefined;
      used[i] = true;
      const v = words[i + 1] !== undefined && !used[i + 1] ? parseUint(words[i + 1]!, max) : undefined;
      if (v === undefined) return null;
      used[i + 1] = true;
      return v;
    },
    rest: () => words.filter((_, j) => !used[j]),
  };
}

function num(r: Reader, key: string, max: number, required: boolean): number | undefined {
  const v = r.take(key);
  if (v === undefined) {
    if (required) throw new UsageError(`${r.what}: "${key}" is required`);
    return undefined;
  }
  const n = parseUint(v, max);
  if (n === undefined) throw new UsageError(`${r.what}: ${key} "${v}" is not a number from 0 to ${max}`);
  return n;
}

function big(r: Reader, key: string): bigint | undefined {
  const v = r.take(key);
  if (v === undefined) return undefined;
  const n = parseUintBig(v, 0xffffffffffffffffn);
  if (n === undefined) throw new UsageError(`${r.what}: ${key} "${v}" is not a 64-bit number`);
  return n;
}

function parsePhrase(phrase: string[]): OptionSpec {
  const r = reader(phrase);
  const spec = parseBody(r);
  const inHeader = r.take("in");
  if (inHeader !== undefined) {
    if (inHeader !== "hop" && inHeader !== "dest") throw new UsageError(`${r.what}: "in" takes hop or dest, got "${inHeader}"`);
    spec.header = inHeader;
  }
  const optType = num(r, "opttype", 255, false);
  if (optType !== undefined) spec.ipv6OptType = optType;
  const left = r.rest();
  if (left.length > 0) throw new UsageError(`${r.what}: unexpected word "${left[0]}"`);
  return spec;
}

function parseBody(r: Reader): OptionSpec {
  switch (r.what) {
    case "trace": return parseTrace(r);
    case "pot": return parsePot(r);
    case "e2e": return parseE2e(r);
    default: return parseDex(r);
  }
}

function parseTrace(r: Reader): OptionSpec {
  const variant = r.flag("prealloc") ? "prealloc" : r.flag("incremental") ? "incremental" : undefined;
  if (!variant) throw new UsageError('trace: say "prealloc" or "incremental"');
  const traceType = num(r, "type", 0xffffff, true)!;
  const namespaceId = num(r, "ns", 0xffff, true)!;
  const size = num(r, "size", 508, true)!;
  if (size % 4 !== 0) throw new UsageError(`trace: size ${size} is not a multiple of 4`);
  if (size / 4 > 127) throw new UsageError(`trace: size ${size} exceeds RemainingLen's 7 bits (at most 508)`);
  return { kind: "trace", variant, namespaceId, nodeLen: nodeLenOf(traceType), flags: parseFlags(r), remainingLen: size / 4, traceType, reserved: 0, nodes: [] };
}

function parseFlags(r: Reader): TraceFlags {
  const f: TraceFlags = { overflow: false, loopback: false, active: false, unknownBits: 0 };
  const v = r.take("flags");
  for (const name of v ? v.split(",") : []) {
    if (name === "loopback" || name === "active" || name === "overflow") f[name] = true;
    else throw new UsageError(`trace: unknown flag "${name}" (loopback, active, overflow)`);
  }
  return f;
}

function parsePot(r: Reader): OptionSpec {
  r.take("profile"); // chooses keys in the node engine; the encoder writes the values given
  return {
    kind: "pot",
    namespaceId: num(r, "ns", 0xffff, true)!,
    potType: num(r, "type", 255, false) ?? 0,
    flags: 0,
    random: big(r, "random") ?? 0n,
    cumulative: big(r, "cumulative") ?? 0n,
  };
}

function parseE2e(r: Reader): OptionSpec {
  const e2eType = num(r, "type", 0xffff, true)!;
  const spec: OptionSpec = { kind: "e2e", namespaceId: num(r, "ns", 0xffff, true)!, e2eType };
  const seq = r.take("seq");
  if (seq !== undefined) {
    const v = parseUintBig(seq, 0xffffffffffffffffn);
    if (v === undefined) throw new UsageError(`e2e: seq "${seq}" is not a number`);
    if (e2eType & E2E_SEQ64) spec.seq64 = v;
    if (e2eType & E2E_SEQ32) spec.seq32 = Number(v & 0xffffffffn);
  }
  const ts = r.take("ts");
  if (ts !== undefined) {
    const m = /^(\d+)(?:\.(\d+))?$/.exec(ts);
    if (!m) throw new UsageError(`e2e: ts "${ts}" is not SECONDS[.FRACTION]`);
    if (e2eType & E2E_TS_SEC) spec.tsSec = Number(m[1]) >>> 0;
    if (e2eType & E2E_TS_FRAC) spec.tsFrac = Number(m[2] ?? 0) >>> 0;
  }
  return spec;
}

function parseDex(r: Reader): OptionSpec {
  const spec: OptionSpec = { kind: "dex", namespaceId: num(r, "ns", 0xffff, true)!, flags: 0, extFlags: 0, traceType: num(r, "type", 0xffffff, true)!, reserved: 0 };
  const flowId = num(r, "flowid", 0xffffffff, false);
  if (flowId !== undefined) {
    spec.extFlags |= DEX_EXT_FLOW_ID;
    spec.flowId = flowId;
  }
  const seq = r.flagNumber("seq", 0xffffffff);
  if (seq !== undefined) {
    spec.extFlags |= DEX_EXT_SEQ;
    spec.seq = seq ?? 0; // RFC 9326 §3: the sequence starts at 0
  }
  return spec;
}
