// The IOAM domain's edge filter (RFC 9486 §5: IOAM must not enter or leave the domain): on a
// domain-edge interface, packets carrying IOAM are dropped — arriving ones in raw PREROUTING
// (before the data plane's NFQUEUE rules in mangle; the kernel's own Hop-by-Hop pass runs
// earlier, in ip6_rcv_core, but ignores IOAM there: the lab disables it on edges), leaving
// ones in mangle POSTROUTING (a node running the data plane has removed its IOAM by then; a
// kernel-only node cannot remove it, so it drops rather than leak). IOAM is recognised with
// ip6tables' `hbh` and `dst` matches, which compare the option types of a header in order
// from its first option (net/ipv6/netfilter/ip6t_hbh.c): the sequences below cover an IOAM
// option first, after a PadN, or after two Pad1, with option type 0x31 or 0x11. The emulation
// applies the same sequences with the same semantics (matchesEdgeFilter), so both drop the
// same packets.

import { IPPROTO } from "../wire/ext-header.js";

/** Option-type sequences that mark a header as carrying IOAM. */
export const EDGE_OPTION_SEQUENCES: ReadonlyArray<readonly number[]> = [[0x31], [0x01, 0x31], [0x00, 0x00, 0x31], [0x11], [0x01, 0x11], [0x00, 0x00, 0x11]];

export const EDGE_IN_CHAIN = "IOAMLAB-EDGE-IN";
export const EDGE_OUT_CHAIN = "IOAMLAB-EDGE-OUT";

function chainRules(chain: string): string[] {
  const rules: string[] = [];
  for (const seq of EDGE_OPTION_SEQUENCES) {
    rules.push(`-A ${chain} -m hbh --hbh-opts ${seq.join(",")} -j DROP`);
    rules.push(`-A ${chain} -m dst --dst-opts ${seq.join(",")} -j DROP`);
  }
  return rules;
}

/** ip6tables-restore input (with --noflush) that installs the filter on the given edge interfaces. */
export function edgeFilterRules(edges: readonly string[]): string {
  if (edges.length === 0) return "";
  return [
    "*raw", `:${EDGE_IN_CHAIN} - [0:0]`, ...chainRules(EDGE_IN_CHAIN), ...edges.map((i) => `-A PREROUTING -i ${i} -j ${EDGE_IN_CHAIN}`), "COMMIT",
    "*mangle", `:${EDGE_OUT_CHAIN} - [0:0]`, ...chainRules(EDGE_OUT_CHAIN), ...edges.map((i) => `-A POSTROUTING -o ${i} -j ${EDGE_OUT_CHAIN}`), "COMMIT", "",
  ].join("\n");
}

/** ip6t_hbh's strict match: the header's options, from the first, have the sequence's types. */
function sequenceMatches(p: Uint8Array, header: number, seq: readonly number[]): boolean {
  const end = header + (p[header + 1]! + 1) * 8;
  let at = header + 2;
  let k = 0;
  for (; k < seq.length && at < end; k++) {
    if (p[at] !== seq[k]) return false;
    at += p[at] === 0 ? 1 : 2 + (p[at + 1] ?? 0);
  }
  return k === seq.length;
}

/** Offset of the first header of protocol `want` in the chain (ipv6_find_hdr), or −1. */
function findHeader(p: Uint8Array, want: number): number {
  let next = p[6]!;
  let at = 40;
  while (at + 8 <= p.length) {
    if (next === want) return at;
    if (next === IPPROTO.FRAGMENT) (next = p[at]!), (at += 8);
    else if (next === IPPROTO.HOPOPTS || next === IPPROTO.ROUTING || next === IPPROTO.DSTOPTS) (next = p[at]!), (at += (p[at + 1]! + 1) * 8);
    else if (next === IPPROTO.AH) (next = p[at]!), (at += (p[at + 1]! + 2) * 4);
    else return -1;
  }
  return -1;
}

/** True when the edge filter drops this IPv6 packet. */
export function matchesEdgeFilter(p: Uint8Array): boolean {
  for (const proto of [IPPROTO.HOPOPTS, IPPROTO.DSTOPTS]) {
    const at = findHeader(p, proto);
    if (at >= 0 && at + (p[at + 1]! + 1) * 8 <= p.length && EDGE_OPTION_SEQUENCES.some((s) => sequenceMatches(p, at, s))) return true;
  }
  return false;
}
