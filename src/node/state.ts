// An IOAM node's state, as the Linux kernel holds it per network namespace
// (net/ipv6/ioam6.c, Documentation/networking/ioam6-sysctl.rst): node ids, per-interface enable and ids, IOAM namespaces with
// their data and schema. Defaults and "not available" values are the kernel's.

import { opaqueDataPadded } from "../wire/ioam/trace-node.js";
import type { PotNodeKey, PotVerifierKey } from "./pot.js";

/** The kernel's "not available" values (IOAM6_U16/U32/U64_UNAVAILABLE). */
export const UNAVAILABLE = { U16: 0xffff, U32: 0xffffffff, U64: 0xffffffffffffffffn } as const;

export interface InterfaceState {
  enabled: boolean;
  id: number;
  wide: number;
}

export interface SchemaState {
  id: number;
  /** Data zero-padded to 4 octets, as the kernel stores it. */
  data: Uint8Array;
}

export interface NamespaceState {
  data: number;
  wide: bigint;
  /** `wide` as two 32-bit halves, for the fill (BigInt arithmetic per packet is slow). */
  wideHi: number;
  wideLo: number;
  schema?: SchemaState;
  /** Sub-second format of timestamps (RFC 9197 §5): Linux writes microseconds; PTP is nanoseconds. */
  tsFormat: TimestampFormat;
}

export type TimestampFormat = "posix-us" | "ptp";

/** Behaviour beyond Linux, off by default so that a node is Linux-exact unless told otherwise. */
export interface NodeFeatures {
  /** Process Incremental Traces (IOAM type 1), which Linux ignores. */
  incremental: boolean;
  /** Export this node's data for Direct Export options (RFC 9326), which Linux ignores. */
  dexExport: boolean;
  /** Send loopback copies for traces with the L flag (RFC 9322), which Linux does not. */
  loopback: boolean;
}

/**
 * A node's state. Treat it as immutable once created (createNodeState): derived values and
 * its interface cache rely on it; a configuration change builds a new state.
 */
export interface NodeState {
  nodeId: number;
  nodeIdWide: bigint;
  /** `nodeIdWide` (56 bits) as its upper 24 and lower 32 bits. Build a new state to change the ids. */
  nodeIdWideHi: number;
  nodeIdWideLo: number;
  interfaces: Map<string, InterfaceState>;
  namespaces: Map<number, NamespaceState>;
  features: NodeFeatures;
  /** Proof-of-transit keys by IOAM namespace: a transit node's share, or the verifier's key (with the secret). */
  pot: Map<number, PotNodeKey | PotVerifierKey>;
  /** This state's interface lookup cache (see InterfaceLookup). */
  lookup: InterfaceLookup;
}

/** What configures a node: the kernel's settings, any of them left at its default. */
export interface NodeConfig {
  nodeId?: number;
  nodeIdWide?: bigint;
  interfaces?: Record<string, Partial<InterfaceState>>;
  namespaces?: ReadonlyArray<{ id: number; data?: number; wide?: bigint; schema?: number; tsFormat?: TimestampFormat }>;
  schemas?: ReadonlyArray<{ id: number; data: Uint8Array }>;
  features?: Partial<NodeFeatures>;
  pot?: ReadonlyArray<{ namespaceId: number; key: PotNodeKey | PotVerifierKey }>;
}

/** Defaults of net.ipv6.conf.default.ioam6_* for an interface the config does not name. */
export const DEFAULT_INTERFACE: Readonly<InterfaceState> = { enabled: false, id: UNAVAILABLE.U16, wide: UNAVAILABLE.U32 };

export function createNodeState(c: NodeConfig): NodeState {
  const schemas = new Map((c.schemas ?? []).map((s) => [s.id, { id: s.id, data: opaqueDataPadded(s.data) }]));
  const namespaces = new Map<number, NamespaceState>();
  for (const n of c.namespaces ?? []) {
    const wide = n.wide ?? UNAVAILABLE.U64;
    const ns: NamespaceState = { data: n.data ?? UNAVAILABLE.U32, wide, wideHi: Number(wide >> 32n), wideLo: Number(wide & 0xffffffffn), tsFormat: n.tsFormat ?? "posix-us" };
    const schema = n.schema === undefined ? undefined : schemas.get(n.schema);
    if (n.schema !== undefined && !schema) throw new RangeError(`IOAM namespace ${n.id} names schema ${n.schema}, which the config lacks`);
    if (schema) ns.schema = schema;
    namespaces.set(n.id, ns);
  }
  const interfaces = new Map(Object.entries(c.interfaces ?? {}).map(([name, i]) => [name, { ...DEFAULT_INTERFACE, ...i }]));
  const nodeIdWide = (c.nodeIdWide ?? 0x00ffffffffffffffn) & 0x00ffffffffffffffn;
  const features = { incremental: c.features?.incremental ?? false, dexExport: c.features?.dexExport ?? false, loopback: c.features?.loopback ?? false };
  const pot = new Map((c.pot ?? []).map((p) => [p.namespaceId, p.key]));
  const ids = { nodeId: c.nodeId ?? 0xffffff, nodeIdWide, nodeIdWideHi: Number(nodeIdWide >> 32n), nodeIdWideLo: Number(nodeIdWide & 0xffffffffn) };
  return { ...ids, interfaces, namespaces, pot, features, lookup: new InterfaceLookup({ interfaces }) };
}

/** An interface's state; interfaces the node was not told about have the kernel defaults. */
export function interfaceOf(s: Pick<NodeState, "interfaces">, name: string): InterfaceState {
  return s.interfaces.get(name) ?? DEFAULT_INTERFACE;
}

/**
 * The states of a packet's ingress and egress interfaces (undefined: none / loopback), each
 * side remembering its last answer: a node sees the same few names packet after packet, and a
 * Map lookup per field of every fill showed up as a sixth of transit time. Each NodeState owns
 * one (no module-level cache); every call checks the name, so re-entrant use stays correct.
 */
export class InterfaceLookup {
  private inName: string | undefined;
  private outName: string | undefined;
  private inState: InterfaceState | undefined;
  private outState: InterfaceState | undefined;

  constructor(private readonly node: Pick<NodeState, "interfaces">) {}

  ingress(name: string | undefined): InterfaceState | undefined {
    if (name !== this.inName) (this.inName = name), (this.inState = name === undefined ? undefined : interfaceOf(this.node, name));
    return this.inState;
  }

  egress(name: string | undefined): InterfaceState | undefined {
    if (name !== this.outName) (this.outName = name), (this.outState = name === undefined ? undefined : interfaceOf(this.node, name));
    return this.outState;
  }
}
