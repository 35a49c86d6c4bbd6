// NFQNL_MSG_PACKET parsing against messages written by hand in the layout of
// include/uapi/linux/netfilter/nfnetlink_queue.h (struct nfqnl_msg_packet_hdr,
// nfqnl_msg_packet_timestamp, NFQA_*), cut at every length.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { hexToBytes } from "../../wire/hex.js";
import { NF_INET_HOOK, NFQA_SKB } from "./constants.js";
import { NFQ_PARSE, NfqPacketView } from "./packet-view.js";

const hex = (s: string) => hexToBytes(s.replace(/#[^\n]*/g, "").replace(/\s+/g, ""))!;

const IPV6 = "60 00 00 00 00 00 3b 40" + " 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01".repeat(2);
const PACKET = hex(`
  94 00 00 00 00 03 00 00 00 00 00 00 00 00 00 00   # len 148, (3<<8)|PACKET, seq 0, port 0
  0a 00 00 02                                       # nfgenmsg: AF_INET6, v0, queue 2
  0b 00 01 00 00 00 00 2a 86 dd 00 00               # NFQA_PACKET_HDR: id 42, ETH_P_IPV6, hook PRE_ROUTING, pad
  08 00 05 00 00 00 00 03                           # NFQA_IFINDEX_INDEV 3
  08 00 06 00 00 00 00 04                           # NFQA_IFINDEX_OUTDEV 4
  08 00 03 00 00 00 01 00                           # NFQA_MARK 256
  14 00 04 00 00 00 00 00 68 f8 4c a0 00 00 00 00 00 01 e2 40   # NFQA_TIMESTAMP 1761103008 s, 123456 us
  08 00 0e 00 00 00 00 04                           # NFQA_SKB_INFO CSUM_NOTVERIFIED
  08 00 0d 00 00 00 05 dc                           # NFQA_CAP_LEN 1500
  0c 00 99 80 de ad be ef de ad be ef               # unknown type 0x99, NLA_F_NESTED set: skipped
  2c 00 0a 00 ${IPV6}                               # NFQA_PAYLOAD: 40 octets
`);

describe("NfqPacketView", () => {
  it("reads every attribute of a packet message", () => {
    const v = new NfqPacketView(PACKET);
    assert.equal(v.reset(0, PACKET.length), NFQ_PARSE.OK);
    assert.deepEqual(
      { queue: v.queue, id: v.id, hw: v.hwProtocol, hook: v.hook, in: v.indev, out: v.outdev, mark: v.mark, ts: [v.hasTimestamp, v.tsSec, v.tsUsec], skb: v.skbInfo, cap: v.capLen },
      { queue: 2, id: 42, hw: 0x86dd, hook: NF_INET_HOOK.PRE_ROUTING, in: 3, out: 4, mark: 256, ts: [true, 1761103008, 123456], skb: NFQA_SKB.CSUM_NOTVERIFIED, cap: 1500 },
    );
    assert.equal(v.payloadOffset, PACKET.length - 40);
    assert.equal(v.payloadLength, 40);
    assert.equal(v.packetLength, 1500);
    assert.equal(v.complete, false, "the copy range cut it (CAP_LEN > copied)");
    assert.equal(v.truncated, false);
  });

  it("resets every field between messages", () => {
    const minimal = hex(`
      20 00 00 00 00 03 00 00 00 00 00 00 00 00 00 00
      0a 00 00 07
      0b 00 01 00 00 00 00 09 86 dd 03 00               # id 9, hook LOCAL_OUT
    `);
    const both = new Uint8Array(PACKET.length + minimal.length);
    both.set(PACKET);
    both.set(minimal, PACKET.length);
    const v = new NfqPacketView(both);
    v.reset(0, PACKET.length);
    assert.equal(v.reset(PACKET.length, minimal.length), NFQ_PARSE.OK);
    assert.deepEqual([v.queue, v.id, v.hook, v.indev, v.outdev, v.mark, v.hasTimestamp, v.capLen, v.payloadLength], [7, 9, NF_INET_HOOK.LOCAL_OUT, 0, 0, 0, false, 0, 0]);
  });

  it("says NOT_PACKET for another message type and MALFORMED without a packet header", () => {
    const ack = hex("24 00 00 00 02 00 00 01 05 00 00 00 00 00 00 00 00 00 00 00 1c 00 00 00 02 03 05 00 05 00 00 00 00 00 00 00");
    assert.equal(new NfqPacketView(ack).reset(0, ack.length), NFQ_PARSE.NOT_PACKET);
    const headerless = hex("1c 00 00 00 00 03 00 00 00 00 00 00 00 00 00 00 0a 00 00 00 08 00 05 00 00 00 00 03");
    assert.equal(new NfqPacketView(headerless).reset(0, headerless.length), NFQ_PARSE.MALFORMED);
  });

  it("never reads outside a message cut at any length, and flags a cut payload", () => {
    for (let cut = 0; cut <= PACKET.length; cut++) {
      const bytes = PACKET.slice(0, cut);
      const v = new NfqPacketView(bytes);
      const r = v.reset(0, cut);
      if (cut < 20) assert.equal(r, NFQ_PARSE.NOT_PACKET, `cut ${cut}`);
      else if (cut < 31) assert.equal(r, NFQ_PARSE.MALFORMED, `cut ${cut}`);
      else {
        assert.equal(r, NFQ_PARSE.OK, `cut ${cut}`);
        assert.equal(v.id, 42);
        assert.equal(v.truncated, cut < PACKET.length, `cut ${cut}`);
        assert.ok(v.payloadOffset + v.payloadLength <= cut, `cut ${cut}: payload within the bytes`);
      }
    }
  });

  it("stops at an attribute whose length is below its header", () => {
    const bad = PACKET.slice();
    bad[32] = 2; // NFQA_IFINDEX_INDEV length 2
    const v = new NfqPacketView(bad);
    assert.equal(v.reset(0, bad.length), NFQ_PARSE.OK);
    assert.equal(v.indev, 0);
    assert.equal(v.payloadLength, 0);
  });
});
