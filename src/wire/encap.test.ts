// IPv6-in-IPv6 encapsulation, decapsulation and inline Hop-by-Hop insertion as Linux's ioam6
// lwtunnel does them (net/ipv6/ioam6_iptunnel.c). Packets and expected bytes
// are written by hand; the inner checksums were computed independently of ioamkit.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { readU16 } from "./_be.js";
import { upperLayerChecksum } from "./checksum.js";
import { decapsulateIpv6, encapsulateIpv6, insertHopByHop } from "./encap.js";
import { DecodeError } from "./errors.js";
import { hexToBytes } from "./hex.js";
import { parseOptionWords } from "./ioam/option-words.js";
import { decodePacket } from "./packet.js";

const ADDRS = "20010db8000000000000000000000001" + "20010db8000000000000000000000002";
function bytes(hex: string): Uint8Array {
  const b = hexToBytes(hex.replace(/[\s|]/g, ""));
  if (!b) throw new Error("bad hex in test vector");
  return b;
}
// UDP 4000 → 5000, "ioam", checksum 0xb65c; traffic class 0x2e, flow label 0x12345, hop limit 63.
const UDP = bytes(`62e12345 000c 11 3f ${ADDRS} | 0fa0 1388 000c b65c 696f616d`);
// ICMPv6 echo request of the worked packets (checksum 0x4732), no extension header.
const ICMP = bytes(`60000000 000c 3a 40 ${ADDRS} | 8000 4732 12340001 696f616d`);
// Worked packet (a): already has a Hop-by-Hop header.
const WITH_HBH = bytes(`60000000002c003e${ADDRS} 3a030100311600000001080180000000000000003e0000023f00000101020000 8000473212340001696f616d`);
// Linux's lwtunnel template (docs/worked-packets.md): trace prealloc type 0x800000 ns 123 size 4, after the Next Header octet.
const TEMPLATE_TAIL = "02 0100 310e0000 007b0801 80000000 00000000 01020000";
const TRACE = parseOptionWords("trace prealloc type 0x800000 ns 123 size 4".split(" "));
const OUTER = { src: "2001:db8:1::2", dst: "2001:db8:2::2" };

/** The checksum the upper layer of `packet` carries, and the one computed for it. */
function checksums(packet: Uint8Array): { carried: number; computed: number } {
  const r = decodePacket(packet);
  const at = r.upper.checksumAt;
  assert.ok(at !== undefined);
  return { carried: readU16(packet, r.upper.offset + at), computed: upperLayerChecksum(packet, r.upper.offset, packet.length, r.upper.protocol, at) };
}

describe("encapsulateIpv6()", () => {
  it("copies traffic class, flow label and hop limit from the inner header, as Linux does", () => {
    const out = encapsulateIpv6(UDP, { ...OUTER, hopByHop: TRACE });
    const h = decodePacket(out).ipv6;
    assert.deepEqual([h.trafficClass, h.flowLabel, h.hopLimit], [0x2e, 0x12345, 63]);
    assert.deepEqual([h.src, h.dst, h.nextHeader], ["2001:db8:1::2", "2001:db8:2::2", 0]);
    assert.deepEqual(out.subarray(0, 4), bytes("62e12345"));
  });

  it("takes hop limit, traffic class and flow label from the options when given", () => {
    const h = decodePacket(encapsulateIpv6(UDP, { ...OUTER, hopLimit: 255, trafficClass: 0, flowLabel: 7 })).ipv6;
    assert.deepEqual([h.trafficClass, h.flowLabel, h.hopLimit], [0, 7, 255]);
  });

  it("sets Payload Length to the outer Hop-by-Hop header plus the whole inner packet", () => {
    const out = encapsulateIpv6(UDP, { ...OUTER, hopByHop: TRACE });
    assert.equal(out.length, 40 + 24 + 52);
    assert.equal(readU16(out, 4), 24 + 52);
    const bare = encapsulateIpv6(UDP, OUTER);
    assert.equal(readU16(bare, 4), 52);
    assert.equal(bare[6], 41);
  });

  it("lays the outer Hop-by-Hop header out byte for byte as the Linux template, Next Header 41", () => {
    const out = encapsulateIpv6(ICMP, { ...OUTER, hopByHop: TRACE });
    assert.deepEqual(out.subarray(40, 64), bytes(`29 ${TEMPLATE_TAIL}`));
    assert.deepEqual(out.subarray(64), ICMP);
  });

  it("leaves the inner bytes untouched and ignores link padding after them", () => {
    const padded = new Uint8Array(UDP.length + 6).fill(0xee);
    padded.set(UDP);
    const copy = padded.slice();
    const out = encapsulateIpv6(padded, { ...OUTER, hopByHop: TRACE });
    assert.deepEqual(padded, copy);
    assert.deepEqual(out.subarray(64), UDP);
  });
});

describe("decapsulateIpv6()", () => {
  it("returns the inner packet of an encapsulation unchanged, as a view of the input", () => {
    for (const inner of [UDP, ICMP, WITH_HBH]) {
      const out = encapsulateIpv6(inner, { ...OUTER, hopByHop: TRACE });
      const d = decapsulateIpv6(out);
      assert.deepEqual(d.inner, inner);
      assert.equal(d.inner.buffer, out.buffer);
      assert.equal(d.inner.byteOffset, out.byteOffset + 64);
    }
  });

  it("returns the outer record with its IOAM trace for export", () => {
    const { outer } = decapsulateIpv6(encapsulateIpv6(UDP, { ...OUTER, hopByHop: TRACE }));
    const [t] = outer.options;
    assert.ok(t && t.kind === "trace");
    assert.deepEqual([t.namespaceId, t.traceType, t.nodeLen, t.remainingLen, t.offset], [123, 0x800000, 1, 1, 44]);
    assert.equal(outer.upper.protocol, 41);
    assert.equal(outer.ipv6.dst, "2001:db8:2::2");
  });

  it("decapsulates a packet without an outer Hop-by-Hop header", () => {
    assert.deepEqual(decapsulateIpv6(encapsulateIpv6(ICMP, OUTER)).inner, ICMP);
  });

  it("throws MALFORMED at the last Next Header for a packet that is not IPv6-in-IPv6", () => {
    const isMalformedAt = (offset: number) => (e: unknown) => e instanceof DecodeError && e.code === "MALFORMED" && e.offset === offset && /not IPv6-in-IPv6/.test(e.message);
    assert.throws(() => decapsulateIpv6(UDP), isMalformedAt(6));
    assert.throws(() => decapsulateIpv6(WITH_HBH), isMalformedAt(40));
  });

  it("throws MALFORMED when protocol 41 is followed by something that is not an IPv6 packet", () => {
    const bad = bytes(`60000000 0008 29 40 ${ADDRS} | 45000008 00000000`);
    assert.throws(() => decapsulateIpv6(bad), (e: unknown) => e instanceof DecodeError && e.code === "MALFORMED" && e.offset === 40);
  });

  it("throws MALFORMED for a fragment, which must be reassembled before decapsulation", () => {
    const frag = bytes(`60000000 0010 2c 40 ${ADDRS} | 29 00 0001 00000001 | 60000000 000c 3a 40`);
    assert.throws(() => decapsulateIpv6(frag), (e: unknown) => e instanceof DecodeError && e.code === "MALFORMED" && e.offset === 40);
  });

  it("keeps the inner UDP and ICMPv6 checksums valid through encap and decap", () => {
    for (const inner of [UDP, ICMP]) {
      const back = decapsulateIpv6(encapsulateIpv6(inner, { ...OUTER, hopByHop: TRACE })).inner;
      const c = checksums(back);
      assert.equal(c.computed, c.carried);
    }
    assert.deepEqual([checksums(UDP).carried, checksums(ICMP).carried], [0xb65c, 0x4732]);
  });
});

describe("insertHopByHop() (Linux inline mode)", () => {
  it("inserts the template right after the IPv6 header with the old Next Header inside it", () => {
    const out = insertHopByHop(UDP, TRACE);
    assert.ok(out);
    assert.deepEqual(out.subarray(0, 4), UDP.subarray(0, 4));
    assert.deepEqual([readU16(out, 4), out[6], out[7]], [12 + 24, 0, 63]);
    assert.deepEqual(out.subarray(8, 40), UDP.subarray(8, 40));
    assert.deepEqual(out.subarray(40, 64), bytes(`11 ${TEMPLATE_TAIL}`));
    assert.deepEqual(out.subarray(64), UDP.subarray(40));
  });

  it("returns undefined for a packet that already has a Hop-by-Hop header, as Linux skips it", () => {
    assert.equal(insertHopByHop(WITH_HBH, TRACE), undefined);
  });

  it("needs no checksum change: extension headers are not in the pseudo-header", () => {
    for (const [packet, carried] of [[UDP, 0xb65c], [ICMP, 0x4732]] as const) {
      const out = insertHopByHop(packet, TRACE);
      assert.ok(out);
      assert.deepEqual(checksums(out), { carried, computed: carried });
    }
  });
});
