// The canonical record as JSON (docs/architecture.md, "The canonical record"): 64-bit values and opaque bytes as "0x…" strings,
// Trace-Types as "0x" + 6 hex digits. Written straight into bytes (JsonBytes) because
// `decode --json` must keep up with hundreds of thousands of records a second.

import { type ExtHeaderRecord, isOptionsHeader } from "../ext-header.js";
import type { Issue } from "../errors.js";
import type { IoamOption } from "../ioam/option.js";
import type { TraceBody } from "../ioam/trace.js";
import type { TraceNode } from "../ioam/trace-node.js";
import { TRACE_FIELDS } from "../ioam/trace-type.js";
import { JsonBytes, asciiBytes } from "./json-bytes.js";
import type { PacketRecord } from "../packet.js";
import type { TlvRecord } from "../tlv-options.js";
import type { UpperLayer } from "../upper-layer.js";

/** Every constant piece of the JSON text, encoded once (copying bytes beats re-encoding text). */
// Names: c_ = starts with a comma, open_ = starts with "{", q_ = starts by closing a string.
const K = {
  v_1: asciiBytes('{"v":1,'),
  close: asciiBytes("}"),
  ipv6_src: asciiBytes('"ipv6":{"src":'),
  c_dst: asciiBytes(',"dst":'),
  c_trafficClass: asciiBytes(',"trafficClass":'),
  c_flowLabel: asciiBytes(',"flowLabel":'),
  c_payloadLength: asciiBytes(',"payloadLength":'),
  c_nextHeader: asciiBytes(',"nextHeader":'),
  c_hopLimit: asciiBytes(',"hopLimit":'),
  end_extHeaders: asciiBytes('},"extHeaders":['),
  end_options: asciiBytes('],"options":['),
  end_upper: asciiBytes('],"upper":'),
  c_issues: asciiBytes(',"issues":'),
  c_payload: asciiBytes(',"payload":'),
  open_protocol: asciiBytes('{"protocol":'),
  c_offset: asciiBytes(',"offset":'),
  c_length: asciiBytes(',"length":'),
  c_srcPort: asciiBytes(',"srcPort":'),
  c_dstPort: asciiBytes(',"dstPort":'),
  c_icmpType: asciiBytes(',"icmpType":'),
  c_icmpCode: asciiBytes(',"icmpCode":'),
  c_checksumAt: asciiBytes(',"checksumAt":'),
  lbr: asciiBytes("["),
  q_offset: asciiBytes('","offset":'),
  rbr: asciiBytes("]"),
  open_offset: asciiBytes('{"offset":'),
  c_type: asciiBytes(',"type":'),
  c_data: asciiBytes(',"data":'),
  open_kind: asciiBytes('{"kind":"'),
  c_tlvs: asciiBytes(',"tlvs":['),
  rbr_close: asciiBytes("]}"),
  c_routingType: asciiBytes(',"routingType":'),
  c_segmentsLeft: asciiBytes(',"segmentsLeft":'),
  c_srh: asciiBytes(',"srh":'),
  c_fragmentOffset: asciiBytes(',"fragmentOffset":'),
  c_more: asciiBytes(',"more":'),
  c_identification: asciiBytes(',"identification":'),
  c_reserved: asciiBytes(',"reserved":'),
  c_resBits: asciiBytes(',"resBits":'),
  kind_pot_namespaceId: asciiBytes('{"kind":"pot","namespaceId":'),
  c_potType: asciiBytes(',"potType":'),
  c_flags: asciiBytes(',"flags":'),
  c_random: asciiBytes(',"random":'),
  c_cumulative: asciiBytes(',"cumulative":'),
  kind_e2e_namespaceId: asciiBytes('{"kind":"e2e","namespaceId":'),
  c_e2eType: asciiBytes(',"e2eType":'),
  c_seq64: asciiBytes(',"seq64":'),
  c_seq32: asciiBytes(',"seq32":'),
  c_tsSec: asciiBytes(',"tsSec":'),
  c_tsFrac: asciiBytes(',"tsFrac":'),
  c_rawData: asciiBytes(',"rawData":'),
  kind_dex_namespaceId: asciiBytes('{"kind":"dex","namespaceId":'),
  c_extFlags: asciiBytes(',"extFlags":'),
  c_traceType: asciiBytes(',"traceType":'),
  c_flowId: asciiBytes(',"flowId":'),
  c_seq: asciiBytes(',"seq":'),
  c_extWords: asciiBytes(',"extWords":'),
  kind_unknown_ioamType: asciiBytes('{"kind":"unknown","ioamType":'),
  c_raw: asciiBytes(',"raw":'),
  c_ipv6OptType: asciiBytes(',"ipv6OptType":'),
  c_optReserved: asciiBytes(',"optReserved":'),
  c_nodeLen: asciiBytes(',"nodeLen":'),
  c_flags_overflow: asciiBytes(',"flags":{"overflow":'),
  c_loopback: asciiBytes(',"loopback":'),
  c_active: asciiBytes(',"active":'),
  c_unknownBits: asciiBytes(',"unknownBits":'),
  end_remainingLen: asciiBytes('},"remainingLen":'),
  c_nodes: asciiBytes(',"nodes":['),
  c_freeSpace: asciiBytes(',"freeSpace":'),
  open: asciiBytes("{"),
  open_code: asciiBytes('{"code":"'),
  c_header_hop_headerIndex: asciiBytes(',"header":"hop","headerIndex":'),
  c_header_dest_headerIndex: asciiBytes(',"header":"dest","headerIndex":'),
  kind_trace_variant_prealloc_namespaceId: asciiBytes('{"kind":"trace","variant":"prealloc","namespaceId":'),
  kind_trace_variant_incremental_namespaceId: asciiBytes('{"kind":"trace","variant":"incremental","namespaceId":'),
  undefinedWords: asciiBytes('"undefinedWords":'),
  c_undefinedWords: asciiBytes(',"undefinedWords":'),
  opaque_schemaId: asciiBytes('"opaque":{"schemaId":'),
  c_opaque_schemaId: asciiBytes(',"opaque":{"schemaId":'),
} as const;

/** Node member keys, with and without the leading comma. */

/** Serialises one packet record as a string; with `payload`, the upper-layer bytes too. */
export function packetToJson(r: PacketRecord, payload = false): string {
  const w = new JsonBytes(1024);
  w.raw(K.v_1);
  writePacketMembers(w, r, payload);
  w.raw(K.close);
  return w.toString();
}

/** Writes the members of a packet record from `"ipv6"` on, without the enclosing braces. */
export function writePacketMembers(w: JsonBytes, r: PacketRecord, payload: boolean): void {
  const ip = r.ipv6;
  w.raw(K.ipv6_src);
  w.str(ip.src);
  w.raw(K.c_dst);
  w.str(ip.dst);
  w.raw(K.c_trafficClass);
  w.uint(ip.trafficClass);
  w.raw(K.c_flowLabel);
  w.uint(ip.flowLabel);
  w.raw(K.c_payloadLength);
  w.uint(ip.payloadLength);
  w.raw(K.c_nextHeader);
  w.uint(ip.nextHeader);
  w.raw(K.c_hopLimit);
  w.uint(ip.hopLimit);
  w.raw(K.end_extHeaders);
  writeList(w, r.extHeaders, writeExtHeader);
  w.raw(K.end_options);
  writeList(w, r.options, writeOption);
  w.raw(K.end_upper);
  writeUpper(w, r.upper);
  w.raw(K.c_issues);
  writeIssues(w, r.issues);
  if (payload) {
    w.raw(K.c_payload);
    w.hexBytes(r.payload);
  }
}

function writeUpper(w: JsonBytes, u: UpperLayer): void {
  w.raw(K.open_protocol);
  w.uint(u.protocol);
  w.raw(K.c_offset);
  w.uint(u.offset);
  w.raw(K.c_length);
  w.uint(u.length);
  if (u.srcPort !== undefined) (w.raw(K.c_srcPort), w.uint(u.srcPort), w.raw(K.c_dstPort), w.uint(u.dstPort!));
  if (u.icmpType !== undefined) (w.raw(K.c_icmpType), w.uint(u.icmpType), w.raw(K.c_icmpCode), w.uint(u.icmpCode!));
  if (u.checksumAt !== undefined) (w.raw(K.c_checksumAt), w.uint(u.checksumAt));
  w.raw(K.close);
}

function writeIssues(w: JsonBytes, issues: readonly Issue[]): void {
  w.raw(K.lbr);
  writeList(w, issues, writeIssue);
  w.raw(K.rbr);
}

function writeIssue(w: JsonBytes, x: Issue): void {
  w.raw(K.open_code);
  w.ascii(x.code);
  w.raw(K.q_offset);
  w.uint(x.offset);
  w.raw(K.close);
}

function writeTlv(w: JsonBytes, t: TlvRecord): void {
  w.raw(K.open_offset);
  w.uint(t.offset);
  w.raw(K.c_type);
  w.uint(t.type);
  if (t.data) (w.raw(K.c_data), w.hexBytes(t.data));
  w.raw(K.close);
}

function writeExtHeader(w: JsonBytes, h: ExtHeaderRecord): void {
  w.raw(K.open_kind);
  w.ascii(h.kind);
  w.raw(K.q_offset);
  w.uint(h.offset);
  w.raw(K.c_length);
  w.uint(h.length);
  w.raw(K.c_nextHeader);
  w.uint(h.nextHeader);
  if (isOptionsHeader(h)) {
    w.raw(K.c_tlvs);
    writeList(w, h.tlvs, writeTlv);
    w.raw(K.rbr_close);
  } else if (h.kind === "routing") {
    (w.raw(K.c_routingType), w.uint(h.routingType), w.raw(K.c_segmentsLeft), w.uint(h.segmentsLeft), w.raw(K.c_data));
    w.hexBytes(h.data);
    if (h.srh) (w.raw(K.c_srh), w.text(JSON.stringify(h.srh)));
    w.raw(K.close);
  } else {
    (w.raw(K.c_fragmentOffset), w.uint(h.fragmentOffset), w.raw(K.c_more), w.bool(h.more), w.raw(K.c_identification), w.uint(h.identification));
    (w.raw(K.c_reserved), w.uint(h.reserved), w.raw(K.c_resBits), w.uint(h.resBits), w.raw(K.close));
  }
}

/** Writes one IOAM option of the canonical record. */
export function writeOption(w: JsonBytes, o: IoamOption): void {
  switch (o.kind) {
    case "trace": writeTrace(w, o); break;
    case "pot":
      (w.raw(K.kind_pot_namespaceId), w.uint(o.namespaceId), w.raw(K.c_potType), w.uint(o.potType), w.raw(K.c_flags), w.uint(o.flags));
      if (o.random !== undefined) (w.raw(K.c_random), w.hexNum(o.random, 16));
      if (o.cumulative !== undefined) (w.raw(K.c_cumulative), w.hexNum(o.cumulative, 16));
      if (o.data) (w.raw(K.c_data), w.hexBytes(o.data));
      break;
    case "e2e":
      (w.raw(K.kind_e2e_namespaceId), w.uint(o.namespaceId), w.raw(K.c_e2eType));
      w.hexNum(o.e2eType, 4);
      if (o.seq64 !== undefined) (w.raw(K.c_seq64), w.hexNum(o.seq64, 16));
      if (o.seq32 !== undefined) (w.raw(K.c_seq32), w.uint(o.seq32));
      if (o.tsSec !== undefined) (w.raw(K.c_tsSec), w.uint(o.tsSec));
      if (o.tsFrac !== undefined) (w.raw(K.c_tsFrac), w.uint(o.tsFrac));
      if (o.rawData) (w.raw(K.c_rawData), w.hexBytes(o.rawData));
      break;
    case "dex":
      (w.raw(K.kind_dex_namespaceId), w.uint(o.namespaceId), w.raw(K.c_flags), w.uint(o.flags), w.raw(K.c_extFlags), w.uint(o.extFlags), w.raw(K.c_traceType));
      w.hexNum(o.traceType, 6);
      (w.raw(K.c_reserved), w.uint(o.reserved));
      if (o.flowId !== undefined) (w.raw(K.c_flowId), w.uint(o.flowId));
      if (o.seq !== undefined) (w.raw(K.c_seq), w.uint(o.seq));
      if (o.extWords) (w.raw(K.c_extWords), w.text(JSON.stringify(o.extWords)));
      if (o.rawData) (w.raw(K.c_rawData), w.hexBytes(o.rawData));
      break;
    case "unknown":
      (w.raw(K.kind_unknown_ioamType), w.uint(o.ioamType), w.raw(K.c_raw));
      w.hexBytes(o.raw);
  }
  writePlacement(w, o);
}

function writePlacement(w: JsonBytes, o: IoamOption): void {
  w.raw(o.header === "hop" ? K.c_header_hop_headerIndex : K.c_header_dest_headerIndex);
  w.uint(o.headerIndex);
  w.raw(K.c_ipv6OptType);
  w.uint(o.ipv6OptType);
  w.raw(K.c_offset);
  w.uint(o.offset);
  w.raw(K.c_optReserved);
  w.uint(o.optReserved);
  w.raw(K.c_issues);
  writeIssues(w, o.issues);
  w.raw(K.close);
}

function writeTrace(w: JsonBytes, o: TraceBody): void {
  const f = o.flags;
  w.raw(o.variant === "prealloc" ? K.kind_trace_variant_prealloc_namespaceId : K.kind_trace_variant_incremental_namespaceId);
  w.uint(o.namespaceId);
  w.raw(K.c_nodeLen);
  w.uint(o.nodeLen);
  w.raw(K.c_flags_overflow);
  w.bool(f.overflow);
  w.raw(K.c_loopback);
  w.bool(f.loopback);
  w.raw(K.c_active);
  w.bool(f.active);
  w.raw(K.c_unknownBits);
  w.uint(f.unknownBits);
  w.raw(K.end_remainingLen);
  w.uint(o.remainingLen);
  w.raw(K.c_traceType);
  w.hexNum(o.traceType, 6);
  w.raw(K.c_reserved);
  w.uint(o.reserved);
  w.raw(K.c_nodes);
  writeList(w, o.nodes, writeNode);
  w.raw(K.rbr);
  if (o.freeSpace) (w.raw(K.c_freeSpace), w.hexBytes(o.freeSpace));
  if (o.rawData) (w.raw(K.c_rawData), w.hexBytes(o.rawData));
}

const COMMA = 0x2c;

/** Writes the items comma-separated (a plain loop: this runs for every node of every record). */
export function writeList<T>(w: JsonBytes, items: readonly T[], write: (w: JsonBytes, x: T) => void): void {
  for (let i = 0; i < items.length; i++) {
    if (i) w.byte(COMMA);
    write(w, items[i]!);
  }
}

/** The node's values in record order (TRACE_FIELDS), each with its key's bytes and hex width for bigints. */
const NODE_PARTS = TRACE_FIELDS.flatMap((f) => f.parts).map((p) => ({ key: p.key, first: asciiBytes(`"${p.key}":`), next: asciiBytes(`,"${p.key}":`), hexDigits: 2 * p.octets }));

/** Writes one node entry: the fixed fields' values in TRACE_FIELDS order (bigints as 0x strings), then undefined words and the snapshot. */
export function writeNode(w: JsonBytes, n: TraceNode): void {
  w.raw(K.open);
  let first = true;
  for (let i = 0; i < NODE_PARTS.length; i++) {
    const p = NODE_PARTS[i]!;
    const v = n[p.key];
    if (v === undefined) continue;
    w.raw(first ? p.first : p.next);
    if (typeof v === "bigint") w.hexNum(v, p.hexDigits);
    else w.uint(v);
    first = false;
  }
  if (n.undefinedWords) (w.raw(first ? K.undefinedWords : K.c_undefinedWords), w.text(JSON.stringify(n.undefinedWords)), (first = false));
  if (n.opaque) {
    w.raw(first ? K.opaque_schemaId : K.c_opaque_schemaId);
    w.uint(n.opaque.schemaId);
    w.raw(K.c_data);
    w.hexBytes(n.opaque.data);
    w.raw(K.close);
  }
  w.raw(K.close);
}
