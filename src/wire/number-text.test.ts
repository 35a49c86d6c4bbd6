// The number rules against what their anchors do: C notation as strtoul(3) base 0 with
// iproute2's and sysctl's refusal of trailing characters, hex as strtoull base 16, seconds as
// a decimal fraction. Expected values are written out, not computed by the parsers.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { cNumberProblem, parseCNumber, parseHexNumber, parseSeconds, parseUint } from "./number-text.js";

describe("parseCNumber() reads C notation (strtoul base 0) as iproute2 and sysctl do", () => {
  const cases: Array<[string, bigint | undefined]> = [
    ["0", 0n],
    ["00", 0n],
    ["7", 7n],
    ["010", 8n], // octal, as `ip ioam namespace add 010` and `sysctl -w …ioam6_id=010`
    ["0777", 511n],
    ["0x10", 16n],
    ["0X1f", 31n],
    ["4294967295", 4294967295n],
    ["09", undefined], // octal with a non-octal digit: iproute2 and sysctl refuse it
    ["08", undefined],
    ["0x", undefined],
    ["0xg", undefined],
    ["", undefined],
    [" 1", undefined],
    ["1 ", undefined],
    ["+1", undefined],
    ["-1", undefined],
    ["1e3", undefined],
    ["1.0", undefined],
    ["12abc", undefined],
  ];
  for (const [text, want] of cases) {
    it(`"${text}" → ${want ?? "refused"}`, () => assert.equal(parseCNumber(text, 0xffffffffn), want));
  }

  it("refuses a value above max, whatever its notation", () => {
    assert.equal(parseCNumber("65536", 0xffffn), undefined);
    assert.equal(parseCNumber("0x10000", 0xffffn), undefined);
    assert.equal(parseCNumber("0200000", 0xffffn), undefined);
    assert.equal(parseCNumber("0177777", 0xffffn), 65535n);
    assert.equal(parseUint("4294967296", 0xffffffff), undefined);
  });

  it("keeps 64-bit values exact", () => {
    assert.equal(parseCNumber("18446744073709551615", 0xffffffffffffffffn), 0xffffffffffffffffn);
    assert.equal(parseCNumber("18446744073709551616", 0xffffffffffffffffn), undefined);
  });
});

describe("parseHexNumber() reads hex as ip ioam reads a namespace's wide data (base 16)", () => {
  it("takes digits with or without 0x", () => {
    assert.equal(parseHexNumber("cafe", 0xffffn), 0xcafen);
    assert.equal(parseHexNumber("0xCAFE", 0xffffn), 0xcafen);
    assert.equal(parseHexNumber("010", 0xffffn), 16n);
  });
  it("refuses anything else and values above max", () => {
    for (const t of ["", "0x", "g1", "12 ", "-1", "1_0"]) assert.equal(parseHexNumber(t, 0xffffn), undefined, t);
    assert.equal(parseHexNumber("10000", 0xffffn), undefined);
  });
});

describe("parseSeconds() reads SEC[.FRACTION] as a decimal time", () => {
  it("reads the fraction as a fraction of a second, in nanoseconds", () => {
    assert.deepEqual(parseSeconds("1.5", 0xffffffff), { sec: 1, nsec: 500_000_000, hasFraction: true });
    assert.deepEqual(parseSeconds("1.05", 0xffffffff), { sec: 1, nsec: 50_000_000, hasFraction: true });
    assert.deepEqual(parseSeconds("1.000000001", 0xffffffff), { sec: 1, nsec: 1, hasFraction: true });
    assert.deepEqual(parseSeconds("1700000000", 0xffffffff), { sec: 1_700_000_000, nsec: 0, hasFraction: false });
  });
  it("refuses more precision than a nanosecond, seconds above max, and other text", () => {
    for (const t of ["1.5000000000", "4294967296", "1.", ".5", "0x10", "01", "1,5", "-1"]) assert.equal(parseSeconds(t, 0xffffffff), undefined, t);
  });
});

describe("cNumberProblem() says why a word is not a number", () => {
  it("names the largest value, the octal trap, or the notations", () => {
    assert.equal(cNumberProblem("10", 0xffn), undefined);
    assert.equal(cNumberProblem("256", 0xffn), "is above 255, the largest value here");
    assert.equal(cNumberProblem("0x100", 0xffn), "is above 255, the largest value here");
    assert.match(cNumberProblem("09", 0xffn)!, /leading 0 means octal .* write 9 for decimal/);
    assert.match(cNumberProblem("ten", 0xffn)!, /is not a number \(write 0x1f hex, 017 octal or 31 decimal\)/);
  });
});
