// The extension headers an encapsulating node adds, laid out once per policy by the codec (as
// ioam6_build_state in net/ipv6/ioam6_iptunnel.c builds the lwtunnel's template): the
// Pre-allocated (or Incremental) Trace with zeroed data space, POT and DEX in the Hop-by-Hop
// header, E2E in a Destination Options header (RFC 9486 §4), with Linux's padding.

import { type OptionSpec, buildPacketRecord } from "../wire/build.js";
import { IPPROTO } from "../wire/ext-header.js";
import { DEX_EXT_FLOW_ID, DEX_EXT_SEQ } from "../wire/ioam/dex.js";
import { E2E_SEQ32, E2E_SEQ64, E2E_TS_FRAC, E2E_TS_SEC } from "../wire/ioam/e2e.js";
import type { TraceFlags } from "../wire/ioam/trace.js";
import { nodeLenOf } from "../wire/ioam/trace-type.js";
import { IPV6 } from "../wire/ipv6.js";
import { encodePacket } from "../wire/packet.js";

/** The options a policy carries (see EncapPolicy in encap.ts). */
export interface TemplateOptions {
  trace?: { namespaceId: number; traceType: number; size: number; flags?: TraceFlags; reserved?: number; variant?: "prealloc" | "incremental" };
  e2e?: { namespaceId: number; e2eType: number };
  pot?: { namespaceId: number };
  dex?: { namespaceId: number; traceType: number; flowId?: number; seq?: boolean };
}

/** The headers, laid out once, and where their per-packet fields are. */
export interface HeadersTemplate {
  bytes: Uint8Array;
  /** Offsets within `bytes`: the IOAM option TLVs, and the Next Header octet of the last header. */
  traceAt: number;
  potAt: number;
  e2eAt: number;
  dexAt: number;
  nextHeaderAt: number;
  /** Protocol number of the first header (Hop-by-Hop, or Destination Options for E2E alone). */
  firstHeader: number;
}

const NO_FLAGS: TraceFlags = { overflow: false, loopback: false, active: false, unknownBits: 0 };

/** Lays the policy's options out; throws RangeError when it has none. */
export function headersTemplate(policy: TemplateOptions): HeadersTemplate {
  const { trace, e2e, dex, pot } = policy;
  const options: OptionSpec[] = [];
  if (trace) {
    options.push({ kind: "trace", variant: trace.variant ?? "prealloc", namespaceId: trace.namespaceId, nodeLen: nodeLenOf(trace.traceType), flags: trace.flags ?? NO_FLAGS, remainingLen: trace.size / 4, traceType: trace.traceType, reserved: trace.reserved ?? 0, nodes: [] });
  }
  if (pot) options.push({ kind: "pot", namespaceId: pot.namespaceId, potType: 0, flags: 0, random: 0n, cumulative: 0n });
  if (dex) options.push({ kind: "dex", namespaceId: dex.namespaceId, flags: 0, extFlags: (dex.flowId !== undefined ? DEX_EXT_FLOW_ID : 0) | (dex.seq ? DEX_EXT_SEQ : 0), traceType: dex.traceType, reserved: 0, ...(dex.flowId !== undefined ? { flowId: dex.flowId } : {}), ...(dex.seq ? { seq: 0 } : {}) });
  if (e2e) options.push(e2eTemplate(e2e.namespaceId, e2e.e2eType));
  if (options.length === 0) throw new RangeError("an encap policy needs at least one option (trace, pot, e2e or dex)");
  const rec = buildPacketRecord({ src: "::", dst: "::", options, upper: { kind: "raw", protocol: IPPROTO.IPV6, bytes: new Uint8Array(0) } });
  const bytes = encodePacket(rec).slice(IPV6.LENGTH);
  const at = (kind: string) => (rec.options.find((o) => o.kind === kind)?.offset ?? IPV6.LENGTH) - IPV6.LENGTH;
  const last = rec.extHeaders[rec.extHeaders.length - 1]!;
  return { bytes, traceAt: at("trace"), potAt: at("pot"), e2eAt: at("e2e"), dexAt: at("dex"), nextHeaderAt: last.offset - IPV6.LENGTH, firstHeader: rec.ipv6.nextHeader };
}

function e2eTemplate(namespaceId: number, e2eType: number): OptionSpec {
  return { kind: "e2e", namespaceId, e2eType, ...(e2eType & E2E_SEQ64 ? { seq64: 0n } : {}), ...(e2eType & E2E_SEQ32 ? { seq32: 0 } : {}), ...(e2eType & E2E_TS_SEC ? { tsSec: 0 } : {}), ...(e2eType & E2E_TS_FRAC ? { tsFrac: 0 } : {}) };
}
