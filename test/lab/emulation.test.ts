// The emulation of examples/diamond.yaml and examples/line-inline.yaml: what each link
// carries and what the decapsulating node hands to its sink, for the trace types, modes and
// overflow cases the lab must show, plus the domain edge, the return path, proof of transit
// and a 100-router line (the CLI's time printed, not asserted beyond a sanity bound).

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { Emulation } from "../../src/lab/emulation.js";
import { parseTopology } from "../../src/lab/load.js";
import { buildProbes } from "../../src/lab/probes.js";
import { traceEmulated } from "../../src/lab/trace.js";
import type { IoamOption } from "../../src/wire/ioam/option.js";
import { parseOptionWords } from "../../src/wire/ioam/option-words.js";
import { decodePacket } from "../../src/wire/packet.js";
import { lineTopology } from "./line-topology.js";

const ROOT = join(fileURLToPath(new URL(".", import.meta.url)), "..", "..", "..");
const MAIN = join(ROOT, "dist", "src", "cli", "main.js");
const example = (f: string) => readFileSync(join(ROOT, "examples", f), "utf8");
const diamond = (vars: Record<string, string> = {}) => parseTopology(example("diamond.yaml"), "diamond.yaml", { vars });
const ICMP = { count: 1, protos: ["icmp" as const], hopLimit: 64, insert: [] };

type Trace = Extract<IoamOption, { kind: "trace" }>;
const traceOf = (options: IoamOption[]): Trace => options.find((o): o is Trace => o.kind === "trace")!;
/** Path order (oldest first) of a trace's node ids. */
const ids = (t: Trace) => [...t.nodes].reverse().map((n) => n.nodeId);

function sendPing(vars: Record<string, string>, src = "h1", dst = "h2") {
  const t = diamond(vars);
  const [probe] = buildProbes(t, src, dst, ICMP);
  return { probe: probe!, j: new Emulation(t).send(src, probe!.packet) };
}

describe("emulated diamond, encap mode (the default)", () => {
  const { probe, j } = sendPing({});

  it("goes h1 → r1 → r2 → r4 → h2, tunnelled from r1 to r4, and h2 gets the original packet", () => {
    assert.deepEqual(j.hops.map((h) => `${h.from}>${h.to}`), ["h1>r1", "r1>r2", "r2>r4", "r4>h2"]);
    const onCore = decodePacket(j.hops[1]!.packet);
    assert.deepEqual([onCore.ipv6.src, onCore.ipv6.dst, onCore.upper.protocol, onCore.ipv6.hopLimit], ["fd00:12::1", "fd00:24::2", 41, 63]);
    const delivered = j.hops[3]!.packet;
    const expected = probe.packet.slice();
    expected[7] = 62; // decremented at r1 (before the lwtunnel copies it inside) and at r4
    assert.deepEqual(delivered, expected);
    assert.deepEqual(j.end, { kind: "delivered", node: "h2" });
  });

  it("size 8: r4's sink shows r1 and r2, and Overflow set by r4", () => {
    assert.equal(j.sink.length, 1);
    assert.equal(j.sink[0]!.node, "r4");
    const tr = traceOf(j.sink[0]!.record.options);
    assert.deepEqual([ids(tr), [...tr.nodes].reverse().map((n) => n.hopLimit), tr.flags.overflow], [[1, 2], [63, 62], true]);
    assert.equal(traceOf(decodePacket(j.hops[2]!.packet).options).flags.overflow, false, "on the wire from r2, no overflow yet");
  });

  it("size 4: r2 sets Overflow and only r1's entry is present", () => {
    const { j: j4 } = sendPing({ TRACE: "type 0x800000 size 4" });
    const onWire = traceOf(decodePacket(j4.hops[2]!.packet).options);
    assert.deepEqual([ids(onWire), onWire.flags.overflow], [[1], true]);
  });

  it("0x440000 size 24: interface ids and namespace data of r1, r2 and r4", () => {
    const { j: jj } = sendPing({ TRACE: "type 0x440000 size 24" });
    const tr = traceOf(jj.sink[0]!.record.options);
    const path = [...tr.nodes].reverse();
    assert.deepEqual(path.map((n) => [n.ingressIf, n.egressIf, n.nsData]), [[0x0100, 0x0102, 0xbeefcafe], [0x0201, 0x0204, 0xbeefcafe], [0x0402, 0xffff, 0xbeefcafe]]);
    assert.equal(tr.flags.overflow, false);
  });

  it("0x800002 size 24: r1's and r2's snapshots (schemas 0x111 oam1, 0x222 oam2); r4 finds no room", () => {
    const { j: jj } = sendPing({ TRACE: "type 0x800002 size 24" });
    const tr = traceOf(jj.sink[0]!.record.options);
    const snaps = [...tr.nodes].reverse().map((n) => [n.nodeId, n.opaque?.schemaId, new TextDecoder().decode(n.opaque?.data)]);
    assert.deepEqual(snaps, [[1, 0x111, "oam1"], [2, 0x222, "oam2"]]);
    assert.equal(tr.flags.overflow, true);
  });

  it("the echo reply comes back r4 → r2 → r1, tunnelled by r4 and decapsulated at r1", () => {
    assert.deepEqual(j.reply!.hops.map((h) => `${h.from}>${h.to}`), ["h2>r4", "r4>r2", "r2>r1", "r1>h1"]);
    assert.deepEqual(ids(traceOf(j.reply!.sink[0]!.record.options)), [4, 2]);
    assert.equal(j.reply!.sink[0]!.node, "r1");
  });
});

describe("emulated diamond, inline and auto modes", () => {
  it("inline: the trace rides in h1's own packet from r1 to r4, which removes it at the domain edge", () => {
    const { j } = sendPing({ MODE: "inline", TRACE: "type 0x440000 size 24" });
    const core = decodePacket(j.hops[1]!.packet);
    assert.deepEqual([core.ipv6.src, core.ipv6.dst, core.extHeaders[0]?.kind], ["fd00:10::1", "fd00:20::2", "hop"]);
    const tr = traceOf(j.sink[0]!.record.options);
    assert.deepEqual([...tr.nodes].reverse().map((n) => n.egressIf), [0x0102, 0x0204, 0x0400]);
    assert.deepEqual(decodePacket(j.hops[3]!.packet).options, []);
    assert.equal(j.end.kind, "delivered");
  });

  it("auto: forwarded packets are encapsulated", () => {
    const { j } = sendPing({ MODE: "auto" });
    assert.equal(decodePacket(j.hops[1]!.packet).ipv6.dst, "fd00:24::2");
    assert.equal(j.end.kind, "delivered");
  });
});

describe("emulated domain edges", () => {
  it("r1 drops a probe that arrives from h1 already carrying IOAM", () => {
    const t = diamond();
    const [trace] = traceEmulated(t, "h1", "h2", { ...ICMP, insert: parseOptionWords("trace prealloc type 0x800000 ns 100 size 12".split(" ")) });
    assert.equal(trace!.end, "dropped at r1: IOAM arriving on domain edge eth1 (RFC 9486 §5)");
    assert.equal(trace!.options.length, 1, "seen on h1's link with the (empty) trace it was sent with");
  });
});

describe("emulated examples/line-inline.yaml", () => {
  it("r5 receives five entries and a proof of transit it verifies; h2 gets no IOAM", () => {
    const t = parseTopology(example("line-inline.yaml"), "line-inline.yaml");
    const [probe] = buildProbes(t, "h1", "h2", ICMP);
    const j = new Emulation(t).send("h1", probe!.packet, { reply: false });
    const rec = j.sink.find((s) => s.node === "r5")!.record;
    assert.deepEqual(ids(traceOf(rec.options)), [1, 2, 3, 4, 5]);
    assert.deepEqual(rec.potVerified, [true]);
    assert.deepEqual(decodePacket(j.hops[j.hops.length - 1]!.packet).options, []);
  });
});

describe("emulated 100-router line", () => {
  const dir = mkdtempSync(join(tmpdir(), "ioamkit-line100-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const variant of ["prealloc", "incremental"] as const) {
    it(`${variant}: comes up and traces through 100 routers (hop limit 255); the trace holds 61 entries and says it overflowed`, () => {
      const file = join(dir, `${variant}.yaml`);
      writeFileSync(file, lineTopology(`line100-${variant}`, 100, { dataplane: variant === "incremental" }));
      const insert = variant === "prealloc" ? "trace prealloc type 0x800000 ns 1 size 244" : "trace incremental type 0x800000 ns 1 size 400";
      const started = process.hrtime.bigint();
      const r = spawnSync(process.execPath, [MAIN, "lab", "trace", file, "h1", "h2", "--emulate", "--hop-limit", "255", "--insert", insert, "--proto", "icmp"], { encoding: "utf8" });
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      process.stdout.write(`# 100-router line (${variant}): ioam lab trace --emulate took ${ms.toFixed(0)} ms (process start included)\n`);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /delivered to h2; path h1 → r1 → r2 → r3 … r99 → r100 → h2 \(102 nodes\)/);
      const kind = variant === "prealloc" ? "pre-allocated trace ns 1 type 0x800000: 61 entries, Overflow set: the pre-allocated space ran out" : "incremental trace ns 1 type 0x800000: 61 entries, Overflow set: the option reached its size limit";
      assert.ok(r.stdout.includes(kind), r.stdout.slice(0, 400));
      assert.match(r.stdout, /\n\s+1  r1\s+254 +1\n/);
      assert.match(r.stdout, /\n\s+61  r61\s+194 +61\n/);
      assert.ok(ms < 60_000, `sanity bound only (the goal is < 10 s): took ${ms} ms`);
    });
  }
});
