// The data plane's longest-prefix match against hand-made routes.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseIpv6Address } from "../wire/ipv6-address.js";
import { LOCAL_ROUTE, NO_ROUTE, RouteTable, inPrefix } from "./route-table.js";

const a = (t: string) => parseIpv6Address(t)!;

describe("RouteTable", () => {
  const t = new RouteTable({
    routes: [
      { dst: a("::"), len: 0, oif: 2, local: false },
      { dst: a("2001:db8::"), len: 32, oif: 3, local: false, mtu: 1400 },
      { dst: a("2001:db8:1::"), len: 48, oif: 4, local: false },
      { dst: a("2001:db8:1::1"), len: 128, oif: 4, local: true },
      { dst: a("2001:db8:ff80::"), len: 41, oif: 5, local: false },
    ],
    names: new Map([[2, "up"], [3, "east"], [4, "west"], [5, "odd"]]),
    mtus: new Map([[2, 1500], [3, 9000], [4, 1280]]),
  });
  const look = (x: string) => t.lookup(a(x), 0);

  it("takes the longest matching prefix, the default last", () => {
    assert.equal(t.egressName(look("2001:db8:1::7")), "west");
    assert.equal(t.egressName(look("2001:db8:2::7")), "east");
    assert.equal(t.egressName(look("2001:db9::1")), "up");
  });

  it("matches prefixes that end inside an octet", () => {
    assert.equal(t.egressName(look("2001:db8:ff80::1")), "odd");
    assert.equal(t.egressName(look("2001:db8:ff00::1")), "east", "bit 41 is 0, the prefix says 1");
    assert.equal(t.egressName(look("2001:db8:ff80:8000::")), "odd");
  });

  it("says local for this node's own addresses: no egress (the fill's loopback case)", () => {
    const r = look("2001:db8:1::1");
    assert.equal(t.oif(r), LOCAL_ROUTE);
    assert.equal(t.egressName(r), undefined);
  });

  it("gives the route's MTU metric, else its interface's", () => {
    assert.equal(t.mtu(look("2001:db8:2::7")), 1400);
    assert.equal(t.mtu(look("2001:db8:1::7")), 1280);
    assert.equal(t.mtu(NO_ROUTE), undefined);
  });

  it("finds nothing without a default route", () => {
    assert.equal(new RouteTable({ routes: [], names: new Map(), mtus: new Map() }).lookup(a("::1"), 0), NO_ROUTE);
  });

  it("inPrefix() compares whole octets and the leading bits of the last", () => {
    assert.ok(inPrefix(a("2001:db8:ff80::1"), 0, a("2001:db8:ff80::"), 41));
    assert.ok(!inPrefix(a("2001:db8:ffc0::1"), 0, a("2001:db8:ff80::"), 42));
    assert.ok(inPrefix(a("fe80::1"), 0, a("::"), 0));
  });
});
