// The base of ioamkit's typed errors, below every layer: one registry of stable codes and the
// errors that concern a person at an edge (usage, configuration). Each layer keeps its own
// errors beside its code (wire/errors.ts: DecodeError and issues; capture/_errors.ts;
// linux/kernel-error.ts). Hot paths return codes; only the edges build Error objects.

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
  // the HTTP API (ui/): a request's parameter, credentials, or origin refused
  "BAD_PARAMETER",
  "UNAUTHORIZED",
  "FORBIDDEN",
  "NOT_FOUND",
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
