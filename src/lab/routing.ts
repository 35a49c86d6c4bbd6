// Routes of a lab: shortest paths (hop count) from every node to every link prefix, through
// routers only (hosts never forward), with a deterministic tie-break — the neighbour whose name
// sorts first (natural order: r2 before r10), then the lower link — and explicit routes in the
// file replacing the computed route for the same prefix (or adding one). The same table feeds
// `ip -6 route add` in the real lab and the emulation's forwarding, so both take one path.

import { ConfigError } from "../errors.js";
import { formatIpv6Address } from "../wire/ipv6-address.js";
import { type Prefix, formatPrefix, parsePrefix, prefixContains, sameAddress } from "./prefix.js";
import type { RawNode } from "./topology-file.js";
import type { LabInterface, LabLink, LabNode, LabRoute } from "./topology.js";

/** Natural order of names: "r2" < "r10". */
export const byName = (a: string, b: string): number => a.localeCompare(b, "en", { numeric: true });

/** Hop counts to the link's prefix: attached routers 0; hosts are reached but never pass packets on. */
function distances(link: LabLink, nodes: Map<string, LabNode>): Map<string, number> {
  const dist = new Map<string, number>(link.ends.map((e) => [e.node, 0]));
  const queue = link.ends.map((e) => e.node).filter((n) => nodes.get(n)!.kind === "router");
  for (let i = 0; i < queue.length; i++) {
    const n = nodes.get(queue[i]!)!;
    for (const itf of n.interfaces) {
      if (dist.has(itf.peer.node)) continue;
      dist.set(itf.peer.node, dist.get(n.name)! + 1);
      if (nodes.get(itf.peer.node)!.kind === "router") queue.push(itf.peer.node);
    }
  }
  return dist;
}

function bestNextHop(node: LabNode, dist: Map<string, number>, nodes: Map<string, LabNode>): LabInterface | undefined {
  const d = dist.get(node.name)!;
  const candidates = node.interfaces.filter((i) => dist.get(i.peer.node) === d - 1 && nodes.get(i.peer.node)!.kind === "router");
  candidates.sort((a, b) => byName(a.peer.node, b.peer.node) || a.link - b.link);
  return candidates[0];
}

/** Fills every node's computed routes (one per link prefix it is not attached to and can reach). */
export function computeRoutes(nodes: Map<string, LabNode>, links: readonly LabLink[]): void {
  for (const link of links) {
    const dist = distances(link, nodes);
    for (const node of nodes.values()) {
      if ((dist.get(node.name) ?? 0) === 0) continue;
      const via = bestNextHop(node, dist, nodes);
      if (via) node.routes.push({ prefix: link.prefix, via: via.peer.address, viaText: via.peer.addressText, dev: via.name, viaNode: via.peer.node });
    }
  }
}

/** Parses "PREFIX via NODE|ADDRESS [dev IFNAME]" ("default" is ::/0) against the node's links. */
function explicitRoute(node: LabNode, text: string, where: string): LabRoute {
  const m = /^(\S+)\s+via\s+(\S+)(?:\s+dev\s+(\S+))?$/.exec(text.trim());
  const at = `${where}: topology.nodes.${node.name}.routes`;
  if (!m) throw new ConfigError(at, `"${text}" is not "PREFIX via NODE|ADDRESS [dev IFNAME]"`);
  const prefix = m[1] === "default" ? parsePrefix("::/0") : m[1]!.includes("/") ? parsePrefix(m[1]!) : undefined;
  if (!prefix) throw new ConfigError(at, `"${m[1]}" is not a prefix (ADDR/LEN or default)`);
  const address = parsePrefix(m[2]!)?.address;
  const itf = node.interfaces.find((i) => (m[3] === undefined || i.name === m[3]) && (i.peer.node === m[2] || (address !== undefined && m[2]!.includes(":") && sameAddress(i.peer.address, address))));
  if (!itf) throw new ConfigError(at, `via ${m[2]}${m[3] ? ` dev ${m[3]}` : ""} is not a neighbour of ${node.name} (neighbours: ${node.interfaces.map((i) => `${i.peer.node} ${i.peer.addressText} on ${i.name}`).join(", ")})`);
  return { prefix, via: itf.peer.address, viaText: itf.peer.addressText, dev: itf.name, viaNode: itf.peer.node, where };
}

/** Explicit routes replace computed ones for the same prefix; the table is then sorted longest prefix first. */
export function applyExplicitRoutes(nodes: Map<string, LabNode>, raw: readonly RawNode[]): void {
  for (const r of raw) {
    const node = nodes.get(r.name)!;
    for (const { text, where } of r.routes) {
      const route = explicitRoute(node, text, where);
      const same = node.routes.findIndex((x) => x.prefix.length === route.prefix.length && sameAddress(x.prefix.address, route.prefix.address));
      if (same >= 0 && node.routes[same]!.where) throw new ConfigError(`${where}: topology.nodes.${node.name}.routes`, `a second route for ${formatPrefix(route.prefix)} (first at ${node.routes[same]!.where})`);
      if (same >= 0) node.routes[same] = route;
      else node.routes.push(route);
    }
  }
  for (const node of nodes.values()) node.routes.sort((a, b) => b.prefix.length - a.prefix.length);
}

/** Where a node sends a packet for `dst`. */
export type NextHop =
  | { kind: "local" }
  | { kind: "link"; dev: string; node: string }
  | { kind: "unreachable" };

/** The node's forwarding decision: its own address, an on-link neighbour, else the longest matching route. */
export function nextHop(node: LabNode, dst: Uint8Array): NextHop {
  if (node.interfaces.some((i) => sameAddress(i.address, dst))) return { kind: "local" };
  const onLink = node.interfaces.find((i) => sameAddress(i.peer.address, dst));
  if (onLink) return { kind: "link", dev: onLink.name, node: onLink.peer.node };
  if (node.interfaces.some((i) => prefixContains({ address: i.address, length: i.prefixLength } as Prefix, dst))) return { kind: "unreachable" };
  const r = node.routes.find((x) => prefixContains(x.prefix, dst));
  return r ? { kind: "link", dev: r.dev, node: r.viaNode } : { kind: "unreachable" };
}

/** The nodes a packet from `from` to `dst` visits by the tables (from first), or why it cannot arrive. */
export function pathTo(nodes: Map<string, LabNode>, from: string, dst: Uint8Array): { nodes: string[]; arrives: boolean; why?: string } {
  const path = [from];
  for (;;) {
    const node = nodes.get(path[path.length - 1]!)!;
    const hop = nextHop(node, dst);
    if (hop.kind === "local") return { nodes: path, arrives: true };
    if (path.length > 1 && node.kind === "host") return { nodes: path, arrives: false, why: `${node.name} is a host and does not forward` };
    if (hop.kind === "unreachable") return { nodes: path, arrives: false, why: `${node.name} has no route to ${formatIpv6Address(dst)}` };
    if (path.includes(hop.node)) return { nodes: [...path, hop.node], arrives: false, why: `routing loop at ${hop.node}` };
    path.push(hop.node);
  }
}
