// The command table holds together, and what is generated from it says the same everywhere:
// every flag sits in a usage line, every placeholder has a value, help CMD equals CMD --help,
// bare `ioam` is a usage error on stderr, --version is the package's.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { commandHelp, commandPlaceholders, formUsage } from "../../src/cli/help.js";
import { TABLE } from "../../src/cli/table.js";
import { ROOT, ioam } from "./_support.js";

describe("the command table", () => {
  it("puts every flag in a form, and every form's flag in the command's flags", () => {
    for (const c of TABLE) {
      const inForms = new Set(c.forms.flatMap((f) => f.flags));
      for (const f of c.flags) assert.ok(inForms.has(f.name), `${c.name} --${f.name} is in no usage line`);
      for (const n of inForms) assert.ok(c.flags.some((f) => f.name === n), `${c.name}: form flag --${n} is not defined`);
      for (const f of c.flags) if (f.onlyWith) assert.ok(c.flags.some((x) => x.name === f.onlyWith!.flag), `${c.name} --${f.name}: onlyWith names --${f.onlyWith.flag}`);
    }
  });

  it("gives every placeholder of the words a value spec, and every command an example", () => {
    for (const c of TABLE) {
      for (const p of commandPlaceholders(c)) assert.ok(c.values[p], `${c.name}: placeholder ${p} has no value`);
      assert.ok(c.examples.length > 0, `${c.name} has no example`);
    }
  });

  it("prints, in --help, every usage line, every flag and every example", () => {
    for (const c of TABLE) {
      const r = ioam([c.name, "--help"]);
      assert.equal(r.code, 0, c.name);
      assert.equal(r.out, commandHelp(c) + "\n");
      for (const f of c.forms) for (const part of formUsage(c, f).split(/ (?![^[]*\])/)) assert.ok(r.out.includes(part), `${c.name}: usage part ${part}`);
      for (const f of c.flags) assert.match(r.out, new RegExp(`\\n {2}--${f.name}\\b`), `${c.name} --${f.name}`);
      for (const e of c.examples) assert.ok(r.out.includes(`  ${e.cmd}\n`), `${c.name} example ${e.cmd}`);
    }
  });

  it("prints for `ioam help CMD` what CMD --help prints (the top-level help before: issue 10)", () => {
    for (const c of TABLE) assert.equal(ioam(["help", c.name]).out, ioam([c.name, "--help"]).out, c.name);
    assert.equal(ioam(["help"]).out, ioam(["--help"]).out);
    const bad = ioam(["help", "nosuch"]);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /^ioam: unknown command "nosuch".*; commands: decode, encode/);
  });

  it("shows the usage lines with --threads, --json and --id (left out before)", () => {
    assert.match(ioam(["decode", "--help"]).out, /usage: ioam decode --pcap FILE \[--json\] .*\[--threads N\]/);
    assert.match(ioam(["encode", "--help"]).out, /\[--id N\]/);
    assert.match(ioam(["namespace", "--help"]).out, /namespace show \[--json\]/);
  });

  it("uses the same placeholders for the same words (type TYPE ns NS size SIZE) in encode and route", () => {
    const phrase = /trace prealloc\S* type TYPE ns NS size SIZE/;
    assert.match(ioam(["encode", "--help"]).out, phrase);
    assert.match(ioam(["route", "--help"]).out, phrase);
  });

  it("writes usage to stderr with exit 2 for a bare ioam, and help to stdout with exit 0 for --help", () => {
    const bare = ioam([]);
    assert.equal(bare.code, 2);
    assert.equal(bare.out, "");
    assert.match(bare.err, /^usage: ioam /);
    const help = ioam(["--help"]);
    assert.equal(help.code, 0);
    assert.match(help.out, /^usage: ioam /);
  });

  it("prints the package's version for --version and -V", () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };
    for (const flag of ["--version", "-V"]) {
      const r = ioam([flag]);
      assert.equal(r.code, 0);
      assert.match(r.out, new RegExp(`^ioam ${version.replace(/\./g, "\\.")} `));
    }
  });
});
