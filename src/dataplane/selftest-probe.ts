// The packet edits of the NFQUEUE kernel self-test (kernel-selftest.ts), pure: each probe is
// a UDP packet that goes round a scratch netns four times and is changed on each arrival —
// grown (a Hop-by-Hop header with an IOAM trace inserted, as inline insertion does), rewritten
// in place (a node-data word filled, as transit does), stripped (the header removed, as
// decapsulation does), checked — and re-addressed each time, last to the host itself.

import { parseIpv6Address } from "../wire/ipv6-address.js";
import { insertHopByHop } from "../wire/encap.js";
import { IPPROTO } from "../wire/ext-header.js";
import { writeUpperLayerChecksum } from "../wire/checksum.js";
import type { OptionSpec } from "../wire/build.js";

/** The word the fill step writes into the trace's first node-data slot. */
export const FILL_WORD = 0x5e1f7e57;
const DST = 24;
const UDP_CHECKSUM = 6;

const TRACE: OptionSpec = { kind: "trace", variant: "prealloc", namespaceId: 0x5e1f, nodeLen: 1, flags: { overflow: false, loopback: false, active: false, unknownBits: 0 }, remainingLen: 2, traceType: 0x800000, reserved: 0, nodes: [] };

function setDst(p: Uint8Array, dst: string): void {
  p.set(parseIpv6Address(dst)!, DST);
}

/** Offset of the trace's node data in a packet grown by grow(): HbH, PadN, option and trace headers. */
export function traceDataOffset(p: Uint8Array): number {
  return p[6] === IPPROTO.HOPOPTS && p[44] === 0x31 ? 40 + 4 + 4 + 8 : -1;
}

/** The packet with a Hop-by-Hop IOAM trace inserted, sent on to `dst`; undefined if it has one. */
export function grow(p: Uint8Array, dst: string): Uint8Array | undefined {
  const out = insertHopByHop(p, [TRACE]);
  if (out) setDst(out, dst);
  return out;
}

/** Fills the first node-data word and re-addresses, in place (same length); false without a trace. */
export function fill(p: Uint8Array, dst: string): boolean {
  const at = traceDataOffset(p);
  if (at < 0 || at + 4 > p.length) return false;
  new DataView(p.buffer, p.byteOffset, p.byteLength).setUint32(at, FILL_WORD, false);
  setDst(p, dst);
  return true;
}

/** True when fill() wrote its word into this packet. */
export function isFilled(p: Uint8Array): boolean {
  const at = traceDataOffset(p);
  return at >= 0 && at + 4 <= p.length && new DataView(p.buffer, p.byteOffset, p.byteLength).getUint32(at, false) === FILL_WORD;
}

/**
 * The packet without its Hop-by-Hop header, addressed to `dst`, with the UDP checksum made
 * right for the new destination (the stripped packet is delivered to a local socket).
 */
export function strip(p: Uint8Array, dst: string): Uint8Array | undefined {
  if (p[6] !== IPPROTO.HOPOPTS || p.length < 48) return undefined;
  const hbh = (p[41]! + 1) * 8;
  const out = new Uint8Array(p.length - hbh);
  out.set(p.subarray(0, 40));
  out.set(p.subarray(40 + hbh), 40);
  out[6] = p[40]!;
  new DataView(out.buffer).setUint16(4, out.length - 40, false);
  setDst(out, dst);
  if (out[6] === IPPROTO.UDP && out.length >= 48) writeUpperLayerChecksum(out, 40, out.length, IPPROTO.UDP, UDP_CHECKSUM);
  return out;
}

/** Re-addresses a packet without extension headers, its UDP checksum made right for `dst`. */
export function readdress(p: Uint8Array, dst: string): void {
  setDst(p, dst);
  if (p[6] === IPPROTO.UDP && p.length >= 48) writeUpperLayerChecksum(p, 40, p.length, IPPROTO.UDP, UDP_CHECKSUM);
}

/** True for a UDP packet without extension headers that is exactly as long as its UDP length says. */
export function isStripped(p: Uint8Array): boolean {
  return p[6] === IPPROTO.UDP && p.length >= 48 && p.length === 40 + ((p[44]! << 8) | p[45]!);
}

/** The UDP source port of a packet with or without a Hop-by-Hop header (the probe's id); -1 if none. */
export function probePort(p: Uint8Array): number {
  const at = p[6] === IPPROTO.UDP ? 40 : p[6] === IPPROTO.HOPOPTS && p.length > 41 && p[40] === IPPROTO.UDP ? 40 + (p[41]! + 1) * 8 : -1;
  return at >= 0 && at + 2 <= p.length ? (p[at]! << 8) | p[at + 1]! : -1;
}
