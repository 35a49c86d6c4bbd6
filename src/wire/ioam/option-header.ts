// The IOAM option header in a Hop-by-Hop or Destination Options header (RFC 9486 §3) and the
// code points it carries (RFC 9197 §7.1, RFC 9326): constants only, so that every IOAM module
// can use them without importing the option decoder.
//
// +---------------+---------------+---------------+---------------+
// |  Option Type  | Opt Data Len  |   Reserved    | IOAM-Opt-Type |
// +---------------+---------------+---------------+---------------+

/** IPv6 option types registered for IOAM (RFC 9486): chg=1 and chg=0. */
export const IPV6_OPT_IOAM = 0x31;
export const IPV6_OPT_IOAM_NOCHG = 0x11;

/** IOAM Option-Type registry (RFC 9197 §7.1, RFC 9326). */
export const IOAM_TYPE = { PREALLOC_TRACE: 0, INCREMENTAL_TRACE: 1, POT: 2, E2E: 3, DEX: 4 } as const;

/** Offsets within the option TLV. */
export const IOAM_OPT = { TYPE: 0, DATA_LEN: 1, RESERVED: 2, IOAM_TYPE: 3, BODY: 4 } as const;

/** True for the IPv6 option types that carry IOAM. */
export function isIoamOptionType(t: number): boolean {
  return t === IPV6_OPT_IOAM || t === IPV6_OPT_IOAM_NOCHG;
}

export type ExtHeaderKind = "hop" | "dest";

/** The header and IPv6 option type RFC 9486 §3 assigns to each IOAM type (undefined: no rule). */
export function expectedPlacement(ioamType: number): { header: ExtHeaderKind; ipv6OptType: number } | undefined {
  switch (ioamType) {
    case IOAM_TYPE.PREALLOC_TRACE:
    case IOAM_TYPE.INCREMENTAL_TRACE:
    case IOAM_TYPE.POT: return { header: "hop", ipv6OptType: IPV6_OPT_IOAM };
    case IOAM_TYPE.E2E: return { header: "dest", ipv6OptType: IPV6_OPT_IOAM_NOCHG };
    case IOAM_TYPE.DEX: return { header: "hop", ipv6OptType: IPV6_OPT_IOAM_NOCHG };
    default: return undefined;
  }
}

/** What a strict reader objects to in an option header, one bit each (0: nothing). */
export const OPTION_HEADER_ISSUE = { BAD_ALIGNMENT: 1, HEADER_MISMATCH: 2, RESERVED_NONZERO: 4 } as const;

/**
 * The strict reader's objections to the IOAM option header at b[o] (at least 4 octets) in an
 * extension header of kind `header` starting at `headerStart`: the 4n alignment RFC 9486 §3
 * asks for, the placement above, and the Reserved octet. One rule for the decoder and the
 * direct JSON writer.
 */
export function optionHeaderIssues(b: Uint8Array, o: number, headerStart: number, header: ExtHeaderKind): number {
  let issues = 0;
  if ((o - headerStart) % 4 !== 0) issues |= OPTION_HEADER_ISSUE.BAD_ALIGNMENT;
  const exp = expectedPlacement(b[o + IOAM_OPT.IOAM_TYPE]!);
  if (exp && (exp.header !== header || exp.ipv6OptType !== b[o + IOAM_OPT.TYPE])) issues |= OPTION_HEADER_ISSUE.HEADER_MISMATCH;
  if (b[o + IOAM_OPT.RESERVED] !== 0) issues |= OPTION_HEADER_ISSUE.RESERVED_NONZERO;
  return issues;
}
