// IPv6 prefixes as a lab uses them: a link's prefix, the addresses assigned in it, and the
// longest-prefix match of a routing table (RFC 4291 §2.3 prefix notation).

import { formatIpv6Address, parseIpv6Address } from "../wire/ipv6-address.js";

/** An IPv6 prefix: the address with its host bits cleared, and the prefix length. */
export interface Prefix {
  address: Uint8Array;
  length: number;
}

const toBig = (a: Uint8Array): bigint => a.reduce((v, b) => (v << 8n) | BigInt(b), 0n);

function fromBig(v: bigint): Uint8Array {
  const out = new Uint8Array(16);
  for (let i = 15; i >= 0; i--, v >>= 8n) out[i] = Number(v & 0xffn);
  return out;
}

const hostMask = (length: number): bigint => (1n << BigInt(128 - length)) - 1n;

/** Parses "ADDR/LEN" (or a bare address: /128); undefined when it is not a prefix. */
export function parsePrefix(text: string): Prefix | undefined {
  const m = /^([0-9A-Fa-f:.]+)(?:\/(\d{1,3}))?$/.exec(text.trim());
  const address = m ? parseIpv6Address(m[1]!) : undefined;
  const length = m?.[2] === undefined ? 128 : Number(m[2]);
  if (!address || length > 128) return undefined;
  return { address: fromBig(toBig(address) & ~hostMask(length)), length };
}

/** "fd00:12::/48". */
export function formatPrefix(p: Prefix): string {
  return `${formatIpv6Address(p.address)}/${p.length}`;
}

/** True when `address` lies in `p`. */
export function prefixContains(p: Prefix, address: Uint8Array): boolean {
  return ((toBig(address) ^ toBig(p.address)) & ~hostMask(p.length) & ((1n << 128n) - 1n)) === 0n;
}

/** The address with host part `n` in `p` (n = 1 → "fd00:12::1"), or undefined if n does not fit. */
export function hostAddress(p: Prefix, n: number): Uint8Array | undefined {
  if (BigInt(n) > hostMask(p.length)) return undefined;
  return fromBig(toBig(p.address) | BigInt(n));
}

/** Address equality. */
export function sameAddress(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < 16; i++) if (a[i] !== b[i]) return false;
  return true;
}
