// Every example the command table marks runnable runs as printed in --help and the man page
// (from the repository root, ioam on PATH), and the packets the encode examples build are
// ones tshark reads without calling anything malformed.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { after, describe, it } from "node:test";
import { TABLE } from "../../src/cli/table.js";
import { bash, scratch, toolSkip } from "./_support.js";

describe("examples in help", () => {
  const tmp = scratch();
  after(() => tmp.remove());
  const runnable = TABLE.flatMap((c) => c.examples.filter((e) => e.runnable).map((e) => [c.name, e.cmd] as const));

  it("has runnable examples for decode, encode and the built-in commands", () => {
    for (const name of ["decode", "encode", "help", "completion"]) assert.ok(runnable.some(([c]) => c === name), name);
  });

  for (const [name, cmd] of runnable) {
    const tools = [...cmd.matchAll(/\| *(\w+)/g)].map((m) => m[1]!).filter((t) => t !== "ioam");
    it(`runs: ${cmd.length > 90 ? cmd.slice(0, 90) + "…" : cmd}`, { skip: tools.map(toolSkip).find(Boolean) || false }, () => {
      const r = bash(cmd);
      assert.equal(r.code, 0, `${name}: ${r.err}`);
      const pcap = /--pcap (\S+\.pcapng?)/.exec(cmd)?.[1];
      if (name === "encode" && pcap) assert.ok(existsSync(pcap), pcap);
      else if (name !== "completion") assert.notEqual(r.out.trim(), "", "prints nothing");
    });
  }

  it("builds packets tshark reads without a malformed or warning mark (VXLAN on 4789 was malformed)", { skip: toolSkip("tshark") }, () => {
    for (const [name, cmd] of runnable) {
      if (name !== "encode" || cmd.includes("|")) continue;
      const file = tmp.path("example.pcapng");
      const line = cmd.replace(/--pcap \S+/, "") + ` --pcap ${file}`;
      assert.equal(bash(line).code, 0, line);
      const t = spawnSync("tshark", ["-r", file, "-Y", "_ws.malformed || _ws.expert.severity >= warning"], { encoding: "utf8" });
      assert.equal(t.status, 0, t.stderr);
      assert.equal(t.stdout.trim(), "", `${cmd}: ${t.stdout}`);
    }
  });
});
