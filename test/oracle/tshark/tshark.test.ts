// The tshark oracle (design.md): our encoder writes a corpus of ≥ 500 packets into a pcapng
// file, tshark 4.0 decodes it, and every IOAM field tshark reports must equal our decoder's
// record. Skips without tshark outside CI; in CI (CI=true) it must run.

import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { LINKTYPE } from "../../../src/capture/link-type.js";
import { openPcapngWriter } from "../../../src/capture/writer.js";
import { buildPacket } from "../../../src/wire/build.js";
import { decodePacket } from "../../../src/wire/packet.js";
import { traceBit } from "../../../src/wire/ioam/trace-type.js";
import { buildCorpus } from "./corpus.js";
import { TSHARK_IOAM_FIELDS, expectedFields, expectedString, normalise } from "./fields.js";

const hasTshark = spawnSync("tshark", ["-v"]).status === 0;
const skip = !hasTshark && process.env.CI !== "true" ? "tshark not installed (apt-get install tshark); runs in CI" : false;

type Json = string | Json[] | { [k: string]: Json };

/** Every option entry (an object with "ipv6.opt.type") in document order. */
function optionEntries(v: Json, out: Array<Record<string, Json>> = []): Array<Record<string, Json>> {
  if (Array.isArray(v)) v.forEach((x) => optionEntries(x, out));
  else if (typeof v === "object") {
    if ("ipv6.opt.type" in v) out.push(v);
    else Object.values(v).forEach((x) => optionEntries(x, out));
  }
  return out;
}

const RAW_FIELDS = new Set(["ipv6.opt_unknown_data", "ipv6.opt.unknown"]);

/** The IOAM fields of one option entry as [name, value] in document order. */
function flatten(v: Json, out: Array<[string, string]> = []): Array<[string, string]> {
  if (typeof v !== "object") return out;
  for (const [k, x] of Array.isArray(v) ? v.map((e): [string, Json] => ["", e]) : Object.entries(v)) {
    const ours = k.startsWith("ipv6.opt.ioam.") || RAW_FIELDS.has(k);
    if (ours && !k.endsWith("_tree")) {
      for (const s of Array.isArray(x) ? x : [x]) out.push([k, typeof s === "string" ? s : JSON.stringify(s)]);
    } else flatten(x, out);
  }
  return out;
}

function group(pairs: Array<[string, string]>): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const [k, v] of pairs) m.set(k, [...(m.get(k) ?? []), v]);
  return m;
}

describe("tshark 4.0 decodes our corpus field by field as we do", { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), "ioamkit-tshark-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const corpus = buildCorpus();
  const packets = corpus.map((spec) => buildPacket(spec));

  it("covers ≥ 500 packets, ≥ 60% pre-allocated traces, every trace-type bit 0–22 in ≥ 20", () => {
    assert.ok(packets.length >= 500, `${packets.length} packets`);
    const traces = corpus.flatMap((p) => p.options).filter((o) => o.kind === "trace");
    const prealloc = corpus.filter((p) => p.options.some((o) => o.kind === "trace" && o.variant === "prealloc")).length;
    assert.ok(prealloc / packets.length >= 0.6, `${prealloc} of ${packets.length} carry a pre-allocated trace`);
    for (let bit = 0; bit <= 22; bit++) {
      const n = corpus.filter((p) => p.options.some((o) => o.kind === "trace" && o.variant === "prealloc" && (o.traceType & traceBit(bit)) !== 0)).length;
      assert.ok(n >= 20, `bit ${bit} is in only ${n} packets`);
    }
    assert.ok(traces.length > 0);
  });

  it("matches every IOAM field tshark reports (≥ 20,000 comparisons)", async (t) => {
    const file = join(dir, "corpus.pcapng");
    const w = await openPcapngWriter(file, { interfaces: [{ linkType: LINKTYPE.RAW, tsResolutionNs: true }] });
    packets.forEach((data, i) => w.write({ tsSec: 1_700_000_000 + i, tsNsec: i, data }));
    await w.close();
    const out = execFileSync("tshark", ["-n", "-r", file, "-T", "json", "--no-duplicate-keys", "-J", "ipv6"], { maxBuffer: 1 << 30, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    const frames = JSON.parse(out) as Array<{ _source: { layers: { ipv6: Json } } }>;
    assert.equal(frames.length, packets.length);
    let comparisons = 0;
    frames.forEach((f, i) => {
      const bytes = packets[i]!;
      const ours = decodePacket(bytes);
      const entries = optionEntries(f._source.layers.ipv6).filter((e) => e["ipv6.opt.type"] === "0x31" || e["ipv6.opt.type"] === "0x11");
      assert.equal(entries.length, ours.options.length, `frame ${i + 1}: option count`);
      ours.options.forEach((o, j) => {
        const got = flatten(entries[j]!);
        for (const [name] of got) assert.ok(name in TSHARK_IOAM_FIELDS, `frame ${i + 1}: tshark field ${name} is not in the mapping table`);
        const data = bytes.subarray(o.offset + 2, o.offset + 2 + bytes[o.offset + 1]!);
        const want = group(expectedFields(o, data).map(([k, v]) => [k, expectedString(TSHARK_IOAM_FIELDS[k]!, v)]));
        const have = group(got.map(([k, v]) => [k, normalise(TSHARK_IOAM_FIELDS[k]!, v)]));
        assert.deepEqual([...have.keys()].sort(), [...want.keys()].sort(), `frame ${i + 1} option ${j + 1}: field names`);
        for (const [k, vals] of want) {
          assert.deepEqual(have.get(k), vals, `frame ${i + 1} option ${j + 1}: ${k}`);
          comparisons += vals.length;
        }
      });
    });
    t.diagnostic(`${packets.length} packets, ${comparisons} field comparisons`);
    assert.ok(comparisons >= 20_000, `only ${comparisons} field comparisons ran`);
  });

  it("decodes to the generated records (encoder and decoder agree on every value)", () => {
    corpus.forEach((spec, i) => {
      const ours = decodePacket(packets[i]!).options;
      spec.options.forEach((o, j) => {
        const { header: _h, ipv6OptType: _t, ...want } = o;
        const { header: _h2, headerIndex: _i, ipv6OptType: _t2, offset: _o, optReserved: _r, issues, ...got } = ours[j]!;
        // the corpus places some options off RFC 9486 and sets undefined bits on purpose
        const expected = new Set(["HEADER_MISMATCH", "UNDEFINED_TRACE_BITS"]);
        assert.deepEqual(issues.filter((x) => !expected.has(x.code)), [], `packet ${i + 1} option ${j + 1}`);
        assert.deepEqual(got, want, `packet ${i + 1} option ${j + 1}`);
      });
    });
  });
});
