// From a parsed apply file to a checked plan: every reference is resolved against the kernel
// before anything changes, so a bad file fails with its file:line and touches nothing.

import { ConfigError } from "../../errors.js";
import { type IoamState, readIoamState } from "../ioam-state.js";
import { interfaceNames } from "../ioam6-sysctl.js";
import type { Ioam6Client } from "../netlink/ioam6-family.js";
import type { DesiredState } from "./document.js";
import { type Step, planChanges } from "./plan.js";

export interface PreparedApply {
  before: IoamState;
  steps: Step[];
  devs: string[];
}

export async function prepareApply(c: Ioam6Client, doc: DesiredState): Promise<PreparedApply> {
  const devs = [...(doc.interfaces?.keys() ?? [])];
  const present = new Set(interfaceNames());
  for (const dev of devs) {
    if (!present.has(dev)) throw new ConfigError(`${doc.where.get(`interfaces.${dev}`)}: interfaces.${dev}`, `no interface "${dev}" in this network namespace (interfaces: ${[...present].join(", ")})`);
  }
  const before = await readIoamState(c, devs);
  for (const [id, ns] of doc.namespaces ?? []) {
    if (ns.schema === undefined) continue;
    const known = doc.schemas ? doc.schemas.has(ns.schema) : before.schemas.has(ns.schema);
    if (!known) throw new ConfigError(`${doc.where.get(`namespaces.${id}.schema`)}: namespaces.${id}.schema`, `schema ${ns.schema} is neither in the file's schemas nor in the kernel`);
  }
  return { before, steps: planChanges(before, doc), devs };
}
