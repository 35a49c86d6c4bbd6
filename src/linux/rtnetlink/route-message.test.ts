// Route requests against what `ip -6 route` 6.1 sent for the same lines (captured with
// strace -e write=all, sequence number zeroed, and the two padding octets after
// RTA_ENCAP_TYPE zeroed: iproute2 leaves stack bytes there), and dumps decoded field by field.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { hexToBytes } from "../../wire/hex.js";
import { NLM_F, encodeMessage } from "../netlink/message.js";
import { parseRouteWords } from "../route-spec.js";
import { RTA, decodeRouteMessage, encodeRouteRequest } from "./route-message.js";
import { decodeIoam6Encap } from "./ioam6-encap.js";

const hex = (s: string) => hexToBytes(s.replace(/#[^\n]*/g, "").replace(/\s+/g, ""))!;

function message(line: string, purpose: "add" | "del", oif: number | undefined): Uint8Array {
  const { spec, order } = parseRouteWords(line.split(" "), purpose);
  const r = encodeRouteRequest(purpose, spec, oif, order);
  return encodeMessage(r.type, r.flags | NLM_F.REQUEST | NLM_F.ACK, 0, r.payload);
}

describe("encodeRouteRequest()", () => {
  it("adds as ip -6 route add does: header, RTA_DST, RTA_ENCAP then RTA_ENCAP_TYPE, RTA_OIF", () => {
    assert.deepEqual(message("2001:db8::/64 encap ioam6 trace prealloc type 0x800000 ns 123 size 4 dev vA", "add", 3), hex(`
      68 00 00 00 18 00 05 06 00 00 00 00 00 00 00 00   # len 104, RTM_NEWROUTE, REQUEST|ACK|EXCL|CREATE
      0a 40 00 00 fe 03 00 01 00 00 00 00               # inet6 /64, table main, proto boot, scope universe, unicast
      14 00 01 00 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 00
      28 00 16 80                                       # RTA_ENCAP | NLA_F_NESTED
        08 00 04 00 01 00 00 00 08 00 05 00 01 00 00 00 05 00 01 00 01 00 00 00
        0c 00 03 00 00 7b 00 01 80 00 00 00
      06 00 15 00 09 00 00 00                           # RTA_ENCAP_TYPE = 9 (ioam6)
      08 00 04 00 03 00 00 00                           # RTA_OIF = 3
    `));
  });

  it("keeps the words' order for via and metric, as iproute2 does", () => {
    assert.deepEqual(message("2001:db8::/64 encap ioam6 trace prealloc type 0x800000 ns 123 size 4 via 2001:db8:1::2 metric 10 dev vA", "add", 3), hex(`
      84 00 00 00 18 00 05 06 00 00 00 00 00 00 00 00
      0a 40 00 00 fe 03 00 01 00 00 00 00
      14 00 01 00 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 00
      28 00 16 80 08 00 04 00 01 00 00 00 08 00 05 00 01 00 00 00 05 00 01 00 01 00 00 00
        0c 00 03 00 00 7b 00 01 80 00 00 00
      06 00 15 00 09 00 00 00
      14 00 05 00 20 01 0d b8 00 01 00 00 00 00 00 00 00 00 00 02   # RTA_GATEWAY
      08 00 06 00 0a 00 00 00                                       # RTA_PRIORITY = 10
      08 00 04 00 03 00 00 00
    `));
    const shuffled = message("metric 10 via 2001:db8:1::2 dev vA encap ioam6 size 4 ns 123 type 0x800000 trace prealloc 2001:db8::/64", "add", 3);
    assert.deepEqual(attrTypes(shuffled), [RTA.PRIORITY, RTA.GATEWAY, RTA.ENCAP, RTA.ENCAP_TYPE, RTA.DST, RTA.OIF]);
  });

  it("deletes as ip -6 route del does: protocol, scope and type 0, no CREATE|EXCL", () => {
    assert.deepEqual(message("2001:db8::/64 dev vA", "del", 3), hex(`
      38 00 00 00 19 00 05 00 00 00 00 00 00 00 00 00
      0a 40 00 00 fe 00 00 00 00 00 00 00
      14 00 01 00 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 00
      08 00 04 00 03 00 00 00
    `));
  });

  it("sends :: for default, no RTA_DST for any, and /128 for a bare address (as iproute2's get_prefix)", () => {
    assert.deepEqual(attrTypes(message("default encap ioam6 trace prealloc type 0x800000 ns 1 size 4 dev x", "add", 7)), [RTA.DST, RTA.ENCAP, RTA.ENCAP_TYPE, RTA.OIF]);
    assert.deepEqual(attrTypes(message("any dev x", "del", 7)), [RTA.OIF]);
    assert.equal(message("2001:db8::1 encap ioam6 trace prealloc type 0x800000 ns 1 size 4", "add", undefined)[17], 128);
  });
});

function attrTypes(msg: Uint8Array): number[] {
  const dv = new DataView(msg.buffer, msg.byteOffset, msg.byteLength);
  const out: number[] = [];
  for (let o = 28; o + 4 <= msg.length; o += (dv.getUint16(o, true) + 3) & ~3) out.push(dv.getUint16(o + 2, true) & 0x3fff);
  return out;
}

describe("decodeRouteMessage()", () => {
  it("reads a route dump with every attribute the printers use", () => {
    const r = decodeRouteMessage(hex(`
      0a 40 00 00 fe 03 00 01 04 00 00 00              # /64 main boot universe unicast, flags onlink
      08 00 0f 00 fe 00 00 00                          # RTA_TABLE 254
      14 00 01 00 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 00
      08 00 06 00 00 04 00 00                          # RTA_PRIORITY 1024
      08 00 04 00 05 00 00 00                          # RTA_OIF 5
      14 00 05 00 20 01 0d b8 00 01 00 00 00 00 00 00 00 00 00 02
      24 00 0c 00 00 00 00 00 00 00 00 00 10 27 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
      05 00 14 00 00 00 00 00                          # RTA_PREF medium
      06 00 15 00 09 00 00 00
      1c 00 16 80 08 00 04 00 01 00 00 00 08 00 05 00 01 00 00 00 05 00 01 00 01 00 00 00
    `))!;
    assert.equal(r.dstLen, 64);
    assert.equal(r.tableId, 254);
    assert.equal(r.priority, 1024);
    assert.equal(r.oif, 5);
    assert.equal(r.flags, 4);
    assert.equal(r.expires, 10000);
    assert.equal(r.pref, 0);
    assert.equal(r.encapType, 9);
    assert.deepEqual(decodeIoam6Encap(r.encap!), { freqK: 1, freqN: 1, mode: 1 });
    assert.equal(decodeRouteMessage(new Uint8Array(11)), undefined);
  });
});
