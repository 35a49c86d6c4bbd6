// IPv6 routes with the ioam6 lwtunnel, added, deleted and listed over rtnetlink in the
// network namespace the process runs in. One request per change: the kernel creates a route
// whole or not at all, so a refusal never leaves part of one behind.

import { IoamError } from "../../errors.js";
import { KernelError } from "../kernel-error.js";
import { NETLINK_ROUTE, NetlinkSocket } from "../netlink/socket.js";
import type { RouteSpec, RouteWordOrder } from "../route-spec.js";
import { formatIpv6Address } from "../../wire/ipv6-address.js";
import { linkIndex, linkNames } from "./links.js";
import { AF_INET6, type RouteEntry, RTM, decodeRouteMessage, encodeRouteDumpRequest, encodeRouteGetRequest, encodeRouteRequest } from "./route-message.js";

/** How a route is named in messages: `2001:db8::/64` or `default`. */
export function routeName(r: RouteSpec): string {
  return r.dst.address && r.dst.length > 0 ? `${formatIpv6Address(r.dst.address)}/${r.dst.length}` : "default";
}

/**
 * The operator's reading of a kernel refusal. EOPNOTSUPP for a route with RTA_ENCAP_TYPE is
 * lwtunnel_valid_encap_type's answer ("lwt encapsulation type not supported"): the kernel was
 * built without CONFIG_IPV6_IOAM6_LWTUNNEL. It checks this while parsing the request, before
 * any route exists.
 */
export function explainRouteError(e: unknown, route: RouteSpec, purpose: "add" | "del"): unknown {
  if (!(e instanceof KernelError)) return e;
  if (e.errnoName === "EOPNOTSUPP" && route.encap) {
    return new IoamError(
      "NOT_SUPPORTED",
      `${purpose === "add" ? "adding" : "deleting"} route ${routeName(route)}: this kernel has no ioam6 lightweight tunnel ` +
        "(built without CONFIG_IPV6_IOAM6_LWTUNNEL; it answers EOPNOTSUPP, \"lwt encapsulation type not supported\"), " +
        `so no route was ${purpose === "add" ? "added" : "deleted"}. ` +
        "To insert IOAM on this host, use ioamkit's userspace data plane instead of a route: put the same words under dataplane.encap " +
        "in a node file and run it with `ioam node run` (docs/dataplane.md).",
    );
  }
  if (e.errnoName === "EPERM" || e.errnoName === "EACCES") return new IoamError("KERNEL", `${e.message}; changing routes needs CAP_NET_ADMIN (run as root)`);
  if (e.errnoName === "ESRCH" && purpose === "del") return new IoamError("KERNEL", `deleting route ${routeName(route)}: no such route (ESRCH)`);
  return e;
}

export class RouteClient {
  private constructor(private readonly sock: NetlinkSocket) {}

  static open(): RouteClient {
    return new RouteClient(new NetlinkSocket(NETLINK_ROUTE));
  }

  close(): void {
    this.sock.close();
  }

  /** Index of device `name`; IoamError naming it when it does not exist. */
  linkIndex(name: string): Promise<number> {
    return linkIndex(this.sock, name);
  }

  linkNames(): Promise<Map<number, string>> {
    return linkNames(this.sock);
  }

  /** Adds (NLM_F_CREATE|EXCL) or deletes the route, in iproute2's byte layout. */
  async change(purpose: "add" | "del", route: RouteSpec, order?: RouteWordOrder): Promise<void> {
    const oif = route.dev === undefined ? undefined : await this.linkIndex(route.dev);
    const req = encodeRouteRequest(purpose, route, oif, order);
    try {
      await this.sock.request(req.type, req.flags, req.payload, `${purpose === "add" ? "adding" : "deleting"} route ${routeName(route)}`);
    } catch (e) {
      throw explainRouteError(e, route, purpose);
    }
  }

  /** The route the kernel would take to `dst`, with the source address it selects (RTA_PREFSRC). */
  async get(dst: Uint8Array): Promise<RouteEntry> {
    const req = encodeRouteGetRequest(dst);
    const replies = await this.sock.request(req.type, req.flags, req.payload, `looking up the route to ${formatIpv6Address(dst)}`);
    const r = replies.map((m) => (m.type === RTM.NEWROUTE ? decodeRouteMessage(m.payload) : undefined)).find((x) => x !== undefined);
    if (!r) throw new IoamError("KERNEL", `no route to ${formatIpv6Address(dst)}`);
    return r;
  }

  /** Every IPv6 route of every table, in the kernel's dump order. */
  async routes(): Promise<RouteEntry[]> {
    const req = encodeRouteDumpRequest();
    const replies = await this.sock.request(req.type, req.flags, req.payload, "listing IPv6 routes");
    return replies.flatMap((m) => {
      const r = m.type === RTM.NEWROUTE ? decodeRouteMessage(m.payload) : undefined;
      return r && r.family === AF_INET6 ? [r] : [];
    });
  }
}
