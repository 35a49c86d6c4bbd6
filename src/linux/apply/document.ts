// The `ioam apply` file: a YAML description of the IOAM state one node should have. Parsed
// into DesiredState with the file:line of every item, so each error names where it stands.
// Sections that are absent are left alone; `namespaces` and `schemas`, when present, are the
// complete sets (others are deleted). Numbers are YAML 1.2 integers (010 is ten, 0o10 eight,
// 0x10 sixteen), as the file's own language reads them; option words inside dataplane strings
// follow the command line's rule (wire/number-text.ts). See docs/cli.md "Numbers".

import { LineCounter, type Node, isMap, isScalar, parseDocument } from "yaml";
import { ConfigError } from "../../errors.js";
import { IF_ID_MAX, IF_ID_WIDE_MAX, NODE_ID_MAX, NODE_ID_WIDE_MAX, type InterfaceIoam, type NodeIds } from "../ioam6-sysctl.js";
import { MAX_SCHEMA_DATA } from "../netlink/ioam6-family.js";
import { DATAPLANE_KEYS, type DataplaneSpec, checkDataplane, emptyDataplane, itemText, listItems, readDataplaneKey } from "./dataplane-spec.js";
import { YamlReader } from "./yaml-reader.js";

export { YamlReader } from "./yaml-reader.js";

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
  const r = new YamlReader(file, lines, text);
  if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) {
    throw new ConfigError(file, "the file is empty; an apply file starts with version: 1 (see ioam apply --help)");
  }
  const top = r.entries(r.map(doc.contents, ""), "", TOP);
  if (!top.some(([key]) => key === "version")) throw new ConfigError(`${file}:1`, "version: missing; an apply file starts with version: 1, so that a later format is never misread");
  return readApplyMapping(r, doc.contents);
}

/**
 * The apply format read from a node of an already parsed YAML document (a whole apply file, or
 * a lab's per-node `ioam:` block, which needs no version: its topology file has one), so that
 * every file:line is the line in the file that holds it. A lab's block writes its `dataplane:`
 * in the lab's words (POT profiles, `tunnel` without an address, `edge IFNAME`: docs/lab.md),
 * which the lab checks and translates into `ioam node run`'s (lab/node-file.ts): with
 * `labDataplane` its items are only listed here.
 */
export function readApplyMapping(r: YamlReader, contents: unknown, opts: { labDataplane?: boolean } = {}): DesiredState {
  const out: DesiredState = { file: r.file, dataplane: [], dataplaneSpec: emptyDataplane(), where: r.where };
  for (const [key, value, keyNode] of r.entries(r.map(contents, ""), "", TOP)) {
    if (key === "version" && r.num(value, "version", 0xffffffff) !== 1) r.fail(keyNode, "version", "only version 1 is known");
    if (key === "node") out.node = readNode(r, value);
    if (key === "interfaces") out.interfaces = readInterfaces(r, value);
    if (key === "namespaces") out.namespaces = readNamespaces(r, value);
    if (key === "schemas") out.schemas = readSchemas(r, value);
    if (key === "dataplane") readDataplane(r, value, out, opts.labDataplane === true);
  }
  return out;
}

function readNode(r: YamlReader, value: Node | null): Partial<NodeIds> {
  const node: Partial<NodeIds> = {};
  for (const [k, v] of r.entries(r.map(value, "node"), "node", ["id", "wide"])) {
    if (k === "id") node.id = r.num(v, "node.id", NODE_ID_MAX);
    else node.wide = r.uint(v, "node.wide", NODE_ID_WIDE_MAX);
  }
  return node;
}

function readInterfaces(r: YamlReader, value: Node | null): Map<string, InterfaceChange> {
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

function readNamespaces(r: YamlReader, value: Node | null): Map<number, NamespaceWant> {
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

function readSchemas(r: YamlReader, value: Node | null): Map<number, Uint8Array> {
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
function readDataplane(r: YamlReader, value: Node | null, out: DesiredState, listOnly: boolean): void {
  for (const [key, v, keyNode] of r.entries(r.map(value, "dataplane"), "dataplane", DATAPLANE_KEYS)) {
    if (!listOnly) readDataplaneKey(r, out.dataplaneSpec, key, v, keyNode);
    const listed = key === "encap" || key === "decap" || listOnly;
    const items = listed ? listItems(v) : [v ?? keyNode];
    items.forEach((item, i) => {
      const path = listed ? `dataplane.${key}[${i}]` : `dataplane.${key}`;
      out.dataplane.push({ path, where: r.at(item), text: itemText(r, item) });
    });
  }
  if (!listOnly) checkDataplane(out.dataplaneSpec);
}

/** file:line of an item, or of the nearest enclosing section (for items the file leaves out). */
export function whereOf(doc: DesiredState, item: string): string {
  for (let p = item; p; p = p.slice(0, Math.max(0, p.lastIndexOf(".")))) {
    const w = doc.where.get(p);
    if (w) return w;
  }
  return doc.file;
}
