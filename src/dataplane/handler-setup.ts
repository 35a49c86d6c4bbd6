// What the packet handler works from, built from plain data (so that a worker thread builds the
// same from what the main thread sends it, and a reload builds a new one to swap in between two
// packets): the engine's node state (the kernel's IOAM state as it was before ioamkit took over
// any ingress, plus POT keys and features), the encap policies with their tunnel facts, the
// decapsulation addresses and prefixes, and the route table.

import { getRandomValues } from "node:crypto";
import type { DataplaneSpec } from "../linux/apply/dataplane-spec.js";
import { withRandom } from "../linux/apply/dataplane-spec.js";
import type { ForwardingFacts } from "../linux/forwarding-facts.js";
import type { IoamState } from "../linux/ioam-state.js";
import { type EncapPacketFacts, type EncapPolicy, type EncapSequences, Encapsulator } from "../node/encap.js";
import { OSS_BIT } from "../wire/ioam/trace-type.js";
import { type NodeConfig, type NodeState, createNodeState } from "../node/state.js";
import { parseIpv6Address } from "../wire/ipv6-address.js";
import { RouteTable } from "./route-table.js";

/** One encap policy ready for packets. `facts` is the engine's per-packet input, rewritten per packet. */
export interface PolicyEntry {
  prefix: Uint8Array;
  len: number;
  enc: Encapsulator;
  facts: { mtu?: number | undefined; tunnelSource?: string; opaqueFor?: EncapPacketFacts["opaqueFor"] };
  /** For encap/auto: the way to tundst (its MTU is what the grown packet must fit). */
  tunnel?: { mtu: number | undefined };
}

export interface HandlerSetup {
  node: NodeState;
  netns: string | null;
  /** Longest prefix first. */
  policies: PolicyEntry[];
  tunnels: Uint8Array[];
  edges: Array<{ prefix: Uint8Array; len: number }>;
  /** The engine does transit for Hop-by-Hop packets on the ingresses ioamkit owns. */
  ownsTransit: boolean;
  routes: RouteTable;
}

/** Everything a setup is built from; structured-clonable (sent to workers as is). */
export interface SetupInput {
  netns: string | null;
  spec: DataplaneSpec;
  node: NodeConfig;
  facts: ForwardingFacts;
  /** Per policy: the source address the kernel selects towards tundst (encap/auto without tunsrc). */
  tunnelSources: Array<string | undefined>;
}

/** The engine's node config: the kernel's state (read before ioamkit changed any sysctl), the spec's POT keys and features. */
export function nodeConfigOf(state: IoamState, spec: DataplaneSpec): NodeConfig {
  return {
    nodeId: state.node.id,
    nodeIdWide: state.node.wide,
    interfaces: Object.fromEntries([...state.interfaces].map(([name, i]) => [name, { enabled: i.enabled, id: i.id, wide: i.wide }])),
    namespaces: [...state.namespaces].map(([id, n]) => ({ id, ...(n.data !== undefined ? { data: n.data } : {}), ...(n.wide !== undefined ? { wide: n.wide } : {}), ...(n.schema !== undefined ? { schema: n.schema } : {}) })),
    schemas: [...state.schemas].map(([id, data]) => ({ id, data })),
    features: spec.transit === "all" || spec.decap.length > 0 ? spec.features : {},
    pot: spec.pot.map((p) => ({ namespaceId: p.namespaceId, key: p.key })),
  };
}

/** Whether ioamkit owns IOAM on this node's enabled ingresses: it decapsulates, re-addresses (encap/auto), or does all transit. */
export function ownsIngresses(spec: DataplaneSpec): boolean {
  return spec.transit === "all" || spec.decap.length > 0 || spec.encap.some((p) => p.policy.mode !== "inline");
}

const rnd = new BigUint64Array(1);
/** POT's RND: 64 random bits per packet (the engine reduces them mod the prime). */
const potRandom = (): bigint => (getRandomValues(rnd), rnd[0]!);

/** Whether a policy writes this node's snapshot into a Pre-allocated Trace (trace type bit 22, RFC 9197 §4.4.2.13). */
const writesSnapshot = (p: EncapPolicy): boolean => !!p.trace && p.trace.variant !== "incremental" && (p.trace.traceType & OSS_BIT) !== 0;

/**
 * Builds a setup; `sequences(i)` gives policy i's frequency/E2E/DEX counters (shared across
 * workers); `opaqueFor`, when given, is the per-packet snapshot of the policies that write one.
 */
export function buildSetup(input: SetupInput, sequences: (policy: number) => EncapSequences, opaqueFor?: EncapPacketFacts["opaqueFor"]): HandlerSetup {
  const routes = new RouteTable(input.facts);
  const policies = input.spec.encap.map((p, i): PolicyEntry => {
    const enc = new Encapsulator(withRandom(p.policy, potRandom), sequences(i));
    const facts: PolicyEntry["facts"] = {};
    const source = input.tunnelSources[i];
    if (source !== undefined) facts.tunnelSource = source;
    if (opaqueFor && writesSnapshot(enc.policy)) facts.opaqueFor = opaqueFor;
    const entry: PolicyEntry = { prefix: p.prefix.address, len: p.prefix.length, enc, facts };
    if (p.policy.mode !== "inline") entry.tunnel = { mtu: routes.mtu(routes.lookup(parseIpv6Address(p.policy.tundst!)!, 0)) };
    return entry;
  });
  policies.sort((a, b) => b.len - a.len);
  return {
    node: createNodeState(input.node),
    netns: input.netns,
    policies,
    tunnels: input.spec.decap.flatMap((d) => (d.kind === "tunnel" ? [d.address] : [])),
    edges: input.spec.decap.flatMap((d) => (d.kind === "edge" ? [{ prefix: d.prefix.address, len: d.prefix.length }] : [])),
    ownsTransit: ownsIngresses(input.spec),
    routes,
  };
}

/** Per-policy sequences in one SharedArrayBuffer, for all workers: frequency and DEX as u32, E2E as u64. */
export function sharedSequences(sab: SharedArrayBuffer): (policy: number) => EncapSequences {
  return (i) => {
    const i32 = new Int32Array(sab, 16 * i, 2);
    const i64 = new BigInt64Array(sab, 16 * i + 8, 1);
    return { frequency: () => Atomics.add(i32, 0, 1) >>> 0, dex: () => Atomics.add(i32, 1, 1) >>> 0, e2e: () => BigInt.asUintN(64, Atomics.add(i64, 0, 1n)) };
  };
}

/** The buffer sharedSequences() reads: 16 octets per policy. */
export const newSequenceBuffer = (policies: number): SharedArrayBuffer => new SharedArrayBuffer(16 * Math.max(1, policies));
