// NLMSG_ERROR as the kernel sends it with NETLINK_CAP_ACK and NETLINK_EXT_ACK
// (include/uapi/linux/netlink.h struct nlmsgerr, NLM_F_CAPPED, NLM_F_ACK_TLVS, NLMSGERR_ATTR_MSG).

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { hexToBytes } from "../../wire/hex.js";
import { readAck } from "./ack.js";

const hex = (s: string) => hexToBytes(s.replace(/#[^\n]*/g, "").replace(/\s+/g, ""))!;
const dvOf = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);

describe("readAck()", () => {
  it("reads an ACK: errno 0 and the request's sequence number", () => {
    const b = hex(`
      24 00 00 00 02 00 00 01 07 00 00 00 00 00 00 00   # NLMSG_ERROR, NLM_F_CAPPED
      00 00 00 00                                       # error 0
      1c 00 00 00 02 03 05 00 07 00 00 00 00 00 00 00   # the request's header, seq 7
    `);
    assert.deepEqual(readAck(b, dvOf(b), 0, b.length), { errno: 0, seq: 7, extack: undefined });
  });

  it("reads a refusal with the kernel's extended-ack message", () => {
    const b = hex(`
      30 00 00 00 02 00 00 03 09 00 00 00 00 00 00 00   # NLMSG_ERROR, CAPPED|ACK_TLVS
      ea ff ff ff                                       # error -22 (EINVAL)
      1c 00 00 00 02 03 05 00 09 00 00 00 00 00 00 00
      08 00 01 00 62 61 64 00                           # NLMSGERR_ATTR_MSG "bad"
      08 00 02 00 20 00 00 00                           # NLMSGERR_ATTR_OFFS (ignored)
    `);
    assert.deepEqual(readAck(b, dvOf(b), 0, b.length), { errno: 22, seq: 9, extack: "bad" });
  });

  it("skips an uncapped echo of the request before the attributes", () => {
    const b = hex(`
      34 00 00 00 02 00 00 02 09 00 00 00 00 00 00 00   # ACK_TLVS without CAPPED
      ff ff ff ff                                       # error -1 (EPERM)
      14 00 00 00 02 03 05 00 09 00 00 00 00 00 00 00 00 00 00 05   # the whole request (20 octets)
      08 00 01 00 6e 6f 21 00                           # "no!"
    `);
    assert.deepEqual(readAck(b, dvOf(b), 0, b.length), { errno: 1, seq: 9, extack: "no!" });
  });

  it("returns undefined for a message too short to hold an error", () => {
    const b = hex("14 00 00 00 02 00 00 00 01 00 00 00 00 00 00 00 00 00 00 00");
    assert.equal(readAck(b, dvOf(b), 0, b.length), undefined);
  });
});
