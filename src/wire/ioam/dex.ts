// Direct Export option (IOAM type 4, RFC 9326 §3).
//
// +-------------------------------+---------------+---------------+
// |         Namespace-ID          |     Flags     |Extension-Flags|
// +-------------------------------+---------------+---------------+
// |              IOAM-Trace-Type (24)             |   Reserved    |
// +-----------------------------------------------+---------------+
// |  Flow ID (ext bit 0) | Sequence Number (ext bit 1) | 4 octets per other set ext bit

import { readU16, readU32, writeU16, writeU32 } from "../_be.js";
import { POPCOUNT8 } from "../_bits.js";
import { DecodeError, type Issue } from "../errors.js";

export const DEX = { NAMESPACE_ID: 0, FLAGS: 2, EXT_FLAGS: 3, TYPE: 4, RESERVED: 7, OPTIONAL: 8 } as const;
export const DEX_EXT_FLOW_ID = 0x80;
export const DEX_EXT_SEQ = 0x40;
/** Extension-Flag bits 2–7: not assigned; each still announces one 4-octet field, kept as extWords. */
export const DEX_EXT_UNASSIGNED = 0x3f;

export interface DexBody {
  kind: "dex";
  namespaceId: number;
  flags: number;
  extFlags: number;
  traceType: number;
  reserved: number;
  flowId?: number;
  seq?: number;
  /** One word per set Extension-Flag bit 2–7, in bit order (unknown fields, skipped). */
  extWords?: number[];
  /** Octets after the announced fields (a DEX_LENGTH_MISMATCH issue says so). */
  rawData?: Uint8Array;
}

/** Octets of the optional fields its Extension-Flags announce: 4 per set bit. */
export function dexOptionalLength(extFlags: number): number {
  return 4 * POPCOUNT8[extFlags & 0xff]!;
}

/** Decodes b[s, e). Throws MALFORMED if the 8-octet DEX header or an announced field is cut. */
export function decodeDexBody(b: Uint8Array, s: number, e: number, issues: Issue[]): DexBody {
  if (e - s < DEX.OPTIONAL) throw new DecodeError("MALFORMED", s, "ioam", `DEX option at byte ${s - 4}: ${e - s} body bytes, the DEX header needs 8`);
  const typeWord = readU32(b, s + DEX.TYPE);
  const r: DexBody = {
    kind: "dex",
    namespaceId: readU16(b, s),
    flags: b[s + DEX.FLAGS]!,
    extFlags: b[s + DEX.EXT_FLAGS]!,
    traceType: typeWord >>> 8,
    reserved: typeWord & 0xff,
  };
  const optional = dexOptionalLength(r.extFlags);
  if (e - s - DEX.OPTIONAL !== optional) {
    issues.push({ code: "DEX_LENGTH_MISMATCH", offset: s + DEX.EXT_FLAGS });
    if (e - s - DEX.OPTIONAL < optional) {
      throw new DecodeError("MALFORMED", s + DEX.EXT_FLAGS, "ioam", `DEX option at byte ${s - 4}: Extension-Flags 0x${r.extFlags.toString(16)} announce ${optional} bytes, ${e - s - DEX.OPTIONAL} present`);
    }
  }
  let o = s + DEX.OPTIONAL;
  for (let bit = 0x80; bit; bit >>>= 1) {
    if (!(r.extFlags & bit)) continue;
    const v = readU32(b, o);
    o += 4;
    if (bit === DEX_EXT_FLOW_ID) r.flowId = v;
    else if (bit === DEX_EXT_SEQ) r.seq = v;
    else (r.extWords ??= []).push(v);
  }
  if (o < e) r.rawData = b.slice(o, e); // DEX_LENGTH_MISMATCH already reported
  return r;
}

export function dexBodyLength(r: DexBody): number {
  return DEX.OPTIONAL + dexOptionalLength(r.extFlags) + (r.rawData?.length ?? 0);
}

export function encodeDexBody(r: DexBody, out: Uint8Array, o: number): number {
  writeU16(out, o, r.namespaceId);
  out[o + DEX.FLAGS] = r.flags;
  out[o + DEX.EXT_FLAGS] = r.extFlags;
  writeU32(out, o + DEX.TYPE, (((r.traceType & 0xffffff) << 8) | (r.reserved & 0xff)) >>> 0);
  o += DEX.OPTIONAL;
  let u = 0;
  for (let bit = 0x80; bit; bit >>>= 1) {
    if (!(r.extFlags & bit)) continue;
    const v = bit === DEX_EXT_FLOW_ID ? r.flowId : bit === DEX_EXT_SEQ ? r.seq : r.extWords?.[u++];
    writeU32(out, o, v ?? 0);
    o += 4;
  }
  if (r.rawData) {
    out.set(r.rawData, o);
    o += r.rawData.length;
  }
  return o;
}
