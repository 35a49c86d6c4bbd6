// Generic Netlink (include/uapi/linux/genetlink.h): the 4-byte genl header and family / multicast
// group resolution by name through the "nlctrl" controller.

import { IoamError } from "../../errors.js";
import { AttrWriter, attrString, attrU16, attrU32, parseAttrList, parseAttrs } from "./attrs.js";
import type { NetlinkMessage } from "./message.js";
import type { NetlinkSocket } from "./socket.js";

const GENL_ID_CTRL = 0x10;
const CTRL_CMD_GETFAMILY = 3;
const CTRL_ATTR = { FAMILY_ID: 1, FAMILY_NAME: 2, VERSION: 3, MCAST_GROUPS: 7 } as const;
const CTRL_ATTR_MCAST_GRP = { NAME: 1, ID: 2 } as const;
export const GENL_HDRLEN = 4;

/** A resolved family: its message type id, version and multicast groups by name. */
export interface GenlFamily {
  name: string;
  id: number;
  version: number;
  groups: Map<string, number>;
}

/** genl header (cmd, version, 2 reserved octets) followed by attributes. */
export function genlPayload(cmd: number, version: number, attrs: AttrWriter = new AttrWriter()): Uint8Array {
  const a = attrs.bytes();
  const out = new Uint8Array(GENL_HDRLEN + a.length);
  out[0] = cmd;
  out[1] = version;
  out.set(a, GENL_HDRLEN);
  return out;
}

/** The genl command and attributes of a received message. */
export function genlMessage(m: NetlinkMessage): { cmd: number; attrs: Map<number, Uint8Array> } {
  return { cmd: m.payload[0] ?? 0, attrs: parseAttrs(m.payload.subarray(GENL_HDRLEN)) };
}

/** Resolves a family by name; throws NOT_SUPPORTED naming it when the kernel does not have it. */
export async function resolveFamily(sock: NetlinkSocket, name: string): Promise<GenlFamily> {
  let replies: NetlinkMessage[];
  try {
    replies = await sock.request(GENL_ID_CTRL, 0, genlPayload(CTRL_CMD_GETFAMILY, 1, new AttrWriter().string(CTRL_ATTR.FAMILY_NAME, name)), `resolving Generic Netlink family ${name}`);
  } catch (e) {
    if ((e as { errnoName?: string }).errnoName === "ENOENT") {
      throw new IoamError("NOT_SUPPORTED", `this kernel has no Generic Netlink family ${name} (needs CONFIG_IPV6 with IOAM, Linux ≥ 5.15)`);
    }
    throw e;
  }
  const first = replies[0];
  if (!first) throw new IoamError("KERNEL", `the kernel sent no reply resolving family ${name}`);
  const { attrs } = genlMessage(first);
  const groups = new Map<string, number>();
  const list = attrs.get(CTRL_ATTR.MCAST_GROUPS);
  for (const [, grp] of list ? parseAttrList(list) : []) {
    const g = parseAttrs(grp);
    const gname = g.get(CTRL_ATTR_MCAST_GRP.NAME);
    const gid = g.get(CTRL_ATTR_MCAST_GRP.ID);
    if (gname && gid) groups.set(attrString(gname), attrU32(gid));
  }
  return { name, id: attrU16(attrs.get(CTRL_ATTR.FAMILY_ID)!), version: attrU32(attrs.get(CTRL_ATTR.VERSION)!), groups };
}
