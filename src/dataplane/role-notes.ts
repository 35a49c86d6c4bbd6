// What an operator must know about the roles a configuration gives this node, said at start
// and in `ioam node stats`: above all, where fail-open cannot keep traffic flowing. A tunnel
// end on a kernel without ip6_tunnel is one: nothing but the daemon can take an ip6ip6 packet
// apart, so while it is down or behind, packets to the tunnel address are lost.

import type { DataplaneSpec } from "../linux/apply/dataplane-spec.js";
import type { ForwardingFacts } from "../linux/forwarding-facts.js";
import { formatIpv6Address } from "../wire/ipv6-address.js";

/** One sentence per thing to know; `facts` (when known) tells whether the kernel has ip6_tunnel (its ip6tnl0 device). */
export function roleNotes(spec: DataplaneSpec, facts: ForwardingFacts | undefined): string[] {
  const notes: string[] = [];
  const tunnels = spec.decap.filter((d) => d.kind === "tunnel").map((d) => (d.kind === "tunnel" ? formatIpv6Address(d.address) : ""));
  const ip6tnl = facts ? [...facts.names.values()].includes("ip6tnl0") : false;
  if (tunnels.length && spec.failure === "open") {
    notes.push(
      ip6tnl
        ? `tunnel end ${tunnels.join(", ")}: while the daemon is down or behind, the kernel's ip6_tunnel decapsulates packets to it without IOAM processing (uninstrumented, not lost)`
        : `tunnel end ${tunnels.join(", ")}: this kernel has no ip6_tunnel, so fail-open cannot pass tunnel packets on — while the daemon is down or behind, packets to it are LOST (the kernel drops an ip6ip6 packet it cannot take apart); under load, "bypassed" counts lost packets here`,
    );
  }
  if (spec.decap.some((d) => d.kind === "edge") && spec.failure === "open") notes.push("domain edge: while the daemon is down or behind, packets leave the domain with their IOAM (RFC 9486 §5 asks the edge to remove it)");
  if (spec.encap.length && spec.failure === "open") notes.push("encapsulation: while the daemon is down or behind, packets go on uninstrumented");
  if (spec.failure === "closed") notes.push("fail-closed: while the daemon is down or behind, the packets its rules match are dropped");
  return notes;
}
