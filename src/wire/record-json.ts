// The canonical record as JSON (design.md): 64-bit values and opaque bytes as "0x…" strings,
// Trace-Types as "0x" + 6 hex digits. Written straight into bytes (JsonBytes) because
// `decode --json` must keep up with hundreds of thousands of records a second.

import { type ExtHeaderRecord, isOptionsHeader } from "./ext-header.js";
import type { Issue } from "./errors.js";
import type { IoamOption } from "./ioam/option.js";
import type { TraceBody } from "./ioam/trace.js";
import type { TraceNode } from "./ioam/trace-node.js";
import { JsonBytes } from "./json-bytes.js";
import type { PacketRecord } from "./packet.js";
import type { TlvRecord } from "./tlv-options.js";
import type { UpperLayer } from "./upper-layer.js";

/**
 * Serialises one packet record as a string; `extra` (JSON members ending in a comma, e.g.
 * capture info) goes first. With `payload`, the upper-layer bytes are included too.
 */
export function packetToJson(r: PacketRecord, extra = "", payload = false): string {
  const w = new JsonBytes(1024);
  w.ascii('{"v":1,');
  w.text(extra);
  writePacketMembers(w, r, payload);
  w.ascii("}");
  return w.toString();
}

/** Writes the members of a packet record from `"ipv6"` on, without the enclosing braces. */
export function writePacketMembers(w: JsonBytes, r: PacketRecord, payload: boolean): void {
  const ip = r.ipv6;
  w.ascii('"ipv6":{"src":');
  w.str(ip.src);
  w.ascii(',"dst":');
  w.str(ip.dst);
  w.ascii(',"trafficClass":');
  w.uint(ip.trafficClass);
  w.ascii(',"flowLabel":');
  w.uint(ip.flowLabel);
  w.ascii(',"payloadLength":');
  w.uint(ip.payloadLength);
  w.ascii(',"nextHeader":');
  w.uint(ip.nextHeader);
  w.ascii(',"hopLimit":');
  w.uint(ip.hopLimit);
  w.ascii('},"extHeaders":[');
  r.extHeaders.forEach((h, i) => (i && w.byte(COMMA), writeExtHeader(w, h)));
  w.ascii('],"options":[');
  r.options.forEach((o, i) => (i && w.byte(COMMA), writeOption(w, o)));
  w.ascii('],"upper":');
  writeUpper(w, r.upper);
  w.ascii(',"issues":');
  writeIssues(w, r.issues);
  if (payload) {
    w.ascii(',"payload":');
    w.hexBytes(r.payload);
  }
}

function writeUpper(w: JsonBytes, u: UpperLayer): void {
  w.ascii('{"protocol":');
  w.uint(u.protocol);
  w.ascii(',"offset":');
  w.uint(u.offset);
  w.ascii(',"length":');
  w.uint(u.length);
  if (u.srcPort !== undefined) (w.ascii(',"srcPort":'), w.uint(u.srcPort), w.ascii(',"dstPort":'), w.uint(u.dstPort!));
  if (u.icmpType !== undefined) (w.ascii(',"icmpType":'), w.uint(u.icmpType), w.ascii(',"icmpCode":'), w.uint(u.icmpCode!));
  if (u.checksumAt !== undefined) (w.ascii(',"checksumAt":'), w.uint(u.checksumAt));
  w.ascii("}");
}

function writeIssues(w: JsonBytes, issues: readonly Issue[]): void {
  w.ascii("[");
  issues.forEach((x, i) => (w.ascii(i ? ',{"code":"' : '{"code":"'), w.ascii(x.code), w.ascii('","offset":'), w.uint(x.offset), w.ascii("}")));
  w.ascii("]");
}

function writeTlv(w: JsonBytes, t: TlvRecord): void {
  w.ascii('{"offset":');
  w.uint(t.offset);
  w.ascii(',"type":');
  w.uint(t.type);
  if (t.data) (w.ascii(',"data":'), w.hexBytes(t.data));
  w.ascii("}");
}

function writeExtHeader(w: JsonBytes, h: ExtHeaderRecord): void {
  w.ascii('{"kind":"');
  w.ascii(h.kind);
  w.ascii('","offset":');
  w.uint(h.offset);
  w.ascii(',"length":');
  w.uint(h.length);
  w.ascii(',"nextHeader":');
  w.uint(h.nextHeader);
  if (isOptionsHeader(h)) {
    w.ascii(',"tlvs":[');
    h.tlvs.forEach((t, i) => (i && w.byte(COMMA), writeTlv(w, t)));
    w.ascii("]}");
  } else if (h.kind === "routing") {
    (w.ascii(',"routingType":'), w.uint(h.routingType), w.ascii(',"segmentsLeft":'), w.uint(h.segmentsLeft), w.ascii(',"data":'));
    w.hexBytes(h.data);
    if (h.srh) (w.ascii(',"srh":'), w.text(JSON.stringify(h.srh)));
    w.ascii("}");
  } else {
    (w.ascii(',"fragmentOffset":'), w.uint(h.fragmentOffset), w.ascii(',"more":'), w.bool(h.more), w.ascii(',"identification":'), w.uint(h.identification));
    (w.ascii(',"reserved":'), w.uint(h.reserved), w.ascii(',"resBits":'), w.uint(h.resBits), w.ascii("}"));
  }
}

/** Writes one IOAM option of the canonical record. */
export function writeOption(w: JsonBytes, o: IoamOption): void {
  switch (o.kind) {
    case "trace": writeTrace(w, o); break;
    case "pot":
      (w.ascii('{"kind":"pot","namespaceId":'), w.uint(o.namespaceId), w.ascii(',"potType":'), w.uint(o.potType), w.ascii(',"flags":'), w.uint(o.flags));
      if (o.random !== undefined) (w.ascii(',"random":'), w.hexNum(o.random, 16));
      if (o.cumulative !== undefined) (w.ascii(',"cumulative":'), w.hexNum(o.cumulative, 16));
      if (o.data) (w.ascii(',"data":'), w.hexBytes(o.data));
      break;
    case "e2e":
      (w.ascii('{"kind":"e2e","namespaceId":'), w.uint(o.namespaceId), w.ascii(',"e2eType":'));
      w.hexNum(o.e2eType, 4);
      if (o.seq64 !== undefined) (w.ascii(',"seq64":'), w.hexNum(o.seq64, 16));
      if (o.seq32 !== undefined) (w.ascii(',"seq32":'), w.uint(o.seq32));
      if (o.tsSec !== undefined) (w.ascii(',"tsSec":'), w.uint(o.tsSec));
      if (o.tsFrac !== undefined) (w.ascii(',"tsFrac":'), w.uint(o.tsFrac));
      if (o.rawData) (w.ascii(',"rawData":'), w.hexBytes(o.rawData));
      break;
    case "dex":
      (w.ascii('{"kind":"dex","namespaceId":'), w.uint(o.namespaceId), w.ascii(',"flags":'), w.uint(o.flags), w.ascii(',"extFlags":'), w.uint(o.extFlags), w.ascii(',"traceType":'));
      w.hexNum(o.traceType, 6);
      (w.ascii(',"reserved":'), w.uint(o.reserved));
      if (o.flowId !== undefined) (w.ascii(',"flowId":'), w.uint(o.flowId));
      if (o.seq !== undefined) (w.ascii(',"seq":'), w.uint(o.seq));
      if (o.extWords) (w.ascii(',"extWords":'), w.text(JSON.stringify(o.extWords)));
      if (o.rawData) (w.ascii(',"rawData":'), w.hexBytes(o.rawData));
      break;
    case "unknown":
      (w.ascii('{"kind":"unknown","ioamType":'), w.uint(o.ioamType), w.ascii(',"raw":'));
      w.hexBytes(o.raw);
  }
  writePlacement(w, o);
}

function writePlacement(w: JsonBytes, o: IoamOption): void {
  w.ascii(o.header === "hop" ? ',"header":"hop","headerIndex":' : ',"header":"dest","headerIndex":');
  w.uint(o.headerIndex);
  w.ascii(',"ipv6OptType":');
  w.uint(o.ipv6OptType);
  w.ascii(',"offset":');
  w.uint(o.offset);
  w.ascii(',"optReserved":');
  w.uint(o.optReserved);
  w.ascii(',"issues":');
  writeIssues(w, o.issues);
  w.ascii("}");
}

function writeTrace(w: JsonBytes, o: TraceBody): void {
  const f = o.flags;
  w.ascii(o.variant === "prealloc" ? '{"kind":"trace","variant":"prealloc","namespaceId":' : '{"kind":"trace","variant":"incremental","namespaceId":');
  w.uint(o.namespaceId);
  w.ascii(',"nodeLen":');
  w.uint(o.nodeLen);
  w.ascii(',"flags":{"overflow":');
  w.bool(f.overflow);
  w.ascii(',"loopback":');
  w.bool(f.loopback);
  w.ascii(',"active":');
  w.bool(f.active);
  w.ascii(',"unknownBits":');
  w.uint(f.unknownBits);
  w.ascii('},"remainingLen":');
  w.uint(o.remainingLen);
  w.ascii(',"traceType":');
  w.hexNum(o.traceType, 6);
  w.ascii(',"reserved":');
  w.uint(o.reserved);
  w.ascii(',"nodes":[');
  o.nodes.forEach((n, i) => (i && w.byte(COMMA), writeNode(w, n)));
  w.ascii("]");
  if (o.freeSpace) (w.ascii(',"freeSpace":'), w.hexBytes(o.freeSpace));
  if (o.rawData) (w.ascii(',"rawData":'), w.hexBytes(o.rawData));
}

const COMMA = 0x2c;

/** Writes `"key":v` (after a comma unless first) when v is present; returns the new `first`. */
function num(w: JsonBytes, key: string, v: number | undefined, first: boolean): boolean {
  if (v === undefined) return first;
  if (!first) w.byte(COMMA);
  w.ascii(key);
  w.uint(v);
  return false;
}

/** Writes one node entry; keys in wire order, bigints as 0x strings. */
export function writeNode(w: JsonBytes, n: TraceNode): void {
  w.ascii("{");
  let first = num(w, '"hopLimit":', n.hopLimit, true);
  first = num(w, '"nodeId":', n.nodeId, first);
  first = num(w, '"ingressIf":', n.ingressIf, first);
  first = num(w, '"egressIf":', n.egressIf, first);
  first = num(w, '"tsSec":', n.tsSec, first);
  first = num(w, '"tsFrac":', n.tsFrac, first);
  first = num(w, '"transitDelay":', n.transitDelay, first);
  first = num(w, '"nsData":', n.nsData, first);
  first = num(w, '"queueDepth":', n.queueDepth, first);
  first = num(w, '"csumComp":', n.csumComp, first);
  first = num(w, '"hopLimitWide":', n.hopLimitWide, first);
  if (n.nodeIdWide !== undefined) (first || w.byte(COMMA), w.ascii('"nodeIdWide":'), w.hexNum(n.nodeIdWide, 14), (first = false));
  first = num(w, '"ingressIfWide":', n.ingressIfWide, first);
  first = num(w, '"egressIfWide":', n.egressIfWide, first);
  if (n.nsDataWide !== undefined) (first || w.byte(COMMA), w.ascii('"nsDataWide":'), w.hexNum(n.nsDataWide, 16), (first = false));
  first = num(w, '"bufferOccupancy":', n.bufferOccupancy, first);
  if (n.undefinedWords) (w.ascii(first ? '"undefinedWords":' : ',"undefinedWords":'), w.text(JSON.stringify(n.undefinedWords)), (first = false));
  if (n.opaque) {
    w.ascii(first ? '"opaque":{"schemaId":' : ',"opaque":{"schemaId":');
    w.uint(n.opaque.schemaId);
    w.ascii(',"data":');
    w.hexBytes(n.opaque.data);
    w.ascii("}");
  }
  w.ascii("}");
}
