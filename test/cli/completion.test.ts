// Completion as a shell runs it: the script `ioam completion bash` prints is sourced in bash
// and its function called with COMP_LINE/COMP_POINT as readline sets them; the zsh script is
// sourced in zsh with compadd, _files and _describe replaced by printers.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { after, describe, it } from "node:test";
import { ioam, scratch, toolSkip } from "./_support.js";

/** [command line up to the cursor, words that must be offered, words that must not]. */
const CASES: Array<[string, string[], string[]]> = [
  ["ioam ", ["decode", "encode", "namespace", "route", "apply", "help", "completion", "man"], []],
  ["ioam de", ["decode"], ["encode"]],
  ["ioam -", ["--netns", "--help", "--version"], []],
  ["ioam decode --p", ["--pcap", "--payload"], ["--json"]],
  ["ioam decode --pcap samples/io", ["samples/ioam-trace.pcapng"], []],
  ["ioam decode --pcap x --", ["--threads", "--limit", "--json"], ["--pcap"]],
  ["ioam decode - --", ["--json", "--limit"], ["--threads"]],
  ["ioam encode --payload ", ["icmp-echo", "udp", "tcp", "none"], []],
  ["ioam encode --link ", ["raw", "ethernet", "sll", "sll2"], []],
  ["ioam encode --src 2001:db8::1 --dst 2001:db8::2 ", ["trace", "pot", "e2e", "dex"], []],
  ["ioam encode --src ::1 --dst ::2 trace ", ["prealloc", "incremental"], ["pot"]],
  ["ioam encode --src ::1 --dst ::2 trace prealloc type 0x800000 ", ["ns", "size", "flags", "in", "opttype", "pot"], ["type", "prealloc"]],
  ["ioam encode --src ::1 --dst ::2 trace prealloc type 0x800000 in ", ["hop", "dest"], ["ns"]],
  ["ioam encode --src ::1 --dst ::2 trace prealloc type 0x800000 ns ", [], ["size", "trace"]],
  ["ioam encode --src ::1 --dst ::2 e2e ", ["ns", "type", "seq", "ts"], ["flowid"]],
  ["ioam namespace ", ["show", "add", "del", "set"], []],
  ["ioam namespace add 1 ", ["data", "wide"], []],
  ["ioam namespace set 1 schema ", ["none"], []],
  ["ioam namespace show --", ["--json"], []],
  ["ioam route add 2001:db8::/64 ", ["encap", "via", "dev", "metric"], []],
  ["ioam route add 2001:db8::/64 encap ", ["ioam6"], ["via"]],
  ["ioam route add 2001:db8::/64 encap ioam6 mode ", ["inline", "encap", "auto"], []],
  ["ioam route add 2001:db8::/64 encap ioam6 trace ", ["prealloc"], []],
  ["ioam route show --", ["--all", "--json"], []],
  ["ioam link set dev ", ["lo"], []],
  ["ioam link set dev lo ", ["enable", "disable", "id", "wide"], []],
  ["ioam help ", ["decode", "apply"], ["help"]],
  ["ioam completion ", ["bash", "zsh"], []],
  ["ioam apply sam", ["samples"], []],
];

function check(shell: string, got: Map<string, string[]>): void {
  for (const [line, want, not] of CASES) {
    const offered = got.get(line);
    assert.ok(offered, `${shell}: no answer for "${line}"`);
    for (const w of want) assert.ok(offered.includes(w), `${shell} "${line}": ${w} not offered (got ${offered.join(" ")})`);
    for (const w of not) assert.ok(!offered.includes(w), `${shell} "${line}": ${w} offered`);
  }
}

const shellQuote = (s: string) => `'${s.replace(/'/g, "'\\''")}'`;

describe("ioam completion", () => {
  const tmp = scratch();
  after(() => tmp.remove());

  it("bash: completes commands, verbs, flags, flag values, option words and their values", { skip: toolSkip("bash") }, () => {
    const script = tmp.path("ioam.bash");
    writeFileSync(script, ioam(["completion", "bash"]).out);
    const calls = CASES.map(([line]) => `COMP_LINE=${shellQuote(line)}; COMP_POINT=\${#COMP_LINE}; COMPREPLY=(); _ioam; echo "\${COMPREPLY[*]}"`).join("\n");
    const r = spawnSync("bash", ["-c", `source ${shellQuote(script)}\ncomplete -p ioam >/dev/null || exit 3\n${calls}`], { encoding: "utf8", cwd: tmp.dir.length ? process.cwd() : "." });
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.split("\n");
    check("bash", new Map(CASES.map(([line], i) => [line, lines[i]!.split(" ").filter(Boolean)])));
  });

  it("zsh: offers the same words through compadd, files through _files, commands with their summaries", { skip: toolSkip("zsh") }, () => {
    const script = tmp.path("_ioam");
    writeFileSync(script, ioam(["completion", "zsh"]).out);
    const stubs = [
      "compdef() { :; }",
      `source ${shellQuote(script)}`,
      'compadd() { [ "$1" = "--" ] && shift; print -r -- "$*"; }',
      `_files() { print -r -- "$(print -l -- \${PREFIX:-}*(N))"; }`,
      '_describe() { print -r -- "${(j: :)${(@)${(P)2}%%:*}}"; }',
      'c() { words=(${=1}); [[ $1 == *" " ]] && words+=(""); CURRENT=${#words}; PREFIX=${words[CURRENT]}; _ioam | tr "\\n" " "; print; }',
    ];
    const calls = CASES.map(([line]) => `c ${shellQuote(line)}`).join("\n");
    const r = spawnSync("zsh", ["-f", "-c", `${stubs.join("\n")}\n${calls}`], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.split("\n");
    // zsh filters by the typed prefix itself (compadd's matching), so offers are compared after it.
    const got = new Map(CASES.map(([line], i) => {
      const prefix = line.endsWith(" ") ? "" : line.split(" ").at(-1)!;
      return [line, lines[i]!.split(" ").filter((w) => w && w.startsWith(prefix))];
    }));
    check("zsh", got);
    assert.match(ioam(["completion", "zsh"]).out, /^#compdef ioam\n/);
  });

  it("refuses a shell it has no script for", () => {
    const r = ioam(["completion", "fish"]);
    assert.equal(r.code, 2);
    assert.match(r.err, /usage: ioam completion bash\|zsh/);
  });
});
