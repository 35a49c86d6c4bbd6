// One number rule per surface, through the command a user types: C notation on the command
// line (010 is 8, 09 refused) in flags, option words, route words and node/link ids; every
// field range-checked with exit 2; E2E ts and seq exact; the placeholders' ranges in help equal
// what the parsers accept; docs/cli.md's table is the one in the code.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { OPTION_VALUES } from "../../src/cli/commands/option-values.js";
import { numberRulesMarkdown } from "../../src/cli/number-rules.js";
import { ROOT, ioam } from "./_support.js";

const ENC = ["encode", "--src", "2001:db8::1", "--dst", "2001:db8::2"];

/** The first option of the packet `encode … words --json` builds. */
function option(words: string[], flags: string[] = []): Record<string, unknown> {
  const r = ioam([...ENC, ...flags, "--json", ...words]);
  assert.equal(r.code, 0, `${words.join(" ")}: ${r.err}`);
  return (JSON.parse(r.out) as { options: Array<Record<string, unknown>> }).options[0]!;
}

function refused(args: string[], why: RegExp): void {
  const r = ioam(args);
  assert.equal(r.code, 2, `${args.join(" ")} exited ${r.code}: ${r.err}${r.out}`);
  assert.match(r.err, why, args.join(" "));
  assert.equal(r.out, "");
}

describe("numbers on the command line (C notation, as iproute2 and sysctl)", () => {
  it("reads 010 as 8, 0x10 as 16 and 10 as 10 in option words", () => {
    for (const [text, want] of [["010", 8], ["0x10", 16], ["10", 10], ["0", 0]] as const) {
      assert.equal(option(["trace", "prealloc", "type", "0x800000", "ns", text, "size", "4"]).namespaceId, want, text);
    }
  });

  it("refuses 09 and 08 with the octal reason, in option words, flags, route words and node ids", () => {
    const octal = /"0[89]" is not a number: a leading 0 means octal/;
    refused([...ENC, "trace", "prealloc", "type", "0x800000", "ns", "09", "size", "4"], octal);
    refused([...ENC, "--hop-limit", "08", "trace", "prealloc", "type", "0x800000", "ns", "1", "size", "4"], octal);
    refused(["route", "add", "2001:db8::/64", "encap", "ioam6", "trace", "prealloc", "type", "0x800000", "ns", "09", "size", "4"], octal);
    refused(["node", "set", "id", "09"], octal); // refused before /proc/sys is touched
    refused(["link", "set", "dev", "lo", "id", "08"], octal);
    refused(["namespace", "add", "09"], octal);
  });

  it("reads flags in C notation too (--hop-limit 010 is 8)", () => {
    const r = ioam([...ENC, "--hop-limit", "010", "--json", "trace", "prealloc", "type", "0x800000", "ns", "1", "size", "4"]);
    assert.equal((JSON.parse(r.out) as { ipv6: { hopLimit: number } }).ipv6.hopLimit, 8);
  });

  it("range-checks every field with exit 2", () => {
    const above = /is above \d+, the largest value here/;
    const t = ["trace", "prealloc", "type", "0x800000", "ns", "1", "size", "4"];
    refused([...ENC, "trace", "prealloc", "type", "0x1000000", "ns", "1", "size", "4"], above);
    refused([...ENC, "trace", "prealloc", "type", "0x800000", "ns", "65536", "size", "4"], above);
    refused([...ENC, "--flow-label", "0x100000", ...t], above);
    refused([...ENC, "--count", "0", ...t], /is below 1/);
    refused([...ENC, "e2e", "ns", "1", "type", "0x4000", "seq", "4294967296"], above);
    refused([...ENC, "e2e", "ns", "1", "type", "0x2000", "ts", "4294967296"], /is not SECONDS\[\.FRACTION\]/);
    refused([...ENC, "dex", "ns", "1", "type", "0x800000", "flowid", "4294967296"], above);
    refused([...ENC, "pot", "ns", "1", "random", "0x10000000000000000"], above);
    refused(["node", "set", "wide", "0x100000000000000"], above);
    refused(["link", "set", "dev", "lo", "wide", "4294967296"], above);
    refused(["decode", "--limit", "0", "00"], /is below 1/);
  });

  it("keeps E2E timestamps and sequence numbers exact (1.5 and 1.05 differ; nothing wraps)", () => {
    const e2e = (ts: string) => option(["e2e", "ns", "1", "type", "0x3000", "ts", ts]);
    assert.deepEqual([e2e("1.5").tsSec, e2e("1.5").tsFrac], [1, 500_000_000]);
    assert.deepEqual([e2e("1.05").tsSec, e2e("1.05").tsFrac], [1, 50_000_000]);
    assert.deepEqual([e2e("4294967295.999999999").tsSec, e2e("4294967295.999999999").tsFrac], [4294967295, 999_999_999]);
    refused([...ENC, "e2e", "ns", "1", "type", "0x3000", "ts", "1.5000000000"], /9 fraction digits/);
    assert.equal(option(["e2e", "ns", "1", "type", "0x4000", "seq", "4294967295"]).seq32, 4294967295);
    assert.equal(option(["e2e", "ns", "1", "type", "0x8000", "seq", "18446744073709551615"]).seq64, "0xffffffffffffffff");
  });

  it("refuses ts and seq the E2E type has no field for, instead of dropping them, and both sequence bits", () => {
    refused([...ENC, "e2e", "ns", "1", "type", "0xc000", "seq", "42"], /sets both sequence bits .*RFC 9197 §4\.6/);
    refused([...ENC, "e2e", "ns", "1", "type", "0x2000", "ts", "1.5"], /has a fraction, but type 0x2000 has no fraction bit/);
    refused([...ENC, "e2e", "ns", "1", "type", "0x1000", "seq", "5"], /type 0x1000 has no sequence bit/);
    refused([...ENC, "e2e", "ns", "1", "type", "0x8000", "ts", "5"], /has no timestamp bit/);
  });

  it("accepts each placeholder's largest value and refuses the next, as help states them", () => {
    for (const [p, words] of [
      ["TYPE", (v: string) => ["trace", "prealloc", "type", v, "ns", "1", "size", "4"]],
      ["NS", (v: string) => ["trace", "prealloc", "type", "0x800000", "ns", v, "size", "4"]],
      ["FLOWID", (v: string) => ["dex", "ns", "1", "type", "0x800000", "flowid", v]],
      ["POTTYPE", (v: string) => ["pot", "ns", "1", "type", v]],
    ] as const) {
      const max = OPTION_VALUES[p]!.max!;
      const ok = ioam([...ENC, ...words(String(max))]);
      assert.equal(ok.code, 0, `${p} ${max}: ${ok.err}`);
      refused([...ENC, ...words(String(max + 1n))], /is above/);
      assert.match(ioam(["encode", "--help"]).out, new RegExp(`\\n {2}${p} .*\\(0-${max}\\)`));
    }
  });

  it("is written in one table in docs/cli.md, the one help, the man page and the parsers follow", () => {
    const docs = readFileSync(join(ROOT, "docs", "cli.md"), "utf8");
    assert.ok(docs.includes(numberRulesMarkdown()), "docs/cli.md's number table differs from src/cli/number-rules.ts");
    assert.match(ioam(["node", "--help"]).out, /Numbers are read in C notation, as iproute2 and sysctl read them/);
  });
});
