// Checks of a resolved topology that need the whole lab: interfaces named in `ioam:` blocks
// exist and domain edges are not IOAM-enabled; every tunnel destination is a node's address,
// reachable, and decapsulated there; every packet an encapsulating node may instrument still
// fits the MTU of each domain link on its way (RFC 9486 §4 C3: the domain's MTU is engineered
// so that IOAM never causes a Packet Too Big); POT profiles name nodes that carry them. All run
// before anything is created, each refusal naming the file:line at fault.

import { ConfigError } from "../errors.js";
import { Encapsulator } from "../node/encap.js";
import { fixedClock } from "../node/context.js";
import { createNodeState } from "../node/state.js";
import { parseIpv6Address } from "../wire/ipv6-address.js";
import type { EncapRole } from "./dataplane-roles.js";
import { nextHop, pathTo } from "./routing.js";
import { sameAddress } from "./prefix.js";
import { EDGE_MTU, type LabLink, type LabNode, type Topology } from "./topology.js";

/** Interfaces in the node's `ioam:` block exist; a domain edge is not enabled for IOAM. */
export function checkIoamInterfaces(node: LabNode): void {
  for (const [dev, change] of node.ioam?.interfaces ?? []) {
    const at = `${node.ioam!.where.get(`interfaces.${dev}`)}: topology.nodes.${node.name}.ioam.interfaces.${dev}`;
    const itf = node.interfaces.find((i) => i.name === dev);
    if (!itf) throw new ConfigError(at, `${node.name} has no interface "${dev}" (its links give it: ${node.interfaces.map((i) => i.name).join(", ") || "none"})`);
    if (itf.edge && change.enabled === true) throw new ConfigError(at, `${dev} is a domain edge (its peer ${itf.peer.node} is outside the IOAM domain): IOAM arriving there is dropped, so it cannot be enabled; say domain: true on ${itf.peer.node} to take it in`);
  }
}

/** A node's tunnel ends are its own addresses. */
export function checkTunnels(node: LabNode): void {
  for (const t of node.roles?.tunnels ?? []) {
    if (t.address && !node.interfaces.some((i) => sameAddress(i.address, t.address!))) {
      throw new ConfigError(`${t.where}: topology.nodes.${node.name}.ioam.dataplane.decap`, `the tunnel end must be one of ${node.name}'s addresses (${node.interfaces.map((i) => i.addressText).join(", ")})`);
    }
  }
}

/** Octets a policy adds to a packet it instruments (measured with the engine itself). */
export function encapGrowth(role: EncapRole): number {
  const pot = role.pot && { namespaceId: role.pot.namespaceId, random: () => 1n };
  const enc = new Encapsulator({ ...role.policy, ...(pot ? { pot } : {}) });
  const key = { prime: 2305843009213693951n, share: 1n, pre: 1n, lpc: 1n };
  const state = createNodeState({ pot: pot ? [{ namespaceId: pot.namespaceId, key }] : [] });
  const p = new Uint8Array(40);
  p[0] = 0x60;
  p[6] = 59; // no next header
  p[7] = 64;
  const counters = { encapInline: 0, encapOuter: 0, encap_skipped_mtu: 0 };
  const out = enc.process(p, state, { stage: "prerouting", ingress: "in", clock: fixedClock(0) }, { tunnelSource: "::1" }, counters);
  return out.packet.length - p.length;
}

function owner(nodes: Map<string, LabNode>, address: Uint8Array): LabNode | undefined {
  return [...nodes.values()].find((n) => n.interfaces.some((i) => sameAddress(i.address, address)));
}

/** tundst is a node's address, reachable from the encapsulating node, and that node ends tunnels there. */
function checkTundst(nodes: Map<string, LabNode>, node: LabNode, role: EncapRole, at: string): void {
  if (role.policy.tundst === undefined) return;
  const dst = parseIpv6Address(role.policy.tundst)!;
  const end = owner(nodes, dst);
  if (!end) throw new ConfigError(at, `unreachable tundst: ${role.policy.tundst} is no node's address in this lab`);
  const path = pathTo(nodes, node.name, dst);
  if (!path.arrives) throw new ConfigError(at, `unreachable tundst: ${role.policy.tundst} (${end.name}) cannot be reached from ${node.name}: ${path.why} (path ${path.nodes.join(" → ")})`);
  if (!end.roles?.tunnels.some((t) => !t.address || sameAddress(t.address, dst))) {
    throw new ConfigError(at, `tundst ${role.policy.tundst} is ${end.name}'s, which does not decapsulate there: give ${end.name} dataplane: { decap: ["tunnel ${role.policy.tundst}"] }`);
  }
}

/** The domain links an instrumented packet crosses from `node` towards `dst`, until it leaves the domain or arrives. */
function domainLinks(nodes: Map<string, LabNode>, links: readonly LabLink[], node: LabNode, dst: Uint8Array): LabLink[] {
  const out: LabLink[] = [];
  for (let n = node, seen = new Set<string>(); !seen.has(n.name); ) {
    seen.add(n.name);
    const hop = nextHop(n, dst);
    if (hop.kind !== "link") break;
    const next = nodes.get(hop.node)!;
    if (!next.domain) break;
    out.push(links[n.interfaces.find((i) => i.name === hop.dev)!.link]!);
    n = next;
  }
  return out;
}

function checkMtu(t: Topology, node: LabNode, role: EncapRole, at: string): void {
  const growth = encapGrowth(role);
  // What enters: the largest packet a domain edge admits, or (no edge, or a host's own packets) a full edge-sized one.
  const entering = Math.max(EDGE_MTU, ...node.interfaces.filter((i) => i.edge).map((i) => i.mtu));
  const dst = role.policy.tundst !== undefined ? parseIpv6Address(role.policy.tundst)! : role.prefix.address;
  for (const link of domainLinks(t.nodes, t.links, node, dst)) {
    if (link.mtu >= entering + growth) continue;
    const [a, b] = link.ends;
    throw new ConfigError(at, `trace too big for the MTU: packets of up to ${entering} octets entering ${node.name} grow by ${growth} to ${entering + growth}, more than the MTU ${link.mtu} of link ${a.node}:${a.ifname}–${b.node}:${b.ifname} (${link.where}); raise that link's mtu or make the option smaller`);
  }
}

/** Every encap policy of every node: tunnel end and MTU. */
export function checkEncapPolicies(t: Topology): void {
  for (const node of t.nodes.values()) {
    node.roles?.encap.forEach((role, i) => {
      const at = `${role.where}: topology.nodes.${node.name}.ioam.dataplane.encap[${i}]`;
      checkTundst(t.nodes, node, role, at);
      checkMtu(t, node, role, at);
    });
  }
}
