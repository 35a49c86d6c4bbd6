// An IPv6 route with the ioam6 lightweight tunnel, as data (RouteSpec), and the words that
// say it — `ip -6 route`'s grammar for `encap ioam6` (iproute2 ip/iproute_lwtunnel.c) — parsed in any
// order. Used by `ioam route` and by `ioam apply`, so it knows nothing of the CLI.

import { UsageError } from "../errors.js";
import { parseIpv6Address } from "../wire/ipv6-address.js";
import { cNumberProblem, parseUint } from "../wire/number-text.js";
import { IOAM6_MODES, type Ioam6Encap, type Ioam6Mode, ioam6EncapProblems } from "./rtnetlink/ioam6-encap.js";

/**
 * A destination prefix. iproute2 sends `default` as :: (RTA_DST of 16 zero octets) but
 * `any`/`all` without RTA_DST; both are /0. No address means the latter.
 */
export interface RoutePrefix {
  address?: Uint8Array;
  length: number;
}

export interface RouteSpec {
  dst: RoutePrefix;
  encap?: Ioam6Encap;
  /** Gateway (RTA_GATEWAY). */
  via?: Uint8Array;
  /** Output device name, resolved to an index over RTM_GETLINK (RTA_OIF). */
  dev?: string;
  /** RTA_PRIORITY. */
  metric?: number;
}

/**
 * The order in which the prefix, encap, via and metric words came. iproute2 puts their
 * attributes in word order (dev always last), so keeping it makes ioam's request equal
 * byte for byte to ip's for the same line. Without it, routes are encoded in display order.
 */
export type RouteWordOrder = Array<"dst" | "encap" | "via" | "metric">;

export interface ParsedRoute {
  spec: RouteSpec;
  order: RouteWordOrder;
}

/** The words of `encap ioam6` after `encap ioam6` itself. */
const ENCAP_WORDS = new Set(["freq", "mode", "tunsrc", "tundst", "trace", "type", "ns", "size"]);

function ipv6(word: string, text: string): Uint8Array {
  const a = text.includes("/") ? undefined : parseIpv6Address(text);
  if (!a) throw new UsageError(`${word} "${text}" is not an IPv6 address`);
  return a;
}

/** PREFIX: ADDR[/LEN] or default|any|all, as iproute2's get_prefix takes it for IPv6. */
export function parseRoutePrefix(text: string): RoutePrefix {
  if (text === "default") return { address: new Uint8Array(16), length: 0 };
  if (text === "any" || text === "all") return { length: 0 };
  const slash = text.indexOf("/");
  const address = parseIpv6Address(slash < 0 ? text : text.slice(0, slash));
  if (!address) throw new UsageError(`"${text}" is not an IPv6 prefix (ADDR[/LEN] or default)`);
  const length = slash < 0 ? 128 : parseUint(text.slice(slash + 1), 128);
  if (length === undefined) throw new UsageError(`prefix "${text}": length must be from 0 to 128`);
  return { address, length };
}

/** `freq K/N`: one slash, two decimal numbers (iproute2 reads them in base 10). */
function parseFreq(text: string): { k: number; n: number } {
  const m = /^(\d{1,10})\/(\d{1,10})$/.exec(text);
  if (!m) throw new UsageError(`freq "${text}" is not K/N (e.g. freq 1/10: k packets of every n)`);
  return { k: Number(m[1]), n: Number(m[2]) };
}

/**
 * Parses route words: `PREFIX encap ioam6 [freq K/N] [mode inline|encap|auto] [tunsrc ADDR]
 * [tundst ADDR] trace prealloc type T ns N size S [via ADDR] [dev NAME] [metric M]`, in any
 * order. `encap ioam6` is required when adding. Throws UsageError naming the word.
 */
export function parseRouteWords(words: readonly string[], purpose: "add" | "del"): ParsedRoute {
  const order: RouteWordOrder = [];
  const seen = new Map<string, string>(); // word → its value text, for messages
  let dst: RoutePrefix | undefined;
  let hasEncap = false;
  let hasTrace = false;
  const spec: Partial<RouteSpec> = {};
  const once = (word: string, value: string) => {
    if (seen.has(word)) throw new UsageError(`"${word}" given twice (${seen.get(word)} and ${value})`);
    seen.set(word, value);
  };
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    const value = (): string => {
      const v = words[++i];
      if (v === undefined) throw new UsageError(`"${w}" needs a value`);
      return v;
    };
    if (w === "encap") {
      const type = value();
      if (type !== "ioam6") throw new UsageError(`encap "${type}" is not handled here: ioam route manages encap ioam6 routes only`);
      once("encap", type);
      hasEncap = true;
      order.push("encap");
    } else if (w === "trace") {
      const variant = value();
      if (variant === "incremental") throw new UsageError('trace "incremental": the ioam6 lwtunnel inserts Pre-allocated Traces only (trace prealloc)');
      if (variant !== "prealloc") throw new UsageError(`trace "${variant}": say trace prealloc`);
      once("trace", variant);
      hasTrace = true;
    } else if (ENCAP_WORDS.has(w)) once(w, value());
    else if (w === "via") {
      let v = value();
      if (v === "inet6") v = value();
      once("via", v);
      spec.via = ipv6("via", v);
      order.push("via");
    } else if (w === "dev" || w === "oif") {
      const v = value();
      once("dev", v);
      if (v.length === 0 || v.length > 127 || /[\s/]/.test(v)) throw new UsageError(`dev "${v}" is not an interface name`);
      spec.dev = v;
    } else if (w === "metric" || w === "priority" || w === "preference") {
      const v = value();
      once("metric", v);
      const m = parseUint(v, 0xffffffff);
      if (m === undefined) throw new UsageError(`metric "${v}" ${cNumberProblem(v, 0xffffffffn)}`);
      spec.metric = m;
      order.push("metric");
    } else {
      const text = w === "to" ? value() : w;
      if (dst) throw new UsageError(`unexpected word "${text}" (the prefix is already ${seen.get("prefix")})`);
      if (w.startsWith("-")) throw new UsageError(`unexpected option "${w}"`);
      dst = parseRoutePrefix(text);
      seen.set("prefix", text);
      order.push("dst");
    }
  }
  if (!dst) throw new UsageError(`route ${purpose}: missing PREFIX (e.g. 2001:db8::/64)`);
  spec.dst = dst;
  const stray = [...ENCAP_WORDS].find((w) => seen.has(w));
  if (!hasEncap && stray) throw new UsageError(`"${stray}" belongs to encap ioam6, but the line has no "encap ioam6"`);
  if (!hasEncap && purpose === "add") throw new UsageError("route add: missing encap ioam6 … (ioam route adds IOAM routes; e.g. encap ioam6 trace prealloc type 0x800000 ns 123 size 12)");
  if (hasEncap) spec.encap = encapFromWords(seen, hasTrace);
  return { spec: spec as RouteSpec, order };
}

function encapFromWords(seen: Map<string, string>, hasTrace: boolean): Ioam6Encap {
  if (!hasTrace) throw new UsageError("encap ioam6: missing trace prealloc type T ns N size S");
  for (const w of ["type", "ns", "size"]) if (!seen.has(w)) throw new UsageError(`encap ioam6: missing "${w}" (trace prealloc type T ns N size S)`);
  const num = (word: string, max: number) => {
    const text = seen.get(word)!;
    const v = parseUint(text, max);
    if (v === undefined) throw new UsageError(`${word} "${text}" ${cNumberProblem(text, BigInt(max))}`);
    return v;
  };
  const modeText = seen.get("mode") ?? "inline";
  if (!(IOAM6_MODES as readonly string[]).includes(modeText)) throw new UsageError(`mode "${modeText}" is not inline, encap or auto`);
  const e: Ioam6Encap = {
    freq: seen.has("freq") ? parseFreq(seen.get("freq")!) : { k: 1, n: 1 },
    mode: modeText as Ioam6Mode,
    trace: { traceType: num("type", 0xffffff), namespaceId: num("ns", 0xffff), size: num("size", 0xffff) },
  };
  if (seen.has("tunsrc")) e.tunsrc = ipv6("tunsrc", seen.get("tunsrc")!);
  if (seen.has("tundst")) e.tundst = ipv6("tundst", seen.get("tundst")!);
  const problem = ioam6EncapProblems(e)[0];
  if (problem) {
    const text = seen.get(problem.word);
    throw new UsageError(text === undefined ? `encap ioam6: ${problem.message}` : `${problem.word} "${text}": ${problem.message}`);
  }
  return e;
}
