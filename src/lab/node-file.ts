// The file a real lab gives each node: its `ioam:` block as an `ioam apply` file (YAML, with
// numbers as YAML 1.2 integers, as apply reads them), with the lab's part added — domain edges not IOAM-enabled, and for a node that
// runs the data plane, `decap: edge IF` on each of its domain edges and its POT keys (the lab
// is the POT controller). `ioam apply` sets the kernel from it; `ioam node run` reads the same
// file, so what a node is told exists once, on disk, in the lab's state directory.

import { stringify } from "yaml";
import { bytesToHex } from "../wire/hex.js";
import { potKeys } from "./pot-keys.js";
import type { LabNode, Topology } from "./topology.js";

const hex = (v: number | bigint) => `0x${v.toString(16)}`;

function interfacesPart(node: LabNode): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const [dev, c] of node.ioam?.interfaces ?? []) {
    out[dev] = { ...(c.enabled !== undefined ? { enabled: c.enabled } : {}), ...(c.id !== undefined ? { id: c.id } : {}), ...(c.wide !== undefined ? { wide: c.wide } : {}) };
  }
  for (const i of node.interfaces) if (i.edge) out[i.name] = { ...out[i.name], enabled: false };
  return out;
}

/** POT key items: "profile NAME ns N prime P share S pre Q lpc L [secret X]" (draft-ietf-sfc-proof-of-transit §3). */
export function potKeyItems(t: Topology, node: string): string[] {
  const items: string[] = [];
  for (const profile of t.pot.values()) {
    const key = potKeys(t.name, profile).get(node);
    if (!key) continue;
    const secret = "secret" in key ? ` secret ${hex(key.secret)}` : "";
    items.push(`profile ${profile.name} ns ${profile.namespaceId} prime ${hex(key.prime)} share ${hex(key.share)} pre ${hex(key.pre)} lpc ${hex(key.lpc)}${secret}`);
  }
  return items;
}

function dataplanePart(t: Topology, node: LabNode): Record<string, string[]> | undefined {
  if (!node.roles) return undefined;
  const out: Record<string, string[]> = {};
  for (const item of node.ioam?.dataplane ?? []) {
    const section = item.path.slice("dataplane.".length).replace(/\[\d+\]$/, "");
    if (section !== "pot") (out[section] ??= []).push(item.text);
  }
  const edges = node.interfaces.filter((i) => i.edge && !node.roles!.edges.some((e) => e.ifname === i.name));
  if (edges.length) (out.decap ??= []).push(...edges.map((i) => `edge ${i.name}`));
  const pot = potKeyItems(t, node.name);
  if (pot.length) out.pot = pot;
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
