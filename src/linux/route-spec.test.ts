// Route words: any order gives the same route, iproute2's defaults, and one UsageError naming
// the word for each thing iproute2 or the kernel would refuse.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { UsageError } from "../errors.js";
import { parseIpv6Address } from "../wire/ipv6-address.js";
import { parseRouteWords } from "./route-spec.js";

const words = (line: string) => line.split(/\s+/).filter(Boolean);
const parse = (line: string, purpose: "add" | "del" = "add") => parseRouteWords(words(line), purpose);
const addr = (s: string) => parseIpv6Address(s)!;

describe("parseRouteWords()", () => {
  it("reads iproute2's order with its defaults (freq 1/1, mode inline)", () => {
    const { spec, order } = parse("2001:db8::/64 encap ioam6 trace prealloc type 0x800000 ns 123 size 4 dev veth0");
    assert.deepEqual(spec, { dst: { address: addr("2001:db8::"), length: 64 }, dev: "veth0", encap: { freq: { k: 1, n: 1 }, mode: "inline", trace: { traceType: 0x800000, namespaceId: 123, size: 4 } } });
    assert.deepEqual(order, ["dst", "encap"]);
  });

  it("gives the same route for the words in any order", () => {
    const a = parse("2001:db8::/64 encap ioam6 freq 2/7 mode encap tunsrc 2001:db8::a tundst 2001:db8::b trace prealloc type 0xf00000 ns 7 size 64 via fe80::1 dev v0 metric 5");
    const b = parse("metric 5 dev v0 size 64 tundst 2001:db8::b trace prealloc ns 7 via fe80::1 mode encap freq 2/7 type 0xf00000 tunsrc 2001:db8::a to 2001:db8::/64 encap ioam6");
    assert.deepEqual(b.spec, a.spec);
    assert.deepEqual(b.order, ["metric", "via", "dst", "encap"]);
  });

  it("reads numbers as iproute2 does (0x hex, leading-0 octal) and prefixes default, /128", () => {
    const { spec } = parse("default encap ioam6 trace prealloc type 8388608 ns 0x10 size 010");
    assert.deepEqual(spec.dst, { address: new Uint8Array(16), length: 0 });
    assert.deepEqual(parse("any encap ioam6 trace prealloc type 0x800000 ns 1 size 4", "del").spec.dst, { length: 0 });
    assert.deepEqual(spec.encap?.trace, { traceType: 0x800000, namespaceId: 16, size: 8 });
    assert.deepEqual(parse("2001:db8::1 encap ioam6 trace prealloc type 0x800000 ns 1 size 4").spec.dst, { address: addr("2001:db8::1"), length: 128 });
  });

  it("deletes without encap words", () => {
    assert.deepEqual(parse("2001:db8::/64 dev v0", "del").spec, { dst: { address: addr("2001:db8::"), length: 64 }, dev: "v0" });
  });

  const BAD: Array<[string, RegExp]> = [
    ["2001:db8::/64 dev v0", /missing encap ioam6/],
    ["encap ioam6 trace prealloc type 0x800000 ns 1 size 4", /missing PREFIX/],
    ["2001:db8::/64 encap seg6 mode encap", /encap "seg6"/],
    ["2001:db8::/64 encap ioam6 type 0x800000 ns 1 size 4", /missing trace prealloc/],
    ["2001:db8::/64 encap ioam6 trace incremental type 0x800000 ns 1 size 4", /trace "incremental"/],
    ["2001:db8::/64 encap ioam6 trace prealloc ns 1 size 4", /missing "type"/],
    ["2001:db8::/64 encap ioam6 trace prealloc type 0x800000 size 4", /missing "ns"/],
    ["2001:db8::/64 encap ioam6 trace prealloc type 0x800000 ns 1", /missing "size"/],
    ["2001:db8::/64 encap ioam6 trace prealloc type 0 ns 1 size 4", /^type "0": /],
    ["2001:db8::/64 encap ioam6 trace prealloc type 0x1000000 ns 1 size 4", /^type "0x1000000" is above 16777215, the largest value here/],
    ["2001:db8::/64 encap ioam6 trace prealloc type 0x000800 ns 1 size 4", /^type "0x000800": .*undefined bits/],
    ["2001:db8::/64 encap ioam6 trace prealloc type 0x000001 ns 1 size 4", /^type "0x000001": .*reserved bit 23/],
    ["2001:db8::/64 encap ioam6 trace prealloc type zz ns 1 size 4", /^type "zz"/],
    ["2001:db8::/64 encap ioam6 trace prealloc type 0x800000 ns 65536 size 4", /^ns "65536"/],
    ["2001:db8::/64 encap ioam6 trace prealloc type 0x800000 ns 1 size 6", /^size "6": .*multiple of 4/],
    ["2001:db8::/64 encap ioam6 trace prealloc type 0x800000 ns 1 size 248", /^size "248": .*244/],
    ["2001:db8::/64 encap ioam6 trace prealloc type 0x800000 ns 1 size 0", /^size "0"/],
    ["2001:db8::/64 encap ioam6 freq 3/2 trace prealloc type 0x800000 ns 1 size 4", /^freq "3\/2": k must not exceed n/],
    ["2001:db8::/64 encap ioam6 freq 0/2 trace prealloc type 0x800000 ns 1 size 4", /^freq "0\/2"/],
    ["2001:db8::/64 encap ioam6 freq 1/1000001 trace prealloc type 0x800000 ns 1 size 4", /^freq "1\/1000001"/],
    ["2001:db8::/64 encap ioam6 freq 1/2/3 trace prealloc type 0x800000 ns 1 size 4", /^freq "1\/2\/3" is not K\/N/],
    ["2001:db8::/64 encap ioam6 mode tunnel trace prealloc type 0x800000 ns 1 size 4", /^mode "tunnel"/],
    ["2001:db8::/64 encap ioam6 mode encap trace prealloc type 0x800000 ns 1 size 4", /mode encap needs a tunnel destination/],
    ["2001:db8::/64 encap ioam6 tundst 2001:db8::1 trace prealloc type 0x800000 ns 1 size 4", /^tundst "2001:db8::1": inline mode does not need tundst/],
    ["2001:db8::/64 encap ioam6 tunsrc 2001:db8::1 trace prealloc type 0x800000 ns 1 size 4", /^tunsrc "2001:db8::1": inline mode/],
    ["2001:db8::/64 encap ioam6 mode auto tundst 10.0.0.1 trace prealloc type 0x800000 ns 1 size 4", /^tundst "10.0.0.1" is not an IPv6 address/],
    ["2001:db8::/64 encap ioam6 mode auto tundst :: trace prealloc type 0x800000 ns 1 size 4", /^tundst "::": .*not ::/],
    ["2001:db8::/64 encap ioam6 trace prealloc type 0x800000 ns 1 size 4 ns 2", /"ns" given twice/],
    ["2001:db8::/64 encap ioam6 trace prealloc type 0x800000 ns 1 size", /"size" needs a value/],
    ["2001:db8::/64 2001:db8:1::/64 encap ioam6 trace prealloc type 0x800000 ns 1 size 4", /unexpected word "2001:db8:1::\/64"/],
    ["10.0.0.0/8 encap ioam6 trace prealloc type 0x800000 ns 1 size 4", /"10.0.0.0\/8" is not an IPv6 prefix/],
    ["2001:db8::/129 encap ioam6 trace prealloc type 0x800000 ns 1 size 4", /length must be from 0 to 128/],
    ["2001:db8::/64 encap ioam6 trace prealloc type 0x800000 ns 1 size 4 via nowhere", /^via "nowhere"/],
    ["2001:db8::/64 encap ioam6 trace prealloc type 0x800000 ns 1 size 4 metric -1", /^metric "-1"/],
  ];
  for (const [line, message] of BAD) {
    it(`refuses: ${line}`, () => assert.throws(() => parse(line), (e: unknown) => e instanceof UsageError && message.test(e.message)));
  }
  it("refuses encap words on a delete without encap ioam6", () => {
    assert.throws(() => parse("2001:db8::/64 ns 1", "del"), /"ns" belongs to encap ioam6/);
  });
});
