// Human output of a decoded packet: one summary line, then each IOAM option with a node table
// whose columns are the fields its Trace-Type carries. "Not available" values print as n/a.

import { type PacketRecord, packetLength } from "../wire/packet.js";
import type { IoamOption } from "../wire/ioam/option.js";
import type { TraceBody } from "../wire/ioam/trace.js";
import type { TraceNode } from "../wire/ioam/trace-node.js";
import { OSS_BIT, TRACE_FIELDS, type TraceNodeKey, UNDEFINED_BITS_MASK, formatTraceType } from "../wire/ioam/trace-type.js";
import { bytesToHex } from "../wire/hex.js";
import type { Issue } from "../wire/errors.js";

const PROTO_NAMES: Record<number, string> = { 6: "TCP", 17: "UDP", 58: "ICMPv6", 59: "no next header", 41: "IPv6", 50: "ESP", 51: "AH" };

function na32(v: number | undefined): string {
  return v === undefined ? "" : v === 0xffffffff ? "n/a" : String(v);
}
function naBig(v: bigint | undefined, allOnes: bigint): string {
  return v === undefined ? "" : v === allOnes ? "n/a" : "0x" + v.toString(16);
}

export type Column = { title: string; cell: (n: TraceNode) => string };

/** How a value prints: "n/a" for all ones at its width; some fields in hex or with a unit. */
function cellText(key: TraceNodeKey, octets: number, v: number | bigint | undefined): string {
  if (v === undefined) return "";
  if (typeof v === "bigint") return naBig(v, (1n << BigInt(8 * octets)) - 1n);
  if (key === "nsData" || key === "csumComp") return hex32(v);
  if (key === "transitDelay") return transitDelay(v);
  return v === 2 ** (8 * octets) - 1 ? "n/a" : String(v);
}

/**
 * The columns of a trace's node table, from TRACE_FIELDS: one per value the type carries,
 * with one "hlim" column first (bit 0's hop limit, else bit 8's; a differing wide one is kept
 * in the JSON record only), then undefined words and the snapshot.
 */
export function columnsFor(traceType: number): Column[] {
  const cols: Column[] = [];
  const fields = TRACE_FIELDS.filter((f) => traceType & f.mask);
  if (fields.some((f) => f.parts.some((p) => p.column === "hlim"))) cols.push({ title: "hlim", cell: (n) => String(n.hopLimit ?? "") });
  for (const p of fields.flatMap((f) => f.parts)) {
    if (p.column !== "hlim") cols.push({ title: p.column, cell: (n) => cellText(p.key, p.octets, n[p.key]) });
  }
  if (traceType & UNDEFINED_BITS_MASK) cols.push({ title: "undefined", cell: (n) => (n.undefinedWords ?? []).map((w) => hex32(w)).join(",") });
  if (traceType & OSS_BIT) cols.push({ title: "snapshot", cell: (n) => snapshot(n) });
  return cols;
}

function hex32(v: number | undefined): string {
  return v === undefined ? "" : v === 0xffffffff ? "n/a" : "0x" + v.toString(16).padStart(8, "0");
}
function transitDelay(v: number | undefined): string {
  if (v === undefined) return "";
  if (v === 0xffffffff) return "n/a";
  return v & 0x80000000 ? "overflow" : `${v}ns`;
}
function snapshot(n: TraceNode): string {
  if (!n.opaque) return "";
  const id = n.opaque.schemaId === 0xffffff ? "none" : String(n.opaque.schemaId);
  return `schema ${id}` + (n.opaque.data.length ? ` ${bytesToHex(n.opaque.data)}` : "");
}

/** The node table of a trace, oldest node numbered last as on the wire. */
export function traceTable(t: TraceBody, indent: string): string[] {
  if (t.nodes.length === 0) return [`${indent}(no node data)`];
  const cols = [{ title: "#", cell: (_: TraceNode) => "" }, ...columnsFor(t.traceType)];
  const rows = t.nodes.map((n, i) => cols.map((c, j) => (j === 0 ? String(i + 1) : c.cell(n))));
  const widths = cols.map((c, j) => Math.max(c.title.length, ...rows.map((r) => r[j]!.length)));
  const fmt = (cells: string[]) => indent + cells.map((c, j) => c.padStart(widths[j]!)).join("  ");
  return [fmt(cols.map((c) => c.title)), ...rows.map(fmt)];
}

function flagsText(t: TraceBody): string {
  const f = [t.flags.overflow && "overflow", t.flags.loopback && "loopback", t.flags.active && "active", t.flags.unknownBits && "bit3"].filter(Boolean);
  return f.length ? f.join(",") : "-";
}

function issuesText(issues: readonly Issue[]): string {
  return issues.map((i) => `${i.code} at byte ${i.offset}`).join(", ");
}

/** "  seq N", or both fields by width when a packet carries both (a strict reader's issue). */
function e2eSeqText(seq64: bigint | undefined, seq32: number | undefined): string {
  if (seq64 !== undefined && seq32 !== undefined) return `  seq64 ${seq64}  seq32 ${seq32}`;
  const v = seq64 ?? seq32;
  return v === undefined ? "" : `  seq ${v}`;
}

/** Lines describing one IOAM option. */
export function optionLines(o: IoamOption): string[] {
  const where = `@${o.offset} ${o.header === "hop" ? "hop-by-hop" : "dest-opts"} 0x${o.ipv6OptType.toString(16)}`;
  const lines: string[] = [];
  switch (o.kind) {
    case "trace":
      lines.push(`  ${o.variant === "prealloc" ? "pre-allocated" : "incremental"} trace ${where}  ns ${o.namespaceId}  type ${formatTraceType(o.traceType)}  nodelen ${o.nodeLen}  remlen ${o.remainingLen}  flags ${flagsText(o)}`);
      lines.push(...traceTable(o, "    "));
      if (o.rawData) lines.push(`    undecoded data: ${bytesToHex(o.rawData)}`);
      break;
    case "pot":
      lines.push(`  proof of transit ${where}  ns ${o.namespaceId}  type ${o.potType}  flags 0x${o.flags.toString(16)}` + (o.random !== undefined ? `  random 0x${o.random.toString(16)}  cumulative 0x${o.cumulative!.toString(16)}` : `  data ${bytesToHex(o.data ?? new Uint8Array())}`));
      break;
    case "e2e":
      lines.push(`  edge-to-edge ${where}  ns ${o.namespaceId}  type 0x${o.e2eType.toString(16).padStart(4, "0")}` + e2eSeqText(o.seq64, o.seq32) + (o.tsSec !== undefined ? `  ts_sec ${na32(o.tsSec)}` : "") + (o.tsFrac !== undefined ? `  ts_frac ${na32(o.tsFrac)}` : ""));
      break;
    case "dex":
      lines.push(`  direct export ${where}  ns ${o.namespaceId}  type ${formatTraceType(o.traceType)}  flags 0x${o.flags.toString(16)}` + (o.flowId !== undefined ? `  flowid ${o.flowId}` : "") + (o.seq !== undefined ? `  seq ${o.seq}` : ""));
      break;
    case "unknown":
      lines.push(`  unknown IOAM type ${o.ioamType} ${where}  ${bytesToHex(o.raw)}`);
  }
  if (o.issues.length) lines.push(`    issues: ${issuesText(o.issues)}`);
  return lines;
}

/** The summary line plus every option's lines. */
export function packetLines(r: PacketRecord, label: string): string[] {
  const u = r.upper;
  const proto = PROTO_NAMES[u.protocol] ?? `protocol ${u.protocol}`;
  const detail = u.srcPort !== undefined ? ` ${u.srcPort} > ${u.dstPort}` : u.icmpType !== undefined ? ` type ${u.icmpType} code ${u.icmpCode}` : "";
  const len = packetLength(r); // 40 + Payload Length, or a jumbogram's length (RFC 2675)
  const jumbo = r.ipv6.payloadLength === 0 && len > 40 ? " (jumbogram)" : "";
  const lines = [`${label}${r.ipv6.src} > ${r.ipv6.dst}  ${proto}${detail}  hlim ${r.ipv6.hopLimit}  flow 0x${r.ipv6.flowLabel.toString(16)}  len ${len}${jumbo}`];
  for (const o of r.options) lines.push(...optionLines(o));
  if (r.options.length === 0) lines.push("  no IOAM option");
  if (r.issues.length) lines.push(`  issues: ${issuesText(r.issues)}`);
  return lines;
}
