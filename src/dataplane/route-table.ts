// A longest-prefix-match table over this node's IPv6 routes, for the hot path: which interface
// a packet leaves by (the trace's egress id, as the kernel's fill takes it from the route,
// ipv6_hop_ioam → ip6_route_input) and that interface's MTU (the encap MTU policy), without
// a netlink round trip or an object per packet. Refreshed from the kernel now and then; a
// lab-sized table is scanned linearly, longest prefixes first.

import type { ForwardingFacts } from "../linux/forwarding-facts.js";

/** What a lookup gives: no route, a local address, or an interface. */
export const NO_ROUTE = -1;
export const LOCAL_ROUTE = -2;

export class RouteTable {
  private readonly addrs: Uint8Array;
  private readonly lens: Uint8Array;
  /** Interface index, or LOCAL_ROUTE. */
  private readonly oifs: Int32Array;
  private readonly mtus: Int32Array;
  /** Interface names by index (undefined: unknown), built once so a lookup hands out the same strings. */
  readonly names: Array<string | undefined> = [];

  constructor(facts: ForwardingFacts) {
    const routes = [...facts.routes].sort((a, b) => b.len - a.len);
    this.addrs = new Uint8Array(16 * routes.length);
    this.lens = new Uint8Array(routes.length);
    this.oifs = new Int32Array(routes.length);
    this.mtus = new Int32Array(routes.length);
    routes.forEach((r, i) => {
      this.addrs.set(r.dst.subarray(0, 16), 16 * i);
      this.lens[i] = r.len;
      this.oifs[i] = r.local ? LOCAL_ROUTE : r.oif;
      this.mtus[i] = r.mtu ?? facts.mtus.get(r.oif) ?? 0;
    });
    for (const [i, n] of facts.names) this.names[i] = n;
  }

  /** Index of the longest route matching the address at b[at, at + 16), or NO_ROUTE. */
  lookup(b: Uint8Array, at: number): number {
    const a = this.addrs;
    outer: for (let i = 0; i < this.lens.length; i++) {
      const len = this.lens[i]!;
      const whole = len >>> 3;
      const base = 16 * i;
      for (let k = 0; k < whole; k++) if (a[base + k] !== b[at + k]) continue outer;
      const rest = len & 7;
      if (rest && ((a[base + whole]! ^ b[at + whole]!) & (0xff << (8 - rest)) & 0xff) !== 0) continue;
      return i;
    }
    return NO_ROUTE;
  }

  /** The route's interface index, or LOCAL_ROUTE. */
  oif(route: number): number {
    return route < 0 ? route : this.oifs[route]!;
  }

  /** The egress interface's name (undefined: none, or delivered locally — the fill's loopback case). */
  egressName(route: number): string | undefined {
    const oif = this.oif(route);
    return oif > 0 ? this.names[oif] : undefined;
  }

  /** The route's MTU (its metric, else its interface's IPv6 MTU); undefined when unknown. */
  mtu(route: number): number | undefined {
    const m = route < 0 ? 0 : this.mtus[route]!;
    return m > 0 ? m : undefined;
  }
}

/** True when the address at b[at] lies in prefix/len (prefix: 16 octets). */
export function inPrefix(b: Uint8Array, at: number, prefix: Uint8Array, len: number): boolean {
  const whole = len >>> 3;
  for (let k = 0; k < whole; k++) if (prefix[k] !== b[at + k]) return false;
  const rest = len & 7;
  return rest === 0 || ((prefix[whole]! ^ b[at + whole]!) & (0xff << (8 - rest)) & 0xff) === 0;
}
