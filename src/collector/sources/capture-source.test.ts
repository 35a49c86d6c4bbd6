import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError } from "../../errors.js";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../config.js";
import { droppedByKernel, parseCaptureSpec } from "./capture-source.js";

describe("live capture source", () => {
  it("reads IFNAME or NETNS/IFNAME and refuses anything else", () => {
    assert.deepEqual(parseCaptureSpec("eth1"), { ifname: "eth1" });
    assert.deepEqual(parseCaptureSpec("ioamkit.lab.r4/eth1"), { netns: "ioamkit.lab.r4", ifname: "eth1" });
    for (const bad of ["", "a/b/c", "ns/", "/eth1", "averyveryverylongname0", "eth 1"]) assert.throws(() => parseCaptureSpec(bad), ConfigError, bad);
  });

  it("names the configuration key of a bad capture", () => {
    const dir = mkdtempSync(join(tmpdir(), "ioamkit-capcfg-"));
    try {
      const file = join(dir, "c.yaml");
      writeFileSync(file, "version: 1\nsources:\n  capture: [eth1, a/b/c]\n");
      assert.throws(() => loadConfig(file), /sources\.capture\[1\]: "a\/b\/c": expected IFNAME or NETNS\/IFNAME/);
      writeFileSync(file, "version: 1\nsources:\n  capture: [r4/eth1]\n");
      assert.deepEqual(loadConfig(file).sources.capture, ["r4/eth1"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("takes the kernel's drop count from tcpdump's latest statistics", () => {
    assert.equal(droppedByKernel("listening on eth1\n"), undefined);
    assert.equal(droppedByKernel("10 packets captured\n12 packets received by filter\n2 packets dropped by kernel\n7 packets dropped by kernel\n"), 7);
    assert.equal(droppedByKernel("1 packet dropped by kernel\n"), 1);
  });
});
