// readCapture() over files from our writers: round trips for every format, byte order,
// resolution and link type; records that span chunk boundaries; and files cut at every
// length. (Hand-written files with spec values are in pcap.test.ts and pcapng.test.ts.)

import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { after, before, describe, it } from "node:test";
import { DecodeError } from "../wire/errors.js";
import { ipv6Echo, readAll, scratchDir } from "./_test-support.js";
import { LINKTYPE, ipv6Offset, wrapIpv6 } from "./link-type.js";
import { readCapture } from "./reader.js";
import { openPcapWriter, openPcapngWriter, type CaptureWriter } from "./writer.js";

const LINK_TYPES = [...Object.values(LINKTYPE), 12, 14];
const T0 = 1_700_000_000;

interface Variant {
  format: "pcap" | "pcapng";
  bigEndian: boolean;
  nanosecond: boolean;
}

const VARIANTS: Variant[] = (["pcap", "pcapng"] as const).flatMap((format) =>
  [false, true].flatMap((bigEndian) => [false, true].map((nanosecond) => ({ format, bigEndian, nanosecond }))),
);

function open(path: string, v: Variant, linkType: number): Promise<CaptureWriter> {
  if (v.format === "pcap") return openPcapWriter(path, { linkType, nanosecond: v.nanosecond, bigEndian: v.bigEndian });
  return openPcapngWriter(path, { interfaces: [{ linkType, tsResolutionNs: v.nanosecond }], bigEndian: v.bigEndian });
}

function describeVariant(v: Variant): string {
  return `${v.format}, ${v.bigEndian ? "big" : "little"}-endian, ${v.nanosecond ? "ns" : "µs"}`;
}

/** Writes `n` echo packets of growing size (`step` extra bytes each) and returns them. */
async function writeEchoes(w: CaptureWriter, linkType: number, n: number, step: number): Promise<Uint8Array[]> {
  const frames: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    const frame = wrapIpv6(linkType, ipv6Echo(i, (i * step) % 1500));
    frames.push(frame);
    w.write({ tsSec: T0 + i, tsNsec: 123_456_789 + i, data: frame });
  }
  await w.close();
  return frames;
}

describe("readCapture() round trips", () => {
  let dir: Awaited<ReturnType<typeof scratchDir>>;
  before(async () => (dir = await scratchDir()));
  after(() => dir.remove());

  for (const v of VARIANTS) {
    it(`reads back what the writer wrote (${describeVariant(v)}) for every link type`, async () => {
      for (const linkType of LINK_TYPES) {
        const path = dir.file(`rt-${linkType}.${v.format}`);
        const frames = await writeEchoes(await open(path, v, linkType), linkType, 3, 7);
        const got = await readAll(path);
        assert.equal(got.length, 3, `link type ${linkType}`);
        got.forEach((p, i) => {
          assert.equal(p.tsSec, T0 + i);
          assert.equal(p.tsNsec, v.nanosecond ? 123_456_789 + i : 123_456_000);
          assert.equal(p.linkType, linkType);
          assert.equal(p.interfaceIndex, 0);
          assert.equal(p.capturedLength, frames[i]!.length);
          assert.equal(p.originalLength, frames[i]!.length);
          assert.deepEqual(p.data, frames[i]);
          assert.deepEqual(p.data.subarray(ipv6Offset(linkType, p.data)), ipv6Echo(i, i * 7));
        });
      }
    });
  }

  it("keeps interfaces with different link types and resolutions apart in one pcapng", async () => {
    const path = dir.file("multi.pcapng");
    const interfaces = [
      { linkType: LINKTYPE.ETHERNET, name: "eth0" },
      { linkType: LINKTYPE.RAW, tsResolutionNs: true },
      { linkType: LINKTYPE.LINUX_SLL2, name: "any", snaplen: 60 },
    ];
    const w = await openPcapngWriter(path, { interfaces });
    for (let i = 0; i < 9; i++) {
      const iface = interfaces[i % 3]!;
      w.write({ tsSec: T0, tsNsec: 1000 * i + 7, data: wrapIpv6(iface.linkType, ipv6Echo(i, 40)), interfaceIndex: i % 3 });
    }
    await w.close();
    const got = await readAll(path);
    assert.deepEqual(
      got.map((p) => [p.interfaceIndex, p.linkType, p.tsNsec, p.capturedLength, p.originalLength]),
      [...Array(9).keys()].map((i) => {
        const lt = interfaces[i % 3]!.linkType;
        const len = wrapIpv6(lt, ipv6Echo(i, 40)).length;
        return [i % 3, lt, i % 3 === 1 ? 1000 * i + 7 : 1000 * i, Math.min(len, i % 3 === 2 ? 60 : len), len];
      }),
    );
  });
});

describe("readCapture() across chunk boundaries", () => {
  let dir: Awaited<ReturnType<typeof scratchDir>>;
  before(async () => (dir = await scratchDir()));
  after(() => dir.remove());

  for (const format of ["pcap", "pcapng"] as const) {
    it(`reads a ${format} with 64-byte chunks exactly as with 1 MiB chunks`, async () => {
      const path = dir.file(`chunks.${format}`);
      const v = { format, bigEndian: false, nanosecond: true };
      await writeEchoes(await open(path, v, LINKTYPE.ETHERNET), LINKTYPE.ETHERNET, 300, 13);
      const whole = await readAll(path);
      assert.equal(whole.length, 300);
      assert.deepEqual(await readAll(path, { chunkSize: 64, batchSize: 7 }), whole);
    });
  }

  it("grows the chunk buffer for a record larger than it", async () => {
    const path = dir.file("big.pcapng");
    const w = await openPcapngWriter(path, { interfaces: [{ linkType: LINKTYPE.RAW }] });
    const big = ipv6Echo(1, 9000);
    w.write({ tsSec: 1, tsNsec: 0, data: ipv6Echo(0, 1) });
    w.write({ tsSec: 2, tsNsec: 0, data: big });
    w.write({ tsSec: 3, tsNsec: 0, data: ipv6Echo(2, 1) });
    await w.close();
    const got = await readAll(path, { chunkSize: 64 });
    assert.deepEqual(got.map((p) => p.data.length), [49, big.length, 49]);
    assert.deepEqual(got[1]!.data, big);
  });

  it("hands out batches of at most batchSize packets and never an empty one", async () => {
    const path = dir.file("batches.pcap");
    await writeEchoes(await openPcapWriter(path, { linkType: LINKTYPE.RAW }), LINKTYPE.RAW, 25, 1);
    const sizes: number[] = [];
    for await (const batch of readCapture(path, { batchSize: 10 })) sizes.push(batch.length);
    assert.deepEqual(sizes, [10, 10, 5]);
  });
});

/** Byte offsets where records end: after the pcap header and after each record or block. */
function recordEnds(file: Uint8Array, format: "pcap" | "pcapng"): number[] {
  const dv = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const ends: number[] = [];
  let o = format === "pcap" ? 24 : 0;
  if (format === "pcap") ends.push(o);
  while (o < file.length) {
    o += format === "pcap" ? 16 + dv.getUint32(o + 8, true) : dv.getUint32(o + 4, true);
    ends.push(o);
  }
  return ends;
}

describe("readCapture() on files cut short", () => {
  let dir: Awaited<ReturnType<typeof scratchDir>>;
  before(async () => (dir = await scratchDir()));
  after(() => dir.remove());

  for (const format of ["pcap", "pcapng"] as const) {
    it(`throws DecodeError TRUNCATED naming file and record offset for every cut of a ${format}`, async () => {
      const full = dir.file(`full.${format}`);
      const v = { format, bigEndian: false, nanosecond: false };
      await writeEchoes(await open(full, v, LINKTYPE.ETHERNET), LINKTYPE.ETHERNET, 3, 5);
      const file = await readFile(full);
      const ends = recordEnds(file, format);
      const path = dir.file(`cut.${format}`);
      for (let cut = 0; cut < file.length; cut++) {
        await writeFile(path, file.subarray(0, cut));
        const start = [0, ...ends].filter((e) => e <= cut).pop()!;
        const read = readAll(path, { chunkSize: 64 });
        if (ends.includes(cut)) {
          await read;
          continue;
        }
        await assert.rejects(read, (e: unknown) => {
          assert.ok(e instanceof DecodeError, `cut ${cut}: ${String(e)}`);
          assert.equal(e.code, "TRUNCATED", `cut ${cut}`);
          assert.equal(e.offset, start, `cut ${cut}`);
          assert.ok(e.message.startsWith(`${path} at byte ${start}: truncated`), e.message);
          return true;
        });
      }
    });
  }

  it("throws TRUNCATED for an empty file", async () => {
    const path = dir.file("empty.pcapng");
    await writeFile(path, new Uint8Array(0));
    await assert.rejects(readAll(path), (e: unknown) => e instanceof DecodeError && e.code === "TRUNCATED" && e.offset === 0);
  });

  it("throws TRUNCATED, without allocating it, for a record claiming 4 GiB", async () => {
    const path = dir.file("huge.pcap");
    await writeEchoes(await openPcapWriter(path, { linkType: LINKTYPE.RAW }), LINKTYPE.RAW, 1, 0);
    const b = await readFile(path);
    b.writeUInt32LE(0xfffffff0, 24 + 8);
    await writeFile(path, b);
    await assert.rejects(readAll(path), (e: unknown) => e instanceof DecodeError && e.code === "TRUNCATED" && e.offset === 24);
  });
});
