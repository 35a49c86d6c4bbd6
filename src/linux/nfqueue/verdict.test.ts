// VERDICT and VERDICT_BATCH messages against bytes written by hand from
// include/uapi/linux/netfilter/nfnetlink_queue.h (struct nfqnl_msg_verdict_hdr, NFQA_*),
// written into a 0xAA-filled buffer so that every octet is checked, padding included.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { hexToBytes } from "../../wire/hex.js";
import { MAX_PAYLOAD, NF_VERDICT } from "./constants.js";
import { VERDICT_PAYLOAD_OFFSET, VerdictWriter, verdictLength } from "./verdict.js";

const hex = (s: string) => hexToBytes(s.replace(/#[^\n]*/g, "").replace(/\s+/g, ""))!;

function dirtyWriter(capacity = 256): VerdictWriter {
  const w = new VerdictWriter(capacity);
  w.bytes.fill(0xaa);
  return w;
}

const ACCEPT_Q1 = `
  20 00 00 00 01 03 01 00 00 00 00 00 00 00 00 00   # len 32, (3<<8)|VERDICT, REQUEST (no ACK), seq 0, port 0
  00 00 00 01                                       # nfgenmsg: AF_UNSPEC, v0, queue 1
  0c 00 02 00 00 00 00 01 0a 0b 0c 0d               # NFQA_VERDICT_HDR: NF_ACCEPT, id 0x0a0b0c0d
`;

describe("VerdictWriter", () => {
  it("writes an accept without payload", () => {
    const w = dirtyWriter();
    assert.equal(w.verdict(1, 0x0a0b0c0d, NF_VERDICT.ACCEPT), true);
    assert.deepEqual(w.bytes.subarray(0, w.length), hex(ACCEPT_Q1));
    assert.equal(w.bytes[w.length], 0xaa, "nothing written past the message");
  });

  it("writes a replacement payload after the header, zero-padded to 4", () => {
    const w = dirtyWriter();
    const at = w.reserve(1, 0x0a0b0c0d, NF_VERDICT.ACCEPT, 5);
    assert.equal(at, VERDICT_PAYLOAD_OFFSET);
    w.bytes.set([0x60, 0, 0, 0, 0xbb], at);
    assert.deepEqual(w.bytes.subarray(0, w.length), hex(`
      29 00 00 00 01 03 01 00 00 00 00 00 00 00 00 00   # len 41 (unpadded)
      00 00 00 01
      0c 00 02 00 00 00 00 01 0a 0b 0c 0d
      09 00 0a 00 60 00 00 00 bb 00 00 00               # NFQA_PAYLOAD, 5 octets, 3 of padding
    `));
  });

  it("writes a drop with NFQA_MARK before the payload", () => {
    const w = dirtyWriter();
    assert.equal(w.reserve(0xfffe, 1, NF_VERDICT.DROP, 0, 0x11223344), VERDICT_PAYLOAD_OFFSET + 8);
    assert.deepEqual(w.bytes.subarray(0, w.length), hex(`
      2c 00 00 00 01 03 01 00 00 00 00 00 00 00 00 00
      00 00 ff fe
      0c 00 02 00 00 00 00 00 00 00 00 01               # NF_DROP, id 1
      08 00 03 00 11 22 33 44                           # NFQA_MARK
      04 00 0a 00                                       # empty NFQA_PAYLOAD
    `));
  });

  it("writes a verdict batch for every id up to the given one", () => {
    const w = dirtyWriter();
    assert.equal(w.batch(3, 99, NF_VERDICT.ACCEPT), true);
    assert.deepEqual(w.bytes.subarray(0, w.length), hex(`
      20 00 00 00 03 03 01 00 00 00 00 00 00 00 00 00   # (3<<8)|VERDICT_BATCH
      00 00 00 03
      0c 00 02 00 00 00 00 01 00 00 00 63
    `));
  });

  it("packs several messages at 4-aligned offsets and says when it is full", () => {
    const w = dirtyWriter(32 + verdictLength(5));
    assert.ok(w.reserve(1, 1, NF_VERDICT.ACCEPT, 5) > 0);
    assert.equal(w.verdict(1, 0x0a0b0c0d, NF_VERDICT.ACCEPT), true);
    assert.equal(w.length, 44 + 32);
    assert.deepEqual(w.bytes.subarray(44, 76), hex(ACCEPT_Q1));
    assert.equal(w.verdict(1, 3, NF_VERDICT.ACCEPT), false);
    assert.equal(w.reserve(1, 3, NF_VERDICT.ACCEPT, 1), -1);
    assert.equal(w.messages, 2);
    w.clear();
    assert.equal(w.length, 0);
  });

  it("refuses a payload longer than an attribute can carry", () => {
    const w = new VerdictWriter(1 << 17);
    assert.equal(w.reserve(0, 1, NF_VERDICT.ACCEPT, MAX_PAYLOAD + 1), -2);
    assert.ok(w.reserve(0, 1, NF_VERDICT.ACCEPT, MAX_PAYLOAD) > 0);
  });
});
