// The `dataplane:` section of an `ioam apply` file — what `ioam node run` carries out (see
// docs/dataplane.md): encap policies (a prefix and the words of `ip -6 route … encap ioam6`
// plus the option words of `ioam encode`), decapsulation (tunnel end or domain edge), who does
// transit, proof-of-transit keys, failure behaviour and queues. Every item keeps its file:line;
// everything that can be checked without the kernel is checked here.

import { type Node, type Scalar, isScalar, isSeq, type YAMLSeq } from "yaml";
import { ConfigError } from "../../errors.js";
import { type EncapPolicy, Encapsulator } from "../../node/encap.js";
import type { PotNodeKey, PotVerifierKey } from "../../node/pot.js";
import type { OptionSpec } from "../../wire/build.js";
import { OSS_BIT, nodeLenOf } from "../../wire/ioam/trace-type.js";
import { formatIpv6Address, parseIpv6Address } from "../../wire/ipv6-address.js";
import { TRACE_CONTEXT_LENGTH } from "../../wire/trace-context.js";
import { type RoutePrefix, parseRoutePrefix } from "../route-spec.js";
import { type Ioam6Encap, ioam6EncapProblems } from "../rtnetlink/ioam6-encap.js";
import { readEncapWords } from "./encap-words.js";
import type { YamlReader } from "./yaml-reader.js";

/** An encap policy: packets to `prefix` get the policy's IOAM (POT's random source is the data plane's). */
export interface EncapPolicySpec {
  prefix: RoutePrefix & { address: Uint8Array };
  text: string;
  /** file:line and the item's path, for errors found later (e.g. by the daemon). */
  where: string;
  path: string;
  policy: Omit<EncapPolicy, "pot"> & { pot?: { namespaceId: number } };
}

/** Where this node removes IOAM: packets to its tunnel address (ip6ip6), or inline IOAM of packets to a prefix beyond the domain edge. */
export type DecapSpec = { kind: "tunnel"; address: Uint8Array; text: string; where: string } | { kind: "edge"; prefix: RoutePrefix & { address: Uint8Array }; text: string; where: string };

export interface DataplaneSpec {
  encap: EncapPolicySpec[];
  decap: DecapSpec[];
  /** kernel: the kernel fills Pre-allocated Traces where ioamkit does not own the ingress; all: ioamkit processes every IOAM option on every ingress. */
  transit: "kernel" | "all";
  /** Engine features beyond Linux for the options ioamkit processes. */
  features: { incremental: boolean; dexExport: boolean };
  pot: Array<{ namespaceId: number; key: PotNodeKey | PotVerifierKey; where: string }>;
  /** open: traffic passes untouched when the daemon is gone or behind; closed: it is dropped. */
  failure: "open" | "closed";
  /** First NFQUEUE queue number; workers use queue … queue + workers − 1. */
  queue: number;
  workers: number;
  /**
   * Cross-layer telemetry (docs/cross-layer.md): this node writes the application's trace context
   * as its snapshot — from a flow registered on `socket` (the local API), else from a plaintext
   * HTTP request's traceparent.
   */
  traceContext?: { socket?: string; where: string };
}

export const DATAPLANE_KEYS = ["encap", "decap", "transit", "features", "pot", "failure", "queue", "workers", "traceContext"] as const;
const FEATURES = { incremental: "incremental", dex: "dexExport" } as const;
export const MAX_WORKERS = 8;

export function emptyDataplane(): DataplaneSpec {
  return { encap: [], decap: [], transit: "kernel", features: { incremental: false, dexExport: false }, pot: [], failure: "open", queue: 0, workers: 1 };
}

/** The items of a list (or the one value given instead of a list). */
export function listItems(v: Node | null): Node[] {
  return isSeq(v) ? ((v as YAMLSeq).items as Node[]) : v === null ? [] : [v];
}

export function itemText(r: YamlReader, node: Node): string {
  return isScalar(node) ? String((node as Scalar).value) : r.sourceOf(node);
}

/** Reads one key of the section into `spec`. */
export function readDataplaneKey(r: YamlReader, spec: DataplaneSpec, key: string, v: Node | null, keyNode: Node): void {
  const path = `dataplane.${key}`;
  if (key === "encap") listItems(v).forEach((n, i) => spec.encap.push(readEncapPolicy(r, n, `${path}[${i}]`)));
  else if (key === "decap") listItems(v).forEach((n, i) => spec.decap.push(readDecap(r, n, `${path}[${i}]`)));
  else if (key === "transit") spec.transit = oneOf(r, v, path, ["kernel", "all"]);
  else if (key === "failure") spec.failure = oneOf(r, v, path, ["open", "closed"]);
  else if (key === "queue") spec.queue = r.num(v, path, 0xffff - MAX_WORKERS);
  else if (key === "workers") spec.workers = r.num(v, path, MAX_WORKERS) || r.fail(v, path, `expected 1 to ${MAX_WORKERS} worker threads`);
  else if (key === "features") for (const n of listItems(v)) spec.features[FEATURES[oneOf(r, n, path, Object.keys(FEATURES) as Array<keyof typeof FEATURES>)]] = true;
  else if (key === "pot") spec.pot = readPotKeys(r, v, path);
  else if (key === "traceContext") spec.traceContext = readTraceContext(r, v, path);
  else r.fail(keyNode, path, `unknown key (known: ${DATAPLANE_KEYS.join(", ")})`);
}

function oneOf<T extends string>(r: YamlReader, v: Node | null, path: string, allowed: readonly T[]): T {
  const t = isScalar(v) ? String(v.value) : "";
  if (!(allowed as readonly string[]).includes(t)) r.fail(v, path, `expected one of ${allowed.join(", ")}`);
  return t as T;
}

/** `traceContext: { socket: PATH }` (or an empty mapping: HTTP headers only). */
function readTraceContext(r: YamlReader, v: Node | null, path: string): NonNullable<DataplaneSpec["traceContext"]> {
  const out: NonNullable<DataplaneSpec["traceContext"]> = { where: r.at(v) };
  for (const [key, x] of r.entries(r.map(v, path), path, ["socket"])) {
    const socket = r.text(x, `${path}.${key}`);
    if (!socket.startsWith("/")) r.fail(x, `${path}.${key}`, `expected an absolute path for the unix socket, got "${socket}"`);
    out.socket = socket;
  }
  return out;
}

/**
 * traceContext needs a policy whose Pre-allocated Trace has bit 22 (Opaque State Snapshot,
 * RFC 9197 §4.4.2.13) and room for this node's entry with the 28-octet context (docs/cross-layer.md).
 */
function checkTraceContext(spec: DataplaneSpec): void {
  const tc = spec.traceContext;
  if (!tc) return;
  const carrying = spec.encap.filter((p) => p.policy.trace && p.policy.trace.variant !== "incremental" && p.policy.trace.traceType & OSS_BIT);
  if (carrying.length === 0) throw new ConfigError(`${tc.where}: dataplane.traceContext`, "no encap policy can carry the context: one needs trace prealloc with bit 22 (opaque state snapshot) in its type, e.g. type 0xf00002");
  for (const p of carrying) {
    const t = p.policy.trace!;
    const need = 4 * nodeLenOf(t.traceType) + 4 + TRACE_CONTEXT_LENGTH;
    if (t.size < need) throw new ConfigError(`${p.where}: ${p.path}`, `size ${t.size} leaves no room for this node's entry with the trace context (${need} octets: node data, snapshot header, ${TRACE_CONTEXT_LENGTH} octets of context); add the other nodes' entries too`);
  }
}

/** Checks what only the whole section can tell: POT keys for policies that carry POT, one policy per prefix, room for a trace context. */
export function checkDataplane(spec: DataplaneSpec): void {
  checkTraceContext(spec);
  const keys = new Set(spec.pot.map((p) => p.namespaceId));
  const seen = new Set<string>();
  for (const p of spec.encap) {
    const ns = p.policy.pot?.namespaceId;
    if (ns !== undefined && !keys.has(ns)) throw new ConfigError(`${p.where}: ${p.path}`, `pot ns ${ns}: no key for IOAM namespace ${ns} in dataplane.pot`);
    const id = `${[...p.prefix.address].join(".")}/${p.prefix.length}`;
    if (seen.has(id)) throw new ConfigError(`${p.where}: ${p.path}`, "another policy has the same prefix");
    seen.add(id);
  }
}

function prefixOf(r: YamlReader, node: Node, path: string, text: string): RoutePrefix & { address: Uint8Array } {
  let p: RoutePrefix;
  try {
    p = parseRoutePrefix(text);
  } catch (e) {
    return r.fail(node, path, (e as Error).message);
  }
  return { length: p.length, address: p.address ?? new Uint8Array(16) };
}

/** `PREFIX [freq K/N] [mode inline|encap|auto] [tunsrc A] [tundst A] OPTION-WORDS…` */
function readEncapPolicy(r: YamlReader, node: Node, path: string): EncapPolicySpec {
  const text = itemText(r, node).trim();
  const [prefixText = "", ...words] = text.split(/\s+/);
  const prefix = prefixOf(r, node, path, prefixText);
  const fail = (m: string): never => r.fail(node, path, m);
  const { encap, options } = readEncapWords(words, fail);
  const policy = policyOf(encap, options, fail);
  try {
    new Encapsulator(withRandom(policy, () => 0n));
  } catch (e) {
    fail((e as Error).message);
  }
  return { prefix, text, where: r.at(node), path, policy };
}

/** The engine's policy: the spec's, with POT's random source. */
export function withRandom(p: EncapPolicySpec["policy"], random: () => bigint): EncapPolicy {
  const { pot, ...rest } = p;
  return pot ? { ...rest, pot: { namespaceId: pot.namespaceId, random } } : rest;
}

function policyOf(encap: Ioam6Encap & { hasTrace: boolean }, options: OptionSpec[], fail: (m: string) => never): EncapPolicySpec["policy"] {
  const trace = options.find((o) => o.kind === "trace");
  const probe: Ioam6Encap = { ...encap, trace: trace && trace.kind === "trace" && trace.variant === "prealloc" ? { namespaceId: trace.namespaceId, traceType: trace.traceType, size: 4 * trace.remainingLen } : { namespaceId: 0, traceType: 0x800000, size: 4 } };
  const problem = ioam6EncapProblems(probe)[0];
  if (problem) fail(`${problem.word}: ${problem.message}`);
  const policy: EncapPolicySpec["policy"] = { mode: encap.mode, freqK: encap.freq.k, freqN: encap.freq.n };
  if (encap.tunsrc) policy.tunsrc = formatIpv6Address(encap.tunsrc);
  if (encap.tundst) policy.tundst = formatIpv6Address(encap.tundst);
  for (const o of options) {
    if (o.header !== undefined || o.ipv6OptType !== undefined) fail(`${o.kind}: "in" and "opttype" are for ioam encode; an encap policy places options as RFC 9486 says`);
    if (o.kind === "trace") policy.trace = { namespaceId: o.namespaceId, traceType: o.traceType, size: 4 * o.remainingLen, flags: o.flags, variant: o.variant };
    else if (o.kind === "pot") policy.pot = { namespaceId: o.namespaceId };
    else if (o.kind === "e2e") policy.e2e = { namespaceId: o.namespaceId, e2eType: o.e2eType };
    else if (o.kind === "dex") policy.dex = { namespaceId: o.namespaceId, traceType: o.traceType, ...(o.flowId !== undefined ? { flowId: o.flowId } : {}), ...(o.seq !== undefined ? { seq: true } : {}) };
  }
  if (policy.e2e && policy.mode !== "encap") fail("e2e travels in an outer Destination Options header: it needs mode encap");
  return policy;
}

/** `tunnel ADDR` (this node is a tunnel end) or `edge PREFIX` (inline IOAM leaves the domain here). */
function readDecap(r: YamlReader, node: Node, path: string): DecapSpec {
  const text = itemText(r, node).trim();
  const [kind, arg, extra] = text.split(/\s+/);
  if (extra !== undefined || arg === undefined || (kind !== "tunnel" && kind !== "edge")) r.fail(node, path, `expected "tunnel ADDR" or "edge PREFIX", got "${text}"`);
  if (kind === "edge") return { kind, prefix: prefixOf(r, node, path, arg), text, where: r.at(node) };
  const address = parseIpv6Address(arg);
  if (!address) r.fail(node, path, `"${arg}" is not an IPv6 address`);
  return { kind, address, text, where: r.at(node) };
}

const POT_FIELDS = ["prime", "share", "pre", "lpc", "secret", "maskIn", "maskOut"] as const;

/** `pot: { NS: { prime, share, pre, lpc, [secret], [maskIn: {rnd, cml}], [maskOut: …] } }` */
function readPotKeys(r: YamlReader, v: Node | null, path: string): DataplaneSpec["pot"] {
  const out: DataplaneSpec["pot"] = [];
  const U64 = 0xffffffffffffffffn;
  for (const [nsText, keyNode, nsNode] of r.entries(r.map(v, path), path)) {
    const namespaceId = r.num(nsNode, `${path}.${nsText}`, 0xffff);
    const p = `${path}.${namespaceId}`;
    const f = new Map(r.entries(r.map(keyNode, p), p, POT_FIELDS).map(([k, x]) => [k, x] as const));
    const big = (k: string) => (f.has(k) ? r.uint(f.get(k)!, `${p}.${k}`, U64) : r.fail(keyNode, `${p}.${k}`, "required (prime, share, pre, lpc; secret at the verifier)"));
    const key: PotNodeKey & { secret?: bigint } = { prime: big("prime"), share: big("share"), pre: big("pre"), lpc: big("lpc") };
    if (f.has("secret")) key.secret = big("secret");
    for (const m of ["maskIn", "maskOut"] as const) {
      if (!f.has(m)) continue;
      const mf = new Map(r.entries(r.map(f.get(m)!, `${p}.${m}`), `${p}.${m}`, ["rnd", "cml"]).map(([k, x]) => [k, x] as const));
      key[m] = { rnd: r.uint(mf.get("rnd") ?? null, `${p}.${m}.rnd`, U64), cml: r.uint(mf.get("cml") ?? null, `${p}.${m}.cml`, U64) };
    }
    out.push({ namespaceId, key: key as PotNodeKey | PotVerifierKey, where: r.at(nsNode) });
  }
  return out;
}
