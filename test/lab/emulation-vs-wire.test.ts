// Same file, same probes → same traces (timestamps aside) in a real lab and in the emulation:
// `ioam lab trace --json` on real namespaces (kernel transit, read from tcpdump on the wire)
// against `ioam lab trace --emulate --json`. Covered now: everything the kernel does alone —
// the self-test set-up (Alpha sends an empty trace, Beta fills) for the self-test's INPUT
// cases, a kernel-only diamond with both paths, and the domain edge dropping IOAM from h1 —
// and with the userspace data plane (`ioam node run` in the real lab): the five-router line
// (r1 inserts a trace and POT inline or encapsulated, r2–r4 update POT, r5 removes it at the
// edge and verifies) and the diamond (r1 and r4 encapsulate towards each other), read from the
// decapsulating node's sink.

import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { rootSkip, runIoam } from "../harness/netns.js";

const skip = rootSkip();
const ROOT = join(fileURLToPath(new URL(".", import.meta.url)), "..", "..", "..");
const PATH = process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin";
const ioam = (...args: string[]) => runIoam(args, PATH);

interface ProbeLine {
  probe: { seq: number; proto: string };
  path: string[];
  end?: string;
  options: Array<Record<string, unknown>>;
}

/** Timestamp fields are the clock's, and a POT option's random number (and so its cumulative) is the encapsulating node's draw: masked in both. */
const TIME_KEYS = new Set(["tsSec", "tsFrac", "random", "cumulative"]);
function masked(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(masked);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, TIME_KEYS.has(k) ? "masked" : masked(x)]));
  return v;
}

function trace(file: string, lab: string, extra: string[], emulate: boolean): ProbeLine[] {
  const r = ioam("lab", "trace", file, ...extra, "--name", lab, "--json", ...(emulate ? ["--emulate"] : []));
  assert.equal(r.code, 0, r.err);
  return r.out.trim().split("\n").map((l) => JSON.parse(l) as ProbeLine);
}

/** Runs the same trace both ways and compares what each probe carried, and how far it was seen. */
function sameBothWays(file: string, lab: string, extra: string[]): ProbeLine[] {
  const real = trace(file, lab, extra, false);
  const emu = trace(file, lab, extra, true);
  assert.equal(real.length, emu.length);
  real.forEach((r, i) => {
    const e = emu[i]!;
    assert.deepEqual(masked(r.options), masked(e.options), `probe ${r.probe.seq} (${r.probe.proto}): ${extra.join(" ")}`);
    assert.deepEqual(r.path, e.path, `probe ${r.probe.seq}: path`);
  });
  return real;
}

describe("emulation vs the wire", { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), "ioamkit-emuwire-"));
  const selftest = join(ROOT, "examples", "ioam6-selftest.yaml");
  const diamond = join(ROOT, "examples", "diamond.yaml");
  // The diamond with no data plane and the hosts inside the domain: kernel transit only.
  const kernelDiamond = join(dir, "diamond-kernel.yaml");
  const labs = { st: `t${process.pid}-st`, kd: `t${process.pid}-kd`, d: `t${process.pid}-d` };
  before(() => {
    const text = readFileSync(diamond, "utf8").replace(/^ +(dataplane|encap|decap):.*\n/gm, "").replace(/\{ kind: host \}/g, "{ kind: host, domain: true }");
    writeFileSync(kernelDiamond, text.replace("eth1: { id: 0x0100,", "eth1: { enabled: true, id: 0x0100,").replace("eth3: { id: 0x0400,", "eth3: { enabled: true, id: 0x0400,"));
    for (const [lab, file] of [[labs.st, selftest], [labs.kd, kernelDiamond], [labs.d, diamond]] as const) {
      const r = ioam("lab", "up", file, "--name", lab);
      assert.equal(r.code, 0, r.err);
    }
  });
  after(() => {
    for (const lab of Object.values(labs)) ioam("lab", "down", lab);
    rmSync(dir, { recursive: true, force: true });
  });

  // The self-test's INPUT cases (docs: linux-ioam6 selftest): Beta's fill of an empty trace from Alpha.
  for (const [what, words] of [
    ["full supported trace", "trace prealloc type 0xfff002 ns 123 size 64"],
    ["node ids, size 12", "trace prealloc type 0x800000 ns 123 size 12"],
    ["no room: Beta sets Overflow", "trace prealloc type 0xc00000 ns 123 size 4"],
    ["no room for the snapshot", "trace prealloc type 0x000002 ns 123 size 4"],
    ["undefined namespace: Beta leaves it", "trace prealloc type 0x800000 ns 0 size 4"],
    ["an incremental trace: the kernel ignores it", "trace incremental type 0x800000 ns 123 size 12"],
  ] as const) {
    it(`self-test set-up, ${what}: the same trace on the wire and in the emulation`, () => {
      const lines = sameBothWays(selftest, labs.st, ["alpha", "gamma", "--insert", words]);
      assert.deepEqual(lines[0]!.path, ["alpha", "beta", "gamma"]);
    });
  }

  it("kernel-only diamond, both directions, three trace types: the same traces", () => {
    for (const [src, dst] of [["h1", "h2"], ["h2", "h1"]]) {
      for (const words of ["trace prealloc type 0x800000 ns 100 size 16", "trace prealloc type 0x440000 ns 100 size 24", "trace prealloc type 0xf20002 ns 100 size 120"]) {
        const lines = sameBothWays(kernelDiamond, labs.kd, [src!, dst!, "--insert", words]);
        assert.equal((lines[0]!.options[0]!.nodes as unknown[]).length, 3, `${src} → ${dst}: r1, r2 and r4 fill (${words})`);
      }
    }
  });

  it("the domain edge: r1 drops IOAM arriving from h1, on the wire and in the emulation", () => {
    const lines = sameBothWays(diamond, labs.d, ["h1", "h2", "--insert", "trace prealloc type 0x800000 ns 100 size 12"]);
    for (const l of lines) assert.deepEqual(l.path, ["h1", "r1"]);
  });
});

describe("emulation vs the wire, with the userspace data plane", { skip }, () => {
  const line = join(ROOT, "examples", "line-inline.yaml");
  const diamond = join(ROOT, "examples", "diamond.yaml");
  const labs: string[] = [];
  after(() => {
    for (const lab of labs) ioam("lab", "down", lab);
  });
  const up = (file: string, lab: string, vars: string[]) => {
    labs.push(lab);
    const r = ioam("lab", "up", file, ...vars, "--name", lab);
    assert.equal(r.code, 0, r.err);
  };

  for (const mode of ["inline", "encap"]) {
    it(`line, mode ${mode}: r1 inserts, r2–r4 update POT, r5 removes and verifies — the same traces, from r5's sink`, () => {
      const lab = `t${process.pid}-l${mode[0]}`;
      up(line, lab, [`MODE=${mode}`]);
      const lines = sameBothWays(line, lab, ["h1", "h2", `MODE=${mode}`]) as Array<ProbeLine & { at?: { source: string; node: string }; potVerified?: boolean[] }>;
      for (const l of lines) {
        assert.deepEqual(l.at, { source: "sink", node: "r5" });
        assert.deepEqual(l.potVerified, [true]);
        assert.deepEqual((l.options[0]!.nodes as Array<{ nodeId: number }>).map((n) => n.nodeId), [5, 4, 3, 2, 1]);
      }
      ioam("lab", "down", lab);
    });
  }

  it("diamond, both directions: r1 and r4 encapsulate towards each other — the same traces, from the tunnel end's sink", () => {
    const lab = `t${process.pid}-dd`;
    const vars = ["TRACE=type 0xf00000 size 64"];
    up(diamond, lab, vars);
    for (const [src, dst, end] of [["h1", "h2", "r4"], ["h2", "h1", "r1"]] as const) {
      const lines = sameBothWays(diamond, lab, [src, dst, ...vars]) as Array<ProbeLine & { at?: { source: string; node: string } }>;
      for (const l of lines) {
        assert.deepEqual(l.at, { source: "sink", node: end });
        assert.equal((l.options[0]!.nodes as unknown[]).length, 3, `${src} → ${dst}: the encapsulating node, one of r2/r3, the tunnel end`);
      }
    }
  });
});
