// NFQNL_MSG_CONFIG requests (nfnetlink_queue.h struct nfqnl_msg_config_cmd and
// nfqnl_msg_config_params): bind or unbind a queue, the copy mode and range, the queue's
// maximum length and its flags — in one message, which the kernel's nfqnl_recv_config
// applies command first, then parameters, length and flags.

import { AttrWriter } from "../netlink/attrs.js";
import { NLM_F, encodeMessage } from "../netlink/message.js";
import { NFGENMSG_LEN, NFNETLINK_V0, NFQA_CFG, NFQNL_MSG, nfqMsgType } from "./constants.js";

/** What one CONFIG message asks for; absent members are not sent. */
export interface QueueConfig {
  /** NFQNL_CFG_CMD_*; `pf` is the address family for PF_BIND/PF_UNBIND (AF_INET6 = 10). */
  command?: { cmd: number; pf?: number };
  /** NFQNL_COPY_* and how many octets of each packet to copy (0xffff: whole packets). */
  copy?: { mode: number; range: number };
  /** Packets the kernel holds for this queue before it drops (or, with FAIL_OPEN, accepts). */
  maxLen?: number;
  /** NFQA_CFG_F_* bits to change (mask) and their new values. */
  flags?: { mask: number; value: number };
}

const be32 = (v: number): Uint8Array => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v >>> 0, false);
  return b;
};

/** The nfgenmsg header: family, NFNETLINK_V0, queue number (big-endian). */
export function nfgenmsg(family: number, queue: number): Uint8Array {
  const b = new Uint8Array(NFGENMSG_LEN);
  b[0] = family;
  b[1] = NFNETLINK_V0;
  new DataView(b.buffer).setUint16(2, queue, false);
  return b;
}

/** The attributes of a CONFIG message, in the order libnetfilter_queue's users know. */
function configAttrs(c: QueueConfig): Uint8Array {
  const a = new AttrWriter();
  if (c.command) {
    const cmd = new Uint8Array(4);
    cmd[0] = c.command.cmd;
    new DataView(cmd.buffer).setUint16(2, c.command.pf ?? 0, false);
    a.raw(NFQA_CFG.CMD, cmd);
  }
  if (c.copy) {
    const p = new Uint8Array(5);
    new DataView(p.buffer).setUint32(0, c.copy.range >>> 0, false);
    p[4] = c.copy.mode;
    a.raw(NFQA_CFG.PARAMS, p);
  }
  if (c.maxLen !== undefined) a.raw(NFQA_CFG.QUEUE_MAXLEN, be32(c.maxLen));
  if (c.flags) a.raw(NFQA_CFG.MASK, be32(c.flags.mask)).raw(NFQA_CFG.FLAGS, be32(c.flags.value));
  return a.bytes();
}

/** One CONFIG request for `queue` with REQUEST|ACK, so that the kernel answers it. */
export function encodeQueueConfig(queue: number, config: QueueConfig, seq: number): Uint8Array {
  const family = config.command?.pf ?? 0;
  const attrs = configAttrs(config);
  const payload = new Uint8Array(NFGENMSG_LEN + attrs.length);
  payload.set(nfgenmsg(family, queue), 0);
  payload.set(attrs, NFGENMSG_LEN);
  return encodeMessage(nfqMsgType(NFQNL_MSG.CONFIG), NLM_F.REQUEST | NLM_F.ACK, seq, payload);
}
