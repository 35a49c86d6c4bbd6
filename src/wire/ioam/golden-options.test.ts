// Golden bytes for the other IOAM option bodies: POT (RFC 9197 §4.5), E2E
// (§5, RFC 9197 §4.6), DEX (§6, RFC 9326 §3), an unknown IOAM-Opt-Type, and options too
// short for their type (RFC 9197 §4.5–§4.6, RFC 9326 §3). Written by hand, never by our encoder.
//
// +---------------+---------------+---------------+---------------+
// |  Option Type  | Opt Data Len  |   Reserved    | IOAM-Opt-Type |
// +-------------------------------+---------------+---------------+
// |         Namespace-ID          | POT Type      | POT Flags     |  POT (2): + PktID(64) Cumulative(64)
// |         Namespace-ID          |        IOAM-E2E-Type (16)     |  E2E (3): + fields in bit order
// |         Namespace-ID          |     Flags     |Extension-Flags|  DEX (4): + Trace-Type(24) Reserved(8)
// +-------------------------------+---------------+---------------+           + 4 octets per Ext-Flag bit
//
// Issue and error offsets are from the Option Type octet.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DecodeError, type Issue } from "../errors.js";
import type { ExtHeaderKind, IoamOption } from "./option.js";
import { GUARD_BYTE, decodeGolden, goldenBytes, reencodeGolden } from "./_golden-support.js";

/** Decodes the hex, checks the issues, re-encodes into a guarded buffer; returns the option. */
function golden(hex: string, issues: Issue[], header: ExtHeaderKind = "hop"): IoamOption {
  const b = goldenBytes(hex);
  const o = decodeGolden(b, header);
  assert.deepEqual(o.issues, issues);
  const { end, written, guard } = reencodeGolden(o, b.length);
  assert.equal(end, b.length);
  assert.deepEqual(written, b);
  assert.ok(guard.every((x) => x === GUARD_BYTE), "nothing is written past the option");
  return o;
}

describe("golden POT bytes", () => {
  it("decodes and re-encodes POT type 0 (PktID and Cumulative)", () => {
    const o = golden("31 16 00 02 | 00 01 00 00 | 01 23 45 67 89 ab cd ef | fe dc ba 98 76 54 32 10", []);
    assert.ok(o.kind === "pot");
    assert.deepEqual([o.namespaceId, o.potType, o.flags], [1, 0, 0]);
    assert.equal(o.random, 0x0123456789abcdefn);
    assert.equal(o.cumulative, 0xfedcba9876543210n);
    assert.equal(o.data, undefined);
  });

  it("keeps the data of an unknown POT type (7, flags 0x5a) byte for byte", () => {
    const o = golden("31 0e 00 02 | 00 02 07 5a | 11 22 33 44 55 66 77 88", [{ code: "UNKNOWN_POT_TYPE", offset: 6 }]);
    assert.ok(o.kind === "pot");
    assert.deepEqual([o.namespaceId, o.potType, o.flags], [2, 7, 0x5a]);
    assert.deepEqual(o.data, new Uint8Array([0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88]));
    assert.equal(o.random, undefined);
  });

  it("keeps a POT type 0 body of the wrong size as data with a MALFORMED issue", () => {
    const o = golden("31 12 00 02 | 00 01 00 00 | 00 00 00 01 00 00 00 02 00 00 00 03", [{ code: "MALFORMED", offset: 6 }]);
    assert.ok(o.kind === "pot");
    assert.deepEqual(o.data, new Uint8Array([0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3]));
  });
});

describe("golden E2E bytes (option 0x11 in a Destination Options header)", () => {
  it("decodes and re-encodes bit 0 alone: a 64-bit sequence number", () => {
    const o = golden("11 0e 00 03 | 00 01 80 00 | 00 00 00 01 00 00 00 02", [], "dest");
    assert.ok(o.kind === "e2e");
    assert.deepEqual([o.e2eType, o.seq64, o.seq32, o.tsSec, o.tsFrac], [0x8000, 0x100000002n, undefined, undefined, undefined]);
  });

  it("decodes and re-encodes bit 1 alone: a 32-bit sequence number", () => {
    const o = golden("11 0a 00 03 | 00 01 40 00 | 00 00 00 2a", [], "dest");
    assert.ok(o.kind === "e2e");
    assert.deepEqual([o.e2eType, o.seq64, o.seq32, o.tsSec, o.tsFrac], [0x4000, undefined, 42, undefined, undefined]);
  });

  it("decodes and re-encodes bit 2 alone: timestamp seconds", () => {
    const o = golden("11 0a 00 03 | 00 01 20 00 | 65 53 f1 00", [], "dest");
    assert.ok(o.kind === "e2e");
    assert.deepEqual([o.e2eType, o.seq64, o.seq32, o.tsSec, o.tsFrac], [0x2000, undefined, undefined, 1_700_000_000, undefined]);
  });

  it("decodes and re-encodes bit 3 alone: timestamp fraction", () => {
    const o = golden("11 0a 00 03 | 00 01 10 00 | 1d cd 65 00", [], "dest");
    assert.ok(o.kind === "e2e");
    assert.deepEqual([o.e2eType, o.seq64, o.seq32, o.tsSec, o.tsFrac], [0x1000, undefined, undefined, undefined, 500_000_000]);
  });

  it("decodes all four bits in bit order and reports both sequence bits", () => {
    const o = golden("11 1a 00 03 | 00 01 f0 00 | 00 00 00 01 00 00 00 02 | 00 00 00 2a | 65 53 f1 00 | 1d cd 65 00", [{ code: "BOTH_SEQ_BITS", offset: 6 }], "dest");
    assert.ok(o.kind === "e2e");
    assert.deepEqual([o.e2eType, o.seq64, o.seq32, o.tsSec, o.tsFrac], [0xf000, 0x100000002n, 42, 1_700_000_000, 500_000_000]);
  });

  it("reports undefined bits 4–15, which carry no data", () => {
    const o = golden("11 0a 00 03 | 00 01 48 01 | 00 00 00 07", [{ code: "UNDEFINED_E2E_BITS", offset: 6 }], "dest");
    assert.ok(o.kind === "e2e");
    assert.deepEqual([o.e2eType, o.seq32, o.rawData], [0x4801, 7, undefined]);
    const only = golden("11 06 00 03 | 00 01 0f ff", [{ code: "UNDEFINED_E2E_BITS", offset: 6 }], "dest");
    assert.ok(only.kind === "e2e");
    assert.equal(only.e2eType, 0x0fff);
  });
});

describe("golden DEX bytes (option 0x11 in a Hop-by-Hop header)", () => {
  it("decodes and re-encodes Extension-Flags 0: the 8-octet header only", () => {
    const o = golden("11 0a 00 04 | 00 01 00 00 | c0 00 00 00", []);
    assert.ok(o.kind === "dex");
    assert.deepEqual([o.namespaceId, o.flags, o.extFlags, o.traceType, o.reserved], [1, 0, 0, 0xc00000, 0]);
    assert.deepEqual([o.flowId, o.seq, o.extWords], [undefined, undefined, undefined]);
  });

  it("decodes and re-encodes Extension-Flags 0x80: the Flow ID", () => {
    const o = golden("11 0e 00 04 | 00 01 00 80 | 80 00 00 00 | 00 00 00 07", []);
    assert.ok(o.kind === "dex");
    assert.deepEqual([o.extFlags, o.traceType, o.flowId, o.seq], [0x80, 0x800000, 7, undefined]);
  });

  it("decodes and re-encodes Extension-Flags 0x40: the Sequence Number", () => {
    const o = golden("11 0e 00 04 | 00 01 00 40 | 80 00 00 00 | 00 00 00 09", []);
    assert.ok(o.kind === "dex");
    assert.deepEqual([o.extFlags, o.flowId, o.seq], [0x40, undefined, 9]);
  });

  it("decodes and re-encodes Extension-Flags 0xC0: Flow ID then Sequence Number", () => {
    const o = golden("11 12 00 04 | 00 01 00 c0 | c0 00 00 00 | 00 00 00 07 | 00 00 00 09", []);
    assert.ok(o.kind === "dex");
    assert.deepEqual([o.extFlags, o.flowId, o.seq, o.extWords], [0xc0, 7, 9, undefined]);
  });

  it("keeps the word of an unknown Extension-Flag 0x20 in extWords", () => {
    const o = golden("11 0e 00 04 | 00 01 00 20 | 80 00 00 00 | de ad be ef", []);
    assert.ok(o.kind === "dex");
    assert.deepEqual([o.extFlags, o.flowId, o.seq, o.extWords], [0x20, undefined, undefined, [0xdeadbeef]]);
    const mixed = golden("11 12 00 04 | 00 01 00 a0 | 80 00 00 00 | 00 00 00 07 | 00 00 00 63", []);
    assert.ok(mixed.kind === "dex");
    assert.deepEqual([mixed.flowId, mixed.extWords], [7, [0x63]]);
  });
});

describe("golden bytes of an unknown IOAM-Opt-Type", () => {
  it("keeps type 9's body raw and byte-exact", () => {
    const o = golden("31 06 00 09 | 00 01 ab cd", []);
    assert.ok(o.kind === "unknown");
    assert.equal(o.ioamType, 9);
    assert.deepEqual(o.raw, new Uint8Array([0x00, 0x01, 0xab, 0xcd]));
  });
});

// Opt Data Len too short for each type's fixed header (or for the fields it announces).
const TOO_SHORT: Array<[what: string, hex: string, offset: number]> = [
  ["any IOAM option with Opt Data Len 1", "31 01 00", 1],
  ["a Pre-allocated Trace with a 7-octet body", "31 09 00 00 | 00 01 08 00 | 80 00 00", 4],
  ["an Incremental Trace with a 7-octet body", "31 09 00 01 | 00 01 08 00 | 80 00 00", 4],
  ["a POT with a 3-octet body", "31 05 00 02 | 00 01 00", 4],
  ["an E2E with a 3-octet body", "11 05 00 03 | 00 01 40", 4],
  ["an E2E whose type announces 4 data octets that are missing", "11 06 00 03 | 00 01 40 00", 6],
  ["a DEX with a 7-octet body", "11 09 00 04 | 00 01 00 00 | c0 00 00", 4],
  ["a DEX whose Extension-Flags announce 8 octets with 4 present", "11 0e 00 04 | 00 01 00 c0 | c0 00 00 00 | 00 00 00 07", 7],
];

describe("golden bytes of options too short for their type", () => {
  for (const [what, hex, offset] of TOO_SHORT) {
    it(`throws DecodeError MALFORMED at byte ${offset} for ${what}`, () => {
      const b = goldenBytes(hex);
      assert.throws(() => decodeGolden(b, "hop"), (e: unknown) => e instanceof DecodeError && e.code === "MALFORMED" && e.offset === offset && e.layer === "ioam");
    });
  }
});
