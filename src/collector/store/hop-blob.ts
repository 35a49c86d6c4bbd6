// A journey's hops as stored: the node entries in traversal order, each exactly as the trace
// type lays it out on the wire (RFC 9197 §4.4.2, encodeNode), so nothing a node wrote is lost and
// a 5-hop 0xf20000 journey takes 100 octets.

import { readU32 } from "../../wire/_be.js";
import { type TraceNode, decodeNodeFixed, encodeNode, nodeLength } from "../../wire/ioam/trace-node.js";
import { OSS_BIT, nodeLenOf } from "../../wire/ioam/trace-type.js";

/** The hops as bytes. */
export function encodeHops(hops: readonly TraceNode[], traceType: number): Uint8Array {
  let n = 0;
  for (const h of hops) n += nodeLength(h, traceType);
  const out = new Uint8Array(n);
  let o = 0;
  for (const h of hops) o = encodeNode(h, traceType, out, o);
  return out;
}

/** The hops encodeHops wrote. Throws RangeError on bytes that do not divide into entries. */
export function decodeHops(b: Uint8Array, traceType: number): TraceNode[] {
  const fixed = 4 * nodeLenOf(traceType);
  const out: TraceNode[] = [];
  for (let o = 0; o < b.length; ) {
    if (b.length - o < fixed || fixed + (traceType & OSS_BIT ? 4 : 0) === 0) throw new RangeError(`hops blob: ${b.length - o} bytes left at ${o}`);
    const n = decodeNodeFixed(b, o, traceType);
    o += fixed;
    if (traceType & OSS_BIT) {
      const words = b[o]!;
      n.opaque = { schemaId: readU32(b, o) & 0xffffff, data: b.slice(o + 4, o + 4 + 4 * words) };
      o += 4 + 4 * words;
    }
    out.push(n);
  }
  return out;
}
