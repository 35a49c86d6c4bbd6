// The words of an encap policy after its prefix: `ip -6 route … encap ioam6`'s own words
// (iproute2 ip/iproute_lwtunnel.c parse_encap_ioam6: freq K/N, mode, tunsrc, tundst) in any
// order, then the option words shared with `ioam encode` (wire/ioam/option-words.ts).

import type { OptionSpec } from "../../wire/build.js";
import { parseOptionWords } from "../../wire/ioam/option-words.js";
import { parseIpv6Address } from "../../wire/ipv6-address.js";
import { IOAM6_MODES, type Ioam6Encap, type Ioam6Mode } from "../rtnetlink/ioam6-encap.js";

const STARTERS = new Set(["trace", "pot", "e2e", "dex"]);
const TUNNEL_WORDS = new Set(["freq", "mode", "tunsrc", "tundst"]);

/** Splits and reads the words; `fail` throws with the caller's file:line. */
export function readEncapWords(words: readonly string[], fail: (message: string) => never): { encap: Ioam6Encap & { hasTrace: boolean }; options: OptionSpec[] } {
  const start = words.findIndex((w) => STARTERS.has(w));
  const head = start < 0 ? words : words.slice(0, start);
  if (start < 0) fail("no IOAM option: add e.g. trace prealloc type 0x800000 ns 1 size 12 (or pot, e2e, dex)");
  const seen = new Map<string, string>();
  for (let i = 0; i < head.length; i += 2) {
    const [w, v] = [head[i]!, head[i + 1]];
    if (!TUNNEL_WORDS.has(w)) fail(`unexpected word "${w}" (freq K/N, mode inline|encap|auto, tunsrc ADDR, tundst ADDR, then the options)`);
    if (v === undefined || STARTERS.has(v)) fail(`"${w}" needs a value`);
    if (seen.has(w)) fail(`"${w}" given twice`);
    seen.set(w, v!);
  }
  const encap: Ioam6Encap & { hasTrace: boolean } = { freq: { k: 1, n: 1 }, mode: "inline", trace: { namespaceId: 0, traceType: 0, size: 0 }, hasTrace: false };
  const freq = seen.get("freq");
  if (freq !== undefined) {
    const m = /^(\d{1,7})\/(\d{1,7})$/.exec(freq);
    if (!m) fail(`freq "${freq}" is not K/N (e.g. freq 1/10: k packets of every n)`);
    encap.freq = { k: Number(m![1]), n: Number(m![2]) };
  }
  const mode = seen.get("mode") ?? "inline";
  if (!(IOAM6_MODES as readonly string[]).includes(mode)) fail(`mode "${mode}" is not inline, encap or auto`);
  encap.mode = mode as Ioam6Mode;
  for (const w of ["tunsrc", "tundst"] as const) {
    const t = seen.get(w);
    if (t === undefined) continue;
    const a = parseIpv6Address(t);
    if (!a) fail(`${w} "${t}" is not an IPv6 address`);
    encap[w] = a!;
  }
  let options: OptionSpec[] = [];
  try {
    options = parseOptionWords(words.slice(start));
  } catch (e) {
    fail((e as Error).message);
  }
  const kinds = options.map((o) => o.kind);
  const twice = kinds.find((k, i) => kinds.indexOf(k) !== i);
  if (twice) fail(`${twice} given twice: a policy carries at most one option of each kind`);
  encap.hasTrace = kinds.includes("trace");
  return { encap, options };
}
