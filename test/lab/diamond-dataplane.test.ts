// The blog's diamond as `ioam lab up` builds it, with `ioam node run` on r1 and r4 and kernel
// transit on r2: in inline, encap and auto modes, ping h1 → h2 answers; the trace on r4's link
// from r2, decoded by tshark, carries r2's then r1's node ids, interface ids, namespace data
// and opaque snapshots (schemas 0x111 "oam1", 0x222 "oam2"); h2 receives the original packet
// (no IOAM, h1's addresses). Overflow: with room for one entry r2 sets the flag and only r1's
// entry is on the wire; with room for two, the record r4 hands to its sink shows r4 set it.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { labDir } from "../../src/lab/lab-state.js";
import { runIoam } from "../harness/netns.js";
import { Capture } from "../harness/process.js";
import { toolSkip } from "../harness/tools.js";

const skip = toolSkip({ tcpdump: "tcpdump", tshark: "tshark", ping: "iputils-ping" });
const ROOT = join(fileURLToPath(new URL(".", import.meta.url)), "..", "..", "..");
const DIAMOND = join(ROOT, "examples", "diamond.yaml");
const PATH = process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin";
const ioam = (...args: string[]) => runIoam(args, PATH);
const H1 = "fd00:10::1";
const H2 = "fd00:20::2";

/** A number tshark prints in decimal or 0x hex, as decimal text; other values as printed. */
const asNumber = (v: string) => (/^(0x[0-9a-f]+|\d+)$/i.test(v) ? String(Number(v)) : v);

/** tshark's values of `fields` for each packet of a capture (one array per field, comma lists split). */
function tsharkFields(file: string, fields: string[]): string[][][] {
  const r = spawnSync("tshark", ["-r", file, "-T", "fields", ...fields.flatMap((f) => ["-e", f])], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim().split("\n").filter(Boolean).map((line) => line.split("\t").map((v) => (v === "" ? [] : v.split(",").map(asNumber))));
}

describe("the diamond lab with the userspace data plane", { skip }, () => {
  const labs: string[] = [];
  after(() => {
    for (const lab of labs) ioam("lab", "down", lab);
  });
  const up = (tag: string, vars: string[]) => {
    const lab = `t${process.pid}-${tag}`;
    labs.push(lab);
    const r = ioam("lab", "up", DIAMOND, ...vars, "--name", lab);
    assert.equal(r.code, 0, r.err);
    return lab;
  };
  const down = (lab: string) => assert.equal(ioam("lab", "down", lab).code, 0);
  const ping = (lab: string) => {
    const r = ioam("lab", "exec", lab, "h1", "--", "ping", "-c", "3", "-i", "0.2", "-W", "2", H2);
    assert.equal(r.code, 0, r.out + r.err);
    assert.match(r.out, /3 received/);
  };

  for (const mode of ["inline", "encap", "auto"]) {
    it(`mode ${mode}: ping answers; tshark reads r2's and r1's ids, namespace data and snapshots on r4's link; h2 gets the original packet`, async () => {
      const lab = up(mode, [`MODE=${mode}`, "TRACE=type 0xc40002 size 56"]);
      const onR4 = await Capture.start(`ioamkit.${lab}.r4`, "eth1", `ip6 and not icmp6[0] >= 133`);
      const atH2 = await Capture.start(`ioamkit.${lab}.h2`, "eth1", `icmp6 and ip6[40] == 128`);
      try {
        ping(lab);
        const wire = await onR4.stop(3);
        const arrived = await atH2.stop(3);
        const f = tsharkFields(onR4.file, ["ipv6.opt.ioam.trace.node.id", "ipv6.opt.ioam.trace.node.iif", "ipv6.opt.ioam.trace.node.eif", "ipv6.opt.ioam.trace.node.nsdata", "ipv6.opt.ioam.trace.node.oss.scid", "ipv6.opt.ioam.trace.node.oss.data"]);
        const requests = f.filter((p) => p[0]!.length > 0);
        assert.equal(requests.length, 3, `three echo requests with a trace on r4's link (${wire.length} packets)`);
        for (const [ids, iif, eif, nsdata, scid, data] of requests) {
          assert.deepEqual(ids, ["2", "1"]);
          assert.deepEqual([iif, eif], [["513", "256"], ["516", "258"]]);
          assert.deepEqual(nsdata, [String(0xbeefcafe), String(0xbeefcafe)]);
          assert.deepEqual(scid, ["546", "273"]);
          assert.deepEqual(data!.map((d) => Buffer.from(d.replace(/:/g, ""), "hex").toString()), ["oam2", "oam1"]);
        }
        assert.equal(arrived.length, 3);
        for (const p of arrived) {
          assert.equal(p.ipv6[6], 58, "an ICMPv6 packet with no extension header left");
          assert.deepEqual([Buffer.from(p.ipv6.subarray(8, 24)), Buffer.from(p.ipv6.subarray(24, 40))].map((a) => a.toString("hex")), [addrHex(H1), addrHex(H2)]);
        }
      } finally {
        onR4.cleanup();
        atH2.cleanup();
      }
      down(lab);
    });
  }

  it("overflow: room for one entry — r2 sets the flag, only r1's entry; room for two — r4's sink record shows r4 set it", async () => {
    const one = up("o1", ["TRACE=type 0x800000 size 4"]);
    const onR4 = await Capture.start(`ioamkit.${one}.r4`, "eth1", `ip6 and not icmp6[0] >= 133`);
    try {
      ping(one);
      await onR4.stop(3);
      const requests = tsharkFields(onR4.file, ["ipv6.opt.ioam.trace.node.id", "ipv6.opt.ioam.trace.flag.o"]).filter((p) => p[0]!.length > 0);
      assert.equal(requests.length, 3);
      for (const [ids, overflow] of requests) {
        assert.deepEqual(ids, ["1"], "r1's entry only");
        assert.match(overflow![0] ?? "", /^(1|True)$/, "Overflow set");
      }
    } finally {
      onR4.cleanup();
    }
    down(one);
    const two = up("o2", ["TRACE=type 0x800000 size 8"]);
    ping(two);
    const records = readFileSync(join(labDir(two), "r4.sink.ndjson"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as { inner: { src: string; dst: string }; options: Array<{ flags: { overflow: boolean }; nodes: Array<{ nodeId: number }> }> });
    const toH2 = records.filter((r) => r.inner.dst === H2);
    assert.equal(toH2.length, 3);
    for (const r of toH2) assert.deepEqual([r.options[0]!.flags.overflow, r.options[0]!.nodes.map((n) => n.nodeId)], [true, [2, 1]]);
    down(two);
  });
});

function addrHex(text: string): string {
  const [head, tail] = text.split("::");
  const groups = (s: string | undefined) => (s ? s.split(":") : []);
  const h = groups(head);
  const t = groups(tail);
  return [...h, ...Array(8 - h.length - t.length).fill("0"), ...t].map((g) => g.padStart(4, "0")).join("");
}
