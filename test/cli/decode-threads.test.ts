// `ioam decode --pcap` on worker threads writes byte for byte what the inline path writes, over
// captures of several worker batches (buffers recycled between them) that mix every option
// kind, packets the direct JSON writer declines, malformed packets, frames that are not IPv6,
// and a few large frames — pcap and pcapng with two interfaces; for --json, --json --payload,
// --ioam-only, the table, and --limit. A capture cut inside a record fails the same way.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { LINKTYPE, wrapIpv6 } from "../../src/capture/link-type.js";
import { type CaptureWriter, openPcapWriter, openPcapngWriter } from "../../src/capture/writer.js";
import { buildPacket } from "../../src/wire/build.js";
import { buildCorpus } from "../oracle/tshark/corpus.js";

const ROOT = join(fileURLToPath(new URL(".", import.meta.url)), "..", "..", "..");
const MAIN = join(ROOT, "dist", "src", "cli", "main.js");
/** More than two worker batches of 4096 frames. */
const FRAMES = 10_000;

function ioam(args: string[]) {
  const r = spawnSync(process.execPath, [MAIN, ...args], { maxBuffer: 1 << 30 });
  return { code: r.status, out: r.stdout, err: r.stderr.toString() };
}

/** Writes the mixed frames; with `interfaces`, every third frame goes to interface 1 (raw IPv6). */
async function writeMixed(w: CaptureWriter, interfaces: boolean): Promise<void> {
  const packets = buildCorpus().map((spec) => buildPacket(spec));
  let rnd = 0x5eed;
  const next = () => ((rnd = (Math.imul(rnd, 1103515245) + 12345) >>> 0), rnd);
  for (let i = 0; i < FRAMES; i++) {
    let p = packets[i % packets.length]!.slice();
    if (i % 7 === 3) p[next() % p.length]! ^= 1 << (next() % 8); // malformed or declined now and then
    if (i % 501 === 0) p = Uint8Array.of(0x45, 0, 0, 20); // not IPv6
    if (i % 2999 === 5) p = Uint8Array.of(...p, ...new Uint8Array(9000)); // larger than most, padded after the packet
    const raw = interfaces && i % 3 === 1;
    w.write({ tsSec: 1_700_000_000 + i, tsNsec: i * 977, data: raw ? p : wrapIpv6(LINKTYPE.ETHERNET, p), interfaceIndex: raw ? 1 : 0 });
  }
  await w.close();
}

describe("ioam decode --threads", () => {
  const dir = mkdtempSync(join(tmpdir(), "ioamkit-threads-"));
  const pcap = join(dir, "mixed.pcap");
  const pcapng = join(dir, "mixed.pcapng");
  const cut = join(dir, "cut.pcapng");
  after(() => rmSync(dir, { recursive: true, force: true }));

  before(async () => {
    await writeMixed(await openPcapWriter(pcap, { linkType: LINKTYPE.ETHERNET, nanosecond: true }), false);
    await writeMixed(await openPcapngWriter(pcapng, { interfaces: [{ linkType: LINKTYPE.ETHERNET }, { linkType: LINKTYPE.RAW, tsResolutionNs: true }] }), true);
    const whole = readFileSync(pcapng);
    writeFileSync(cut, whole.subarray(0, whole.length - 100));
  });

  const runs: Array<[string, string[]]> = [
    ...[["--json"], ["--json", "--payload"], ["--json", "--ioam-only"], []].map((flags): [string, string[]] => [pcap, flags]),
    [pcapng, ["--json"]],
    [pcapng, []],
    [pcapng, ["--json", "--limit", "5000"]],
  ];
  for (const [file, flags] of runs) {
    it(`writes the inline output for decode ${flags.join(" ") || "(table)"} of ${file.slice(dir.length + 1)}`, () => {
      const inline = ioam(["decode", ...flags, "--threads", "0", "--pcap", file]);
      const workers = ioam(["decode", ...flags, "--threads", "2", "--pcap", file]);
      // The mix has malformed packets: exit 1 in both, every frame printed, the same summary.
      assert.equal(inline.code, 1, inline.err);
      assert.equal(workers.code, 1, workers.err);
      assert.match(inline.err, /: \d+ frames: (\d+ not IPv6, )?\d+ malformed\n$/);
      assert.equal(workers.err, inline.err);
      // Every frame shows, or is counted as not IPv6 (only on the raw interface of the pcapng: in
      // Ethernet frames an IPv4 packet claims to be IPv6 and shows as malformed).
      const limit = flags.includes("--limit") ? Number(flags[flags.indexOf("--limit") + 1]) : FRAMES;
      const shown = limit - Number(/(\d+) not IPv6/.exec(inline.err)?.[1] ?? 0);
      if (file === pcap) assert.equal(shown, FRAMES);
      const text = inline.out.toString();
      const printed = flags.includes("--json") ? text.split("\n").filter((l) => l.startsWith('{"v":1,"capture":{"frame":')).length : text.split("\n").filter((l) => /^frame \d+ /.test(l)).length;
      if (!flags.includes("--ioam-only")) assert.equal(printed, shown, "frames printed");
      else assert.ok(printed > shown / 2, `only ${printed} frames with IOAM printed`);
      assert.ok(workers.out.equals(inline.out), "worker output differs from inline output");
    });
  }

  it("fails on a capture cut inside a record with the inline path's message and status", () => {
    const inline = ioam(["decode", "--json", "--threads", "0", "--pcap", cut]);
    const workers = ioam(["decode", "--json", "--threads", "2", "--pcap", cut]);
    assert.equal(inline.code, 1);
    assert.equal(workers.code, 1);
    assert.match(inline.err, /truncated/);
    assert.equal(workers.err, inline.err);
  });
});
