// Routes as `ip -6 route show` prints them (iproute2 ip/iproute.c print_route, text mode, no
// -d/-s), and the ioam6 encap as print_encap_ioam6 prints it (iproute2 ip/iproute_lwtunnel.c). Spaces
// are iproute2's, including the double space before "encap" and a trailing space when the
// line ends on a field other than pref.

import { type Ioam6EncapAttrs, LWTUNNEL_ENCAP_IOAM6, decodeIoam6Encap, ioam6EncapFromAttrs, readIoam6TraceHeader } from "../linux/rtnetlink/ioam6-encap.js";
import { RTM_F_CLONED, RTN, RTPROT_BOOT, RT_TABLE_MAIN, type RouteEntry } from "../linux/rtnetlink/route-message.js";
import { parseAttrs } from "../linux/netlink/attrs.js";
import { formatIpv6AddressInetNtop as ntop } from "../wire/ipv6-address.js";
import { cHexAlt } from "./format-ioam6.js";

const RTN_NAMES = ["none", "unicast", "local", "broadcast", "anycast", "multicast", "blackhole", "unreachable", "prohibit", "throw", "nat", "xresolve"];
const ENCAP_NAMES: Record<number, string> = { 1: "mpls", 2: "ip", 3: "ila", 4: "ip6", 5: "seg6", 6: "bpf", 7: "seg6local", 8: "rpl", 9: "ioam6", 10: "xfrm" };
/** iproute2's built-in protocol names plus Debian's /etc/iproute2/rt_protos (openr). */
const PROTO_NAMES: Record<number, string> = {
  0: "unspec", 1: "redirect", 2: "kernel", 3: "boot", 4: "static", 8: "gated", 9: "ra", 10: "mrt", 11: "zebra", 12: "bird",
  13: "dnrouted", 14: "xorp", 15: "ntk", 16: "dhcp", 18: "keepalived", 42: "babel", 99: "openr", 186: "bgp", 187: "isis",
  188: "ospf", 189: "rip", 192: "eigrp",
};
const SCOPE_NAMES: Record<number, string> = { 0: "global", 200: "site", 253: "link", 254: "host", 255: "nowhere" };
const TABLE_NAMES: Record<number, string> = { 253: "default", 254: "main", 255: "local" };
const IOAM6_MODE_NAMES: Record<number, string> = { 1: "inline", 2: "encap", 3: "auto" };
/** Route flags in print_rt_flags' order. */
const FLAG_NAMES: Array<[number, string]> = [
  [0x1, "dead"], [0x4, "onlink"], [0x2, "pervasive"], [0x8, "offload"], [0x40, "trap"], [0x100, "notify"],
  [0x10, "linkdown"], [0x20, "unresolved"], [0x2000, "rt_offload"], [0x4000, "rt_trap"], [0x20000000, "rt_offload_failed"],
];
const METRIC_NAMES = ["", "", "mtu", "window", "rtt", "rttvar", "ssthresh", "cwnd", "advmss", "reordering", "hoplimit", "initcwnd", "features", "rto_min", "initrwnd", "quickack", "congctl", "fastopen_no_cookie"];
const RTAX = { LOCK: 1, RTT: 4, RTTVAR: 5, HOPLIMIT: 10, FEATURES: 12, RTO_MIN: 13, CC_ALGO: 16 } as const;
/** USER_HZ: the unit of rta_expires (iproute2 divides by sysconf(_SC_CLK_TCK)). */
const USER_HZ = 100;
const ICMPV6_ROUTER_PREF: Record<number, string> = { 3: "low", 0: "medium", 1: "high" };

const named = (table: Record<number, string>, v: number) => table[v] ?? String(v);

/** print_encap_ioam6: `freq K/N mode M [tunsrc A] [tundst A] trace prealloc type T ns N size S `. */
export function ioam6EncapText(a: Ioam6EncapAttrs): string {
  if (a.mode === undefined || !a.trace || a.freqK === undefined || a.freqN === undefined) return "";
  let s = `freq ${a.freqK}/${a.freqN} `;
  const inline = a.mode === 1;
  // iproute2 stops here for a dump it cannot make sense of.
  if ((a.src && inline) || (!a.dst && !inline)) return s;
  s += `mode ${IOAM6_MODE_NAMES[a.mode] ?? "<unknown>"} `;
  if (!inline) {
    if (a.src) s += `tunsrc ${ntop(a.src)} `;
    s += `tundst ${ntop(a.dst!)} `;
  }
  const t = readIoam6TraceHeader(a.trace);
  return s + `trace prealloc type ${cHexAlt(t.traceType, 8)} ns ${t.namespaceId} size ${t.size} `;
}

function prefixText(addr: Uint8Array | undefined, len: number): string | undefined {
  if (addr) return len !== 128 ? `${ntop(addr)}/${len}` : ntop(addr);
  return undefined;
}

function metricsText(nested: Uint8Array): string {
  const mx = parseAttrs(nested);
  const u32 = (b: Uint8Array | undefined) => (b && b.length >= 4 ? new DataView(b.buffer, b.byteOffset, 4).getUint32(0, true) : 0);
  const lock = u32(mx.get(RTAX.LOCK));
  let s = "";
  for (let i = 2; i < METRIC_NAMES.length; i++) {
    const raw = mx.get(i);
    if (!raw && !(lock & (1 << i))) continue;
    let val = raw && i !== RTAX.CC_ALGO ? u32(raw) : 0;
    if (i === RTAX.HOPLIMIT && val === 0xffffffff) continue;
    s += `${METRIC_NAMES[i]} ${lock & (1 << i) ? "lock " : ""}`;
    if (i === RTAX.FEATURES) {
      if (val & 1) s += "ecn ";
      if (val & ~1) s += `0x${val.toString(16)} `;
    } else if (i === RTAX.RTT || i === RTAX.RTTVAR || i === RTAX.RTO_MIN) {
      if (i === RTAX.RTT) val = Math.floor(val / 8);
      else if (i === RTAX.RTTVAR) val = Math.floor(val / 4);
      s += val >= 1000 ? `${val / 1e3}s ` : `${val}ms `;
    } else if (i === RTAX.CC_ALGO) s += `${new TextDecoder().decode(raw!).replace(/\0.*$/s, "")} `;
    else s += `${val} `;
  }
  return s;
}

/**
 * One route as `ip -6 route show` prints it, without the newline. `names` maps interface
 * indexes to names (iproute2 prints `if<N>` for an unknown one). Multipath nexthops are not
 * printed; encap details only for ioam6.
 */
export function routeLine(r: RouteEntry, names: ReadonlyMap<number, string>): string {
  const dev = (i: number) => names.get(i) ?? `if${i}`;
  let s = "";
  if (r.type !== RTN.UNICAST) s += `${RTN_NAMES[r.type] ?? r.type} `;
  s += (prefixText(r.dst, r.dstLen) ?? (r.dstLen ? `0/${r.dstLen} ` : "default")) + " ";
  if (r.src) s += `from ${prefixText(r.src, r.srcLen)} `;
  else if (r.srcLen) s += `from 0/${r.srcLen} `;
  if (r.nhId !== undefined) s += `nhid ${r.nhId} `;
  if (r.encap && r.encapType !== undefined) {
    s += ` encap ${ENCAP_NAMES[r.encapType] ?? "unknown"} `;
    if (r.encapType === LWTUNNEL_ENCAP_IOAM6) s += ioam6EncapText(decodeIoam6Encap(r.encap));
  }
  if (r.tos) s += `tos 0x${r.tos.toString(16).padStart(2, "0")} `;
  if (r.gateway) s += `via ${ntop(r.gateway)} `;
  if (r.oif !== undefined) s += `dev ${dev(r.oif)} `;
  if (r.tableId && r.tableId !== RT_TABLE_MAIN) s += `table ${named(TABLE_NAMES, r.tableId)} `;
  if (!(r.flags & RTM_F_CLONED)) {
    if (r.protocol !== RTPROT_BOOT) s += `proto ${named(PROTO_NAMES, r.protocol)} `;
    if (r.scope !== 0) s += `scope ${named(SCOPE_NAMES, r.scope)} `;
  }
  if (r.prefsrc) s += `src ${ntop(r.prefsrc)} `;
  if (r.priority !== undefined) s += `metric ${r.priority} `;
  for (const [bit, name] of FLAG_NAMES) if (r.flags & bit) s += `${name} `;
  if (r.mark) s += r.mark >= 16 ? `mark 0x${r.mark.toString(16)} ` : `mark ${r.mark} `;
  if (r.expires) s += `expires ${Math.trunc(r.expires / USER_HZ)}sec `;
  if (r.error) s += `error ${r.error} `;
  if (r.metrics) s += metricsText(r.metrics);
  if (r.iif !== undefined) s += `iif ${dev(r.iif)} `;
  if (r.pref !== undefined) s += ICMPV6_ROUTER_PREF[r.pref] !== undefined ? `pref ${ICMPV6_ROUTER_PREF[r.pref]}` : String(r.pref);
  if (r.ttlPropagate !== undefined) s += `ttl-propogate ${r.ttlPropagate ? "enabled" : "disabled"}`; // sic, iproute2's spelling
  return s;
}

/** True for routes `ip -6 route show` lists: main table, not local, not cached clones. */
export function inMainTable(r: RouteEntry): boolean {
  return r.tableId === RT_TABLE_MAIN && r.type !== RTN.LOCAL && !(r.flags & RTM_F_CLONED);
}

export function isIoam6Route(r: RouteEntry): boolean {
  return r.encapType === LWTUNNEL_ENCAP_IOAM6 && r.encap !== undefined;
}

/** The JSON form of `ioam route show --json`: the route words as data. */
export function routeJson(r: RouteEntry, names: ReadonlyMap<number, string>): Record<string, unknown> {
  const o: Record<string, unknown> = { dst: prefixText(r.dst, r.dstLen) ?? (r.dstLen ? `::/${r.dstLen}` : "default") };
  if (r.type !== RTN.UNICAST) o.type = RTN_NAMES[r.type] ?? r.type;
  if (r.encap && r.encapType !== undefined) {
    const attrs = r.encapType === LWTUNNEL_ENCAP_IOAM6 ? decodeIoam6Encap(r.encap) : undefined;
    const e = attrs && ioam6EncapFromAttrs(attrs);
    if (e && attrs?.trace) {
      const t = readIoam6TraceHeader(attrs.trace);
      o.encap = {
        type: "ioam6", freq: `${e.freq.k}/${e.freq.n}`, mode: e.mode,
        ...(e.tunsrc ? { tunsrc: ntop(e.tunsrc) } : {}), ...(e.tundst ? { tundst: ntop(e.tundst) } : {}),
        trace: { kind: "prealloc", type: cHexAlt(t.traceType, 8), ns: t.namespaceId, size: t.size, nodeLen: t.nodeLen },
      };
    } else o.encap = { type: ENCAP_NAMES[r.encapType] ?? "unknown" };
  }
  if (r.gateway) o.via = ntop(r.gateway);
  if (r.oif !== undefined) o.dev = names.get(r.oif) ?? `if${r.oif}`;
  o.table = named(TABLE_NAMES, r.tableId);
  o.proto = named(PROTO_NAMES, r.protocol);
  if (r.scope !== 0) o.scope = named(SCOPE_NAMES, r.scope);
  if (r.priority !== undefined) o.metric = r.priority;
  if (r.pref !== undefined) o.pref = ICMPV6_ROUTER_PREF[r.pref] ?? r.pref;
  const flags = FLAG_NAMES.filter(([bit]) => r.flags & bit).map(([, n]) => n);
  if (flags.length) o.flags = flags;
  return o;
}
