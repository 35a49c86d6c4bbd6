// Digests of what `ioam decode` and `ioam encode` print, for refactors that must not change a
// byte: run it against two builds (e.g. a worktree of the previous commit and this one) and
// compare the lines. Inputs: the sample capture, the tshark oracle corpus, generated operator
// traffic, and the same traffic with bit flips (malformed and declined packets).
// Usage: node dist/tools/output-digests.js [--cli PATH/TO/dist/src/cli/main.js] [--keep DIR]

import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { LINKTYPE, wrapIpv6 } from "../src/capture/link-type.js";
import { openPcapngWriter } from "../src/capture/writer.js";
import { buildPacket } from "../src/wire/build.js";
import { buildCorpus } from "../test/oracle/tshark/corpus.js";
import { operatorTraffic } from "../bench/traffic.js";

const ROOT = join(fileURLToPath(new URL(".", import.meta.url)), "..", "..");
const argv = process.argv.slice(2);
const CLI = argv.includes("--cli") ? argv[argv.indexOf("--cli") + 1]! : join(ROOT, "dist", "src", "cli", "main.js");

/** Writes packets to a pcapng file (Ethernet), the odd ones with a few bits flipped. */
async function capture(file: string, packets: Uint8Array[], flipEvery = 0): Promise<void> {
  const w = await openPcapngWriter(file, { interfaces: [{ linkType: LINKTYPE.ETHERNET }] });
  let rnd = 0x1dea;
  const next = () => ((rnd = (Math.imul(rnd, 1103515245) + 12345) >>> 0), rnd);
  packets.forEach((p, i) => {
    const data = p.slice();
    if (flipEvery && i % flipEvery === 1) for (let f = 0; f < 3; f++) data[next() % data.length]! ^= 1 << (next() % 8);
    w.write({ tsSec: 1_700_000_000 + i, tsNsec: i * 1000, data: wrapIpv6(LINKTYPE.ETHERNET, data), interfaceIndex: 0 });
  });
  await w.close();
}

function digest(args: string[]): string {
  const r = spawnSync(process.execPath, [CLI, ...args], { maxBuffer: 1 << 30 });
  return `${createHash("sha256").update(r.stdout).digest("hex").slice(0, 16)} exit ${r.status}`;
}

const ENCODES: string[][] = [
  ["trace", "prealloc", "type", "0xfff002", "ns", "123", "size", "244"],
  ["trace", "incremental", "type", "0xd00000", "ns", "7", "size", "24"],
  ["pot", "ns", "1", "profile", "0"],
  ["e2e", "ns", "1", "type", "0xf000"],
  ["dex", "ns", "1", "type", "0xc00000", "flowid", "7", "seq"],
  ["trace", "prealloc", "type", "0x800000", "ns", "1", "size", "12", "e2e", "ns", "2", "type", "0x8000"],
];

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "ioamkit-digests-"));
  try {
    const inputs: Record<string, string> = {
      sample: join(ROOT, "samples", "ioam-trace.pcapng"),
      corpus: join(dir, "corpus.pcapng"),
      operator: join(dir, "operator.pcapng"),
      mutated: join(dir, "mutated.pcapng"),
    };
    const corpus = buildCorpus().map((s) => buildPacket(s));
    const operator = operatorTraffic(20_000).map((s) => buildPacket(s));
    await capture(inputs.corpus!, corpus);
    await capture(inputs.operator!, operator);
    await capture(inputs.mutated!, [...corpus, ...operator.slice(0, 5000)], 3);
    for (const [name, file] of Object.entries(inputs)) {
      for (const flags of [["--json"], ["--json", "--payload"], ["--json", "--ioam-only"], []]) {
        for (const threads of [["--threads", "0"], ["--threads", "2"]]) {
          console.log(`decode ${name} ${[...flags, ...threads].join(" ") || "(table)"}: ${digest(["decode", ...flags, ...threads, "--pcap", file])}`);
        }
      }
    }
    for (const words of ENCODES) console.log(`encode ${words.join(" ")}: ${digest(["encode", "--src", "2001:db8::1", "--dst", "2001:db8::2", ...words])}`);
  } finally {
    if (!argv.includes("--keep")) rmSync(dir, { recursive: true, force: true });
  }
}

await main();
