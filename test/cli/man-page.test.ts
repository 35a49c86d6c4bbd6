// The man page: `ioam man` is roff that man(1) renders without a warning, with every command,
// usage line, flag and number rule the table has.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { after, describe, it } from "node:test";
import { formUsage } from "../../src/cli/help.js";
import { NUMBER_RULES } from "../../src/cli/number-rules.js";
import { TABLE } from "../../src/cli/table.js";
import { ioam, scratch, toolSkip } from "./_support.js";

describe("ioam man", () => {
  const tmp = scratch();
  after(() => tmp.remove());

  it("renders with man -l, holding every command, usage line, flag and number rule", { skip: toolSkip("man") }, () => {
    const page = tmp.path("ioam.1");
    const roff = ioam(["man"]);
    assert.equal(roff.code, 0);
    assert.match(roff.out, /^\.TH IOAM 1 /);
    writeFileSync(page, roff.out);
    const r = spawnSync("man", ["-l", page], { encoding: "utf8", env: { ...process.env, MANWIDTH: "200", MANPAGER: "cat", PAGER: "cat", LC_ALL: "C.UTF-8" } });
    assert.equal(r.status, 0, r.stderr);
    const text = r.stdout.replace(/.\x08/g, ""); // overstrike bold/underline, if the pager kept it
    for (const section of ["NAME", "SYNOPSIS", "DESCRIPTION", "GLOBAL OPTIONS", "COMMANDS", "NUMBERS", "EXIT STATUS", "FILES", "SEE ALSO"]) assert.match(text, new RegExp(`^${section}$`, "m"), section);
    const flat = text.replace(/\s+/g, " ");
    for (const c of TABLE) {
      for (const f of c.forms) assert.ok(flat.includes(formUsage(c, f)), `usage line: ${formUsage(c, f)}`);
      for (const f of c.flags) assert.ok(flat.includes(`--${f.name}`), `${c.name} --${f.name}`);
    }
    for (const rule of NUMBER_RULES) assert.ok(flat.includes(rule.examples), rule.rule);
  });

  it("is clean roff: groff -ww reports no warning", { skip: toolSkip("groff") }, () => {
    const r = spawnSync("groff", ["-man", "-ww", "-z"], { input: ioam(["man"]).out, encoding: "utf8" });
    assert.equal(r.status, 0);
    assert.equal(r.stderr, "");
  });
});
