// Without CAP_NET_ADMIN (run as nobody through setpriv): every configuring command fails with
// one line that says what was refused and that it needs CAP_NET_ADMIN, exit status 1, and
// nothing changes; `ioam status` still shows what an unprivileged user may read.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { IOAM_MAIN, rootSkip } from "../harness/netns.js";

const skip = rootSkip();

describe("ioam without CAP_NET_ADMIN", { skip }, () => {
  const nobody = (...args: string[]) => spawnSync("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", process.execPath, IOAM_MAIN, ...args], { encoding: "utf8" });

  it("refuses to configure, naming the item and CAP_NET_ADMIN, and changes nothing", () => {
    const id = readFileSync("/proc/sys/net/ipv6/ioam6_id", "utf8");
    const file = join(tmpdir(), `ioamkit-nobody-${process.pid}.yaml`);
    writeFileSync(file, "version: 1\nnamespaces:\n  5: {}\n", { mode: 0o644 });
    try {
      for (const [args, item] of [
        [["node", "set", "id", "5"], /net\.ipv6\.ioam6_id/],
        [["link", "set", "lo", "enable"], /net\.ipv6\.conf\.lo\.ioam6_enabled/],
        [["namespace", "add", "5"], /IOAM namespace|namespace/],
        [["apply", file], /IOAM namespaces/],
      ] as const) {
        const r = nobody(...args);
        assert.equal(r.status, 1, `${args.join(" ")}: ${r.stderr}`);
        assert.match(r.stderr, /^ioam: [^\n]+CAP_NET_ADMIN[^\n]*\n$/, args.join(" "));
        assert.match(r.stderr, item);
      }
    } finally {
      rmSync(file, { force: true });
    }
    assert.equal(readFileSync("/proc/sys/net/ipv6/ioam6_id", "utf8"), id);
  });

  it("status still shows the node, interfaces and features, and says what it could not read", () => {
    const r = nobody("status", "--json");
    assert.equal(r.status, 0, r.stderr);
    const s = JSON.parse(r.stdout) as { node: { id: number }; denied?: string; namespaces: unknown; features: unknown[] };
    assert.equal(s.node.id, Number(readFileSync("/proc/sys/net/ipv6/ioam6_id", "utf8")));
    assert.match(s.denied ?? "", /CAP_NET_ADMIN/);
    assert.equal(s.namespaces, null);
    assert.ok(s.features.length >= 5);
  });
});
