// Carrying out an `ioam apply` plan all-or-nothing: snapshot, apply step by step, read back
// and verify; on any failure (the kernel refuses, the netns vanishes, verification differs)
// restore the snapshot with a plan of its own, and say what happened.

import { IoamError } from "../../errors.js";
import { type IoamState, readIoamState } from "../ioam-state.js";
import { writeInterface, writeNodeIds } from "../ioam6-sysctl.js";
import type { Ioam6Client } from "../netlink/ioam6-family.js";
import { assertNetnsStillNamed } from "../netns.js";
import { type Step, type Target, describeStep, planChanges, snapshotTarget } from "./plan.js";

export interface ApplyHooks {
  /** Called before step k (1-based) runs; a throw fails that step (tests use it to inject failures). */
  beforeStep?(k: number, step: Step): void | Promise<void>;
  /** Progress: a step is about to run. */
  onStep?(k: number, step: Step): void;
}

/** The apply failed and the state from before was restored (or, if `restored` is false, not). */
export class ApplyError extends IoamError {
  constructor(
    message: string,
    readonly restored: boolean,
  ) {
    super("KERNEL", message);
    this.name = "ApplyError";
  }
}

export async function runStep(c: Ioam6Client, s: Step): Promise<void> {
  switch (s.op) {
    case "node": return writeNodeIds(s.ids);
    case "link": return writeInterface(s.dev, s.change);
    case "schema-del": return c.delSchema(s.id);
    case "namespace-del": return c.delNamespace(s.id);
    case "schema-add": return c.addSchema(s.id, s.data);
    case "namespace-add": {
      const ns: { id: number; data?: number; wide?: bigint } = { id: s.id };
      if (s.data !== undefined) ns.data = s.data;
      if (s.wide !== undefined) ns.wide = s.wide;
      return c.addNamespace(ns);
    }
    case "namespace-schema": return c.setNamespaceSchema(s.id, s.schema);
  }
}

/**
 * Applies `steps` (planned from `before` towards `target`), verifies, and restores `before`
 * on failure. `devs` are the interfaces the target manages.
 */
export async function applyPlan(c: Ioam6Client, before: IoamState, steps: readonly Step[], target: Target, devs: readonly string[], hooks: ApplyHooks = {}): Promise<void> {
  let k = 0;
  try {
    for (const step of steps) {
      k++;
      assertNetnsStillNamed();
      hooks.onStep?.(k, step);
      await hooks.beforeStep?.(k, step);
      await runStep(c, step);
    }
    k = 0;
    assertNetnsStillNamed();
    const left = planChanges(await readIoamState(c, devs), target);
    if (left.length) throw new IoamError("KERNEL", `read back differs from the file: still to do: ${left.map(describeStep).join("; ")}`);
  } catch (e) {
    const what = k ? `step ${k} (${describeStep(steps[k - 1]!)})` : "verification";
    throw await restore(c, before, devs, `${what} failed: ${(e as Error).message}`);
  }
}

async function restore(c: Ioam6Client, before: IoamState, devs: readonly string[], why: string): Promise<ApplyError> {
  try {
    const back = snapshotTarget(before, devs);
    const undo = planChanges(await readIoamState(c, devs), back);
    for (const s of undo) await runStep(c, s);
    const left = planChanges(await readIoamState(c, devs), back);
    if (left.length) return new ApplyError(`${why}; restoring the state from before left: ${left.map(describeStep).join("; ")}`, false);
    return new ApplyError(`${why}; the state from before was restored (${undo.length} step${undo.length === 1 ? "" : "s"} undone)`, true);
  } catch (e) {
    return new ApplyError(`${why}; restoring the state from before FAILED too: ${(e as Error).message}`, false);
  }
}
