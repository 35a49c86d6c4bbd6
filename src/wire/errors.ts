// The codec's errors: bytes that cannot be walked (DecodeError, with offset and layer) and the
// issues a strict reader has with bytes that still decode. Codes come from the registry in
// ../errors.ts.

import { IoamError, type IoamErrorCode } from "../errors.js";

/** Which layer of a packet a decode error belongs to. */
export type DecodeLayer = "ipv6" | "ext-header" | "option" | "ioam" | "capture";

/** Malformed or truncated bytes. `offset` is within [0, length of the input]. */
export class DecodeError extends IoamError {
  readonly offset: number;
  readonly layer: DecodeLayer;
  constructor(code: IoamErrorCode, offset: number, layer: DecodeLayer, message: string) {
    super(code, message);
    this.name = "DecodeError";
    this.offset = offset;
    this.layer = layer;
  }
}

/** A non-fatal objection a strict reader has to otherwise decodable bytes. */
export interface Issue {
  readonly code: IoamErrorCode;
  /** Byte offset from the start of the IPv6 packet. */
  readonly offset: number;
}
