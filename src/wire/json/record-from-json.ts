// The inverse of record-json.ts: a canonical JSON record back into a PacketRecord, so that
// `ioam decode --json | ioam encode --from-json` reproduces the packet.

import type { IoamOption } from "../ioam/option.js";
import { ConfigError } from "../../errors.js";
import { hexToBytes } from "../hex.js";
import type { PacketRecord } from "../packet.js";

const BIGINT_KEYS = new Set(["nodeIdWide", "nsDataWide", "random", "cumulative", "seq64"]);
const BYTES_KEYS = new Set(["freeSpace", "rawData", "raw", "data", "payload"]);
const HEX_NUMBER_KEYS = new Set(["traceType", "e2eType"]);

function convert(v: unknown, key: string, path: string): unknown {
  if (Array.isArray(v)) return v.map((x, i) => convert(x, key, `${path}[${i}]`));
  if (v !== null && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = convert(x, k, `${path}.${k}`);
    return out;
  }
  if (typeof v !== "string") return v;
  if (BIGINT_KEYS.has(key)) {
    if (!/^0x[0-9a-fA-F]+$/.test(v)) throw new ConfigError(path, `expected a 0x… hex integer, got ${JSON.stringify(v)}`);
    return BigInt(v);
  }
  if (BYTES_KEYS.has(key)) {
    const b = hexToBytes(v);
    if (!b) throw new ConfigError(path, `expected 0x… hex bytes, got ${JSON.stringify(v)}`);
    return b;
  }
  if (HEX_NUMBER_KEYS.has(key)) {
    if (!/^0x[0-9a-fA-F]+$/.test(v)) throw new ConfigError(path, `expected a 0x… hex number, got ${JSON.stringify(v)}`);
    return parseInt(v, 16);
  }
  return v;
}

/**
 * Converts one parsed JSON record (as `packetToJson` writes it) back to a PacketRecord.
 * The upper-layer bytes come from its `payload` member (written by `decode --json --payload`);
 * without it the packet is rebuilt with an empty payload.
 */
export function packetFromJson(json: unknown): PacketRecord {
  if (json === null || typeof json !== "object" || (json as { v?: unknown }).v !== 1) {
    throw new ConfigError("record", "not a canonical record (expected an object with v: 1)");
  }
  const r = convert(json, "", "record") as PacketRecord;
  for (const k of ["ipv6", "extHeaders", "options", "upper"] as const) {
    if (r[k] === undefined) throw new ConfigError(`record.${k}`, "missing");
  }
  r.payload ??= new Uint8Array(0);
  r.issues ??= [];
  return r;
}

/** The `options` array of a record (a canonical record's, or the data plane's decap sink record's) back to IoamOptions. */
export function optionsFromJson(options: unknown, path = "record.options"): IoamOption[] {
  if (!Array.isArray(options)) throw new ConfigError(path, "expected an array of options");
  return convert(options, "", path) as IoamOption[];
}
