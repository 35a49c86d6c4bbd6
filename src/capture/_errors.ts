// The one way capture code reports a bad file: a DecodeError (layer "capture") whose
// message names the file and the byte offset within it.

import { type IoamErrorCode } from "../errors.js";
import { DecodeError } from "../wire/errors.js";

/** Builds the DecodeError for `path` at file byte `offset`. */
export function captureError(code: IoamErrorCode, path: string, offset: number, what: string): DecodeError {
  return new DecodeError(code, offset, "capture", `${path} at byte ${offset}: ${what}`);
}
