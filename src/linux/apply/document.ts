// The `ioam apply` file: a YAML description of the IOAM state one node should have. Parsed
// into DesiredState with the file:line of every item, so each error names where it stands.
// Sections that are absent are left alone; `namespaces` and `schemas`, when present, are the
// complete sets (others are deleted). See README "ioam apply".

import { LineCounter, type Node, type Scalar, YAMLSeq, isMap, isScalar, isSeq, parseDocument } from "yaml";
import { ConfigError } from "../../errors.js";
import { parseOptionWords } from "../../wire/ioam/option-words.js";
import { IF_ID_MAX, IF_ID_WIDE_MAX, NODE_ID_MAX, NODE_ID_WIDE_MAX, type InterfaceIoam, type NodeIds } from "../ioam6-sysctl.js";
import { MAX_SCHEMA_DATA } from "../netlink/ioam6-family.js";
import { DATAPLANE_KEYS, type DataplaneSpec, checkDataplane, emptyDataplane, itemText, listItems, readDataplaneKey } from "./dataplane-spec.js";
import { Reader } from "./yaml-reader.js";

export type InterfaceChange = Partial<Omit<InterfaceIoam, "name">>;
export interface NamespaceWant {
  data?: number;
  wide?: bigint;
  schema?: number;
}

/** Something the kernel cannot hold, which `apply` names and leaves to `ioam node run`. */
export interface DataplaneItem {
  path: string;
  where: string;
  text: string;
}

export interface DesiredState {
  file: string;
  node?: Partial<NodeIds>;
  interfaces?: Map<string, InterfaceChange>;
  namespaces?: Map<number, NamespaceWant>;
  schemas?: Map<number, Uint8Array>;
  dataplane: DataplaneItem[];
  /** The `dataplane:` section as `ioam node run` runs it (empty when the file has none). */
  dataplaneSpec: DataplaneSpec;
  /** file:line of each item, by path ("namespaces.123", "interfaces.eth1.id"). */
  where: Map<string, string>;
}

const TOP = ["version", "node", "interfaces", "namespaces", "schemas", "dataplane"] as const;

/** Parses the text of an apply file; `file` names it in errors. */
export function parseApplyDocument(text: string, file: string): DesiredState {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, intAsBigInt: true, uniqueKeys: true, prettyErrors: false });
  const bad = doc.errors[0];
  if (bad) {
    const pos = lines.linePos(bad.pos[0]);
    throw new ConfigError(`${file}:${pos.line}:${pos.col}`, `malformed YAML: ${bad.message.split("\n")[0]}`);
  }
  const r = new Reader(file, lines, text);
  const out: DesiredState = { file, dataplane: [], dataplaneSpec: emptyDataplane(), where: r.where };
  for (const [key, value, keyNode] of r.entries(r.map(doc.contents, ""), "", TOP)) {
    if (key === "version" && r.num(value, "version", 1) !== 1) r.fail(keyNode, "version", "only version 1 is known");
    if (key === "node") out.node = readNode(r, value);
    if (key === "interfaces") out.interfaces = readInterfaces(r, value);
    if (key === "namespaces") out.namespaces = readNamespaces(r, value);
    if (key === "schemas") out.schemas = readSchemas(r, value);
    if (key === "dataplane") readDataplane(r, value, out);
  }
  return out;
}

function readNode(r: Reader, value: Node | null): Partial<NodeIds> {
  const node: Partial<NodeIds> = {};
  for (const [k, v] of r.entries(r.map(value, "node"), "node", ["id", "wide"])) {
    if (k === "id") node.id = r.num(v, "node.id", NODE_ID_MAX);
    else node.wide = r.uint(v, "node.wide", NODE_ID_WIDE_MAX);
  }
  return node;
}

function readInterfaces(r: Reader, value: Node | null): Map<string, InterfaceChange> {
  const out = new Map<string, InterfaceChange>();
  for (const [dev, v, keyNode] of r.entries(r.map(value, "interfaces"), "interfaces")) {
    if (!/^[^\s/]{1,15}$/.test(dev) || dev === "all" || dev === "default") r.fail(keyNode, `interfaces.${dev}`, "not an interface name");
    const p = `interfaces.${dev}`;
    const change: InterfaceChange = {};
    for (const [k, x] of r.entries(r.map(v, p), p, ["enabled", "id", "wide"])) {
      if (k === "enabled") change.enabled = r.bool(x, `${p}.enabled`);
      else if (k === "id") change.id = r.num(x, `${p}.id`, IF_ID_MAX);
      else change.wide = r.num(x, `${p}.wide`, IF_ID_WIDE_MAX);
    }
    out.set(dev, change);
  }
  return out;
}

function readNamespaces(r: Reader, value: Node | null): Map<number, NamespaceWant> {
  const out = new Map<number, NamespaceWant>();
  for (const [key, v, keyNode] of r.entries(r.map(value, "namespaces"), "namespaces")) {
    const id = r.num(keyNode, `namespaces.${key}`, 0xffff);
    const p = `namespaces.${id}`;
    const ns: NamespaceWant = {};
    for (const [k, x] of r.entries(r.map(v, p), p, ["data", "wide", "schema"])) {
      if (k === "data") ns.data = r.num(x, `${p}.data`, 0xffffffff);
      else if (k === "wide") ns.wide = r.uint(x, `${p}.wide`, 0xffffffffffffffffn);
      else ns.schema = r.num(x, `${p}.schema`, 0xffffffff);
    }
    out.set(id, ns);
  }
  return out;
}

function readSchemas(r: Reader, value: Node | null): Map<number, Uint8Array> {
  const out = new Map<number, Uint8Array>();
  for (const [key, v, keyNode] of r.entries(r.map(value, "schemas"), "schemas")) {
    const id = r.num(keyNode, `schemas.${key}`, 0xffffffff);
    const p = `schemas.${id}`;
    let data: Uint8Array;
    if (isMap(v)) {
      const [[k, x] = ["", null]] = r.entries(v, p, ["hex"]);
      const hex = k === "hex" ? r.text(x, `${p}.hex`).replace(/^0x/, "") : "";
      if (!/^([0-9a-fA-F]{2})*$/.test(hex)) r.fail(x, `${p}.hex`, "expected an even number of hex digits");
      data = Uint8Array.from(hex.match(/../g) ?? [], (h) => parseInt(h, 16));
    } else data = new TextEncoder().encode(r.text(v, p));
    if (data.length > MAX_SCHEMA_DATA) r.fail(v, p, `schema data of ${data.length} bytes is too big (at most ${MAX_SCHEMA_DATA})`);
    out.set(id, data);
  }
  return out;
}

/** The data-plane section: parsed and checked (dataplane-spec.ts), and listed item by item for `apply`. */
function readDataplane(r: Reader, value: Node | null, out: DesiredState): void {
  for (const [key, v, keyNode] of r.entries(r.map(value, "dataplane"), "dataplane", DATAPLANE_KEYS)) {
    readDataplaneKey(r, out.dataplaneSpec, key, v, keyNode);
    const items = key === "encap" || key === "decap" ? listItems(v) : [v ?? keyNode];
    items.forEach((item, i) => {
      const path = key === "encap" || key === "decap" ? `dataplane.${key}[${i}]` : `dataplane.${key}`;
      out.dataplane.push({ path, where: r.at(item), text: itemText(r, item) });
    });
  }
  checkDataplane(out.dataplaneSpec);
}

/** file:line of an item, or of the nearest enclosing section (for items the file leaves out). */
export function whereOf(doc: DesiredState, item: string): string {
  for (let p = item; p; p = p.slice(0, Math.max(0, p.lastIndexOf(".")))) {
    const w = doc.where.get(p);
    if (w) return w;
  }
  return doc.file;
}
