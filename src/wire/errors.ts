// Typed errors for all of ioamkit. One union of stable codes; hot paths return these
// codes as numbers/strings and only the edges (CLI, config apply) build Error objects.

/** Every stable error code in ioamkit, grouped by the layer that raises it. */
export const ERROR_CODES = [
  // wire: structure that cannot be walked
  "TRUNCATED", // the bytes end before the structure does (offset = where data ran out)
  "BAD_VERSION", // IPv6 version nibble is not 6
  "BAD_OPTION_LENGTH", // a TLV runs past the end of its extension header
  "MALFORMED", // the bytes are all there but do not form the structure
  // wire: what a strict reader objects to (kept as issues, the packet still decodes)
  "BAD_ALIGNMENT",
  "HEADER_MISMATCH",
  "RESERVED_NONZERO",
  "NODELEN_MISMATCH",
  "REMLEN_EXCEEDS_DATA",
  "DATA_NOT_WORD_ALIGNED",
  "UNDEFINED_TRACE_BITS",
  "RESERVED_TRACE_BIT",
  "TRAILING_DATA",
  "BOTH_SEQ_BITS",
  "UNDEFINED_E2E_BITS",
  "DEX_LENGTH_MISMATCH",
  "UNKNOWN_POT_TYPE",
  "INCREMENTAL_AFTER_PREALLOC",
  // configuration and usage
  "BAD_CONFIG",
  "USAGE",
  "IO",
  // the kernel said no (errno name in KernelError), or lacks a feature
  "KERNEL",
  "NOT_SUPPORTED",
] as const;

export type IoamErrorCode = (typeof ERROR_CODES)[number];

/** Base of every error ioamkit throws on purpose. `code` is stable across releases. */
export class IoamError extends Error {
  readonly code: IoamErrorCode;
  constructor(code: IoamErrorCode, message: string) {
    super(message);
    this.name = "IoamError";
    this.code = code;
  }
}

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

/** A configuration value the kernel (or ioamkit) refuses; `path` names the item. */
export class ConfigError extends IoamError {
  readonly path: string;
  constructor(path: string, message: string) {
    super("BAD_CONFIG", `${path}: ${message}`);
    this.name = "ConfigError";
    this.path = path;
  }
}

/** The command line was wrong; the CLI exits with status 2. */
export class UsageError extends IoamError {
  constructor(message: string) {
    super("USAGE", message);
    this.name = "UsageError";
  }
}

/** A non-fatal objection a strict reader has to otherwise decodable bytes. */
export interface Issue {
  readonly code: IoamErrorCode;
  /** Byte offset from the start of the IPv6 packet. */
  readonly offset: number;
}
