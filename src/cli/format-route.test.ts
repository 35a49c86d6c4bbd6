// Route lines written from iproute2's display rules (print_route, print_encap_ioam6; spec
// iproute2 ip/iproute_lwtunnel.c) for hand-built dumps. The root oracle test compares the same printer with ip itself.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseIpv6Address } from "../wire/ipv6-address.js";
import type { RouteEntry } from "../linux/rtnetlink/route-message.js";
import { encodeIoam6Encap, decodeIoam6Encap } from "../linux/rtnetlink/ioam6-encap.js";
import { AttrWriter } from "../linux/netlink/attrs.js";
import { ioam6EncapText, routeJson, routeLine } from "./format-route.js";

const addr = (s: string) => parseIpv6Address(s)!;
const names = new Map([[3, "veth0"]]);
const base: RouteEntry = { family: 10, dstLen: 64, srcLen: 0, tos: 0, table: 254, tableId: 254, protocol: 3, scope: 0, type: 1, flags: 0, dst: addr("2001:db8::"), oif: 3, priority: 1024, pref: 0 };
const inline = encodeIoam6Encap({ freq: { k: 1, n: 1 }, mode: "inline", trace: { traceType: 0x800000, namespaceId: 123, size: 4 } });

describe("routeLine()", () => {
  it("prints an inline ioam6 route as ip -6 route show", () => {
    assert.equal(routeLine({ ...base, encapType: 9, encap: inline }, names), "2001:db8::/64  encap ioam6 freq 1/1 mode inline trace prealloc type 0x800000 ns 123 size 4 dev veth0 metric 1024 pref medium");
  });

  it("prints tunsrc and tundst for encap mode, the gateway, and proto/flags/expires", () => {
    const encap = encodeIoam6Encap({ freq: { k: 3, n: 10 }, mode: "encap", tunsrc: addr("2001:db8::a"), tundst: addr("2001:db8::b"), trace: { traceType: 0x000002, namespaceId: 0, size: 244 } });
    const r: RouteEntry = { ...base, encapType: 9, encap, gateway: addr("fe80::1"), protocol: 4, flags: 4, expires: 12345 };
    assert.equal(routeLine(r, names), "2001:db8::/64  encap ioam6 freq 3/10 mode encap tunsrc 2001:db8::a tundst 2001:db8::b trace prealloc type 0x000002 ns 0 size 244 via fe80::1 dev veth0 proto static metric 1024 onlink expires 123sec pref medium");
  });

  it("prints host routes without /128, default, route types, unknown devices, and no pref", () => {
    const { pref: _p, ...noPref } = base;
    assert.equal(routeLine({ ...noPref, dst: addr("2001:db8::1"), dstLen: 128, oif: 9 }, names), "2001:db8::1 dev if9 metric 1024 ");
    const { dst: _d, ...noDst } = base;
    assert.equal(routeLine({ ...noDst, dstLen: 0, type: 7, protocol: 2, scope: 253 }, names), "unreachable default dev veth0 proto kernel scope link metric 1024 pref medium");
  });

  it("prints what print_encap_ioam6 prints for odd dumps", () => {
    const part = new AttrWriter().u32(4, 1).u32(5, 2).u8(1, 2).raw(3, Uint8Array.of(0, 1, 0, 1, 0, 0, 0, 0)).bytes();
    assert.equal(ioam6EncapText(decodeIoam6Encap(part)), "freq 1/2 "); // encap mode without DST: iproute2 stops
    const odd = new AttrWriter().u32(4, 1).u32(5, 1).u8(1, 7).raw(2, addr("::1")).raw(3, Uint8Array.of(0, 1, 0, 1, 0, 0, 0, 0)).bytes();
    assert.equal(ioam6EncapText(decodeIoam6Encap(odd)), "freq 1/1 mode <unknown> tundst ::1 trace prealloc type 00000000 ns 1 size 4 "); // printf %#08x of 0
  });
});

describe("routeJson()", () => {
  it("gives the route words as data", () => {
    assert.deepEqual(routeJson({ ...base, encapType: 9, encap: inline }, names), {
      dst: "2001:db8::/64",
      encap: { type: "ioam6", freq: "1/1", mode: "inline", trace: { kind: "prealloc", type: "0x800000", ns: 123, size: 4, nodeLen: 0 } },
      dev: "veth0", table: "main", proto: "boot", metric: 1024, pref: "medium",
    });
  });
});
