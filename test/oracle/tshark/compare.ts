// Compares packets, field by field, with what tshark 4.0 decodes from them (docs/architecture.md's
// oracle): every IOAM field tshark reports must equal our decoder's record, and tshark may
// report no field the mapping table does not know. Shared by the corpus and engine tests.

import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LINKTYPE } from "../../../src/capture/link-type.js";
import { openPcapngWriter } from "../../../src/capture/writer.js";
import { decodePacket } from "../../../src/wire/packet.js";
import { TSHARK_IOAM_FIELDS, expectedFields, expectedString, normalise } from "./fields.js";

const hasTshark = spawnSync("tshark", ["-v"]).status === 0;
export const tsharkSkip = !hasTshark && process.env.CI !== "true" ? "tshark not installed (apt-get install tshark); runs in CI" : false;

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

/** Writes `packets` to a pcapng file, decodes it with tshark and compares; returns the number of field comparisons. */
export async function compareWithTshark(packets: readonly Uint8Array[]): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), "ioamkit-tshark-"));
  try {
    const file = join(dir, "packets.pcapng");
    const w = await openPcapngWriter(file, { interfaces: [{ linkType: LINKTYPE.RAW, tsResolutionNs: true }] });
    packets.forEach((data, i) => w.write({ tsSec: 1_700_000_000 + i, tsNsec: i, data }));
    await w.close();
    const out = execFileSync("tshark", ["-n", "-r", file, "-T", "json", "--no-duplicate-keys", "-J", "ipv6"], { maxBuffer: 1 << 30, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    const frames = JSON.parse(out) as Array<{ _source: { layers: { ipv6: Json } } }>;
    assert.equal(frames.length, packets.length);
    let comparisons = 0;
    frames.forEach((f, i) => (comparisons += compareFrame(f._source.layers.ipv6, packets[i]!, i + 1)));
    return comparisons;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function compareFrame(ipv6: Json, bytes: Uint8Array, frame: number): number {
  let comparisons = 0;
  const ours = decodePacket(bytes);
  const entries = optionEntries(ipv6).filter((e) => e["ipv6.opt.type"] === "0x31" || e["ipv6.opt.type"] === "0x11");
  assert.equal(entries.length, ours.options.length, `frame ${frame}: option count`);
  ours.options.forEach((o, j) => {
    const got = flatten(entries[j]!);
    for (const [name] of got) assert.ok(name in TSHARK_IOAM_FIELDS, `frame ${frame}: tshark field ${name} is not in the mapping table`);
    const data = bytes.subarray(o.offset + 2, o.offset + 2 + bytes[o.offset + 1]!);
    const want = group(expectedFields(o, data).map(([k, v]) => [k, expectedString(TSHARK_IOAM_FIELDS[k]!, v)]));
    const have = group(got.map(([k, v]) => [k, normalise(TSHARK_IOAM_FIELDS[k]!, v)]));
    assert.deepEqual([...have.keys()].sort(), [...want.keys()].sort(), `frame ${frame} option ${j + 1}: field names`);
    for (const [k, vals] of want) {
      assert.deepEqual(have.get(k), vals, `frame ${frame} option ${j + 1}: ${k}`);
      comparisons += vals.length;
    }
  });
  return comparisons;
}
