// Link-layer headers in front of IPv6, per the tcpdump.org LINKTYPE registry
// (https://www.tcpdump.org/linktypes.html): Ethernet II with IEEE 802.1Q / 802.1ad tags,
// raw IP, BSD loopback (LINKTYPE_NULL), Linux cooked capture v1 (SLL) and v2 (SLL2).

import { ConfigError } from "../errors.js";

/** The link types ioamkit reads and writes (tcpdump.org LINKTYPE_* values). */
export const LINKTYPE = { NULL: 0, ETHERNET: 1, RAW: 101, IPV6: 229, LINUX_SLL: 113, LINUX_SLL2: 276 } as const;

/** One of the LINKTYPE values above; other numbers are still accepted where a number is. */
export type LinkType = (typeof LINKTYPE)[keyof typeof LINKTYPE];

/** DLT_RAW as some platforms number it in files (tcpdump maps both to LINKTYPE_RAW). */
const DLT_RAW_ALIASES = [12, 14] as const;

const ETHERTYPE_IPV6 = 0x86dd;
/** 802.1Q, 802.1ad, and the pre-standard QinQ tag protocol identifier. */
const VLAN_TPIDS = [0x8100, 0x88a8, 0x9100] as const;
const MAX_VLAN_TAGS = 2;

/** Ethernet II: destination MAC, source MAC, EtherType. */
const ETH = { TYPE: 12, LENGTH: 14, TAG_LENGTH: 4 } as const;
/** SLL: packet type, ARPHRD type, address length, address (8), protocol. */
const SLL = { PKTTYPE: 0, HATYPE: 2, HALEN: 4, ADDR: 6, PROTOCOL: 14, LENGTH: 16 } as const;
/** SLL2: protocol, reserved, interface index, ARPHRD type, packet type, address length, address (8). */
const SLL2 = { PROTOCOL: 0, IFINDEX: 4, HATYPE: 8, PKTTYPE: 10, HALEN: 11, ADDR: 12, LENGTH: 20 } as const;
/** LINKTYPE_NULL: a 4-byte address family in the byte order of the capturing host. */
const NULL_HDR_LENGTH = 4;
/** AF_INET6 on Linux (10), NetBSD/OpenBSD/BSD/OS (24), FreeBSD (28), Darwin (30). */
const AF_INET6_VALUES = [10, 24, 28, 30] as const;
/** The value wrapIpv6 writes: the BSD one, which Wireshark's null dissector knows. */
const AF_INET6_BSD = 24;
const ARPHRD_ETHER = 1;
const MAC_LENGTH = 6;

/** True for the link types ipv6Offset reads; frames of others are never IPv6 to it. */
export function readsLinkType(linkType: number): boolean {
  return (Object.values(LINKTYPE) as number[]).includes(linkType) || (DLT_RAW_ALIASES as readonly number[]).includes(linkType);
}

/**
 * Offset of the IPv6 header inside `frame` of link type `linkType`, or -1 when the frame
 * does not carry IPv6 (another protocol, an unknown link type, or a link header cut short).
 * The returned offset is ≤ frame.length; the IPv6 header itself may still be truncated.
 */
export function ipv6Offset(linkType: number, frame: Uint8Array): number {
  switch (linkType) {
    case LINKTYPE.ETHERNET:
      return ethernetOffset(frame);
    case LINKTYPE.RAW:
    case DLT_RAW_ALIASES[0]:
    case DLT_RAW_ALIASES[1]:
      return frame.length > 0 && frame[0]! >>> 4 === 6 ? 0 : -1;
    case LINKTYPE.IPV6:
      return 0;
    case LINKTYPE.LINUX_SLL:
      return frame.length >= SLL.LENGTH && readU16(frame, SLL.PROTOCOL) === ETHERTYPE_IPV6 ? SLL.LENGTH : -1;
    case LINKTYPE.LINUX_SLL2:
      return frame.length >= SLL2.LENGTH && readU16(frame, SLL2.PROTOCOL) === ETHERTYPE_IPV6 ? SLL2.LENGTH : -1;
    case LINKTYPE.NULL:
      return nullOffset(frame);
    default:
      return -1;
  }
}

function ethernetOffset(frame: Uint8Array): number {
  let o = ETH.TYPE;
  for (let tags = 0; tags <= MAX_VLAN_TAGS; tags++) {
    if (frame.length < o + 2) return -1;
    const type = readU16(frame, o);
    if (type === ETHERTYPE_IPV6) return o + 2;
    if (!(VLAN_TPIDS as readonly number[]).includes(type)) return -1;
    o += ETH.TAG_LENGTH;
  }
  return -1;
}

function nullOffset(frame: Uint8Array): number {
  if (frame.length < NULL_HDR_LENGTH) return -1;
  const le = frame[0]! | (frame[1]! << 8) | (frame[2]! << 16) | (frame[3]! << 24);
  const be = (frame[0]! << 24) | (frame[1]! << 16) | (frame[2]! << 8) | frame[3]!;
  const af6 = AF_INET6_VALUES as readonly number[];
  return af6.includes(le) || af6.includes(be) ? NULL_HDR_LENGTH : -1;
}

/**
 * A frame of link type `linkType` carrying `ipv6Packet`: Ethernet with zero MACs, SLL/SLL2
 * with protocol 0x86dd (ARPHRD_ETHER, zero address), NULL with AF_INET6 24 little-endian.
 * Raw link types return `ipv6Packet` itself, not a copy. Throws ConfigError for other types.
 */
export function wrapIpv6(linkType: number, ipv6Packet: Uint8Array): Uint8Array {
  switch (linkType) {
    case LINKTYPE.RAW:
    case LINKTYPE.IPV6:
    case DLT_RAW_ALIASES[0]:
    case DLT_RAW_ALIASES[1]:
      return ipv6Packet;
    case LINKTYPE.ETHERNET:
      return prepend(ETH.LENGTH, ipv6Packet, (h) => writeU16(h, ETH.TYPE, ETHERTYPE_IPV6));
    case LINKTYPE.LINUX_SLL:
      return prepend(SLL.LENGTH, ipv6Packet, (h) => {
        writeU16(h, SLL.HATYPE, ARPHRD_ETHER);
        writeU16(h, SLL.HALEN, MAC_LENGTH);
        writeU16(h, SLL.PROTOCOL, ETHERTYPE_IPV6);
      });
    case LINKTYPE.LINUX_SLL2:
      return prepend(SLL2.LENGTH, ipv6Packet, (h) => {
        writeU16(h, SLL2.PROTOCOL, ETHERTYPE_IPV6);
        writeU16(h, SLL2.HATYPE, ARPHRD_ETHER);
        h[SLL2.HALEN] = MAC_LENGTH;
      });
    case LINKTYPE.NULL:
      return prepend(NULL_HDR_LENGTH, ipv6Packet, (h) => void (h[0] = AF_INET6_BSD));
    default:
      throw new ConfigError("linkType", `wrapIpv6() cannot build link type ${linkType}; use one of LINKTYPE`);
  }
}

function prepend(headerLength: number, payload: Uint8Array, fill: (header: Uint8Array) => void): Uint8Array {
  const out = new Uint8Array(headerLength + payload.length);
  fill(out);
  out.set(payload, headerLength);
  return out;
}

function readU16(b: Uint8Array, o: number): number {
  return (b[o]! << 8) | b[o + 1]!;
}

function writeU16(b: Uint8Array, o: number, v: number): void {
  b[o] = v >>> 8;
  b[o + 1] = v;
}
