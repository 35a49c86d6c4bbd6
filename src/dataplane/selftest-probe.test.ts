// The self-test's packet edits, on a UDP packet: grow inserts a trace, fill writes one word
// in place, strip removes the header with a checksum valid for the new destination — checked
// with the codec's decoder and the upper-layer checksum.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildPacket } from "../wire/build.js";
import { upperLayerChecksum } from "../wire/checksum.js";
import { decodePacket } from "../wire/packet.js";
import { fill, grow, isFilled, isStripped, probePort, readdress, strip } from "./selftest-probe.js";

const original = buildPacket({ src: "fd00:5e1f::1", dst: "fd00:5e1f:9::1", options: [], upper: { kind: "udp", srcPort: 40123, dstPort: 7, data: new Uint8Array([1, 2, 3]) } });

describe("self-test probe edits", () => {
  it("grow → fill → strip gives back the original datagram, addressed to the host, checksum valid", () => {
    const grown = grow(original, "fd00:5e1f:9::2")!;
    const rec = decodePacket(grown);
    assert.equal(rec.ipv6.dst, "fd00:5e1f:9::2");
    assert.equal(rec.options[0]?.kind, "trace");
    assert.equal(probePort(grown), 40123);
    assert.equal(isFilled(grown), false);
    assert.equal(fill(grown, "fd00:5e1f:9::3"), true);
    assert.equal(isFilled(grown), true);
    assert.equal(decodePacket(grown).ipv6.dst, "fd00:5e1f:9::3");
    const stripped = strip(grown, "fd00:5e1f::1")!;
    assert.equal(stripped.length, original.length);
    assert.deepEqual(stripped.subarray(40, 46), original.subarray(40, 46), "UDP ports and length");
    assert.deepEqual(stripped.subarray(48), original.subarray(48), "UDP data");
    assert.equal(decodePacket(stripped).ipv6.dst, "fd00:5e1f::1");
    assert.equal(upperLayerChecksum(stripped, 40, stripped.length, 17, 6), (stripped[46]! << 8) | stripped[47]!);
    assert.equal(isStripped(stripped), true);
    readdress(stripped, "fd00:5e1f:9::4");
    assert.equal(decodePacket(stripped).ipv6.dst, "fd00:5e1f:9::4");
    assert.equal(upperLayerChecksum(stripped, 40, stripped.length, 17, 6), (stripped[46]! << 8) | stripped[47]!);
  });

  it("tells a stripped packet from one with padding after it or a header before it", () => {
    const padded = new Uint8Array(original.length + 8);
    padded.set(original);
    assert.equal(isStripped(original), true);
    assert.equal(isStripped(padded), false);
    assert.equal(isStripped(grow(original, "::1")!), false);
  });

  it("refuses what it cannot do: grow twice, fill or strip without a header", () => {
    assert.equal(grow(grow(original, "::1")!, "::1"), undefined);
    assert.equal(fill(original.slice(), "::1"), false);
    assert.equal(strip(original, "::1"), undefined);
    assert.equal(probePort(original.subarray(0, 41)), -1);
  });
});
