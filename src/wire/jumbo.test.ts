// Jumbograms (RFC 2675): Payload Length 0 and a Jumbo Payload option in the Hop-by-Hop header.
// The packets are written out here byte by byte; expected lengths are counted by hand.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DecodeError } from "./errors.js";
import { ipv6PacketEnd, jumboPayloadLength } from "./jumbo.js";
import { decodePacket } from "./packet.js";

const DATA = 70_000;
/** HbH of 24 octets: Next Header UDP, Hdr Ext Len 2, Jumbo Payload (offset 2), IOAM trace (offset 8), PadN 2. */
function jumbogram(jumboValue?: number, dataLength = DATA): Uint8Array {
  const hbh = [
    17, 2, // Next Header UDP, 24 octets
    0xc2, 4, 0, 0, 0, 0, // Jumbo Payload, value filled below (RFC 2675 §2: at 4n+2)
    0x31, 14, 0, 0, // IOAM option, Opt Data Len 14, reserved, Pre-allocated Trace
    0, 1, 0x08, 0, 0x80, 0, 0, 0, // ns 1, NodeLen 1, RemainingLen 0, type 0x800000
    63, 0, 0, 1, // node: hop limit 63, id 1
  ];
  const udp = [0x04, 0xd2, 0, 9, 0, 0, 0, 0]; // 1234 → 9, Length 0 (RFC 2675 §4), no checksum
  const b = new Uint8Array(40 + hbh.length + udp.length + dataLength);
  b.set([0x60, 0, 0, 0, 0, 0, 0, 64]); // Payload Length 0, Next Header Hop-by-Hop
  b[23] = 1;
  b[39] = 2;
  b.set(hbh, 40);
  b.set(udp, 40 + hbh.length);
  const v = jumboValue ?? hbh.length + udp.length + dataLength; // 70032
  new DataView(b.buffer).setUint32(44, v);
  return b;
}

describe("jumboPayloadLength()", () => {
  it("reads the option's value when Payload Length is 0", () => {
    assert.equal(jumboPayloadLength(jumbogram()), 70_032);
  });
  it("is undefined for a packet with a Payload Length, or without the option", () => {
    const withLength = jumbogram();
    withLength[5] = 8;
    assert.equal(jumboPayloadLength(withLength), undefined);
    const without = jumbogram();
    without[42] = 0x1e; // the option becomes an unknown skippable one
    assert.equal(jumboPayloadLength(without), undefined);
  });
});

describe("decodePacket() of a jumbogram", () => {
  it("decodes every header and the 70,000 data octets, as tshark does", () => {
    const rec = decodePacket(jumbogram());
    assert.equal(rec.ipv6.payloadLength, 0);
    assert.equal(rec.upper.protocol, 17);
    assert.equal(rec.upper.offset, 64);
    assert.equal(rec.upper.length, 8 + DATA);
    assert.equal(rec.payload.length, 8 + DATA);
    assert.equal(rec.options.length, 1);
    const t = rec.options[0]!;
    assert.ok(t.kind === "trace");
    assert.deepEqual(t.nodes, [{ hopLimit: 63, nodeId: 1 }]);
    assert.deepEqual(t.issues, []);
  });

  it("ignores bytes after the jumbo length, and refuses a length past the bytes", () => {
    const padded = new Uint8Array(jumbogram().length + 100);
    padded.set(jumbogram());
    assert.equal(ipv6PacketEnd(padded), 40 + 70_032);
    const short = jumbogram(70_033);
    assert.throws(() => decodePacket(short), (e: unknown) => e instanceof DecodeError && e.code === "TRUNCATED" && e.offset === short.length);
  });

  it("still refuses Payload Length 0 without a Jumbo Payload option (the header runs past the payload)", () => {
    const without = jumbogram();
    without[42] = 0x1e;
    assert.throws(() => decodePacket(without), (e: unknown) => e instanceof DecodeError && e.code === "TRUNCATED" && e.offset === 40);
  });
});
