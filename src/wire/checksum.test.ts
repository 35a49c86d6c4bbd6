// The upper-layer checksum over the IPv6 pseudo-header (RFC 8200 §8.1, RFC 768, RFC 4443
// §2.3): the ICMPv6 checksum of the worked packets (docs/worked-packets.md), UDP's 0 → 0xFFFF
// rule, and the SRH's final segment in the pseudo-header. Checked against a plain sum written here.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { upperLayerChecksum } from "./checksum.js";
import { hexToBytes } from "./hex.js";

const SRC = "20010db8000000000000000000000001";
const ADDRS = SRC + "20010db8000000000000000000000002";
const ICMP = "8000473212340001696f616d";
function bytes(hex: string): Uint8Array {
  const b = hexToBytes(hex.replace(/[\s|]/g, ""));
  if (!b) throw new Error("bad hex in test vector");
  return b;
}

/** RFC 1071 by the book: 16-bit ones'-complement sum of pseudo-header + upper layer, inverted. */
function referenceChecksum(src: Uint8Array, finalDst: Uint8Array, protocol: number, upper: Uint8Array): number {
  const n = upper.length;
  const words = [...src, ...finalDst, (n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff, 0, 0, 0, protocol, ...upper];
  if (words.length % 2) words.push(0);
  let sum = 0;
  for (let i = 0; i < words.length; i += 2) sum += (words[i]! << 8) | words[i + 1]!;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** The upper layer at `o` with its checksum field (at `at`) zeroed, for the reference sum. */
function zeroed(b: Uint8Array, o: number, at: number): Uint8Array {
  const u = b.slice(o);
  u[at] = u[at + 1] = 0;
  return u;
}

// Worked packets (a)–(e) (docs/worked-packets.md): every packet ends in the same ICMPv6 echo request (checksum 47 32).
const WORKED: Array<[name: string, hex: string, upperAt: number]> = [
  ["(a)", `60000000002c003e${ADDRS} 3a030100311600000001080180000000000000003e0000023f00000101020000 ${ICMP}`, 72],
  ["(b)", `600000000034003d${ADDRS} 3a0401003122000001001c00d00000003e000002000500060ee6b2803f000001000100021dcd6500 ${ICMP}`, 80],
  ["(b2)", `60000000002c003f${ADDRS} 3a0301003116000101001803d00000003f000001000100021dcd650001020000 ${ICMP}`, 72],
  ["(c)", `6000000000243c40${ADDRS} 3a02010011120003000170000000002a6553f1001dcd6500 ${ICMP}`, 64],
  ["(d)", `600000000024004020010db8000000000000000000000001 20010db8000000000000000000000002 3a02010011120004000100c0c00000000000000700000009 ${ICMP}`, 64],
  ["(e)", `60000000002c0040${ADDRS} 3a030100311600020001000000000000 0000004d 00000000 0000005e 01020000 ${ICMP}`, 72],
];

describe("upperLayerChecksum() on the worked packets", () => {
  for (const [name, hex, at] of WORKED) {
    it(`gives 0x4732 for the ICMPv6 echo request of ${name}, as its bytes say`, () => {
      const b = bytes(hex);
      assert.deepEqual([b[at], b[at + 2], b[at + 3]], [0x80, 0x47, 0x32]);
      assert.equal(upperLayerChecksum(b, at, b.length, 58, 2), 0x4732);
      assert.equal(referenceChecksum(b.subarray(8, 24), b.subarray(24, 40), 58, zeroed(b, at, 2)), 0x4732);
    });
  }

  it("does not depend on the extension headers in front of the upper layer", () => {
    const plain = bytes(`60000000000c3a40${ADDRS} ${ICMP}`);
    assert.equal(upperLayerChecksum(plain, 40, plain.length, 58, 2), 0x4732);
  });
});

describe("upperLayerChecksum() for UDP", () => {
  // UDP 4000 → 5000, length 12, data 69 6f 17 ca: the ones'-complement sum is 0xFFFF.
  const zeroSum = bytes(`60000000000c1140${ADDRS} | 0fa0 1388 000c 0000 | 696f 17ca`);

  it("sends a computed checksum of 0 as 0xFFFF (0 means no checksum in UDP)", () => {
    assert.equal(referenceChecksum(zeroSum.subarray(8, 24), zeroSum.subarray(24, 40), 17, zeroed(zeroSum, 40, 6)), 0);
    assert.equal(upperLayerChecksum(zeroSum, 40, zeroSum.length, 17, 6), 0xffff);
  });

  it("keeps a computed 0 as 0 for ICMPv6, which has no such rule", () => {
    const icmp = bytes(`60000000000c3a40${ADDRS} | 8000 0000 1234 0001 | 696f a89f`);
    assert.equal(referenceChecksum(icmp.subarray(8, 24), icmp.subarray(24, 40), 58, zeroed(icmp, 40, 2)), 0);
    assert.equal(upperLayerChecksum(icmp, 40, icmp.length, 58, 2), 0);
  });

  it("pads an odd-length upper layer with a zero octet", () => {
    const odd = bytes(`60000000000b1140${ADDRS} | 0fa0 1388 000b 0000 | 696f61`);
    const want = referenceChecksum(odd.subarray(8, 24), odd.subarray(24, 40), 17, zeroed(odd, 40, 6));
    assert.equal(upperLayerChecksum(odd, 40, odd.length, 17, 6), want);
  });
});

describe("upperLayerChecksum() behind a Segment Routing Header", () => {
  // IPv6 dst = the active segment 2001:db8::100; SRH (RFC 8754 §2): Segments Left 1, Last
  // Entry 1, Segment List[0] = 2001:db8::2 (the final destination, at byte 48), [1] = ::100.
  const FINAL = "20010db8000000000000000000000002";
  const ACTIVE = "20010db8000000000000000000000100";
  const srh = bytes(`60000000 0034 2b 40 ${SRC} ${ACTIVE} | 11 04 04 01 01 00 0000 | ${FINAL} | ${ACTIVE} | 0fa0 1388 000c b65c 696f616d`);

  it("uses Segment List[0] in the pseudo-header when finalDst points at it", () => {
    const want = referenceChecksum(bytes(SRC), bytes(FINAL), 17, zeroed(srh, 80, 6));
    assert.equal(want, 0xb65c);
    assert.equal(upperLayerChecksum(srh, 80, srh.length, 17, 6, 48), want);
  });

  it("gives a different value with the IPv6 destination, which is only the next segment", () => {
    const withActive = referenceChecksum(bytes(SRC), bytes(ACTIVE), 17, zeroed(srh, 80, 6));
    assert.notEqual(withActive, 0xb65c);
    assert.equal(upperLayerChecksum(srh, 80, srh.length, 17, 6), withActive);
  });
});
