// From the file's links to interfaces: each endpoint becomes an interface of its node with an
// address in the link's prefix (given, or ::1 and ::2 in endpoint order), the link's MTU (1500
// where an end is outside the IOAM domain, 1500 + headroom inside it), and the domain-edge
// mark. Every refusal names the file:line of the endpoint, prefix or address at fault.

import { ConfigError } from "../errors.js";
import { formatIpv6Address } from "../wire/ipv6-address.js";
import { type Prefix, hostAddress, parsePrefix, prefixContains } from "./prefix.js";
import type { RawLink, RawNode } from "./topology-file.js";
import { CORE_MTU, EDGE_MTU, type LabInterface, type LabLink, type LabNode } from "./topology.js";

/** Nodes with no interfaces or routes yet, from the file's nodes. */
export function labNodes(raw: readonly RawNode[]): Map<string, LabNode> {
  const out = new Map<string, LabNode>();
  for (const n of raw) {
    const node: LabNode = { name: n.name, kind: n.kind, domain: n.domain ?? n.kind === "router", where: n.where, interfaces: [], routes: [] };
    if (n.ioam) node.ioam = n.ioam;
    out.set(n.name, node);
  }
  return out;
}

interface Assigned {
  address: Uint8Array;
  text: string;
  where: string;
}

function linkAddresses(link: RawLink, prefix: Prefix, index: number): [Assigned, Assigned] {
  const given = link.addresses;
  if (given && given.length !== 2) throw new ConfigError(`${given[0]?.where ?? link.where}: topology.links[${index}].addresses`, `give one address per endpoint (2), got ${given.length}`);
  return [0, 1].map((k) => {
    if (!given) {
      const a = hostAddress(prefix, k + 1)!;
      return { address: a, text: formatIpv6Address(a), where: link.ends[k]!.where };
    }
    const g = given[k]!;
    const p = parsePrefix(g.text);
    if (!p || p.length !== 128) throw new ConfigError(`${g.where}: topology.links[${index}].addresses`, `"${g.text}" is not an IPv6 address`);
    if (!prefixContains(prefix, p.address)) throw new ConfigError(`${g.where}: topology.links[${index}].addresses`, `${g.text} is not in the link's prefix ${link.prefix.text}`);
    return { address: p.address, text: formatIpv6Address(p.address), where: g.where };
  }) as [Assigned, Assigned];
}

function linkPrefix(link: RawLink, index: number): Prefix {
  const p = parsePrefix(link.prefix.text);
  if (!p || !link.prefix.text.includes("/")) throw new ConfigError(`${link.prefix.where}: topology.links[${index}].prefix`, `"${link.prefix.text}" is not an IPv6 prefix (ADDR/LEN, e.g. fd00:12::/64)`);
  if (p.length > 126) throw new ConfigError(`${link.prefix.where}: topology.links[${index}].prefix`, `/${p.length} leaves no room for two addresses (at most /126)`);
  return p;
}

function checkEnds(link: RawLink, index: number, nodes: Map<string, LabNode>): void {
  for (const e of link.ends) {
    const node = nodes.get(e.node);
    if (!node) throw new ConfigError(`${e.where}: topology.links[${index}].endpoints`, `unknown node "${e.node}" (nodes: ${[...nodes.keys()].join(", ")})`);
    const clash = node.interfaces.find((i) => i.name === e.ifname);
    if (clash) throw new ConfigError(`${e.where}: topology.links[${index}].endpoints`, `name clash: ${e.node}:${e.ifname} is already an endpoint (${clash.where})`);
  }
  if (link.ends[0].node === link.ends[1].node) throw new ConfigError(`${link.ends[1].where}: topology.links[${index}].endpoints`, `both ends are on ${link.ends[0].node}`);
}

/** Adds every link's two interfaces to their nodes; returns the links. */
export function attachLinks(raw: readonly RawLink[], nodes: Map<string, LabNode>): LabLink[] {
  const owner = new Map<string, string>(); // address text → where it was given
  const prefixes: Array<{ p: Prefix; where: string }> = [];
  return raw.map((link, index) => {
    checkEnds(link, index, nodes);
    const prefix = linkPrefix(link, index);
    // Two links in one prefix would make "the link of an address" ambiguous for routing.
    const overlap = prefixes.find((x) => prefixContains(x.p, prefix.address) || prefixContains(prefix, x.p.address));
    if (overlap) throw new ConfigError(`${link.prefix.where}: topology.links[${index}].prefix`, `${link.prefix.text} overlaps the prefix of the link at ${overlap.where}`);
    prefixes.push({ p: prefix, where: link.prefix.where });
    const addrs = linkAddresses(link, prefix, index);
    for (const a of addrs) {
      const first = owner.get(a.text);
      if (first) throw new ConfigError(`${a.where}: topology.links[${index}]`, `duplicate address ${a.text} (already at ${first})`);
      owner.set(a.text, a.where);
    }
    const [na, nb] = link.ends.map((e) => nodes.get(e.node)!) as [LabNode, LabNode];
    const mtu = link.mtu ?? (na.domain && nb.domain ? CORE_MTU : EDGE_MTU);
    const iface = (k: 0 | 1): LabInterface => {
      const self = k === 0 ? na : nb;
      const peer = k === 0 ? nb : na;
      const other = addrs[1 - k]!;
      return {
        name: link.ends[k].ifname, link: index, address: addrs[k].address, addressText: addrs[k].text, prefixLength: prefix.length, mtu,
        peer: { node: peer.name, ifname: link.ends[1 - k]!.ifname, address: other.address, addressText: other.text },
        edge: self.domain && !peer.domain, where: link.ends[k].where,
      };
    };
    na.interfaces.push(iface(0));
    nb.interfaces.push(iface(1));
    return { ends: [{ node: na.name, ifname: link.ends[0].ifname }, { node: nb.name, ifname: link.ends[1].ifname }], prefix, mtu, where: link.where };
  });
}
