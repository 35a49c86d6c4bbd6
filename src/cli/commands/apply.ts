// `ioam apply FILE`: makes the kernel's IOAM state what the file says — plan, apply, verify,
// and restore everything on failure. Items the kernel cannot hold are named, not ignored.

import { readFileSync } from "node:fs";
import { parseApplyDocument, whereOf } from "../../linux/apply/document.js";
import { applyPlan } from "../../linux/apply/execute.js";
import { describeStep } from "../../linux/apply/plan.js";
import { prepareApply } from "../../linux/apply/prepare.js";
import { IoamError, UsageError } from "../../errors.js";
import type { ParsedArgs } from "../args.js";
import type { Command } from "../command.js";
import { withIoam6 } from "../ioam6-session.js";

function readDocument(file: string): string {
  try {
    return readFileSync(file === "-" ? 0 : file, "utf8");
  } catch (e) {
    throw new IoamError("IO", `cannot read ${file}: ${(e as Error).message}`);
  }
}

async function run(a: ParsedArgs): Promise<number> {
  const [file, extra] = a.positional;
  if (file === undefined || extra !== undefined) throw new UsageError("usage: ioam apply FILE [--dry-run] [--json]");
  const doc = parseApplyDocument(readDocument(file), file === "-" ? "<stdin>" : file);
  const dryRun = a.booleans.has("dry-run");
  const json = a.booleans.has("json");
  return withIoam6(async (c) => {
    const { before, steps, devs } = await prepareApply(c, doc);
    const where = (item: string) => whereOf(doc, item);
    const say = (line: string) => !json && process.stdout.write(line + "\n");
    for (const s of steps) say(`${dryRun ? "would run" : "plan"}: ${describeStep(s)}   # ${s.item} (${where(s.item)})`);
    for (const d of doc.dataplane) say(`left to the userspace data plane (ioam node run): ${d.path} (${d.where}): ${d.text}`);
    if (!dryRun && steps.length) {
      await applyPlan(c, before, steps, doc, devs, { onStep: (k) => process.stderr.isTTY && process.stderr.write(`\rapplying ${k}/${steps.length}`) });
      if (process.stderr.isTTY) process.stderr.write("\n");
    }
    if (json) {
      process.stdout.write(JSON.stringify({ file: doc.file, dryRun, applied: !dryRun && steps.length > 0, plan: steps.map((s) => ({ command: describeStep(s), item: s.item, where: where(s.item) })), dataplane: doc.dataplane }) + "\n");
    } else say(steps.length === 0 ? "no changes: the kernel already holds this state" : dryRun ? `${steps.length} change(s) planned; nothing applied (--dry-run)` : `applied ${steps.length} change(s); read back and verified`);
    return 0;
  });
}

export const applyCommand: Command = {
  name: "apply",
  summary: "make the kernel's IOAM state what a YAML file says: plan, apply, verify, roll back on failure",
  help: `usage: ioam [--netns NAME] apply FILE [--dry-run] [--json]

FILE (or - for stdin) describes the IOAM state of one node: node ids, interfaces, IOAM
namespaces and schemas, and data-plane items (encap policies, POT, E2E, DEX) that the
kernel cannot hold — those are named and left to 'ioam node run'. Sections left out are not
touched; 'namespaces' and 'schemas', when present, are the complete sets. The plan is
printed as the equivalent ioam commands; on any failure the state from before is restored.
Applying the same file again changes nothing.

Example file:
  version: 1
  node: { id: 1, wide: 0x1000000000001 }
  interfaces:
    eth1: { enabled: true, id: 11, wide: 0x10001 }
  namespaces:
    123: { data: 0xdead0001, wide: 0xcafe000000000001, schema: 777 }
  schemas:
    777: "router 1 snapshot"
  dataplane:
    encap: ["2001:db8:2::/64 trace prealloc type 0x800000 ns 123 size 12"]

Examples:
  ioam --netns r1 apply r1.yaml --dry-run
  ioam apply r1.yaml`,
  flags: { booleans: ["dry-run"] },
  run,
};
