// Proof of Transit option (IOAM type 2, RFC 9197 §4.5).
//
// +-------------------------------+---------------+---------------+
// |         Namespace-ID          | IOAM POT Type |   POT Flags   |
// +-------------------------------+---------------+---------------+
// |  POT Type 0: Random / PktID (64)  |  Cumulative (64)          |

import { readU16, readU64, writeU16, writeU64 } from "../_be.js";
import { DecodeError, type Issue } from "../errors.js";

export const POT = { NAMESPACE_ID: 0, TYPE: 2, FLAGS: 3, RANDOM: 4, CUMULATIVE: 12, TYPE0_LENGTH: 20 } as const;

/** A decoded POT body. Type 0 carries `random` and `cumulative`; other types keep `data`. */
export interface PotBody {
  kind: "pot";
  namespaceId: number;
  potType: number;
  flags: number;
  random?: bigint;
  cumulative?: bigint;
  /** POT data of an unknown type, or of a type-0 option whose length is not 16 octets. */
  data?: Uint8Array;
}

/** Decodes b[s, e). Throws MALFORMED if the 4-octet POT header does not fit. */
export function decodePotBody(b: Uint8Array, s: number, e: number, issues: Issue[]): PotBody {
  if (e - s < 4) throw new DecodeError("MALFORMED", s, "ioam", `POT option at byte ${s - 4}: ${e - s} body bytes, the POT header needs 4`);
  const p: PotBody = { kind: "pot", namespaceId: readU16(b, s), potType: b[s + POT.TYPE]!, flags: b[s + POT.FLAGS]! };
  if (p.potType === 0 && e - s === POT.TYPE0_LENGTH) {
    p.random = readU64(b, s + POT.RANDOM);
    p.cumulative = readU64(b, s + POT.CUMULATIVE);
    return p;
  }
  issues.push({ code: p.potType === 0 ? "MALFORMED" : "UNKNOWN_POT_TYPE", offset: s + POT.TYPE });
  p.data = b.slice(s + 4, e);
  return p;
}

export function potBodyLength(p: PotBody): number {
  return 4 + (p.data ? p.data.length : 16);
}

export function encodePotBody(p: PotBody, out: Uint8Array, o: number): number {
  writeU16(out, o, p.namespaceId);
  out[o + POT.TYPE] = p.potType;
  out[o + POT.FLAGS] = p.flags;
  if (p.data) {
    out.set(p.data, o + 4);
    return o + 4 + p.data.length;
  }
  writeU64(out, o + POT.RANDOM, p.random ?? 0n);
  writeU64(out, o + POT.CUMULATIVE, p.cumulative ?? 0n);
  return o + POT.TYPE0_LENGTH;
}
