// The line `ioam decode --pcap` writes on stderr when not every frame was a decodable IPv6
// packet: how many, why, and for a link type it does not read, which one.

import type { DecodeTotals } from "../decode-pool.js";

/** Names of link types (tcpdump.org LINKTYPE_*) that people meet and ioam does not read. */
const LINK_TYPE_NAMES: Readonly<Record<number, string>> = {
  9: "PPP",
  50: "PPP_HDLC",
  104: "C_HDLC",
  105: "IEEE802_11",
  119: "PRISM_HEADER",
  127: "IEEE802_11_RADIOTAP",
  147: "USER0",
  192: "PPI",
  220: "USB_LINUX_MMAPPED",
  228: "IPV4",
  239: "NFLOG",
  249: "NETLINK",
};

const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "s"}`;

/** The summary line for `name`, or undefined when every frame decoded. */
export function decodeSummary(name: string, t: DecodeTotals): string | undefined {
  const parts: string[] = [];
  if (t.notIpv6) parts.push(`${t.notIpv6} not IPv6`);
  if (t.malformed) parts.push(`${t.malformed} malformed`);
  if (t.cut) parts.push(`${t.cut} cut short by the capture's snap length`);
  if (t.otherLink) {
    const types = t.otherLinkTypes.map((n) => (LINK_TYPE_NAMES[n] ? `${n} (${LINK_TYPE_NAMES[n]})` : String(n))).join(", ");
    parts.push(`${t.otherLink} of link type ${types}, which ioam does not read (it reads Ethernet, raw IP, IPv6, NULL, Linux SLL and SLL2)`);
  }
  return parts.length ? `${name}: ${plural(t.frames, "frame")}: ${parts.join(", ")}` : undefined;
}
