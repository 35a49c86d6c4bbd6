// A line of network namespaces, h1 — r1 — … — rN — h2, joined by veth links, with IPv6
// addresses, forwarding on the routers and static routes: the classic IOAM set-up that the
// control-plane, engine and data-plane tests share. Link k (0-based) is 2001:db8:k::/64,
// its left end ::1 and right end ::2; each node's left interface is "west", right "east".

import type { NetnsSet } from "../linux/netns-set.js";

export interface Chain {
  /** h1, r1 … rN, h2, in path order. */
  nodes: string[];
  h1: string;
  h2: string;
  routers: string[];
  /** h1's and h2's addresses. */
  h1Addr: string;
  h2Addr: string;
}

const linkAddr = (k: number, side: 1 | 2) => `2001:db8:${k}::${side}`;

/** Builds the chain in `nets` (removed by nets.cleanup()). */
export function chain(nets: NetnsSet, routers: number, tag = "chain"): Chain {
  const nodes = [nets.add(`${tag}h1`), ...Array.from({ length: routers }, (_, i) => nets.add(`${tag}r${i + 1}`)), nets.add(`${tag}h2`)];
  for (let k = 0; k + 1 < nodes.length; k++) {
    nets.veth({ ns: nodes[k]!, ifname: "east", addr: `${linkAddr(k, 1)}/64` }, { ns: nodes[k + 1]!, ifname: "west", addr: `${linkAddr(k, 2)}/64` });
  }
  const last = nodes.length - 2;
  for (let i = 1; i <= routers; i++) {
    const r = nodes[i]!;
    nets.exec(r, "sysctl", ["-qw", "net.ipv6.conf.all.forwarding=1"]);
    // Everything left of this router's west link goes west, right of its east link goes east.
    for (let k = 0; k < i - 1; k++) nets.ip(r, "-6", "route", "add", `2001:db8:${k}::/64`, "via", linkAddr(i - 1, 1));
    for (let k = i + 1; k <= last; k++) nets.ip(r, "-6", "route", "add", `2001:db8:${k}::/64`, "via", linkAddr(i, 2));
  }
  nets.ip(nodes[0]!, "-6", "route", "add", "default", "via", linkAddr(0, 2));
  nets.ip(nodes[nodes.length - 1]!, "-6", "route", "add", "default", "via", linkAddr(last, 1));
  return { nodes, h1: nodes[0]!, h2: nodes[nodes.length - 1]!, routers: nodes.slice(1, -1), h1Addr: linkAddr(0, 1), h2Addr: linkAddr(last, 2) };
}
