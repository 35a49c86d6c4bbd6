// The file a real lab gives each node: its `ioam:` block as an `ioam apply` file (YAML, with
// numbers as YAML 1.2 integers, as apply reads them), with the lab's part added — domain edges
// not IOAM-enabled, and for a node that runs the data plane, its `dataplane:` in `ioam node
// run`'s words with an edge decap item for each of its domain edges and its POT keys (the lab
// is the POT controller). `ioam apply` sets the kernel from it; `ioam node run` reads the same
// file, so what a node is told exists once, on disk, in the lab's state directory.

import { parse, stringify } from "yaml";
import { bytesToHex } from "../wire/hex.js";
import type { PotNodeKey, PotVerifierKey } from "../node/pot.js";
import { potKeys } from "./pot-keys.js";
import { formatPrefix } from "./prefix.js";
import type { LabNode, Topology } from "./topology.js";

function interfacesPart(node: LabNode): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const [dev, c] of node.ioam?.interfaces ?? []) {
    out[dev] = { ...(c.enabled !== undefined ? { enabled: c.enabled } : {}), ...(c.id !== undefined ? { id: c.id } : {}), ...(c.wide !== undefined ? { wide: c.wide } : {}) };
  }
  for (const i of node.interfaces) if (i.edge) out[i.name] = { ...out[i.name], enabled: false };
  return out;
}

/** The node's keys of the lab's POT profiles, as `ioam node run` reads them: `{ NS: { prime, share, pre, lpc [, secret] } }`. */
export function potKeysPart(t: Topology, node: string): Map<number, PotNodeKey | PotVerifierKey> {
  const out = new Map<number, PotNodeKey | PotVerifierKey>();
  for (const profile of t.pot.values()) {
    const key = potKeys(t.name, profile).get(node);
    if (key) out.set(profile.namespaceId, { ...key });
  }
  return out;
}

/** `edge IFNAME` as `ioam node run` says it: one `edge PREFIX` per destination beyond IFNAME (its link, and what is routed through it). */
function edgePrefixes(t: Topology, node: LabNode, ifname: string): string[] {
  const i = node.interfaces.find((x) => x.name === ifname);
  const own = i ? [formatPrefix(t.links[i.link]!.prefix)] : [];
  const routed = node.routes.filter((r) => r.dev === ifname).map((r) => formatPrefix(r.prefix));
  return [...new Set([...own, ...routed])].map((p) => `edge ${p}`);
}

/**
 * An encap item in `ioam node run`'s words: the lab's POT profile is the node's keys of that
 * namespace (no word for it), and the lab lets `tundst` stand in inline mode so that one file
 * switches modes with ${MODE} (ip route and node run refuse it there: inline adds no tunnel).
 */
function encapItem(text: string): string {
  const words = text.trim().split(/\s+/);
  const out: string[] = [];
  const mode = words.indexOf("mode");
  const inline = mode < 0 || words[mode + 1] === "inline";
  for (let i = 0; i < words.length; i++) {
    if (words[i] === "profile" || (inline && words[i] === "tundst")) i++;
    else out.push(words[i]!);
  }
  return out.join(" ");
}

/** `tunnel` without an address ends tunnels to any of the node's addresses: one item per address. */
function tunnelItems(node: LabNode, words: string[]): string[] {
  return words[1] !== undefined ? [`tunnel ${words[1]}`] : node.interfaces.map((i) => `tunnel ${i.addressText}`);
}

/**
 * The node's `dataplane:` in `ioam node run`'s words (docs/dataplane.md), from the lab's
 * (docs/lab.md): POT profiles become the node's keys, `tunnel` its addresses, `edge IFNAME`
 * the prefixes beyond it; lab edges are added; and the options Linux does not handle are
 * processed in transit (features), as the emulation does.
 */
function dataplanePart(t: Topology, node: LabNode): Record<string, unknown> | undefined {
  if (!node.roles) return undefined;
  const encap: string[] = [];
  const decap: string[] = [];
  const out: Record<string, unknown> = { features: ["incremental", "dex"] };
  for (const item of node.ioam?.dataplane ?? []) {
    const section = item.path.slice("dataplane.".length).replace(/\[\d+\]$/, "");
    const words = item.text.trim().split(/\s+/);
    if (section === "encap") encap.push(encapItem(item.text));
    else if (section === "decap" && words[0] === "tunnel") decap.push(...tunnelItems(node, words));
    else if (section === "decap" && words[0] === "edge") decap.push(...edgePrefixes(t, node, words[1]!));
    else if (["transit", "failure", "queue", "workers", "traceContext"].includes(section)) out[section] = parse(item.text);
  }
  for (const i of node.interfaces) if (i.edge && !node.roles.edges.some((e) => e.ifname === i.name)) decap.push(...edgePrefixes(t, node, i.name));
  // POT is updated in transit only on ingresses ioamkit owns (docs/dataplane.md): a node
  // holding POT keys, or asking for nothing else, processes every IOAM option itself.
  if (node.roles.potProfiles.length > 0 || (encap.length === 0 && decap.length === 0)) out.transit = "all";
  if (encap.length) out.encap = encap;
  if (decap.length) out.decap = [...new Set(decap)];
  const pot = potKeysPart(t, node.name);
  if (pot.size) out.pot = pot;
  return out;
}

/** The node's apply file (YAML text), or undefined when the lab has nothing to set on it. */
export function nodeApplyFile(t: Topology, node: LabNode): string | undefined {
  const io = node.ioam;
  const doc: Record<string, unknown> = { version: 1 };
  if (io?.node) doc.node = { ...(io.node.id !== undefined ? { id: io.node.id } : {}), ...(io.node.wide !== undefined ? { wide: io.node.wide } : {}) };
  const interfaces = interfacesPart(node);
  if (Object.keys(interfaces).length) doc.interfaces = interfaces;
  // Maps keep the ids as YAML integers (an object's keys would be quoted strings).
  if (io?.namespaces) doc.namespaces = new Map([...io.namespaces].map(([id, n]) => [id, { ...(n.data !== undefined ? { data: n.data } : {}), ...(n.wide !== undefined ? { wide: n.wide } : {}), ...(n.schema !== undefined ? { schema: n.schema } : {}) }]));
  if (io?.schemas) doc.schemas = new Map([...io.schemas].map(([id, d]) => [id, { hex: bytesToHex(d) }]));
  const dataplane = dataplanePart(t, node);
  if (dataplane) doc.dataplane = dataplane;
  return Object.keys(doc).length > 1 ? stringify(doc) : undefined;
}
