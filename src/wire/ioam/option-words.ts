// The words that describe an IOAM option, shared by `ioam encode`, routes, `ioam apply` and
// labs (docs/architecture.md, "Option words"); OPTION_PHRASES below is their grammar, which the
// CLI's help, completion and man page print. Numbers are in C notation as iproute2 reads
// them (number-text.ts); keywords may come in any order within a phrase. Every word given
// changes the option or is refused: nothing is silently ignored.

import { UsageError } from "../../errors.js";
import { cNumberProblem, parseSeconds, parseUint, parseUintBig } from "../number-text.js";
import type { OptionSpec } from "../build.js";
import { DEX_EXT_FLOW_ID, DEX_EXT_SEQ } from "./dex.js";
import { E2E_SEQ32, E2E_SEQ64, E2E_TS_FRAC, E2E_TS_SEC } from "./e2e.js";
import type { TraceFlags } from "./trace.js";
import { nodeLenOf } from "./trace-type.js";

/** Where an option goes, on any phrase: overrides RFC 9486's placement. */
const PLACEMENT = "[in hop|dest] [opttype 0x31|0x11]";

/** The grammar of each phrase after its starter word, in iproute2 notation. */
export const OPTION_PHRASES: Readonly<Record<string, string>> = {
  trace: `prealloc|incremental type TYPE ns NS size SIZE [flags FLAGS] ${PLACEMENT}`,
  pot: `ns NS [type POTTYPE] [random RND] [cumulative CML] [profile NAME] ${PLACEMENT}`,
  e2e: `ns NS type E2ETYPE [seq SEQ] [ts TIME] ${PLACEMENT}`,
  dex: `ns NS type TYPE [flowid FLOWID] [seq [SEQ]] ${PLACEMENT}`,
};

/** Pre-allocated node data fits Opt Data Len's 8 bits: 2 + 8 (trace header) + size ≤ 255. */
export const PREALLOC_SIZE_MAX = 244;
/** Incremental: the RemainingLen budget, 7 bits of 4-octet words. */
export const INCREMENTAL_SIZE_MAX = 508;

const STARTERS = new Set(["trace", "pot", "e2e", "dex"]);

/** Where option words are read: a packet to build, or a node policy (which may name a POT profile). */
export interface OptionWordsOptions {
  policy?: boolean;
}

/** Splits words into option phrases and parses each; throws UsageError naming the word. */
export function parseOptionWords(words: readonly string[], opts: OptionWordsOptions = {}): OptionSpec[] {
  const phrases: string[][] = [];
  for (const w of words) {
    if (STARTERS.has(w)) phrases.push([w]);
    else if (phrases.length === 0) throw new UsageError(`expected an option (trace, pot, e2e or dex), got "${w}"`);
    else phrases[phrases.length - 1]!.push(w);
  }
  return phrases.map((p) => parsePhrase(p, opts));
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

/** The error for word `key` with value `v`: `trace: ns "70000" is above 65535, …`. */
function refuse(r: Reader, key: string, v: string, why: string): never {
  throw new UsageError(`${r.what}: ${key} "${v}" ${why}`);
}

/** The same, in the shape of the route refusals: `trace: size "6": size must be …`. */
function refuseAs(r: Reader, key: string, v: string, problem: string): never {
  throw new UsageError(`${r.what}: ${key} "${v}": ${problem}`);
}

function num(r: Reader, key: string, max: number, required: boolean): number | undefined {
  const v = r.take(key);
  if (v === undefined) {
    if (required) throw new UsageError(`${r.what}: "${key}" is required (${r.what} ${OPTION_PHRASES[r.what]!.split(" [in ")[0]})`);
    return undefined;
  }
  const n = parseUint(v, max);
  return n ?? refuse(r, key, v, cNumberProblem(v, BigInt(max))!);
}

function big(r: Reader, key: string, max = 0xffffffffffffffffn): bigint | undefined {
  const v = r.take(key);
  if (v === undefined) return undefined;
  return parseUintBig(v, max) ?? refuse(r, key, v, cNumberProblem(v, max)!);
}

function parsePhrase(phrase: string[], opts: OptionWordsOptions): OptionSpec {
  const r = reader(phrase);
  const spec = parseBody(r, opts);
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

function parseBody(r: Reader, opts: OptionWordsOptions): OptionSpec {
  switch (r.what) {
    case "trace": return parseTrace(r);
    case "pot": return parsePot(r, opts);
    case "e2e": return parseE2e(r);
    default: return parseDex(r);
  }
}

function parseTrace(r: Reader): OptionSpec {
  const variant = r.flag("prealloc") ? "prealloc" : r.flag("incremental") ? "incremental" : undefined;
  if (!variant) throw new UsageError('trace: say "prealloc" or "incremental"');
  const traceType = num(r, "type", 0xffffff, true)!;
  const namespaceId = num(r, "ns", 0xffff, true)!;
  const sizeText = r.take("size");
  if (sizeText === undefined) throw new UsageError('trace: "size" is required (trace prealloc|incremental type TYPE ns NS size SIZE)');
  const max = variant === "prealloc" ? PREALLOC_SIZE_MAX : INCREMENTAL_SIZE_MAX;
  const size = parseUint(sizeText, 0xffffffff) ?? refuse(r, "size", sizeText, cNumberProblem(sizeText, 0xffffffffn)!);
  // The same words as the route refusals (linux/trace-config.ts), so one mistake reads alike.
  if (size % 4 !== 0) refuseAs(r, "size", sizeText, "size must be a multiple of 4");
  if (size > max) refuseAs(r, "size", sizeText, `size exceeds ${max}, the most ${variant === "prealloc" ? "Opt Data Len" : "RemainingLen (7 bits of 4-octet words)"} can hold`);
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

function parsePot(r: Reader, opts: OptionWordsOptions): OptionSpec {
  const profile = r.take("profile"); // chooses keys in the node engine: only a policy has keys
  if (profile !== undefined && !opts.policy) refuse(r, "profile", profile, "has no effect on a packet built here (random and cumulative are written as given); a profile belongs in a node policy");
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
  const hex = `0x${e2eType.toString(16).padStart(4, "0")}`;
  if ((e2eType & E2E_SEQ64) && (e2eType & E2E_SEQ32)) throw new UsageError(`e2e: type ${hex} sets both sequence bits (0x8000 64-bit, 0x4000 32-bit); RFC 9197 §4.6: when one is set the other must be 0`);
  const seq = r.take("seq");
  if (seq !== undefined) {
    if (!(e2eType & (E2E_SEQ64 | E2E_SEQ32))) refuse(r, "seq", seq, `has no field: type ${hex} has no sequence bit (add 0x8000 for 64 bits or 0x4000 for 32)`);
    const max = e2eType & E2E_SEQ64 ? 0xffffffffffffffffn : 0xffffffffn;
    const v = parseUintBig(seq, max) ?? refuse(r, "seq", seq, cNumberProblem(seq, max)!);
    if (e2eType & E2E_SEQ64) spec.seq64 = v;
    else spec.seq32 = Number(v);
  }
  const ts = r.take("ts");
  if (ts !== undefined) {
    const t = parseSeconds(ts, 0xffffffff) ?? refuse(r, "ts", ts, "is not SECONDS[.FRACTION] (at most 4294967295 seconds and 9 fraction digits, e.g. 1700000000.25)");
    if (!(e2eType & E2E_TS_SEC) && !(e2eType & E2E_TS_FRAC)) refuse(r, "ts", ts, `has no field: type ${hex} has no timestamp bit (0x2000 seconds, 0x1000 fraction)`);
    if (t.sec !== 0 && !(e2eType & E2E_TS_SEC)) refuse(r, "ts", ts, `has seconds, but type ${hex} has no seconds bit (0x2000)`);
    if (t.hasFraction && !(e2eType & E2E_TS_FRAC)) refuse(r, "ts", ts, `has a fraction, but type ${hex} has no fraction bit (0x1000)`);
    if (e2eType & E2E_TS_SEC) spec.tsSec = t.sec;
    if (e2eType & E2E_TS_FRAC) spec.tsFrac = t.nsec; // nanoseconds, as the PTP truncated format
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
