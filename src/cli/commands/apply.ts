// `ioam apply FILE`: makes the kernel's IOAM state what the file says — plan, apply, verify,
// and restore everything on failure. Items the kernel cannot hold are named, not ignored.

import { parseApplyDocument, whereOf } from "../../linux/apply/document.js";
import { applyPlan } from "../../linux/apply/execute.js";
import { describeStep } from "../../linux/apply/plan.js";
import { prepareApply } from "../../linux/apply/prepare.js";
import { UsageError } from "../../errors.js";
import type { Parsed } from "../args.js";
import { withIoam6 } from "../ioam6-session.js";
import type { CommandSpec } from "../spec.js";
import { readTextInput } from "../stdin.js";
import { V } from "../values.js";

async function run(a: Parsed): Promise<number> {
  const [file, extra] = a.words;
  if (file === undefined || extra !== undefined) throw new UsageError("usage: ioam apply FILE [--dry-run] [--json]");
  const doc = parseApplyDocument(await readTextInput(file), file === "-" ? "<stdin>" : file);
  const dryRun = a.has("dry-run");
  const json = a.has("json");
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

export const applyCommand: CommandSpec = {
  name: "apply",
  summary: "make the kernel's IOAM state what a YAML file says: plan, apply, verify, roll back on failure",
  description: `FILE (or - for stdin) describes the IOAM state of one node: node ids, interfaces, IOAM
namespaces and schemas, and data-plane items (encap policies, POT, E2E, DEX) that the
kernel cannot hold: those are named and left to 'ioam node run'. The file must say
version: 1. Sections left out are not touched; 'namespaces' and 'schemas', when present,
are the complete sets. The plan is printed as the equivalent ioam commands; on any failure
the state from before is restored. Applying the same file again changes nothing. Numbers
follow YAML 1.2 (010 is ten; 0x hex, 0o octal); option words inside dataplane strings are
read as on the command line.

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
    encap: ["2001:db8:2::/64 trace prealloc type 0x800000 ns 123 size 12"]`,
  forms: [{ words: "FILE", flags: ["dry-run", "json"], kernel: true }],
  flags: [
    { name: "dry-run", help: "print the plan, change nothing" },
    { name: "json", help: "print the plan (and any error) as one JSON object" },
  ],
  values: { FILE: V.file("a YAML file, or - for standard input") },
  examples: [{ cmd: "ioam --netns r1 apply r1.yaml --dry-run" }, { cmd: "ioam apply r1.yaml --json" }],
  run,
};
