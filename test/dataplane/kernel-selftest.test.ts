// The NFQUEUE kernel self-test against this kernel: every check passes (the data-plane facts
// of docs/architecture.md hold here), its scratch namespaces are gone afterwards, and without
// privileges it answers with one line instead of throwing.
// test: serial

import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { selfTestKernel } from "../../src/dataplane/kernel-selftest.js";
import { IPTABLES, toolSkip } from "../harness/tools.js";

const skip = toolSkip(IPTABLES);
const MODULE = fileURLToPath(new URL("../../src/dataplane/kernel-selftest.js", import.meta.url));
const ours = () => execFileSync("ip", ["netns", "list"], { encoding: "utf8" }).split("\n").filter((l) => l.includes(`-${process.pid}-`));

describe("selfTestKernel()", { skip }, () => {
  it("finds that this kernel grows, rewrites, strips and re-routes through NFQUEUE", async () => {
    const r = await selfTestKernel();
    assert.equal(r.reason, undefined);
    assert.equal(r.ok, true);
    assert.deepEqual(r.checks, { grow: true, rewrite: true, reroute: true, strip: true, stripPadded: true });
    assert.equal(r.timestamps, true, "SO_TIMESTAMP on the queue socket makes the kernel stamp packets");
    assert.notEqual(r.shrinkRefused, false, "this kernel refuses a replacement below the transport offset");
    assert.deepEqual(ours(), [], "scratch namespaces removed");
  });

  it("says in one line why it cannot run without privileges", () => {
    const script = `import(${JSON.stringify(MODULE)}).then(async (m) => console.log(JSON.stringify(await m.selfTestKernel())))`;
    const r = spawnSync("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", process.execPath, "-e", script], { encoding: "utf8" });
    const out = JSON.parse(r.stdout) as { ok: boolean; reason: string };
    assert.equal(out.ok, false);
    assert.match(out.reason, /^NFQUEUE self-test could not run: .+$/);
    assert.equal(out.reason.includes("\n"), false);
  });
});
