// The ASCII writers against JavaScript's own number formatting. Both JSON paths (record and
// direct) use these, so direct-json.test.ts cannot catch a fault here: this file does.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SCRATCH, asciiPiece, putHexBytes, putHexDigits, putHexGroup, putPiece, putUint } from "./ascii-put.js";

const text = (b: Uint8Array, from: number, to: number) => String.fromCharCode(...b.subarray(from, to));
const viewOf = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);

describe("ascii-put", () => {
  it("putUint writes what String(n) does, for every length up to 2^53", () => {
    const b = new Uint8Array(32);
    const d = viewOf(b);
    const values: number[] = [];
    for (let n = 0; n < 100_000; n++) values.push(n);
    for (let p = 10; p <= 2 ** 53; p *= 10) values.push(p - 1, p, p + 1);
    for (let k = 0; k <= 53; k++) values.push(2 ** k - 1, 2 ** k);
    let x = 0x9e3779b9;
    for (let i = 0; i < 100_000; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      values.push(x, x * 2097152 + (i & 0x1fffff), Math.floor(x / (1 + (i % 1000))));
    }
    for (const n of values) {
      const end = putUint(d, 3, n);
      assert.equal(text(b, 3, end), String(n), `putUint(${n})`);
    }
  });

  it("putHexGroup, putHexDigits and putHexBytes write lowercase hex like toString(16)", () => {
    const b = new Uint8Array(64);
    const d = viewOf(b);
    for (let v = 0; v <= 0xffff; v++) assert.equal(text(b, 1, putHexGroup(d, 1, v)), v.toString(16));
    for (const [v, n] of [[0, 6], [0x800000, 6], [0xabcdef, 6], [0x1000, 4], [0xffffffff, 8], [5, 10]] as const) {
      assert.equal(text(b, 0, putHexDigits(d, 0, v, n)), v.toString(16).padStart(n, "0"));
    }
    const src = Uint8Array.from({ length: 256 }, (_, i) => i);
    const out = new Uint8Array(512 + SCRATCH);
    assert.equal(text(out, 0, putHexBytes(viewOf(out), 0, src, 0, 256)), Array.from(src, (v) => v.toString(16).padStart(2, "0")).join(""));
    assert.equal(putHexBytes(viewOf(out), 7, src, 3, 3), 7);
  });

  it("putPiece writes the text and returns the position after it; only scratch bytes beyond", () => {
    for (const piece of ["", "a", "ab", "abc", "abcd", ',"transitDelay":', '{"kind":"trace","variant":"prealloc","namespaceId":']) {
      const b = new Uint8Array(80).fill(0x2e);
      const end = putPiece(viewOf(b), 5, asciiPiece(piece));
      assert.equal(end, 5 + piece.length);
      assert.equal(text(b, 0, end), "....." + piece);
      assert.ok(b.subarray(end + SCRATCH).every((c) => c === 0x2e), "wrote beyond the scratch bytes");
    }
  });
});
