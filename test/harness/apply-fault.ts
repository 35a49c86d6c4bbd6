// Runs `ioam apply`'s library path inside a netns with a failure injected before step K:
//   node apply-fault.js --apply-fault FILE K refuse|vanish NETNS
// refuse: the kernel refuses a write (net.ipv6.ioam6_id = 2^24 → EINVAL) and that error fails step K.
// vanish: the netns's name is deleted (ip netns del NETNS) before step K runs.
// Prints {"steps": n, "error": message, "restored": bool} as JSON. Inert when imported by the test runner.

import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { parseApplyDocument } from "../../src/linux/apply/document.js";
import { ApplyError, applyPlan } from "../../src/linux/apply/execute.js";
import { prepareApply } from "../../src/linux/apply/prepare.js";
import { Ioam6Client } from "../../src/linux/netlink/ioam6-family.js";

async function main(file: string, k: number, how: string, netns: string): Promise<void> {
  const doc = parseApplyDocument(readFileSync(file, "utf8"), file);
  const c = await Ioam6Client.open();
  try {
    const { before, steps, devs } = await prepareApply(c, doc);
    const beforeStep = (i: number) => {
      if (i !== k) return;
      if (how === "vanish") return void execFileSync("ip", ["netns", "del", netns]);
      writeFileSync("/proc/sys/net/ipv6/ioam6_id", String(2 ** 24)); // throws EINVAL
    };
    try {
      await applyPlan(c, before, steps, doc, devs, { beforeStep });
      console.log(JSON.stringify({ steps: steps.length, error: null, restored: false }));
    } catch (e) {
      console.log(JSON.stringify({ steps: steps.length, error: (e as Error).message, restored: e instanceof ApplyError && e.restored }));
    }
  } finally {
    c.close();
  }
}

if (process.argv[2] === "--apply-fault") {
  const [file, k, how, netns] = process.argv.slice(3);
  await main(file!, Number(k), how!, netns!);
}
