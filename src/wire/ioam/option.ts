// The IOAM option TLV in a Hop-by-Hop or Destination Options header (RFC 9486 §3), and
// dispatch on IOAM-Opt-Type (RFC 9197 §7.1 registry).
//
// +---------------+---------------+---------------+---------------+
// |  Option Type  | Opt Data Len  |   Reserved    | IOAM-Opt-Type |
// +---------------+---------------+---------------+---------------+
// |  IOAM option body (Namespace-ID first, 4-octet aligned) ...   |

import { IoamError } from "../../errors.js";
import { DecodeError, type Issue } from "../errors.js";
import { type DexBody, decodeDexBody, dexBodyLength, encodeDexBody } from "./dex.js";
import { type E2eBody, decodeE2eBody, e2eBodyLength, encodeE2eBody } from "./e2e.js";
import { type PotBody, decodePotBody, encodePotBody, potBodyLength } from "./pot.js";
import { type ExtHeaderKind, IOAM_OPT, IOAM_TYPE, OPTION_HEADER_ISSUE, optionHeaderIssues } from "./option-header.js";
import { type TraceBody, decodeTraceBody, encodeTraceBody, traceBodyLength } from "./trace.js";

export { type ExtHeaderKind, IOAM_OPT, IOAM_TYPE, IPV6_OPT_IOAM, IPV6_OPT_IOAM_NOCHG, expectedPlacement, isIoamOptionType } from "./option-header.js";

/** An IOAM option whose type ioamkit does not know: kept byte for byte. */
export interface UnknownBody {
  kind: "unknown";
  ioamType: number;
  raw: Uint8Array;
}

export type IoamBody = TraceBody | PotBody | E2eBody | DexBody | UnknownBody;


/** Where an option sat and what a strict reader objects to. */
export interface OptionPlacement {
  header: ExtHeaderKind;
  /** Index of its extension header in the packet's header chain. */
  headerIndex: number;
  /** IPv6 option type: 0x31 or 0x11. */
  ipv6OptType: number;
  /** Offset of the Option Type octet from the start of the IPv6 packet. */
  offset: number;
  /** The Reserved octet of the IOAM option header (0 on send). */
  optReserved: number;
  issues: Issue[];
}

/** One IOAM option as decoded: the canonical record's `option`. */
export type IoamOption = IoamBody & OptionPlacement;

/** The IOAM-Opt-Type number of a body. */
export function ioamTypeOf(o: IoamBody): number {
  switch (o.kind) {
    case "trace": return o.variant === "prealloc" ? IOAM_TYPE.PREALLOC_TRACE : IOAM_TYPE.INCREMENTAL_TRACE;
    case "pot": return IOAM_TYPE.POT;
    case "e2e": return IOAM_TYPE.E2E;
    case "dex": return IOAM_TYPE.DEX;
    case "unknown": return o.ioamType;
  }
}

/**
 * Decodes the IOAM option TLV at b[o, e) (e = end of the TLV), found in header `where`
 * that starts at `headerStart`. Throws DecodeError MALFORMED when the body is too short
 * for its type's fixed header.
 */
export function decodeIoamOption(
  b: Uint8Array,
  o: number,
  e: number,
  where: { header: ExtHeaderKind; headerIndex: number; headerStart: number },
): IoamOption {
  if (e - o < IOAM_OPT.BODY) {
    throw new DecodeError("MALFORMED", o + 1, "ioam", `IOAM option at byte ${o}: Opt Data Len ${e - o - 2} is below 2`);
  }
  const issues: Issue[] = [];
  const ipv6OptType = b[o]!;
  const ioamType = b[o + IOAM_OPT.IOAM_TYPE]!;
  const found = optionHeaderIssues(b, o, where.headerStart, where.header);
  if (found & OPTION_HEADER_ISSUE.BAD_ALIGNMENT) issues.push({ code: "BAD_ALIGNMENT", offset: o });
  if (found & OPTION_HEADER_ISSUE.HEADER_MISMATCH) issues.push({ code: "HEADER_MISMATCH", offset: o });
  if (found & OPTION_HEADER_ISSUE.RESERVED_NONZERO) issues.push({ code: "RESERVED_NONZERO", offset: o + IOAM_OPT.RESERVED });
  const body = decodeBody(b, o + IOAM_OPT.BODY, e, ioamType, issues);
  const placement: OptionPlacement = {
    header: where.header,
    headerIndex: where.headerIndex,
    ipv6OptType,
    offset: o,
    optReserved: b[o + IOAM_OPT.RESERVED]!,
    issues,
  };
  return Object.assign(body, placement);
}

function decodeBody(b: Uint8Array, s: number, e: number, ioamType: number, issues: Issue[]): IoamBody {
  switch (ioamType) {
    case IOAM_TYPE.PREALLOC_TRACE: return decodeTraceBody(b, s, e, "prealloc", issues);
    case IOAM_TYPE.INCREMENTAL_TRACE: return decodeTraceBody(b, s, e, "incremental", issues);
    case IOAM_TYPE.POT: return decodePotBody(b, s, e, issues);
    case IOAM_TYPE.E2E: return decodeE2eBody(b, s, e, issues);
    case IOAM_TYPE.DEX: return decodeDexBody(b, s, e, issues);
    default: return { kind: "unknown", ioamType, raw: b.slice(s, e) };
  }
}

/** Octets of the body (after IOAM-Opt-Type). */
export function ioamBodyLength(o: IoamBody): number {
  switch (o.kind) {
    case "trace": return traceBodyLength(o);
    case "pot": return potBodyLength(o);
    case "e2e": return e2eBodyLength(o);
    case "dex": return dexBodyLength(o);
    case "unknown": return o.raw.length;
  }
}

/** Octets of the whole option TLV. Throws if Opt Data Len would exceed 255. */
export function ioamOptionLength(o: IoamBody): number {
  const n = IOAM_OPT.BODY + ioamBodyLength(o);
  if (n - 2 > 255) throw new IoamError("MALFORMED", `IOAM ${o.kind} option of ${n} bytes: Opt Data Len ${n - 2} exceeds 255`);
  return n;
}

/** Writes the option TLV at `o`; returns the end offset. */
export function encodeIoamOption(opt: IoamBody & { ipv6OptType: number; optReserved?: number }, out: Uint8Array, o: number): number {
  const len = ioamOptionLength(opt);
  out[o] = opt.ipv6OptType;
  out[o + IOAM_OPT.DATA_LEN] = len - 2;
  out[o + IOAM_OPT.RESERVED] = opt.optReserved ?? 0;
  out[o + IOAM_OPT.IOAM_TYPE] = ioamTypeOf(opt);
  const s = o + IOAM_OPT.BODY;
  switch (opt.kind) {
    case "trace": return encodeTraceBody(opt, out, s);
    case "pot": return encodePotBody(opt, out, s);
    case "e2e": return encodeE2eBody(opt, out, s);
    case "dex": return encodeDexBody(opt, out, s);
    case "unknown": out.set(opt.raw, s); return s + opt.raw.length;
  }
}
