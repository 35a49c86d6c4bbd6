// transportOffset(): where the kernel's transport header sits when NFQUEUE takes a packet —
// after Hop-by-Hop only before routing (ipv6_rcv, ipv6_parse_hopopts), after the whole chain
// on output — so that a shorter replacement can be padded to it.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { transportOffset } from "./packet-path.js";

/** IPv6 header with next header `nh`, then the given extension headers and 8 octets of UDP. */
function packet(nh: number, ...exts: Array<[next: number, octets: number]>): Uint8Array {
  const len = 40 + exts.reduce((n, [, l]) => n + l, 0) + 8;
  const b = new Uint8Array(len + 4); // 4 octets of another packet after it
  b[0] = 0x60;
  b[6] = nh;
  let pos = 40;
  for (const [next, octets] of exts) {
    b[pos] = next;
    b[pos + 1] = octets / 8 - 1;
    pos += octets;
  }
  return b.subarray(0, len);
}

describe("transportOffset()", () => {
  it("is 40 for a packet without extension headers, at every stage", () => {
    const p = packet(17);
    for (const s of ["prerouting", "input", "forward", "output", "postrouting"] as const) assert.equal(transportOffset(p, 0, p.length, s), 40);
  });

  it("is after Hop-by-Hop only before routing, after the whole chain on output", () => {
    const p = packet(0, [60, 16], [17, 24]); // HbH 16, DestOpts 24, UDP
    assert.equal(transportOffset(p, 0, p.length, "prerouting"), 56);
    assert.equal(transportOffset(p, 0, p.length, "forward"), 56);
    assert.equal(transportOffset(p, 0, p.length, "output"), 80);
    assert.equal(transportOffset(p, 0, p.length, "postrouting"), 80);
  });

  it("is 40 before routing when the first header is not Hop-by-Hop", () => {
    const p = packet(60, [17, 8]);
    assert.equal(transportOffset(p, 0, p.length, "prerouting"), 40);
    assert.equal(transportOffset(p, 0, p.length, "output"), 48);
  });

  it("counts a Fragment header as 8 octets whatever its second octet", () => {
    const p = packet(44, [17, 8]);
    p[41] = 0xff;
    assert.equal(transportOffset(p, 0, p.length, "output"), 48);
  });

  it("works at an offset, and says the whole length for a header that runs past the end", () => {
    const inner = packet(0, [17, 16]);
    const b = new Uint8Array(10 + inner.length);
    b.set(inner, 10);
    assert.equal(transportOffset(b, 10, inner.length, "prerouting"), 56);
    assert.equal(transportOffset(b, 10, 50, "prerouting"), 50);
    assert.equal(transportOffset(b, 10, 30, "output"), 30);
  });
});
