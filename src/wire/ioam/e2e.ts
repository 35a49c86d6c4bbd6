// Edge-to-Edge option (IOAM type 3, RFC 9197 §4.6).
//
// +-------------------------------+-------------------------------+
// |         Namespace-ID          |        IOAM-E2E-Type (16)     |
// +-------------------------------+-------------------------------+
// | seq64 (bit 0) | seq32 (bit 1) | ts seconds (2) | ts fraction (3) |

import { readU16, readU32, readU64, writeU16, writeU32, writeU64 } from "../_be.js";
import { DecodeError, type Issue } from "../errors.js";

export const E2E = { NAMESPACE_ID: 0, TYPE: 2, DATA: 4 } as const;
export const E2E_SEQ64 = 0x8000;
export const E2E_SEQ32 = 0x4000;
export const E2E_TS_SEC = 0x2000;
export const E2E_TS_FRAC = 0x1000;
const E2E_DEFINED = 0xf000;

export interface E2eBody {
  kind: "e2e";
  namespaceId: number;
  e2eType: number;
  seq64?: bigint;
  seq32?: number;
  tsSec?: number;
  tsFrac?: number;
  /** Octets after the defined fields (undefined bits carry no data; kept if present). */
  rawData?: Uint8Array;
}

/** Octets of E2E data implied by an E2E-Type. */
export function e2eDataLength(t: number): number {
  return (t & E2E_SEQ64 ? 8 : 0) + (t & E2E_SEQ32 ? 4 : 0) + (t & E2E_TS_SEC ? 4 : 0) + (t & E2E_TS_FRAC ? 4 : 0);
}

/** Decodes b[s, e). Throws MALFORMED when the fields the E2E-Type announces do not fit. */
export function decodeE2eBody(b: Uint8Array, s: number, e: number, issues: Issue[]): E2eBody {
  if (e - s < 4) throw new DecodeError("MALFORMED", s, "ioam", `E2E option at byte ${s - 4}: ${e - s} body bytes, the E2E header needs 4`);
  const t = readU16(b, s + E2E.TYPE);
  const need = e2eDataLength(t);
  if (e - s - 4 < need) {
    throw new DecodeError("MALFORMED", s + E2E.TYPE, "ioam", `E2E option at byte ${s - 4}: type 0x${t.toString(16).padStart(4, "0")} needs ${need} data bytes, ${e - s - 4} present`);
  }
  if ((t & (E2E_SEQ64 | E2E_SEQ32)) === (E2E_SEQ64 | E2E_SEQ32)) issues.push({ code: "BOTH_SEQ_BITS", offset: s + E2E.TYPE });
  if (t & ~E2E_DEFINED) issues.push({ code: "UNDEFINED_E2E_BITS", offset: s + E2E.TYPE });
  const r: E2eBody = { kind: "e2e", namespaceId: readU16(b, s), e2eType: t };
  let o = s + E2E.DATA;
  if (t & E2E_SEQ64) { r.seq64 = readU64(b, o); o += 8; }
  if (t & E2E_SEQ32) { r.seq32 = readU32(b, o); o += 4; }
  if (t & E2E_TS_SEC) { r.tsSec = readU32(b, o); o += 4; }
  if (t & E2E_TS_FRAC) { r.tsFrac = readU32(b, o); o += 4; }
  if (o < e) {
    issues.push({ code: "TRAILING_DATA", offset: o });
    r.rawData = b.slice(o, e);
  }
  return r;
}

export function e2eBodyLength(r: E2eBody): number {
  return 4 + e2eDataLength(r.e2eType) + (r.rawData?.length ?? 0);
}

/** Writes the body; absent fields are written "not available" (all ones). */
export function encodeE2eBody(r: E2eBody, out: Uint8Array, o: number): number {
  writeU16(out, o, r.namespaceId);
  writeU16(out, o + E2E.TYPE, r.e2eType);
  o += E2E.DATA;
  const t = r.e2eType;
  if (t & E2E_SEQ64) { writeU64(out, o, r.seq64 ?? 0n); o += 8; }
  if (t & E2E_SEQ32) { writeU32(out, o, r.seq32 ?? 0); o += 4; }
  if (t & E2E_TS_SEC) { writeU32(out, o, r.tsSec ?? 0xffffffff); o += 4; }
  if (t & E2E_TS_FRAC) { writeU32(out, o, r.tsFrac ?? 0xffffffff); o += 4; }
  if (r.rawData) { out.set(r.rawData, o); o += r.rawData.length; }
  return o;
}
