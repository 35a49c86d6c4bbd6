// The sink reader: canonical records (as `ioam decode --json --payload` writes them) of the
// packets a decapsulating node received, told apart by the probe inside the tunnel; lines in
// another shape skipped; only what was written after the mark is read.

import assert from "node:assert/strict";
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { Emulation } from "../../src/lab/emulation.js";
import { parseTopology } from "../../src/lab/load.js";
import { buildProbes } from "../../src/lab/probes.js";
import { readSink, sinkSize } from "../../src/lab/sink-reader.js";
import { packetToJson } from "../../src/wire/json/record-json.js";
import { decodePacket } from "../../src/wire/packet.js";

const ROOT = join(fileURLToPath(new URL(".", import.meta.url)), "..", "..", "..");

describe("readSink()", () => {
  const dir = mkdtempSync(join(tmpdir(), "ioamkit-sink-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const t = parseTopology(readFileSync(join(ROOT, "examples", "diamond.yaml"), "utf8"), "diamond.yaml");
  const probes = buildProbes(t, "h1", "h2", { count: 1, protos: ["icmp", "udp"], hopLimit: 64, insert: [] });
  const emu = new Emulation(t);
  /** What reached r4 from r2 for each probe: encapsulated, with r1's and r2's entries. */
  const atR4 = probes.map((p) => emu.send("h1", p.packet, { reply: false }).hops.find((h) => h.to === "r4")!.packet);

  it("reads the records written after the mark, with each probe's key from inside the tunnel", () => {
    const sink = join(dir, "r4.sink.ndjson");
    writeFileSync(sink, packetToJson(decodePacket(atR4[0]!), true) + "\n");
    const mark = sinkSize(sink);
    appendFileSync(sink, ["not json", JSON.stringify({ something: "else" }), packetToJson(decodePacket(atR4[1]!), true), packetToJson(decodePacket(atR4[0]!), false)].join("\n") + "\n");
    const got = readSink(sink, mark);
    assert.deepEqual(got.map((r) => r.key), [probes[1]!.key, undefined]);
    assert.deepEqual(got.map((r) => r.options.map((o) => (o.kind === "trace" ? o.nodes.map((n) => n.nodeId) : []))), [[[2, 1]], [[2, 1]]]);
  });

  it("gives nothing for a sink that does not exist yet", () => {
    assert.equal(sinkSize(join(dir, "none")), 0);
    assert.deepEqual(readSink(join(dir, "none"), 0), []);
  });
});
