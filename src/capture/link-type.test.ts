// Link-layer headers around IPv6, with frames written out from the tcpdump.org LINKTYPE
// pages (Ethernet II + 802.1Q/802.1ad, SLL, SLL2, NULL), never from wrapIpv6.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { IoamError } from "../errors.js";
import { DecodeError } from "../wire/errors.js";
import { hexToBytes } from "../wire/hex.js";
import { ipv6Echo } from "./_test-support.js";
import { LINKTYPE, ipv6Offset, wrapIpv6 } from "./link-type.js";

function hex(text: string): Uint8Array {
  const b = hexToBytes(text.replace(/\s+/g, ""));
  if (!b) throw new Error("bad hex in test vector");
  return b;
}

const IP6 = "6000000000083a40"; // first 8 bytes of an IPv6 header; enough for the offset
const MACS = "020000000001 020000000002";

describe("ipv6Offset()", () => {
  it("finds IPv6 after an untagged Ethernet header", () => {
    assert.equal(ipv6Offset(LINKTYPE.ETHERNET, hex(`${MACS} 86dd ${IP6}`)), 14);
  });

  it("skips one 802.1Q tag and two stacked 802.1ad + 802.1Q tags", () => {
    assert.equal(ipv6Offset(LINKTYPE.ETHERNET, hex(`${MACS} 8100 0064 86dd ${IP6}`)), 18);
    assert.equal(ipv6Offset(LINKTYPE.ETHERNET, hex(`${MACS} 88a8 00c8 8100 0064 86dd ${IP6}`)), 22);
  });

  it("returns -1 for IPv4, for three VLAN tags and for a cut Ethernet header", () => {
    assert.equal(ipv6Offset(LINKTYPE.ETHERNET, hex(`${MACS} 0800 4500`)), -1);
    assert.equal(ipv6Offset(LINKTYPE.ETHERNET, hex(`${MACS} 88a8 0001 8100 0002 8100 0003 86dd ${IP6}`)), -1);
    assert.equal(ipv6Offset(LINKTYPE.ETHERNET, hex(`${MACS} 86`)), -1);
    assert.equal(ipv6Offset(LINKTYPE.ETHERNET, hex(`${MACS} 8100 0064`)), -1);
  });

  it("accepts raw IP (101, 12, 14) only when the version nibble is 6", () => {
    for (const lt of [LINKTYPE.RAW, 12, 14]) {
      assert.equal(ipv6Offset(lt, hex(IP6)), 0);
      assert.equal(ipv6Offset(lt, hex("4500001c")), -1);
      assert.equal(ipv6Offset(lt, new Uint8Array(0)), -1);
    }
  });

  it("always puts IPv6 at 0 for LINKTYPE_IPV6", () => {
    assert.equal(ipv6Offset(LINKTYPE.IPV6, hex(IP6)), 0);
  });

  it("reads the SLL protocol at offset 14 and skips 16 bytes", () => {
    const sll = "0000 0001 0006 020000000001 0000";
    assert.equal(ipv6Offset(LINKTYPE.LINUX_SLL, hex(`${sll} 86dd ${IP6}`)), 16);
    assert.equal(ipv6Offset(LINKTYPE.LINUX_SLL, hex(`${sll} 0800 4500`)), -1);
    assert.equal(ipv6Offset(LINKTYPE.LINUX_SLL, hex(sll)), -1);
  });

  it("reads the SLL2 protocol at offset 0 and skips 20 bytes", () => {
    const rest = "0000 00000002 0001 00 06 020000000001 0000";
    assert.equal(ipv6Offset(LINKTYPE.LINUX_SLL2, hex(`86dd ${rest} ${IP6}`)), 20);
    assert.equal(ipv6Offset(LINKTYPE.LINUX_SLL2, hex(`0800 ${rest} 4500`)), -1);
    assert.equal(ipv6Offset(LINKTYPE.LINUX_SLL2, hex("86dd 0000")), -1);
  });

  it("accepts every AF_INET6 value of LINKTYPE_NULL in either byte order", () => {
    for (const af of [10, 24, 28, 30]) {
      const le = Uint8Array.of(af, 0, 0, 0, 0x60);
      const be = Uint8Array.of(0, 0, 0, af, 0x60);
      assert.equal(ipv6Offset(LINKTYPE.NULL, le), 4, `AF ${af} little-endian`);
      assert.equal(ipv6Offset(LINKTYPE.NULL, be), 4, `AF ${af} big-endian`);
    }
    assert.equal(ipv6Offset(LINKTYPE.NULL, hex("02000000 4500")), -1, "AF_INET");
    assert.equal(ipv6Offset(LINKTYPE.NULL, hex("180000")), -1, "cut header");
  });

  it("returns -1 for a link type it does not know", () => {
    assert.equal(ipv6Offset(105, hex(`${MACS} 86dd ${IP6}`)), -1);
  });
});

describe("wrapIpv6()", () => {
  const pkt = ipv6Echo(1);

  it("builds Ethernet with zero MACs and EtherType 0x86dd", () => {
    const f = wrapIpv6(LINKTYPE.ETHERNET, pkt);
    assert.deepEqual(f.subarray(0, 14), hex("000000000000 000000000000 86dd"));
    assert.deepEqual(f.subarray(14), pkt);
  });

  it("builds SLL and SLL2 headers with protocol 0x86dd", () => {
    assert.deepEqual(wrapIpv6(LINKTYPE.LINUX_SLL, pkt).subarray(0, 16), hex("0000 0001 0006 0000000000000000 86dd"));
    assert.deepEqual(
      wrapIpv6(LINKTYPE.LINUX_SLL2, pkt).subarray(0, 20),
      hex("86dd 0000 00000000 0001 00 06 0000000000000000"),
    );
  });

  it("builds a NULL header with AF_INET6 24 and returns raw packets as they are", () => {
    assert.deepEqual(wrapIpv6(LINKTYPE.NULL, pkt).subarray(0, 4), hex("18000000"));
    assert.equal(wrapIpv6(LINKTYPE.RAW, pkt), pkt);
    assert.equal(wrapIpv6(LINKTYPE.IPV6, pkt), pkt);
  });

  it("makes frames in which ipv6Offset() finds the packet again, for every link type", () => {
    for (const lt of [...Object.values(LINKTYPE), 12, 14]) {
      const f = wrapIpv6(lt, pkt);
      const o = ipv6Offset(lt, f);
      assert.ok(o >= 0, `link type ${lt}`);
      assert.deepEqual(f.subarray(o), pkt);
    }
  });

  it("throws a typed error for a link type it cannot build", () => {
    assert.throws(() => wrapIpv6(105, pkt), (e: unknown) => e instanceof IoamError && !(e instanceof DecodeError));
  });
});
