// Code points of nfnetlink_queue, as laid out in the kernel's uAPI headers
// include/uapi/linux/netfilter/nfnetlink_queue.h, nfnetlink.h and netfilter.h. The netlink
// header and attribute headers are host byte order; every value *inside* an nfnetlink_queue
// attribute (ids, ifindexes, lengths, flags) and nfgenmsg.res_id are big-endian.

/** NFNL_SUBSYS_QUEUE (nfnetlink.h): the high byte of every nfnetlink_queue message type. */
export const NFNL_SUBSYS_QUEUE = 3;
/** NFNETLINK_V0: the only nfgenmsg version. */
export const NFNETLINK_V0 = 0;
/** nfgenmsg is 4 octets: family, version, res_id (the queue number, big-endian). */
export const NFGENMSG_LEN = 4;

/** enum nfqnl_msg_types. */
export const NFQNL_MSG = { PACKET: 0, VERDICT: 1, CONFIG: 2, VERDICT_BATCH: 3 } as const;

/** The netlink message type of an nfnetlink_queue message. */
export const nfqMsgType = (msg: number): number => (NFNL_SUBSYS_QUEUE << 8) | msg;

/** enum nfqnl_attr_type: attributes of PACKET and VERDICT messages. */
export const NFQA = {
  PACKET_HDR: 1, VERDICT_HDR: 2, MARK: 3, TIMESTAMP: 4, IFINDEX_INDEV: 5, IFINDEX_OUTDEV: 6,
  IFINDEX_PHYSINDEV: 7, IFINDEX_PHYSOUTDEV: 8, HWADDR: 9, PAYLOAD: 10, CT: 11, CT_INFO: 12,
  CAP_LEN: 13, SKB_INFO: 14, EXP: 15, UID: 16, GID: 17, SECCTX: 18, VLAN: 19, L2HDR: 20, PRIORITY: 21,
} as const;

/** enum nfqnl_attr_config: attributes of CONFIG messages. */
export const NFQA_CFG = { CMD: 1, PARAMS: 2, QUEUE_MAXLEN: 3, MASK: 4, FLAGS: 5 } as const;

/** enum nfqnl_msg_config_cmds. PF_BIND/PF_UNBIND have been no-ops since Linux 3.8. */
export const NFQNL_CFG_CMD = { NONE: 0, BIND: 1, UNBIND: 2, PF_BIND: 3, PF_UNBIND: 4 } as const;

/** enum nfqnl_config_mode. */
export const NFQNL_COPY = { NONE: 0, META: 1, PACKET: 2 } as const;

/** NFQA_CFG_F_* flag bits (values of NFQA_CFG_FLAGS, selected by NFQA_CFG_MASK). */
export const NFQA_CFG_F = { FAIL_OPEN: 1, CONNTRACK: 2, GSO: 4, UID_GID: 8, SECCTX: 16 } as const;

/** NFQA_SKB_* bits of NFQA_SKB_INFO. */
export const NFQA_SKB = { CSUMNOTREADY: 1, GSO: 2, CSUM_NOTVERIFIED: 4 } as const;

/** Netfilter verdicts (netfilter.h NF_DROP …). */
export const NF_VERDICT = { DROP: 0, ACCEPT: 1, STOLEN: 2, QUEUE: 3, REPEAT: 4 } as const;

/** enum nf_inet_hooks: where in the IPv6 stack the packet was queued. */
export const NF_INET_HOOK = { PRE_ROUTING: 0, LOCAL_IN: 1, FORWARD: 2, LOCAL_OUT: 3, POST_ROUTING: 4 } as const;

/** Queue numbers are 16 bits (nfgenmsg.res_id). */
export const MAX_QUEUE = 65535;

/** The largest NFQA_PAYLOAD: an attribute length is 16 bits and includes its 4-octet header. */
export const MAX_PAYLOAD = 0xffff - 4;
