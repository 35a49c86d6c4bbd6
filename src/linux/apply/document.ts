// The `ioam apply` file: a YAML description of the IOAM state one node should have. Parsed
// into DesiredState with the file:line of every item, so each error names where it stands.
// Sections that are absent are left alone; `namespaces` and `schemas`, when present, are the
// complete sets (others are deleted). Numbers are YAML 1.2 integers (010 is ten, 0o10 eight,
// 0x10 sixteen), as the file's own language reads them; option words inside dataplane strings
// follow the command line's rule (wire/number-text.ts). See docs/cli.md "Numbers".

import { LineCounter, type Node, type Scalar, YAMLMap, YAMLSeq, isMap, isScalar, isSeq, parseDocument } from "yaml";
import { ConfigError } from "../../errors.js";
import { parseOptionWords } from "../../wire/ioam/option-words.js";
import { IF_ID_MAX, IF_ID_WIDE_MAX, NODE_ID_MAX, NODE_ID_WIDE_MAX, type InterfaceIoam, type NodeIds } from "../ioam6-sysctl.js";
import { MAX_SCHEMA_DATA } from "../netlink/ioam6-family.js";

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
  /** file:line of each item, by path ("namespaces.123", "interfaces.eth1.id"). */
  where: Map<string, string>;
}

const TOP = ["version", "node", "interfaces", "namespaces", "schemas", "dataplane"] as const;
const DATAPLANE = ["encap", "decap", "pot", "e2e", "dex", "transit"] as const;

/**
 * Reads values out of a parsed YAML document, each error naming file:line and the item's path.
 * `prefix` is put before every path in messages (a lab names the node whose block it reads).
 */
export class YamlReader {
  readonly where = new Map<string, string>();
  constructor(
    readonly file: string,
    private readonly lines: LineCounter,
    private readonly source: string,
    private readonly prefix = "",
  ) {}

  /** The node's text as written in the file. */
  sourceOf(node: Node): string {
    const [start, end] = node.range ?? [0, 0];
    return this.source.slice(start, end).trim();
  }

  at(node: Node | null | undefined): string {
    const start = node?.range?.[0];
    return start === undefined ? this.file : `${this.file}:${this.lines.linePos(start).line}`;
  }

  fail(node: Node | null | undefined, path: string, message: string): never {
    throw new ConfigError(`${this.at(node)}: ${this.prefix}${path}`, message);
  }

  map(node: unknown, path: string): YAMLMap {
    if (isMap(node)) return node;
    if (node === null || (isScalar(node) && node.value === null)) return new YAMLMap();
    return this.fail(node as Node, path, "expected a mapping (key: value lines)");
  }

  /** Pairs of a mapping with their keys as text; refuses keys not in `allowed`. */
  entries(m: YAMLMap, path: string, allowed?: readonly string[]): Array<[string, Node | null, Node]> {
    return m.items.map((pair) => {
      const keyNode = pair.key as Node;
      const key = isScalar(keyNode) ? String(keyNode.value) : this.fail(keyNode, path, "keys must be plain words or numbers");
      const at = `${path ? path + "." : ""}${key}`;
      if (allowed && !allowed.includes(key)) this.fail(keyNode, at, `unknown key (known: ${allowed.join(", ")})`);
      this.where.set(at, this.at(keyNode));
      return [key, pair.value as Node | null, keyNode];
    });
  }

  /** A YAML 1.2 integer from 0 to max (the document is parsed with intAsBigInt). */
  uint(node: Node | null, path: string, max: bigint): bigint {
    const v = isScalar(node) ? node.value : undefined;
    const n = typeof v === "bigint" ? v : typeof v === "number" && Number.isInteger(v) ? BigInt(v) : undefined;
    if (n !== undefined && n >= 0n && n <= max) return n;
    const expected = `expected an integer from 0 to ${max} (YAML 1.2: decimal, 0x hex, 0o octal)`;
    if (typeof v === "string") this.fail(node, path, `${expected}, got the string "${v}"${/^(0[xXoO])?[0-9a-fA-F]+$/.test(v) ? ": remove the quotes" : ""}`);
    this.fail(node, path, `${expected}, got ${node ? (isScalar(node) ? this.sourceOf(node) : "a structure") : "nothing"}`);
  }

  num(node: Node | null, path: string, max: number): number {
    return Number(this.uint(node, path, BigInt(max)));
  }

  bool(node: Node | null, path: string): boolean {
    const v = isScalar(node) ? node.value : undefined;
    if (typeof v === "boolean") return v;
    if (v === "on" || v === "off") return v === "on";
    return this.fail(node, path, "expected true or false");
  }

  text(node: Node | null, path: string): string {
    const v = isScalar(node) ? node.value : undefined;
    if (typeof v === "string") return v;
    return this.fail(node, path, "expected a string");
  }
}

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
 * every file:line is the line in the file that holds it.
 */
export function readApplyMapping(r: YamlReader, contents: unknown): DesiredState {
  const out: DesiredState = { file: r.file, dataplane: [], where: r.where };
  for (const [key, value, keyNode] of r.entries(r.map(contents, ""), "", TOP)) {
    if (key === "version" && r.num(value, "version", 0xffffffff) !== 1) r.fail(keyNode, "version", "only version 1 is known");
    if (key === "node") out.node = readNode(r, value);
    if (key === "interfaces") out.interfaces = readInterfaces(r, value);
    if (key === "namespaces") out.namespaces = readNamespaces(r, value);
    if (key === "schemas") out.schemas = readSchemas(r, value);
    if (key === "dataplane") out.dataplane = readDataplane(r, value);
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

/** Data-plane items are checked for form (their option words must parse) and listed. */
function readDataplane(r: YamlReader, value: Node | null): DataplaneItem[] {
  const out: DataplaneItem[] = [];
  for (const [key, v] of r.entries(r.map(value, "dataplane"), "dataplane", DATAPLANE)) {
    const items = isSeq(v) ? (v as YAMLSeq).items : [v];
    items.forEach((item, i) => {
      const path = `dataplane.${key}[${i}]`;
      const node = item as Node;
      const text = isScalar(node) ? String((node as Scalar).value) : r.sourceOf(node);
      if (key === "encap") checkEncapPolicy(r, node, path, text);
      out.push({ path, where: r.at(node), text });
    });
  }
  return out;
}

/** `PREFIX OPTION-WORDS…` (e.g. "2001:db8::/32 trace prealloc type 0x800000 ns 1 size 12"). */
function checkEncapPolicy(r: YamlReader, node: Node, path: string, text: string): void {
  const [prefix, ...words] = text.trim().split(/\s+/);
  if (!prefix || !/^[0-9a-fA-F:.]+\/\d{1,3}$/.test(prefix)) r.fail(node, path, `expected "PREFIX option words…", got "${text}"`);
  const start = words.findIndex((w) => ["trace", "pot", "e2e", "dex"].includes(w));
  try {
    parseOptionWords(start < 0 ? words : words.slice(start), { policy: true });
  } catch (e) {
    r.fail(node, path, (e as Error).message);
  }
}

/** file:line of an item, or of the nearest enclosing section (for items the file leaves out). */
export function whereOf(doc: DesiredState, item: string): string {
  for (let p = item; p; p = p.slice(0, Math.max(0, p.lastIndexOf(".")))) {
    const w = doc.where.get(p);
    if (w) return w;
  }
  return doc.file;
}
