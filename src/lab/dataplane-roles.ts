// What a node's `dataplane:` section asks of the userspace data plane, as the lab reads it to
// check a topology and to emulate it (the real lab hands the same section to `ioam node run`):
//   encap:   "PREFIX [mode inline|encap|auto] [freq K/N] [tunsrc A] [tundst A] OPTION-WORDS…"
//            (the words of `ip -6 route … encap ioam6`, plus pot/e2e/dex option words)
//   decap:   "tunnel [ADDRESS]"  ip6ip6 packets with IOAM addressed to this node end here
//            "edge IFNAME"       IOAM leaving through IFNAME is removed (inline, domain edge)
//   pot:     "profile NAME"      this node holds its key of the lab's POT profile NAME
//   transit: "all"               the data plane also fills Pre-allocated Traces
//   traceContext: { socket: P }  the node writes the application's trace context (docs/cross-layer.md)
// A node with any of these runs the data plane, which also handles, in transit, the options
// Linux does not (Incremental Trace, POT, DEX export). docs/lab.md says the same.

import { ConfigError } from "../errors.js";
import type { DataplaneItem } from "../linux/apply/document.js";
import type { EncapMode, EncapPolicy } from "../node/encap.js";
import { LINUX_TRACE_CONFIG_TEXT, linuxTraceConfigProblems } from "../linux/trace-config.js";
import type { OptionSpec } from "../wire/build.js";
import { parseOptionWords } from "../wire/ioam/option-words.js";
import { parseIpv6Address } from "../wire/ipv6-address.js";
import { type Prefix, parsePrefix } from "./prefix.js";

/** One encap policy: the engine's policy for packets to `prefix`, the POT profile it uses, where it was written. */
export interface EncapRole {
  prefix: Prefix;
  /** The policy without its POT random source (the runner supplies one). */
  policy: Omit<EncapPolicy, "pot">;
  pot?: { namespaceId: number; profile: string };
  text: string;
  where: string;
}

export interface NodeRoles {
  encap: EncapRole[];
  /** Tunnel ends: undefined address = any of the node's own. */
  tunnels: Array<{ address?: Uint8Array; where: string }>;
  /** Interfaces where leaving IOAM is removed (the file's `edge` items; the lab adds its edges). */
  edges: Array<{ ifname: string; where: string }>;
  potProfiles: Array<{ name: string; where: string }>;
  transitAll: boolean;
}

const ROUTE_WORDS = new Set(["mode", "freq", "tunsrc", "tundst"]);
const STARTERS = new Set(["trace", "pot", "e2e", "dex"]);

function fail(item: DataplaneItem, node: string, message: string): never {
  throw new ConfigError(`${item.where}: topology.nodes.${node}.ioam.${item.path}`, message);
}

function address(item: DataplaneItem, node: string, word: string, text: string | undefined): Uint8Array | undefined {
  if (text === undefined) return undefined;
  const a = parseIpv6Address(text);
  return a ?? fail(item, node, `${word} "${text}" is not an IPv6 address`);
}

function routeWords(item: DataplaneItem, node: string, words: string[]): { seen: Map<string, string>; options: string[] } {
  const seen = new Map<string, string>();
  let i = 0;
  for (; i < words.length && !STARTERS.has(words[i]!); i += 2) {
    const w = words[i]!;
    if (!ROUTE_WORDS.has(w)) fail(item, node, `unexpected word "${w}" (before the options: mode, freq, tunsrc, tundst)`);
    if (words[i + 1] === undefined) fail(item, node, `"${w}" needs a value`);
    seen.set(w, words[i + 1]!);
  }
  return { seen, options: words.slice(i) };
}

/** The option words' options, into the policy (and the POT profile beside it). */
function addOptions(role: EncapRole, specs: OptionSpec[], words: readonly string[], item: DataplaneItem, node: string): void {
  const policy = role.policy;
  for (const s of specs) {
    if (s.kind === "trace") {
      if (s.variant !== "prealloc") fail(item, node, "an encapsulating node inserts Pre-allocated Traces (as the ioam6 lwtunnel does); an Incremental Trace can be sent by the source (ioam lab trace --insert)");
      const problem = linuxTraceConfigProblems(s.traceType, s.remainingLen * 4)[0];
      if (problem) fail(item, node, LINUX_TRACE_CONFIG_TEXT[problem]);
      policy.trace = { namespaceId: s.namespaceId, traceType: s.traceType, size: s.remainingLen * 4, flags: s.flags };
    } else if (s.kind === "e2e") {
      if (policy.mode !== "encap") fail(item, node, "an E2E option travels in an outer Destination Options header (RFC 9486 §4): it needs mode encap");
      policy.e2e = { namespaceId: s.namespaceId, e2eType: s.e2eType };
    } else if (s.kind === "dex") {
      policy.dex = { namespaceId: s.namespaceId, traceType: s.traceType, ...(s.flowId !== undefined ? { flowId: s.flowId } : {}), ...(s.seq !== undefined ? { seq: true } : {}) };
    } else if (s.kind === "pot") {
      const m = /\bprofile\s+(\S+)/.exec(words.join(" "));
      if (!m) fail(item, node, "pot needs profile NAME (one of the lab's pot: profiles)");
      role.pot = { namespaceId: s.namespaceId, profile: m[1]! };
    }
  }
}

/** Reads one encap item into the engine's policy. */
function encapRole(item: DataplaneItem, node: string): EncapRole {
  const [prefixText = "", ...words] = item.text.trim().split(/\s+/);
  const prefix = parsePrefix(prefixText);
  if (!prefix || !prefixText.includes("/")) fail(item, node, `expected "PREFIX [mode M] [tundst A] option words…", got "${item.text}"`);
  const { seen, options } = routeWords(item, node, words);
  const mode = (seen.get("mode") ?? "inline") as EncapMode;
  if (!["inline", "encap", "auto"].includes(mode)) fail(item, node, `mode "${mode}" is not inline, encap or auto`);
  const freq = /^(\d+)\/(\d+)$/.exec(seen.get("freq") ?? "1/1");
  if (!freq || Number(freq[2]) === 0 || Number(freq[1]) > Number(freq[2])) fail(item, node, `freq "${seen.get("freq")}" is not K/N with 0 ≤ K ≤ N, N > 0`);
  const tundst = address(item, node, "tundst", seen.get("tundst"));
  const tunsrc = address(item, node, "tunsrc", seen.get("tunsrc"));
  if (mode !== "inline" && !tundst) fail(item, node, `mode ${mode} needs tundst (the decapsulating node's address)`);
  let specs;
  try {
    specs = parseOptionWords(options, { policy: true });
  } catch (e) {
    fail(item, node, (e as Error).message);
  }
  const policy: EncapPolicy = { mode, freqK: Number(freq[1]), freqN: Number(freq[2]) };
  if (tundst) policy.tundst = seen.get("tundst")!;
  if (tunsrc) policy.tunsrc = seen.get("tunsrc")!;
  const role: EncapRole = { prefix, policy, text: item.text, where: item.where };
  addOptions(role, specs, options, item, node);
  if (!policy.trace && !role.pot && !policy.e2e && !policy.dex) fail(item, node, "the policy carries no option (trace, pot, e2e or dex)");
  return role;
}

/** Words of an item written as a flow mapping ("{ profile: p1 }") or as words ("profile p1"). */
const itemWords = (item: DataplaneItem): string[] => item.text.replace(/[{},]|:(?=\s)/g, " ").trim().split(/\s+/).filter(Boolean);

/** Reads a node's dataplane items; `ifnames` are its interfaces. */
export function nodeRoles(items: readonly DataplaneItem[], node: string, ifnames: readonly string[]): NodeRoles {
  const roles: NodeRoles = { encap: [], tunnels: [], edges: [], potProfiles: [], transitAll: false };
  for (const item of items) {
    const section = item.path.slice("dataplane.".length).replace(/\[\d+\]$/, "");
    const words = itemWords(item);
    if (section === "encap") roles.encap.push(encapRole(item, node));
    else if (section === "decap" && words[0] === "tunnel" && words.length <= 2) {
      const a = address(item, node, "tunnel", words[1]);
      roles.tunnels.push(a ? { where: item.where, address: a } : { where: item.where });
    } else if (section === "decap" && words[0] === "edge" && words.length === 2) {
      if (!ifnames.includes(words[1]!)) fail(item, node, `no interface "${words[1]}" on ${node} (interfaces: ${ifnames.join(", ")})`);
      roles.edges.push({ ifname: words[1]!, where: item.where });
    } else if (section === "decap") fail(item, node, `expected "tunnel [ADDRESS]" or "edge IFNAME", got "${item.text}"`);
    else if (section === "pot" && words[0] === "profile" && words.length === 2) roles.potProfiles.push({ name: words[1]!, where: item.where });
    else if (section === "pot") fail(item, node, `expected "profile NAME", got "${item.text}"`);
    else if (section === "transit") roles.transitAll ||= words.includes("all");
  }
  return roles;
}
