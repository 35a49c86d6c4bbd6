// linuxTraceConfigProblems() refuses what the kernel's trace template validation refuses.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { linuxTraceConfigProblems } from "./trace-config.js";

describe("linuxTraceConfigProblems()", () => {
  it("accepts bits 0–11 and 22 with sizes 4..244 in steps of 4", () => {
    for (let bit = 0; bit <= 11; bit++) assert.deepEqual(linuxTraceConfigProblems(0x800000 >>> bit, 4), []);
    assert.deepEqual(linuxTraceConfigProblems(0x000002, 4), []);
    for (let size = 4; size <= 244; size += 4) assert.deepEqual(linuxTraceConfigProblems(0x800000, size), []);
  });
  it("refuses type 0, bits 12–21 and 23, and sizes 0, 246, 248", () => {
    assert.deepEqual(linuxTraceConfigProblems(0, 4), ["type-zero"]);
    for (let bit = 12; bit <= 21; bit++) assert.deepEqual(linuxTraceConfigProblems(0x800000 >>> bit, 4), ["undefined-bits"]);
    assert.deepEqual(linuxTraceConfigProblems(0x000001, 4), ["reserved-bit"]);
    assert.deepEqual(linuxTraceConfigProblems(0x800000, 0), ["size-zero"]);
    assert.deepEqual(linuxTraceConfigProblems(0x800000, 246), ["size-not-multiple-of-4"]);
    assert.deepEqual(linuxTraceConfigProblems(0x800000, 248), ["size-too-large"]);
  });
});
