// JsonBytes writes JSON that JSON.parse reads back to the same values.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { JsonBytes } from "./json-bytes.js";

describe("JsonBytes", () => {
  it("writes integers up to 2^53, strings with escapes and hex that JSON.parse reads back", () => {
    const w = new JsonBytes(4); // forces growth
    const ints = [0, 9, 10, 99, 100, 4294967295, 2 ** 53 - 1];
    w.ascii('{"ints":[');
    ints.forEach((n, i) => (i && w.byte(0x2c), w.uint(n)));
    w.ascii('],"s":');
    w.str('a"b\\c\n\u00e9\u2603');
    w.ascii(',"h":');
    w.hexBytes(Uint8Array.of(0, 0xab, 0xff));
    w.ascii(',"n":');
    w.hexNum(0xffffffffffffffn, 14);
    w.ascii(',"t":');
    w.text(JSON.stringify("caf\u00e9"));
    w.ascii("}");
    assert.deepEqual(JSON.parse(w.toString()), { ints, s: 'a"b\\c\n\u00e9\u2603', h: "0x00abff", n: "0xffffffffffffff", t: "caf\u00e9" });
  });
  it("pads hexNum to the width and handles 64-bit bigints", () => {
    const w = new JsonBytes();
    w.hexNum(0x800000, 6);
    w.hexNum(1n, 16);
    w.hexNum(0xfedcba9876543210n, 16);
    assert.equal(w.toString(), '"0x800000""0x0000000000000001""0xfedcba9876543210"');
  });
});
