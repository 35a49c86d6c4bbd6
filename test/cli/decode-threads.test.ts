// `ioam decode --pcap` on worker threads writes byte for byte what the inline path writes, over
// a capture of several worker batches (buffers recycled between them) that mixes every option
// kind, packets the direct JSON writer declines, malformed packets, frames that are not IPv6,
// and a few large frames — for --json, --json --payload, --ioam-only and the table.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { LINKTYPE, wrapIpv6 } from "../../src/capture/link-type.js";
import { openPcapWriter } from "../../src/capture/writer.js";
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

describe("ioam decode --threads", () => {
  const dir = mkdtempSync(join(tmpdir(), "ioamkit-threads-"));
  const file = join(dir, "mixed.pcap");
  after(() => rmSync(dir, { recursive: true, force: true }));

  before(async () => {
    const packets = buildCorpus().map((spec) => buildPacket(spec));
    const w = await openPcapWriter(file, { linkType: LINKTYPE.ETHERNET, nanosecond: true });
    let rnd = 0x5eed;
    const next = () => ((rnd = (Math.imul(rnd, 1103515245) + 12345) >>> 0), rnd);
    for (let i = 0; i < FRAMES; i++) {
      let p = packets[i % packets.length]!.slice();
      if (i % 7 === 3) p[next() % p.length]! ^= 1 << (next() % 8); // malformed or declined now and then
      if (i % 501 === 0) p = Uint8Array.of(0x45, 0, 0, 20); // not IPv6
      if (i % 2999 === 5) p = Uint8Array.of(...p, ...new Uint8Array(9000)); // larger than most, padded after the packet
      w.write({ tsSec: 1_700_000_000 + i, tsNsec: i * 977, data: wrapIpv6(LINKTYPE.ETHERNET, p) });
    }
    await w.close();
  });

  for (const flags of [["--json"], ["--json", "--payload"], ["--json", "--ioam-only"], []]) {
    it(`writes the inline output for decode ${flags.join(" ") || "(table)"}`, () => {
      const inline = ioam(["decode", ...flags, "--threads", "0", "--pcap", file]);
      const workers = ioam(["decode", ...flags, "--threads", "2", "--pcap", file]);
      assert.equal(inline.code, 0, inline.err);
      assert.equal(workers.code, 0, workers.err);
      assert.equal(workers.err, inline.err);
      assert.ok(workers.out.equals(inline.out), "worker output differs from inline output");
    });
  }
});
