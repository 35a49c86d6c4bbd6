// A capture that ends inside a record: every complete frame is printed, then the error, exit 1,
// in the table and in --json, inline and on worker threads, pcap and pcapng — as tshark does.
// The complete frames are counted here by walking the file's record lengths, not by ioam.
// And a capture read from a pipe: --pcap -, a FIFO, /dev/stdin, process substitution and
// tcpdump -w - give the file's output.

import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { LINKTYPE, wrapIpv6 } from "../../src/capture/link-type.js";
import { openPcapWriter, openPcapngWriter } from "../../src/capture/writer.js";
import { buildPacket } from "../../src/wire/build.js";
import { buildCorpus } from "../oracle/tshark/corpus.js";
import { MAIN, SAMPLE, bash, ioam, scratch, toolSkip } from "./_support.js";

const FRAMES = 9_000; // more than two worker batches of 4096

/** Offsets where each complete record ends, walking pcap record headers or pcapng blocks (little-endian files). */
function recordEnds(b: Uint8Array, pcapng: boolean): number[] {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const ends: number[] = [];
  for (let o = pcapng ? 0 : 24; ; ) {
    const len = pcapng ? (o + 8 <= b.length ? dv.getUint32(o + 4, true) : Infinity) : o + 16 <= b.length ? 16 + dv.getUint32(o + 8, true) : Infinity;
    if (o + len > b.length) return ends;
    if (!pcapng || dv.getUint32(o, true) === 6) ends.push(o + len);
    o += len;
  }
}

function framesPrinted(out: string, json: boolean): number {
  return out.split("\n").filter((l) => (json ? l.startsWith('{"v":1,"capture":') : /^frame \d+ /.test(l))).length;
}

describe("ioam decode of a capture cut short", () => {
  const tmp = scratch();
  const files: Record<string, Uint8Array> = {};
  after(() => tmp.remove());

  before(async () => {
    const packets = buildCorpus().map((spec) => buildPacket(spec));
    for (const format of ["pcap", "pcapng"] as const) {
      const path = tmp.path(`whole.${format}`);
      const w = format === "pcap" ? await openPcapWriter(path, { linkType: LINKTYPE.ETHERNET }) : await openPcapngWriter(path, { interfaces: [{ linkType: LINKTYPE.ETHERNET }] });
      for (let i = 0; i < FRAMES; i++) w.write({ tsSec: 1_700_000_000 + i, tsNsec: 0, data: wrapIpv6(LINKTYPE.ETHERNET, packets[i % packets.length]!) });
      await w.close();
      files[format] = readFileSync(path);
    }
  });

  for (const [format, cutBack] of [["pcap", 1], ["pcap", 70_000], ["pcapng", 162]] as const) {
    {
      it(`prints every complete frame then the error: ${format} cut ${cutBack} bytes short, table and --json, inline and 2 threads`, () => {
        const whole = files[format]!;
        const cut = whole.subarray(0, whole.length - cutBack);
        const path = tmp.path(`cut-${cutBack}.${format}`);
        writeFileSync(path, cut);
        const complete = recordEnds(cut, format === "pcapng").length;
        assert.ok(complete > 8_000 && complete < FRAMES, `${complete} complete frames`);
        for (const json of [false, true]) {
          const outs = ["0", "2"].map((threads) => {
            const r = ioam(["decode", ...(json ? ["--json"] : []), "--threads", threads, "--pcap", path]);
            assert.equal(r.code, 1, r.err);
            assert.equal(framesPrinted(r.out, json), complete, `--threads ${threads}${json ? " --json" : ""}`);
            assert.match(r.err, new RegExp(`^ioam: .*cut-${cutBack}\\.${format} at byte \\d+: truncated`, "m"));
            if (json) assert.match(r.out.trimEnd().split("\n").at(-1)!, /^\{"v":1,"error":\{"code":"TRUNCATED",.*"layer":"capture"\}\}$/);
            return r.out;
          });
          assert.equal(outs[1], outs[0], "threads and inline print the same");
        }
      });
    }
  }

  it("prints the 4 complete frames of the sample cut at byte 1000 (tshark shows 4 too)", () => {
    const path = tmp.path("sample-1000.pcapng");
    writeFileSync(path, readFileSync(SAMPLE).subarray(0, 1000));
    for (const threads of ["0", "2"]) {
      const r = ioam(["decode", "--threads", threads, "--pcap", path]);
      assert.equal(framesPrinted(r.out, false), 4);
      assert.equal(r.code, 1);
    }
  });
});

describe("ioam decode --pcap from a pipe", () => {
  const want = ioam(["decode", "--json", "--pcap", SAMPLE]).out;
  before(() => assert.equal(framesPrinted(want, true), 11));
  const tmp = scratch();
  after(() => tmp.remove());

  it("reads standard input for -, and /dev/stdin", () => {
    const bytes = readFileSync(SAMPLE);
    for (const name of ["-", "/dev/stdin"]) {
      const r = ioam(["decode", "--json", "--pcap", name], bytes);
      assert.equal(r.code, 0, r.err);
      assert.equal(r.out, want, name);
    }
  });

  it("reads a FIFO and process substitution, and stops reading a pipe at --limit", async () => {
    const fifo = tmp.path("fifo");
    spawnSync("mkfifo", [fifo]);
    const writer = spawn("bash", ["-c", `cat '${SAMPLE}' > '${fifo}'`]);
    const r = ioam(["decode", "--json", "--pcap", fifo]);
    await new Promise((resolve) => writer.on("exit", resolve));
    assert.equal(r.out, want);
    const sub = bash(`ioam decode --json --pcap <(cat '${SAMPLE}')`);
    assert.equal(sub.out, want, sub.err);
    const endless = bash(`while cat '${SAMPLE}'; do :; done | head -c 100000000 | ioam decode --pcap - --limit 3 | grep -c '^frame'`);
    assert.equal(endless.out.trim(), "3");
  });

  it("reads tcpdump -w - (tcpdump -r re-emitting the sample)", { skip: toolSkip("tcpdump") }, () => {
    const r = bash(`tcpdump -r '${SAMPLE}' -w - 2>/dev/null | ioam decode --json --pcap -`);
    assert.equal(r.code, 0, r.err);
    const strip = (s: string) => s.replace(/"capture":\{[^}]*\},/g, "");
    assert.equal(strip(r.out), strip(want));
    assert.equal(framesPrinted(r.out, true), 11);
  });

  it("names a missing file, a directory and a FIFO-less path in a sentence", () => {
    for (const [path, why] of [[tmp.path("missing.pcap"), /cannot read .*missing\.pcap: no such file$/], [tmp.dir, /cannot read .*: it is a directory$/]] as const) {
      const r = ioam(["decode", "--pcap", path]);
      assert.equal(r.code, 1);
      assert.match(r.err.trim(), why);
      assert.doesNotMatch(r.err, /ENOENT|EISDIR|stat '/);
    }
    assert.ok(MAIN);
  });
});
