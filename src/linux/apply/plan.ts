// The plan of `ioam apply`: the steps that take the kernel's IOAM state to a target, in an
// order the kernel accepts (schemas before the namespaces that bind them; an IOAM namespace or
// schema whose data changes is deleted and added again — Generic Netlink IOAM6 has no
// "modify"). Pure: the same function plans the apply, checks it (an empty plan after applying
// means verified) and plans the rollback (target = the snapshot taken before).

import { bytesToHex0x } from "../../wire/hex.js";
import type { IoamState } from "../ioam-state.js";
import type { NodeIds } from "../ioam6-sysctl.js";
import { opaqueDataPadded } from "../../wire/ioam/trace-node.js";
import type { InterfaceChange, NamespaceWant } from "./document.js";

/** What a node should hold; absent sections are not managed. */
export interface Target {
  node?: Partial<NodeIds>;
  interfaces?: Map<string, InterfaceChange>;
  /** The complete set of IOAM namespaces. */
  namespaces?: Map<number, NamespaceWant>;
  /** The complete set of schemas. */
  schemas?: Map<number, Uint8Array>;
}

export type Step =
  | { op: "node"; ids: Partial<NodeIds>; item: string }
  | { op: "link"; dev: string; change: InterfaceChange; item: string }
  | { op: "schema-del"; id: number; item: string }
  | { op: "namespace-del"; id: number; item: string }
  | { op: "schema-add"; id: number; data: Uint8Array; item: string }
  | { op: "namespace-add"; id: number; data?: number; wide?: bigint; item: string }
  | { op: "namespace-schema"; id: number; schema: number | "none"; item: string };

const NO_DATA = 0xffffffff;
const NO_WIDE = 0xffffffffffffffffn;
/** The kernel stores "no data" as all ones and leaves it out of dumps: compare likewise. */
const data = (v: number | undefined) => (v === NO_DATA ? undefined : v);
const wide = (v: bigint | undefined) => (v === NO_WIDE ? undefined : v);

const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

export function planChanges(cur: IoamState, want: Target): Step[] {
  const steps: Step[] = [];
  if (want.node) {
    const ids: Partial<NodeIds> = {};
    if (want.node.id !== undefined && want.node.id !== cur.node.id) ids.id = want.node.id;
    if (want.node.wide !== undefined && want.node.wide !== cur.node.wide) ids.wide = want.node.wide;
    if (Object.keys(ids).length) steps.push({ op: "node", ids, item: "node" });
  }
  for (const [dev, w] of want.interfaces ?? []) {
    const c = cur.interfaces.get(dev);
    const change: InterfaceChange = {};
    for (const k of ["enabled", "id", "wide"] as const) if (w[k] !== undefined && w[k] !== c?.[k]) Object.assign(change, { [k]: w[k] });
    if (Object.keys(change).length) steps.push({ op: "link", dev, change, item: `interfaces.${dev}` });
  }
  return [...steps, ...planNamespacesAndSchemas(cur, want)];
}

function planNamespacesAndSchemas(cur: IoamState, want: Target): Step[] {
  const steps: Step[] = [];
  const schemaChanged = (id: number) => want.schemas?.has(id) && (!cur.schemas.has(id) || !sameBytes(cur.schemas.get(id)!, opaqueDataPadded(want.schemas.get(id)!)));
  const schemaGone = (id: number) => want.schemas !== undefined && !want.schemas.has(id);
  const nsChanged = (id: number) => {
    const w = want.namespaces?.get(id);
    const c = cur.namespaces.get(id);
    return w !== undefined && (c === undefined || data(c.data) !== data(w.data) || wide(c.wide) !== wide(w.wide));
  };
  for (const id of cur.schemas.keys()) if (schemaGone(id) || schemaChanged(id)) steps.push({ op: "schema-del", id, item: `schemas.${id}` });
  for (const id of cur.namespaces.keys()) {
    if ((want.namespaces && !want.namespaces.has(id)) || nsChanged(id)) steps.push({ op: "namespace-del", id, item: `namespaces.${id}` });
  }
  for (const [id, d] of want.schemas ?? []) if (schemaChanged(id)) steps.push({ op: "schema-add", id, data: d, item: `schemas.${id}` });
  for (const [id, w] of want.namespaces ?? []) {
    if (!nsChanged(id)) continue;
    const add: Step = { op: "namespace-add", id, item: `namespaces.${id}` };
    if (data(w.data) !== undefined) add.data = w.data!;
    if (wide(w.wide) !== undefined) add.wide = w.wide!;
    steps.push(add);
  }
  // Binding last: deleting either side of a binding removes it in the kernel.
  for (const [id, w] of want.namespaces ?? []) {
    const bound = nsChanged(id) ? undefined : cur.namespaces.get(id)?.schema;
    const after = bound !== undefined && !schemaGone(bound) && !schemaChanged(bound) ? bound : undefined;
    if (w.schema !== after) steps.push({ op: "namespace-schema", id, schema: w.schema ?? "none", item: `namespaces.${id}.schema` });
  }
  return steps;
}

/** The target that restores a snapshot: everything in it, for the interfaces `devs`. */
export function snapshotTarget(s: IoamState, devs: Iterable<string>): Target {
  const interfaces = new Map<string, InterfaceChange>();
  for (const dev of devs) {
    const i = s.interfaces.get(dev);
    if (i) interfaces.set(dev, { ...i });
  }
  return { node: { ...s.node }, interfaces, namespaces: new Map(s.namespaces), schemas: new Map(s.schemas) };
}

/** A step as the ioam command that does the same, for the printed plan. */
export function describeStep(s: Step): string {
  switch (s.op) {
    case "node":
      return `ioam node set${s.ids.id !== undefined ? ` id ${s.ids.id}` : ""}${s.ids.wide !== undefined ? ` wide ${s.ids.wide}` : ""}`;
    case "link": {
      const c = s.change;
      return `ioam link set ${s.dev}${c.enabled !== undefined ? (c.enabled ? " enable" : " disable") : ""}${c.id !== undefined ? ` id ${c.id}` : ""}${c.wide !== undefined ? ` wide ${c.wide}` : ""}`;
    }
    case "schema-del":
      return `ioam schema del ${s.id}`;
    case "namespace-del":
      return `ioam namespace del ${s.id}`;
    case "schema-add":
      return `ioam schema add ${s.id} ${schemaText(s.data)}`;
    case "namespace-add":
      return `ioam namespace add ${s.id}${s.data !== undefined ? ` data 0x${s.data.toString(16).padStart(8, "0")}` : ""}${s.wide !== undefined ? ` wide ${s.wide.toString(16)}` : ""}`;
    case "namespace-schema":
      return `ioam namespace set ${s.id} schema ${s.schema}`;
  }
}

/** Printable text quoted as JSON; anything else as hex. */
function schemaText(d: Uint8Array): string {
  const t = new TextDecoder("utf-8", { fatal: false }).decode(d);
  return /^[\x20-\x7e]*$/.test(t) ? JSON.stringify(t) : bytesToHex0x(d);
}
