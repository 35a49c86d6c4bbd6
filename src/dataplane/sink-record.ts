// The records `ioam node run` hands to its sink, one JSON object per line (NDJSON), the format
// the collector reads (docs/dataplane.md, "Sink records"): what a decapsulating node removed
// (source "decap": the IOAM options as they arrived, after this node's own fill, in the
// canonical record's shape) and what a transit node exported for a Direct Export option
// (source "dex"). Written straight into bytes with the canonical record's writers.

import type { Timestamp } from "../node/context.js";
import type { DecapRecord } from "../node/decap.js";
import type { DexExportRecord } from "../node/events.js";
import { formatIpv6Address } from "../wire/ipv6-address.js";
import { IPV6 } from "../wire/ipv6.js";
import { JsonBytes } from "../wire/json/json-bytes.js";
import { writeList, writeOption } from "../wire/json/record-json.js";

/** Where a record was taken: the node, the time and its source, the receiving interface. */
export interface RecordOrigin {
  time: Timestamp;
  timeSource: "kernel" | "clock";
  nodeId: number;
  netns: string | null;
  ingress: string | undefined;
}

function writeOrigin(w: JsonBytes, source: "decap" | "dex", o: RecordOrigin): void {
  w.ascii(`{"v":1,"source":"${source}","time":{"sec":`);
  w.uint(o.time.sec);
  w.ascii(',"nsec":');
  w.uint(o.time.nsec);
  w.ascii(`},"timeSource":"${o.timeSource}","node":{"id":`);
  w.uint(o.nodeId);
  w.ascii(',"netns":');
  if (o.netns === null) w.ascii("null");
  else w.str(o.netns);
  w.ascii("}");
  if (o.ingress !== undefined) (w.ascii(',"ingress":'), w.str(o.ingress));
}

/**
 * One decap record: where the options sat (mode, the carrying header's addresses), the packet
 * delivered onwards (`inner`: its addresses, next header, flow label, hop limit, length), the
 * options, and the POT verifier's verdicts when this node verifies.
 */
export function writeDecapRecord(w: JsonBytes, o: RecordOrigin, r: DecapRecord, inner: Uint8Array): void {
  writeOrigin(w, "decap", o);
  w.ascii(`,"mode":"${r.mode}","src":`);
  w.str(r.src);
  w.ascii(',"dst":');
  w.str(r.dst);
  if (inner.length >= IPV6.LENGTH) {
    w.ascii(',"inner":{"src":');
    w.str(formatIpv6Address(inner, 8));
    w.ascii(',"dst":');
    w.str(formatIpv6Address(inner, 24));
    w.ascii(',"nextHeader":');
    w.uint(inner[IPV6.NEXT_HEADER]!);
    w.ascii(',"flowLabel":');
    w.uint(((inner[1]! & 0x0f) << 16) | (inner[2]! << 8) | inner[3]!);
    w.ascii(',"hopLimit":');
    w.uint(inner[IPV6.HOP_LIMIT]!);
    w.ascii(',"length":');
    w.uint(IPV6.LENGTH + ((inner[4]! << 8) | inner[5]!));
    w.ascii("}");
  }
  w.ascii(',"options":[');
  writeList(w, r.options, writeOption);
  w.ascii("]");
  if (r.potVerified) w.ascii(`,"potVerified":[${r.potVerified.join(",")}]`);
  w.ascii("}\n");
}

/** One DEX export: the option's identifiers and this node's data for its trace type. */
export function writeDexRecord(w: JsonBytes, o: RecordOrigin, r: DexExportRecord): void {
  writeOrigin(w, "dex", o);
  w.ascii(',"namespaceId":');
  w.uint(r.namespaceId);
  w.ascii(',"traceType":');
  w.hexNum(r.traceType, 6);
  if (r.flowId !== undefined) (w.ascii(',"flowId":'), w.uint(r.flowId));
  if (r.seq !== undefined) (w.ascii(',"seq":'), w.uint(r.seq));
  w.ascii(',"data":');
  w.hexBytes(r.data);
  w.ascii("}\n");
}
