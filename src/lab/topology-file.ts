// The topology file: containerlab's layout (`name`, `topology.nodes`, `topology.links` with
// `endpoints: ["r1:eth1", "r2:eth1"]`) plus, per node, an `ioam:` block in the `ioam apply`
// format and optional `routes:`; links take a `prefix`, optional `addresses` and `mtu`; a
// top-level `pot:` names proof-of-transit profiles. ${VAR} and ${VAR:=default} are replaced
// from the environment (or --set) first, as containerlab does. Everything read here keeps its
// file:line; nothing is resolved yet (load.ts does that). See docs/lab.md.

import { LineCounter, type Node, isScalar, isSeq, parseDocument } from "yaml";
import { ConfigError } from "../errors.js";
import { type DesiredState, YamlReader, readApplyMapping } from "../linux/apply/document.js";
import type { NodeKind } from "./topology.js";

export interface RawEndpoint {
  node: string;
  ifname: string;
  where: string;
}

export interface RawLink {
  ends: [RawEndpoint, RawEndpoint];
  prefix: { text: string; where: string };
  addresses?: Array<{ text: string; where: string }>;
  mtu?: number;
  where: string;
}

export interface RawRoute {
  text: string;
  where: string;
}

export interface RawNode {
  name: string;
  kind: NodeKind;
  domain?: boolean;
  where: string;
  routes: RawRoute[];
  ioam?: DesiredState;
}

export interface RawPotProfile {
  name: string;
  namespaceId: number;
  nodes: Array<{ name: string; where: string }>;
  where: string;
}

export interface RawTopology {
  file: string;
  name: string;
  nameWhere: string;
  nodes: RawNode[];
  links: RawLink[];
  pot: RawPotProfile[];
}

const TOP = ["name", "topology", "pot"] as const;
const NODE_KEYS = ["kind", "domain", "routes", "ioam"] as const;
const LINK_KEYS = ["endpoints", "prefix", "addresses", "mtu"] as const;
/** A node name becomes part of a netns name and of `r1:eth1` endpoints. */
const NODE_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,14}$/;
/** An interface name the kernel accepts (IFNAMSIZ − 1 octets, no '/', ':' or blanks). */
const IFNAME = /^[A-Za-z0-9_.-]{1,15}$/;
const LAB_NAME = /^[a-z0-9][a-z0-9_-]{0,23}$/;

/** Replaces ${NAME}, ${NAME:=default} and ${NAME:-default}; a variable without value or default is an error at its line. */
export function substituteVariables(text: string, file: string, vars: Readonly<Record<string, string | undefined>>): string {
  return text.split("\n").map((line, i) =>
    line.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::[=-]([^}]*))?\}/g, (_m, name: string, def: string | undefined) => {
      const v = vars[name] ?? def;
      if (v === undefined) throw new ConfigError(`${file}:${i + 1}`, `\${${name}} has no value: set it in the environment, with --set ${name}=VALUE, or write \${${name}:=DEFAULT}`);
      if (/[\n\r]/.test(v)) throw new ConfigError(`${file}:${i + 1}`, `\${${name}}: a value must be one line`);
      return v;
    }),
  ).join("\n");
}

/** Parses a topology file's text (after variable substitution). */
export function parseTopologyText(text: string, file: string): RawTopology {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, intAsBigInt: true, uniqueKeys: true, prettyErrors: false });
  const bad = doc.errors[0];
  if (bad) {
    const pos = lines.linePos(bad.pos[0]);
    throw new ConfigError(`${file}:${pos.line}:${pos.col}`, `malformed YAML: ${bad.message.split("\n")[0]}`);
  }
  const r = new YamlReader(file, lines, text);
  const out: RawTopology = { file, name: "", nameWhere: file, nodes: [], links: [], pot: [] };
  let topology: Node | null = null;
  for (const [key, value, keyNode] of r.entries(r.map(doc.contents, ""), "", TOP)) {
    if (key === "name") {
      out.name = r.text(value, "name");
      out.nameWhere = r.at(keyNode);
      if (!LAB_NAME.test(out.name)) r.fail(value, "name", `"${out.name}" is not a lab name (lowercase letters, digits, - and _, at most 24, starting with a letter or digit)`);
    } else if (key === "topology") topology = value;
    else out.pot = readPot(r, value);
  }
  if (!out.name) r.fail(doc.contents as Node, "name", "the file needs a name: (the lab's name, part of every namespace name)");
  if (!topology) r.fail(doc.contents as Node, "topology", "the file needs a topology: with nodes: and links:");
  for (const [key, value] of r.entries(r.map(topology, "topology"), "topology", ["nodes", "links"])) {
    if (key === "nodes") out.nodes = readNodes(r, value, lines, text);
    else out.links = readLinks(r, value);
  }
  return out;
}

function readNodes(r: YamlReader, value: Node | null, lines: LineCounter, source: string): RawNode[] {
  return r.entries(r.map(value, "topology.nodes"), "topology.nodes").map(([name, v, keyNode]) => {
    const p = `topology.nodes.${name}`;
    if (!NODE_NAME.test(name)) r.fail(keyNode, p, `"${name}" is not a node name (a letter, then letters, digits, - or _; at most 15)`);
    const node: RawNode = { name, kind: "router", where: r.at(keyNode), routes: [] };
    let kindSeen = false;
    for (const [k, x] of r.entries(r.map(v, p), p, NODE_KEYS)) {
      if (k === "kind") {
        const kind = r.text(x, `${p}.kind`);
        if (kind !== "host" && kind !== "router") r.fail(x, `${p}.kind`, `kind "${kind}" is not host or router`);
        node.kind = kind;
        kindSeen = true;
      } else if (k === "domain") node.domain = r.bool(x, `${p}.domain`);
      else if (k === "routes") node.routes = strings(r, x, `${p}.routes`);
      // The block is read with its own reader so that its paths are the apply file's own
      // ("interfaces.eth1"), with the node named in messages.
      else node.ioam = readApplyMapping(new YamlReader(r.file, lines, source, `${p}.ioam.`), x, { labDataplane: true });
    }
    if (!kindSeen) r.fail(keyNode, p, "needs kind: host or kind: router");
    return node;
  });
}

function strings(r: YamlReader, x: Node | null, path: string): Array<{ text: string; where: string }> {
  const items = isSeq(x) ? (x.items as Node[]) : [x];
  return items.map((item, i) => ({ text: isScalar(item) ? String(item.value) : r.fail(item, `${path}[${i}]`, "expected a string"), where: r.at(item) }));
}

function readLinks(r: YamlReader, value: Node | null): RawLink[] {
  if (!isSeq(value)) r.fail(value, "topology.links", "expected a list of links (- endpoints: [\"r1:eth1\", \"r2:eth1\"])");
  return (value.items as Node[]).map((item, i) => {
    const p = `topology.links[${i}]`;
    const link: Partial<RawLink> = { where: r.at(item) };
    for (const [k, x] of r.entries(r.map(item, p), p, LINK_KEYS)) {
      if (k === "endpoints") link.ends = endpoints(r, x, `${p}.endpoints`);
      else if (k === "prefix") link.prefix = { text: r.text(x, `${p}.prefix`), where: r.at(x) };
      else if (k === "addresses") link.addresses = strings(r, x, `${p}.addresses`);
      else link.mtu = r.num(x, `${p}.mtu`, 65535);
    }
    if (!link.ends) r.fail(item, p, 'needs endpoints: ["NODE:IFNAME", "NODE:IFNAME"]');
    if (!link.prefix) r.fail(item, p, "needs prefix: (e.g. fd00:12::/64): the ends get ::1 and ::2 unless addresses: says otherwise");
    if (link.mtu !== undefined && link.mtu < 1280) r.fail(item, `${p}.mtu`, `MTU ${link.mtu} is below IPv6's minimum of 1280 (RFC 8200 §5)`);
    return link as RawLink;
  });
}

function endpoints(r: YamlReader, x: Node | null, path: string): [RawEndpoint, RawEndpoint] {
  const items = strings(r, x, path);
  if (items.length !== 2) r.fail(x, path, `a link has two endpoints, got ${items.length}`);
  return items.map(({ text, where }) => {
    const m = /^([^:\s]+):([^:\s]+)$/.exec(text);
    if (!m) throw new ConfigError(`${where}: ${path}`, `"${text}" is not NODE:IFNAME (e.g. r1:eth1)`);
    if (!IFNAME.test(m[2]!) || m[2] === "lo") throw new ConfigError(`${where}: ${path}`, `"${m[2]}" is not an interface name (at most 15 letters, digits, _ . -; not lo)`);
    return { node: m[1]!, ifname: m[2]!, where };
  }) as [RawEndpoint, RawEndpoint];
}

function readPot(r: YamlReader, value: Node | null): RawPotProfile[] {
  return r.entries(r.map(value, "pot"), "pot").map(([name, v, keyNode]) => {
    const p = `pot.${name}`;
    let namespaceId: number | undefined;
    let nodes: Array<{ name: string; where: string }> = [];
    for (const [k, x] of r.entries(r.map(v, p), p, ["ns", "nodes"])) {
      if (k === "ns") namespaceId = r.num(x, `${p}.ns`, 0xffff);
      else nodes = strings(r, x, `${p}.nodes`).map((s) => ({ name: s.text, where: s.where }));
    }
    if (namespaceId === undefined || nodes.length < 2) r.fail(keyNode, p, "a POT profile needs ns: and nodes: (at least two, in path order: the first inserts, the last verifies)");
    return { name, namespaceId, nodes, where: r.at(keyNode) };
  });
}
