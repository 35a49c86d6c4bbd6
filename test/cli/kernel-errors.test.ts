// What the kernel refuses, said as a sentence that names the object and the fix (it was
// "No such file or directory (ENOENT)"), and --netns without the right to enter a namespace
// (it was nsenter's "reassociate to namespace 'ns/net' failed: Operation not permitted").

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { after, before, describe, it } from "node:test";
import { IOAM_MAIN, NetnsSet, pathWithoutIproute2, rootSkip, runIoam } from "../harness/netns.js";

const skip = rootSkip();

describe("kernel refusals in words", { skip }, () => {
  const nets = new NetnsSet();
  const bin = pathWithoutIproute2();
  let ns = "";
  before(() => (ns = nets.add("kerr")));
  after(() => (nets.cleanup(), bin.cleanup()));
  const ioam = (...args: string[]) => runIoam(["--netns", ns, ...args], bin.path);
  const fails = (args: string[], why: RegExp) => {
    const r = ioam(...args);
    assert.equal(r.code, 1, `${args.join(" ")}: ${r.err}`);
    assert.match(r.err, /^ioam: [^\n]+\n$/);
    assert.match(r.err, why);
    assert.doesNotMatch(r.err, /No such file|File exists/);
  };

  it("names the missing namespace, then the missing schema, for namespace set", () => {
    fails(["namespace", "set", "5", "schema", "999"], /there is no IOAM namespace 5; ioam namespace add 5 adds it.* \(ENOENT\)$/m);
    assert.equal(ioam("namespace", "add", "5").code, 0);
    fails(["namespace", "set", "5", "schema", "999"], /there is no IOAM schema 999; ioam schema add 999 DATA adds it.* \(ENOENT\)$/m);
  });

  it("names what exists already, or is missing, for add and del", () => {
    fails(["namespace", "add", "5"], /IOAM namespace 5 already exists; delete it first with ioam namespace del 5 \(EEXIST\)$/m);
    fails(["namespace", "del", "6"], /there is no IOAM namespace 6/);
    assert.equal(ioam("schema", "add", "7", "x").code, 0);
    fails(["schema", "add", "7", "y"], /IOAM schema 7 already exists/);
    fails(["schema", "del", "8"], /there is no IOAM schema 8/);
  });

  it("says that --netns needs root, without nsenter's own error", () => {
    const r = spawnSync("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", process.execPath, IOAM_MAIN, "--netns", ns, "status"], { encoding: "utf8" });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /^ioam: --netns [^ ]+: entering a network namespace needs root \(CAP_SYS_ADMIN\); run ioam as root, e\.g\. with sudo\n$/);
  });
});
