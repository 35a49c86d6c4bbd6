// Network interfaces by name and index over rtnetlink (RTM_GETLINK), as iproute2 resolves
// `dev NAME` (lib/ll_map.c ll_link_get) — ioamkit never runs `ip` nor reads sysfs for this.

import { IoamError } from "../../errors.js";
import { KernelError } from "../kernel-error.js";
import { AttrWriter, attrString, parseAttrs } from "../netlink/attrs.js";
import { NLM_F } from "../netlink/message.js";
import type { NetlinkSocket } from "../netlink/socket.js";
import { RTM } from "./route-message.js";

const IFLA = { IFNAME: 3, EXT_MASK: 29, ALT_IFNAME: 53 } as const;
/** RTEXT_FILTER_SKIP_STATS: names and indexes are all we need, not the counters. */
const RTEXT_FILTER_SKIP_STATS = 1 << 3;
const IFINFOMSG_LEN = 16;
/** IFNAMSIZ - 1: longer names can only be alternative names (IFLA_ALT_IFNAME). */
const IFNAME_MAX = 15;

function ifinfoPayload(index: number, attrs: AttrWriter): Uint8Array {
  const a = attrs.bytes();
  const p = new Uint8Array(IFINFOMSG_LEN + a.length);
  new DataView(p.buffer).setInt32(4, index, true);
  p.set(a, IFINFOMSG_LEN);
  return p;
}

/** The index of interface `name` in the socket's netns; IoamError naming it when absent. */
export async function linkIndex(sock: NetlinkSocket, name: string): Promise<number> {
  const attrs = new AttrWriter().u32(IFLA.EXT_MASK, RTEXT_FILTER_SKIP_STATS).string(name.length > IFNAME_MAX ? IFLA.ALT_IFNAME : IFLA.IFNAME, name);
  try {
    const replies = await sock.request(RTM.GETLINK, 0, ifinfoPayload(0, attrs), `looking up device "${name}"`);
    const link = replies.find((m) => m.type === RTM.NEWLINK && m.payload.length >= IFINFOMSG_LEN);
    if (link) return new DataView(link.payload.buffer, link.payload.byteOffset).getInt32(4, true);
  } catch (e) {
    if (!(e instanceof KernelError && (e.errnoName === "ENODEV" || e.errnoName === "EINVAL"))) throw e;
  }
  throw new IoamError("BAD_CONFIG", `device "${name}" not found in this network namespace`);
}

/** Every interface's index → name, for printing `dev NAME`. */
export async function linkNames(sock: NetlinkSocket): Promise<Map<number, string>> {
  const attrs = new AttrWriter().u32(IFLA.EXT_MASK, RTEXT_FILTER_SKIP_STATS);
  const replies = await sock.request(RTM.GETLINK, NLM_F.DUMP, ifinfoPayload(0, attrs), "listing network devices");
  const names = new Map<number, string>();
  for (const m of replies) {
    if (m.type !== RTM.NEWLINK || m.payload.length < IFINFOMSG_LEN) continue;
    const name = parseAttrs(m.payload.subarray(IFINFOMSG_LEN)).get(IFLA.IFNAME);
    if (name) names.set(new DataView(m.payload.buffer, m.payload.byteOffset).getInt32(4, true), attrString(name));
  }
  return names;
}
