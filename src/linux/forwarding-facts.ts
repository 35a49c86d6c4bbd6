// What the data plane needs to know about this netns's forwarding, read over rtnetlink and
// /proc/sys (both per netns; /sys/class/net is not, under nsenter): the IPv6 routes of the
// main and local tables with their devices and MTU metric, interface names and IPv6 MTUs, and
// — for a tunnel without tunsrc — the route and source address the kernel selects.

import { readFileSync } from "node:fs";
import { formatIpv6Address } from "../wire/ipv6-address.js";
import { RouteClient } from "./rtnetlink/route-client.js";
import { RTN, RT_TABLE_MAIN, routeMetricMtu } from "./rtnetlink/route-message.js";

const RT_TABLE_LOCAL = 255;

/** One route as the data plane's lookup uses it. */
export interface FibRoute {
  dst: Uint8Array;
  len: number;
  /** Output interface index; 0 when the route has none (multipath, blackhole). */
  oif: number;
  /** A local address (the local table): such packets are delivered here. */
  local: boolean;
  /** RTAX_MTU, when the route sets one. */
  mtu?: number;
}

export interface ForwardingFacts {
  routes: FibRoute[];
  /** Interface index → name. */
  names: Map<number, string>;
  /** Interface index → IPv6 MTU (net.ipv6.conf.IF.mtu). */
  mtus: Map<number, number>;
}

function ipv6Mtu(name: string): number | undefined {
  try {
    return Number(readFileSync(`/proc/sys/net/ipv6/conf/${name}/mtu`, "utf8"));
  } catch {
    return undefined; // IPv6 off on it, or gone meanwhile
  }
}

/** Reads the routes (main and local tables), names and MTUs of this netns. */
export async function readForwardingFacts(): Promise<ForwardingFacts> {
  const c = RouteClient.open();
  try {
    const names = await c.linkNames();
    const routes: FibRoute[] = [];
    for (const r of await c.routes()) {
      const local = r.tableId === RT_TABLE_LOCAL && r.type === RTN.LOCAL;
      if (!local && !(r.tableId === RT_TABLE_MAIN && r.type === RTN.UNICAST)) continue;
      const mtu = routeMetricMtu(r.metrics);
      routes.push({ dst: r.dst ?? new Uint8Array(16), len: r.dstLen, oif: r.oif ?? 0, local, ...(mtu ? { mtu } : {}) });
    }
    const mtus = new Map<number, number>();
    for (const [i, n] of names) {
      const m = ipv6Mtu(n);
      if (m) mtus.set(i, m);
    }
    return { routes, names, mtus };
  } finally {
    c.close();
  }
}

/** The kernel's route to `dst`: device index and the source address it selects (for a tunnel without tunsrc). */
export async function routeTo(dst: Uint8Array): Promise<{ oif: number; source: string | undefined }> {
  const c = RouteClient.open();
  try {
    const r = await c.get(dst);
    return { oif: r.oif ?? 0, source: r.prefsrc ? formatIpv6Address(r.prefsrc) : undefined };
  } finally {
    c.close();
  }
}
