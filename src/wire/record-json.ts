// The canonical record as JSON (design.md): 64-bit values and opaque bytes as "0x…" strings,
// Trace-Types as "0x" + 6 hex digits. Hand-written because `decode --json` must keep up with
// hundreds of thousands of records a second; `JSON.stringify` with a replacer cannot.

import type { ExtHeaderRecord } from "./ext-header.js";
import { bytesToHex0x, hexNum } from "./hex.js";
import type { IoamOption } from "./ioam/option.js";
import type { TraceNode } from "./ioam/trace-node.js";
import type { Issue } from "./errors.js";
import type { PacketRecord } from "./packet.js";
import type { TlvRecord } from "./tlv-options.js";
import type { UpperLayer } from "./upper-layer.js";

const q = JSON.stringify;

/**
 * Serialises one packet record; `extra` (already JSON members ending in a comma, e.g.
 * capture info) goes first. With `payload`, the upper-layer bytes are included too.
 */
export function packetToJson(r: PacketRecord, extra = "", payload = false): string {
  const ip = r.ipv6;
  return (
    `{"v":1,${extra}"ipv6":{"src":${q(ip.src)},"dst":${q(ip.dst)},"trafficClass":${ip.trafficClass},"flowLabel":${ip.flowLabel},` +
    `"payloadLength":${ip.payloadLength},"nextHeader":${ip.nextHeader},"hopLimit":${ip.hopLimit}},` +
    `"extHeaders":[${r.extHeaders.map(extHeaderToJson).join(",")}],` +
    `"options":[${r.options.map(optionToJson).join(",")}],` +
    `"upper":${upperToJson(r.upper)},"issues":${issuesToJson(r.issues)}` +
    (payload ? `,"payload":"${bytesToHex0x(r.payload)}"}` : "}")
  );
}

function upperToJson(u: UpperLayer): string {
  let s = `{"protocol":${u.protocol},"offset":${u.offset},"length":${u.length}`;
  if (u.srcPort !== undefined) s += `,"srcPort":${u.srcPort},"dstPort":${u.dstPort}`;
  if (u.icmpType !== undefined) s += `,"icmpType":${u.icmpType},"icmpCode":${u.icmpCode}`;
  if (u.checksumAt !== undefined) s += `,"checksumAt":${u.checksumAt}`;
  return s + "}";
}

function issuesToJson(issues: readonly Issue[]): string {
  if (issues.length === 0) return "[]";
  return "[" + issues.map((i) => `{"code":"${i.code}","offset":${i.offset}}`).join(",") + "]";
}

function tlvToJson(t: TlvRecord): string {
  return t.data ? `{"offset":${t.offset},"type":${t.type},"data":"${bytesToHex0x(t.data)}"}` : `{"offset":${t.offset},"type":${t.type}}`;
}

function extHeaderToJson(h: ExtHeaderRecord): string {
  const head = `{"kind":"${h.kind}","offset":${h.offset},"length":${h.length},"nextHeader":${h.nextHeader}`;
  switch (h.kind) {
    case "hop":
    case "dest":
      return `${head},"tlvs":[${h.tlvs.map(tlvToJson).join(",")}]}`;
    case "routing":
      return `${head},"routingType":${h.routingType},"segmentsLeft":${h.segmentsLeft},"data":"${bytesToHex0x(h.data)}"${h.srh ? `,"srh":${q(h.srh)}` : ""}}`;
    case "fragment":
      return `${head},"fragmentOffset":${h.fragmentOffset},"more":${h.more},"identification":${h.identification},"reserved":${h.reserved},"resBits":${h.resBits}}`;
  }
}

/** Serialises one IOAM option of the canonical record. */
export function optionToJson(o: IoamOption): string {
  const place = `"header":"${o.header}","headerIndex":${o.headerIndex},"ipv6OptType":${o.ipv6OptType},"offset":${o.offset},"optReserved":${o.optReserved},"issues":${issuesToJson(o.issues)}`;
  switch (o.kind) {
    case "trace": {
      const f = o.flags;
      return (
        `{"kind":"trace","variant":"${o.variant}","namespaceId":${o.namespaceId},"nodeLen":${o.nodeLen},` +
        `"flags":{"overflow":${f.overflow},"loopback":${f.loopback},"active":${f.active},"unknownBits":${f.unknownBits}},` +
        `"remainingLen":${o.remainingLen},"traceType":"${hexNum(o.traceType, 6)}","reserved":${o.reserved},` +
        `"nodes":[${o.nodes.map(nodeToJson).join(",")}]` +
        (o.freeSpace ? `,"freeSpace":"${bytesToHex0x(o.freeSpace)}"` : "") +
        (o.rawData ? `,"rawData":"${bytesToHex0x(o.rawData)}"` : "") +
        `,${place}}`
      );
    }
    case "pot":
      return (
        `{"kind":"pot","namespaceId":${o.namespaceId},"potType":${o.potType},"flags":${o.flags}` +
        (o.random !== undefined ? `,"random":"${hexNum(o.random, 16)}"` : "") +
        (o.cumulative !== undefined ? `,"cumulative":"${hexNum(o.cumulative, 16)}"` : "") +
        (o.data ? `,"data":"${bytesToHex0x(o.data)}"` : "") +
        `,${place}}`
      );
    case "e2e":
      return (
        `{"kind":"e2e","namespaceId":${o.namespaceId},"e2eType":"${hexNum(o.e2eType, 4)}"` +
        (o.seq64 !== undefined ? `,"seq64":"${hexNum(o.seq64, 16)}"` : "") +
        (o.seq32 !== undefined ? `,"seq32":${o.seq32}` : "") +
        (o.tsSec !== undefined ? `,"tsSec":${o.tsSec}` : "") +
        (o.tsFrac !== undefined ? `,"tsFrac":${o.tsFrac}` : "") +
        (o.rawData ? `,"rawData":"${bytesToHex0x(o.rawData)}"` : "") +
        `,${place}}`
      );
    case "dex":
      return (
        `{"kind":"dex","namespaceId":${o.namespaceId},"flags":${o.flags},"extFlags":${o.extFlags},"traceType":"${hexNum(o.traceType, 6)}","reserved":${o.reserved}` +
        (o.flowId !== undefined ? `,"flowId":${o.flowId}` : "") +
        (o.seq !== undefined ? `,"seq":${o.seq}` : "") +
        (o.extWords ? `,"extWords":${q(o.extWords)}` : "") +
        (o.rawData ? `,"rawData":"${bytesToHex0x(o.rawData)}"` : "") +
        `,${place}}`
      );
    case "unknown":
      return `{"kind":"unknown","ioamType":${o.ioamType},"raw":"${bytesToHex0x(o.raw)}",${place}}`;
  }
}

/** Serialises one node entry; keys in wire order, bigints as 0x strings. Unrolled: hot path. */
export function nodeToJson(n: TraceNode): string {
  let s = "";
  if (n.hopLimit !== undefined) s += ',"hopLimit":' + n.hopLimit;
  if (n.nodeId !== undefined) s += ',"nodeId":' + n.nodeId;
  if (n.ingressIf !== undefined) s += ',"ingressIf":' + n.ingressIf + ',"egressIf":' + n.egressIf;
  if (n.tsSec !== undefined) s += ',"tsSec":' + n.tsSec;
  if (n.tsFrac !== undefined) s += ',"tsFrac":' + n.tsFrac;
  if (n.transitDelay !== undefined) s += ',"transitDelay":' + n.transitDelay;
  if (n.nsData !== undefined) s += ',"nsData":' + n.nsData;
  if (n.queueDepth !== undefined) s += ',"queueDepth":' + n.queueDepth;
  if (n.csumComp !== undefined) s += ',"csumComp":' + n.csumComp;
  if (n.hopLimitWide !== undefined) s += ',"hopLimitWide":' + n.hopLimitWide;
  if (n.nodeIdWide !== undefined) s += ',"nodeIdWide":"' + hexNum(n.nodeIdWide, 14) + '"';
  if (n.ingressIfWide !== undefined) s += ',"ingressIfWide":' + n.ingressIfWide + ',"egressIfWide":' + n.egressIfWide;
  if (n.nsDataWide !== undefined) s += ',"nsDataWide":"' + hexNum(n.nsDataWide, 16) + '"';
  if (n.bufferOccupancy !== undefined) s += ',"bufferOccupancy":' + n.bufferOccupancy;
  if (n.undefinedWords) s += ',"undefinedWords":[' + n.undefinedWords.join(",") + "]";
  if (n.opaque) s += ',"opaque":{"schemaId":' + n.opaque.schemaId + ',"data":"' + bytesToHex0x(n.opaque.data) + '"}';
  return "{" + s.slice(1) + "}";
}
