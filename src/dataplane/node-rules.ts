// Which packets `ioam node run` takes from the kernel (docs/dataplane.md, "Queue rules"): at
// PREROUTING — before routing, where encapsulation and decapsulation can still change where a
// packet goes — everything to a tunnel address of this node, Hop-by-Hop packets to an edge
// prefix, everything to an encap policy's prefix, and Hop-by-Hop packets arriving on an ingress
// ioamkit owns; and at OUTPUT this host's own packets to an encap policy's prefix (the ioam6
// lwtunnel instruments locally generated packets too: host-based IOAM, docs/cross-layer.md).
// The handler classifies each packet again; the rules only keep the rest of the traffic in
// the kernel.

import type { DataplaneSpec } from "../linux/apply/dataplane-spec.js";
import type { QueueRule } from "../linux/ip6tables/queue-spec.js";
import { formatIpv6Address } from "../wire/ipv6-address.js";

export function nodeQueueRules(spec: DataplaneSpec, ownedDevs: readonly string[]): QueueRule[] {
  const queues = spec.workers > 1 ? { first: spec.queue, last: spec.queue + spec.workers - 1 } : { first: spec.queue };
  const bypass = spec.failure === "open";
  const rule = (match: NonNullable<QueueRule["match"]>, hook: QueueRule["hook"] = "PREROUTING"): QueueRule => ({ hook, match, queues, bypass });
  const prefix = (p: { address: Uint8Array; length: number }) => `${formatIpv6Address(p.address)}/${p.length}`;
  const rules: QueueRule[] = [];
  for (const d of spec.decap) {
    if (d.kind === "tunnel") rules.push(rule({ destination: `${formatIpv6Address(d.address)}/128` }));
    else rules.push(rule({ destination: prefix(d.prefix), hopByHop: true }));
  }
  for (const p of spec.encap) rules.push(rule({ destination: prefix(p.prefix) }));
  for (const dev of ownedDevs) rules.push(rule({ inInterface: dev, hopByHop: true }));
  // After routing; a verdict that changes the destination (encap) is routed again (nf_reinject → nf_reroute, net/netfilter/nf_queue.c).
  for (const p of spec.encap) rules.push(rule({ destination: prefix(p.prefix) }, "OUTPUT"));
  return rules;
}

/** Whether two rule lists would install the same rules. */
export function sameRules(a: readonly QueueRule[], b: readonly QueueRule[]): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
