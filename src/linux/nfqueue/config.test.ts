// CONFIG requests against bytes written by hand from include/uapi/linux/netfilter/
// nfnetlink_queue.h (struct nfqnl_msg_config_cmd, nfqnl_msg_config_params, NFQA_CFG_*):
// netlink and attribute headers little-endian (host), values inside big-endian.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { hexToBytes } from "../../wire/hex.js";
import { NFQA_CFG_F, NFQNL_CFG_CMD, NFQNL_COPY } from "./constants.js";
import { encodeQueueConfig } from "./config.js";

const hex = (s: string) => hexToBytes(s.replace(/#[^\n]*/g, "").replace(/\s+/g, ""))!;

describe("encodeQueueConfig()", () => {
  it("binds a queue with copy mode, range, length and flags in one request", () => {
    const msg = encodeQueueConfig(5, { command: { cmd: NFQNL_CFG_CMD.BIND }, copy: { mode: NFQNL_COPY.PACKET, range: 0xffff }, maxLen: 8192, flags: { mask: NFQA_CFG_F.FAIL_OPEN | NFQA_CFG_F.GSO, value: NFQA_CFG_F.FAIL_OPEN } }, 0x01020304);
    assert.deepEqual(msg, hex(`
      40 00 00 00 02 03 05 00 04 03 02 01 00 00 00 00   # len 64, (NFNL_SUBSYS_QUEUE<<8)|CONFIG, REQUEST|ACK, seq
      00 00 00 05                                       # nfgenmsg: AF_UNSPEC, v0, res_id 5 (big-endian)
      08 00 01 00 01 00 00 00                           # NFQA_CFG_CMD: BIND, pad, pf 0
      09 00 02 00 00 00 ff ff 02 00 00 00               # NFQA_CFG_PARAMS: copy_range 65535, COPY_PACKET, pad
      08 00 03 00 00 00 20 00                           # NFQA_CFG_QUEUE_MAXLEN 8192
      08 00 04 00 00 00 00 05                           # NFQA_CFG_MASK FAIL_OPEN|GSO
      08 00 05 00 00 00 00 01                           # NFQA_CFG_FLAGS FAIL_OPEN
    `));
  });

  it("unbinds with the command alone", () => {
    assert.deepEqual(encodeQueueConfig(0x1234, { command: { cmd: NFQNL_CFG_CMD.UNBIND } }, 7), hex(`
      1c 00 00 00 02 03 05 00 07 00 00 00 00 00 00 00
      00 00 12 34
      08 00 01 00 02 00 00 00
    `));
  });

  it("puts the family of a PF_BIND into nfgenmsg and the command (AF_INET6 = 10)", () => {
    assert.deepEqual(encodeQueueConfig(0, { command: { cmd: NFQNL_CFG_CMD.PF_BIND, pf: 10 } }, 1), hex(`
      1c 00 00 00 02 03 05 00 01 00 00 00 00 00 00 00
      0a 00 00 00
      08 00 01 00 03 00 00 0a
    `));
  });
});
