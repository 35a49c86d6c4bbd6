// One node of the emulation: its engine state built from its `ioam:` block exactly as
// `ioam apply` would set the kernel (kernel defaults for anything left out; domain edges not
// IOAM-enabled), plus what its data plane does — the engine features Linux lacks
// (Incremental Trace, DEX export), POT keys, encap policies and decap roles.

import type { DesiredState } from "../linux/apply/document.js";
import { type EncapCounters, Encapsulator } from "../node/encap.js";
import { type NodeCounters, newCounters } from "../node/counters.js";
import { type NodeConfig, type NodeState, createNodeState } from "../node/state.js";
import type { PotNodeKey, PotVerifierKey } from "../node/pot.js";
import type { EncapRole } from "./dataplane-roles.js";
import { potKeys } from "./pot-keys.js";
import type { LabNode, Topology } from "./topology.js";

export interface EmulatedNode {
  lab: LabNode;
  state: NodeState;
  /** True when the node runs the userspace data plane. */
  dataplane: boolean;
  encaps: Array<{ role: EncapRole; enc: Encapsulator }>;
  /** Interfaces where the data plane removes leaving IOAM: the file's `edge` items and the lab's edges. */
  stripOn: Set<string>;
  counters: NodeCounters;
  encapCounters: EncapCounters;
}

/** The node's configuration as the engine takes it (what `ioam apply` leaves in the kernel). */
export function nodeConfig(node: LabNode, pot: ReadonlyArray<{ namespaceId: number; key: PotNodeKey | PotVerifierKey }>): NodeConfig {
  const io: DesiredState | undefined = node.ioam;
  const interfaces: NonNullable<NodeConfig["interfaces"]> = {};
  for (const [dev, c] of io?.interfaces ?? []) interfaces[dev] = { ...c };
  for (const i of node.interfaces) if (i.edge) interfaces[i.name] = { ...interfaces[i.name], enabled: false };
  const cfg: NodeConfig = {
    interfaces,
    namespaces: [...(io?.namespaces ?? [])].map(([id, n]) => ({ id, ...n })),
    schemas: [...(io?.schemas ?? [])].map(([id, data]) => ({ id, data })),
    features: node.roles ? { incremental: true, dexExport: true } : {},
    pot,
  };
  if (io?.node?.id !== undefined) cfg.nodeId = io.node.id;
  if (io?.node?.wide !== undefined) cfg.nodeIdWide = io.node.wide;
  return cfg;
}

/** A deterministic source of POT random numbers (the emulation must give the same run twice). */
function counterRandom(seed: number): () => bigint {
  let n = BigInt(seed);
  return () => (n = (n * 6364136223846793005n + 1442695040888963407n) & 0xffffffffffffffffn);
}

/** Every node of the topology, ready to process packets. */
export function emulatedNodes(t: Topology): Map<string, EmulatedNode> {
  const keys = new Map<string, Array<{ namespaceId: number; key: PotNodeKey | PotVerifierKey }>>();
  for (const profile of t.pot.values()) {
    for (const [name, key] of potKeys(t.name, profile)) keys.set(name, [...(keys.get(name) ?? []), { namespaceId: profile.namespaceId, key }]);
  }
  const out = new Map<string, EmulatedNode>();
  let seed = 1;
  for (const lab of t.nodes.values()) {
    const state = createNodeState(nodeConfig(lab, keys.get(lab.name) ?? []));
    const encaps = (lab.roles?.encap ?? []).map((role) => {
      const random = counterRandom(seed++);
      return { role, enc: new Encapsulator({ ...role.policy, ...(role.pot ? { pot: { namespaceId: role.pot.namespaceId, random } } : {}) }) };
    });
    const stripOn = new Set([...(lab.roles?.edges.map((e) => e.ifname) ?? []), ...(lab.roles ? lab.interfaces.filter((i) => i.edge).map((i) => i.name) : [])]);
    out.set(lab.name, { lab, state, dataplane: lab.roles !== undefined, encaps, stripOn, counters: newCounters(), encapCounters: { encapInline: 0, encapOuter: 0, encap_skipped_mtu: 0 } });
  }
  return out;
}
