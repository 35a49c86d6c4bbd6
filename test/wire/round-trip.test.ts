// Property tests: encode and decode are inverse on every valid packet, and the fast-path scanner
// finds exactly the options the record decoder reports.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { buildPacket } from "../../src/wire/build.js";
import { IoamScanner } from "../../src/wire/ioam-scan.js";
import { decodePacket, encodePacket } from "../../src/wire/packet.js";
import { packetToJson } from "../../src/wire/json/record-json.js";
import { packetFromJson } from "../../src/wire/json/record-from-json.js";
import { packetArb } from "../fixtures/ioam-arbitraries.js";

const RUNS = { seed: 4242, numRuns: 400 };

describe("encodePacket() and decodePacket()", () => {
  it("give back the bytes of every valid packet: encode(decode(x)) = x", () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 10_000 }).chain(packetArb), (spec) => {
      const bytes = buildPacket(spec);
      assert.deepEqual(encodePacket(decodePacket(bytes)), bytes);
    }), RUNS);
  });

  it("are stable: decode(encode(decode(x))) deep-equals decode(x)", () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 10_000 }).chain(packetArb), (spec) => {
      const once = decodePacket(buildPacket(spec));
      assert.deepEqual(decodePacket(encodePacket(once)), once);
    }), RUNS);
  });

  it("survive the canonical JSON record: decode --json --payload | encode --from-json", () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 10_000 }).chain(packetArb), (spec) => {
      const bytes = buildPacket(spec);
      const json = JSON.parse(packetToJson(decodePacket(bytes), true)) as unknown;
      assert.deepEqual(encodePacket(packetFromJson(json)), bytes);
    }), RUNS);
  });
});

describe("IoamScanner", () => {
  it("stops at exactly the options decodePacket() reports, at the same offsets", () => {
    const scan = new IoamScanner();
    fc.assert(fc.property(fc.integer({ min: 0, max: 10_000 }).chain(packetArb), (spec) => {
      const bytes = buildPacket(spec);
      const offsets: number[] = [];
      assert.ok(scan.reset(bytes));
      while (scan.next()) offsets.push(scan.optionOffset);
      assert.equal(scan.error, 0);
      assert.deepEqual(offsets, decodePacket(bytes).options.map((o) => o.offset));
    }), RUNS);
  });
});
