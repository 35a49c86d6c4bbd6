// Text exactly as iproute2's `ip ioam` prints it (ip/ipioam6.c), including C printf's "%#x"
// quirk: the "0x" prefix is left out for zero, which is padded with zeros instead.

import type { Ioam6Namespace, Ioam6Schema, Ioam6TraceEvent } from "../linux/netlink/ioam6-family.js";
import { bytesToHex } from "../wire/hex.js";

/** printf("%#0<width>x", v). */
export function cHexAlt(v: number | bigint, width: number): string {
  if (v === 0 || v === 0n) return "0".repeat(width);
  return "0x" + v.toString(16).padStart(width - 2, "0");
}

/** `namespace 123 [schema 777], data 0xdeadbeef, wide 0xcafec0caf00dc0de` */
export function namespaceLine(ns: Ioam6Namespace): string {
  let s = `namespace ${ns.id}`;
  if (ns.schema !== undefined) s += ` [schema ${ns.schema}]`;
  if (ns.data !== undefined) s += `, data ${cHexAlt(ns.data, 10)}`;
  if (ns.wide !== undefined) s += `, wide ${cHexAlt(ns.wide, 18)}`;
  return s;
}

/** `schema 777 [namespace 123], data: 73 6f …` */
export function schemaLine(sc: Ioam6Schema): string {
  let s = `schema ${sc.id}`;
  if (sc.namespace !== undefined) s += ` [namespace ${sc.namespace}]`;
  s += ", data:";
  for (const b of sc.data) s += " " + b.toString(16).padStart(2, "0");
  return s;
}

/** `[TRACE] Namespace=123 NodeLen=1 Type=0x800000 Data=3f000002` as `ip ioam monitor` prints. */
export function traceEventLine(e: Ioam6TraceEvent): string {
  return `[TRACE] Namespace=${e.namespaceId} NodeLen=${e.nodeLen} Type=${cHexAlt(e.typeWord >>> 0, 8)} Data=${bytesToHex(e.data)}`;
}
