// IPv6 route messages (include/uapi/linux/rtnetlink.h): the 12-byte struct rtmsg and the
// RTA_* attributes. Requests are built exactly as iproute2's `ip -6 route add|del` builds
// them (ip/iproute.c iproute_modify), so that the kernel sees the same bytes from either tool.

import { AttrWriter, NLA_F_NESTED, attrU16, attrU32, attrU8, parseAttrList } from "../netlink/attrs.js";
import { NLM_F } from "../netlink/message.js";
import type { RouteSpec, RouteWordOrder } from "../route-spec.js";
import { LWTUNNEL_ENCAP_IOAM6, encodeIoam6Encap } from "./ioam6-encap.js";

export const RTM = { NEWLINK: 16, GETLINK: 18, NEWROUTE: 24, DELROUTE: 25, GETROUTE: 26 } as const;
export const RTA = {
  DST: 1, SRC: 2, IIF: 3, OIF: 4, GATEWAY: 5, PRIORITY: 6, PREFSRC: 7, METRICS: 8, MULTIPATH: 9,
  FLOW: 11, CACHEINFO: 12, TABLE: 15, MARK: 16, VIA: 18, NEWDST: 19, PREF: 20, ENCAP_TYPE: 21,
  ENCAP: 22, EXPIRES: 23, UID: 25, TTL_PROPAGATE: 26, NH_ID: 30,
} as const;
/** NLM_F_CREATE | NLM_F_EXCL: what `ip route add` asks for (fail if the route exists). */
export const NLM_F_CREATE_EXCL = 0x400 | 0x200;
export const AF_INET6 = 10;
export const RT_TABLE_MAIN = 254;
export const RTPROT_BOOT = 3;
export const RTN = { UNSPEC: 0, UNICAST: 1, LOCAL: 2 } as const;
export const RTM_F_CLONED = 0x200;
const RTMSG_LEN = 12;

/** struct rtmsg, in field order. */
export interface RtMsg {
  family: number;
  dstLen: number;
  srcLen: number;
  tos: number;
  table: number;
  protocol: number;
  scope: number;
  type: number;
  flags: number;
}

function encodeRtMsg(h: RtMsg): Uint8Array {
  const b = Uint8Array.of(h.family, h.dstLen, h.srcLen, h.tos, h.table, h.protocol, h.scope, h.type, 0, 0, 0, 0);
  new DataView(b.buffer).setUint32(8, h.flags, true);
  return b;
}

/** A route request ready for NetlinkSocket.request (which adds REQUEST|ACK). */
export interface RouteRequest {
  type: number;
  flags: number;
  payload: Uint8Array;
}

/** The display order of ip route show, used when the words' order is not known. */
const DISPLAY_ORDER: RouteWordOrder = ["dst", "encap", "via", "metric"];

/**
 * RTM_NEWROUTE (add) or RTM_DELROUTE (del) for an IPv6 route whose device, if any, is `oif`.
 * Header: main table; add sets protocol boot, scope universe, type unicast; del leaves them 0.
 * Attributes in word order (RTA_DST, RTA_ENCAP + RTA_ENCAP_TYPE, RTA_GATEWAY, RTA_PRIORITY),
 * then RTA_OIF, as iproute2 emits them.
 */
export function encodeRouteRequest(purpose: "add" | "del", route: RouteSpec, oif: number | undefined, order: RouteWordOrder = DISPLAY_ORDER): RouteRequest {
  const add = purpose === "add";
  const header = encodeRtMsg({
    family: AF_INET6, dstLen: route.dst.length, srcLen: 0, tos: 0, table: RT_TABLE_MAIN,
    protocol: add ? RTPROT_BOOT : 0, scope: 0, type: add ? RTN.UNICAST : RTN.UNSPEC, flags: 0,
  });
  const a = new AttrWriter();
  // Parts missing from `order` still go out, in display order.
  for (const part of [...order, ...DISPLAY_ORDER.filter((x) => !order.includes(x))]) {
    if (part === "dst" && route.dst.address) a.raw(RTA.DST, route.dst.address);
    // iproute2 nests first and names the type after it.
    if (part === "encap" && route.encap) a.raw(RTA.ENCAP | NLA_F_NESTED, encodeIoam6Encap(route.encap)).u16(RTA.ENCAP_TYPE, LWTUNNEL_ENCAP_IOAM6);
    if (part === "via" && route.via) a.raw(RTA.GATEWAY, route.via);
    if (part === "metric" && route.metric !== undefined) a.u32(RTA.PRIORITY, route.metric);
  }
  if (oif !== undefined) a.u32(RTA.OIF, oif);
  const attrs = a.bytes();
  const payload = new Uint8Array(RTMSG_LEN + attrs.length);
  payload.set(header);
  payload.set(attrs, RTMSG_LEN);
  return { type: add ? RTM.NEWROUTE : RTM.DELROUTE, flags: add ? NLM_F_CREATE_EXCL : 0, payload };
}

/** RTM_GETROUTE for one destination (what `ip -6 route get ADDR` asks): the kernel answers with the route it would use, its device and the selected source (RTA_PREFSRC). */
export function encodeRouteGetRequest(dst: Uint8Array): RouteRequest {
  const attrs = new AttrWriter().raw(RTA.DST, dst).bytes();
  const payload = new Uint8Array(RTMSG_LEN + attrs.length);
  payload.set(encodeRtMsg({ family: AF_INET6, dstLen: 128, srcLen: 0, tos: 0, table: 0, protocol: 0, scope: 0, type: 0, flags: 0 }));
  payload.set(attrs, RTMSG_LEN);
  return { type: RTM.GETROUTE, flags: 0, payload };
}

/** RTAX_MTU from a route's RTA_METRICS (include/uapi/linux/rtnetlink.h), if set. */
export function routeMetricMtu(metrics: Uint8Array | undefined): number | undefined {
  if (!metrics) return undefined;
  const v = parseAttrList(metrics).find(([t]) => t === RTAX_MTU)?.[1];
  return v && v.length >= 4 ? attrU32(v) : undefined;
}
const RTAX_MTU = 2;

/** The dump request of all IPv6 routes (RTM_GETROUTE, NLM_F_DUMP). */
export function encodeRouteDumpRequest(): RouteRequest {
  return { type: RTM.GETROUTE, flags: NLM_F.DUMP, payload: encodeRtMsg({ family: AF_INET6, dstLen: 0, srcLen: 0, tos: 0, table: 0, protocol: 0, scope: 0, type: 0, flags: 0 }) };
}

/** A route as the kernel dumps it: the header and the attributes the printers use. */
export interface RouteEntry extends RtMsg {
  /** RTA_TABLE when present (tables ≥ 256), else rtm_table. */
  tableId: number;
  dst?: Uint8Array;
  src?: Uint8Array;
  gateway?: Uint8Array;
  oif?: number;
  iif?: number;
  prefsrc?: Uint8Array;
  priority?: number;
  pref?: number;
  mark?: number;
  nhId?: number;
  /** rta_cacheinfo.rta_expires (USER_HZ ticks) and rta_error. */
  expires?: number;
  error?: number;
  encapType?: number;
  /** RTA_ENCAP's nested attributes, undecoded (see decodeIoam6Encap). */
  encap?: Uint8Array;
  /** RTA_METRICS' nested RTAX_* attributes, undecoded. */
  metrics?: Uint8Array;
  multipath?: Uint8Array;
  ttlPropagate?: number;
}

/** Decodes the payload of an RTM_NEWROUTE (after the netlink header); undefined if too short. */
export function decodeRouteMessage(p: Uint8Array): RouteEntry | undefined {
  if (p.length < RTMSG_LEN) return undefined;
  const dv = new DataView(p.buffer, p.byteOffset, p.byteLength);
  const r: RouteEntry = {
    family: p[0]!, dstLen: p[1]!, srcLen: p[2]!, tos: p[3]!, table: p[4]!, protocol: p[5]!, scope: p[6]!, type: p[7]!,
    flags: dv.getUint32(8, true), tableId: p[4]!,
  };
  for (const [type, v] of parseAttrList(p.subarray(RTMSG_LEN))) {
    const u32 = v.length >= 4 ? attrU32(v) : undefined;
    switch (type) {
      case RTA.DST: r.dst = v.slice(); break;
      case RTA.SRC: r.src = v.slice(); break;
      case RTA.GATEWAY: r.gateway = v.slice(); break;
      case RTA.PREFSRC: r.prefsrc = v.slice(); break;
      case RTA.OIF: if (u32 !== undefined) r.oif = u32; break;
      case RTA.IIF: if (u32 !== undefined) r.iif = u32; break;
      case RTA.PRIORITY: if (u32 !== undefined) r.priority = u32; break;
      case RTA.TABLE: if (u32 !== undefined) r.tableId = u32; break;
      case RTA.MARK: if (u32 !== undefined) r.mark = u32; break;
      case RTA.NH_ID: if (u32 !== undefined) r.nhId = u32; break;
      case RTA.PREF: if (v.length >= 1) r.pref = attrU8(v); break;
      case RTA.TTL_PROPAGATE: if (v.length >= 1) r.ttlPropagate = attrU8(v); break;
      case RTA.ENCAP_TYPE: if (v.length >= 2) r.encapType = attrU16(v); break;
      case RTA.ENCAP: r.encap = v.slice(); break;
      case RTA.METRICS: r.metrics = v.slice(); break;
      case RTA.MULTIPATH: r.multipath = v.slice(); break;
      case RTA.CACHEINFO:
        if (v.length >= 16) {
          const c = new DataView(v.buffer, v.byteOffset, v.byteLength);
          r.expires = c.getInt32(8, true);
          r.error = c.getUint32(12, true);
        }
        break;
    }
  }
  return r;
}
