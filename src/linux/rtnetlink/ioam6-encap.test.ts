// The IOAM6_IPTUNNEL_* attributes against bytes written by hand from include/uapi/linux/ioam6_iptunnel.h
// (numbers, lengths, iproute2's order FREQ_K, FREQ_N, MODE, [SRC], [DST], TRACE) and the
// trace header layout of RFC 9197 §4.4.1 (type << 8, RemainingLen = size / 4, NodeLen left to the kernel).

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError } from "../../errors.js";
import { hexToBytes } from "../../wire/hex.js";
import { parseIpv6Address } from "../../wire/ipv6-address.js";
import { type Ioam6Encap, decodeIoam6Encap, encodeIoam6Encap, ioam6EncapFromAttrs, ioam6EncapProblems, readIoam6TraceHeader } from "./ioam6-encap.js";

const hex = (s: string) => hexToBytes(s.replace(/#[^\n]*/g, "").replace(/\s+/g, ""))!;
const addr = (s: string) => parseIpv6Address(s)!;
const inline: Ioam6Encap = { freq: { k: 1, n: 1 }, mode: "inline", trace: { traceType: 0x800000, namespaceId: 123, size: 4 } };

describe("encodeIoam6Encap()", () => {
  it("writes an inline trace as include/uapi/linux/ioam6_iptunnel.h lays it out", () => {
    assert.deepEqual(encodeIoam6Encap(inline), hex(`
      08 00 04 00 01 00 00 00   # FREQ_K = 1
      08 00 05 00 01 00 00 00   # FREQ_N = 1
      05 00 01 00 01 00 00 00   # MODE = 1 (inline), padded to 4
      0c 00 03 00 00 7b 00 01 80 00 00 00   # TRACE: ns 123, NodeLen/flags 0, RemainingLen 1, type 0x800000 << 8
    `));
  });

  it("writes tunsrc before tundst, with every value at its limit", () => {
    const e: Ioam6Encap = { freq: { k: 1_000_000, n: 1_000_000 }, mode: "encap", tunsrc: addr("2001:db8::a"), tundst: addr("2001:db8::b"), trace: { traceType: 0xfff002, namespaceId: 65535, size: 244 } };
    assert.deepEqual(encodeIoam6Encap(e), hex(`
      08 00 04 00 40 42 0f 00   # FREQ_K = 1000000 (host order)
      08 00 05 00 40 42 0f 00   # FREQ_N
      05 00 01 00 02 00 00 00   # MODE = 2 (encap)
      14 00 06 00 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 0a   # SRC
      14 00 02 00 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 0b   # DST
      0c 00 03 00 ff ff 00 3d ff f0 02 00   # TRACE: RemainingLen 61, type 0xfff002
    `));
  });

  it("leaves tunsrc out when not given (auto mode)", () => {
    const e: Ioam6Encap = { freq: { k: 3, n: 10 }, mode: "auto", tundst: addr("2001:db8::2"), trace: { traceType: 0x000002, namespaceId: 0, size: 8 } };
    assert.deepEqual(encodeIoam6Encap(e), hex(`
      08 00 04 00 03 00 00 00  08 00 05 00 0a 00 00 00  05 00 01 00 03 00 00 00
      14 00 02 00 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 02
      0c 00 03 00 00 00 00 02 00 00 02 00
    `));
  });

  it("refuses what the kernel refuses, naming the word", () => {
    const bad = (e: Partial<Ioam6Encap>, word: string) => {
      const full = { ...inline, ...e } as Ioam6Encap;
      assert.equal(ioam6EncapProblems(full)[0]?.word, word, JSON.stringify(e, (_k, v) => (v instanceof Uint8Array ? [...v] : v)));
      assert.throws(() => encodeIoam6Encap(full), (x: unknown) => x instanceof ConfigError && x.path === word);
    };
    bad({ freq: { k: 2, n: 1 } }, "freq");
    bad({ freq: { k: 0, n: 1 } }, "freq");
    bad({ freq: { k: 1, n: 1_000_001 } }, "freq");
    bad({ tundst: addr("2001:db8::1") }, "tundst");
    bad({ tunsrc: addr("2001:db8::1") }, "tunsrc");
    bad({ mode: "encap" }, "tundst");
    bad({ mode: "encap", tundst: addr("::") }, "tundst");
    bad({ mode: "auto", tundst: addr("2001:db8::1"), tunsrc: addr("::") }, "tunsrc");
    bad({ trace: { traceType: 0, namespaceId: 1, size: 4 } }, "type");
    bad({ trace: { traceType: 0x1000000, namespaceId: 1, size: 4 } }, "type");
    bad({ trace: { traceType: 0x000800, namespaceId: 1, size: 4 } }, "type"); // bit 12
    bad({ trace: { traceType: 0x000001, namespaceId: 1, size: 4 } }, "type"); // bit 23
    bad({ trace: { traceType: 0x800000, namespaceId: 65536, size: 4 } }, "ns");
    bad({ trace: { traceType: 0x800000, namespaceId: 1, size: 0 } }, "size");
    bad({ trace: { traceType: 0x800000, namespaceId: 1, size: 6 } }, "size");
    bad({ trace: { traceType: 0x800000, namespaceId: 1, size: 248 } }, "size");
  });
});

describe("decodeIoam6Encap()", () => {
  it("reads a dump in the kernel's order, with the NodeLen the kernel computed", () => {
    const dump = hex(`
      08 00 04 00 01 00 00 00  08 00 05 00 02 00 00 00  05 00 01 00 02 00 00 00
      14 00 06 00 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 0a
      14 00 02 00 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 0b
      0c 00 03 00 00 7b 18 03 f0 00 00 00   # NodeLen 3 (0x18 >> 3), RemainingLen 3
    `);
    const a = decodeIoam6Encap(dump);
    assert.deepEqual(a, { freqK: 1, freqN: 2, mode: 2, src: addr("2001:db8::a"), dst: addr("2001:db8::b"), trace: hex("00 7b 18 03 f0 00 00 00") });
    assert.deepEqual(readIoam6TraceHeader(a.trace!), { namespaceId: 123, nodeLen: 3, size: 12, traceType: 0xf00000 });
    assert.deepEqual(ioam6EncapFromAttrs(a), { freq: { k: 1, n: 2 }, mode: "encap", tunsrc: addr("2001:db8::a"), tundst: addr("2001:db8::b"), trace: { namespaceId: 123, size: 12, traceType: 0xf00000 } });
  });

  it("round-trips what it encodes, and leaves out attributes of the wrong length", () => {
    assert.deepEqual(ioam6EncapFromAttrs(decodeIoam6Encap(encodeIoam6Encap(inline))), inline);
    assert.deepEqual(decodeIoam6Encap(hex("06 00 03 00 00 7b 00 00  05 00 01 00 01 00 00 00")), { mode: 1 });
    assert.equal(ioam6EncapFromAttrs({ mode: 1 }), undefined);
  });
});
