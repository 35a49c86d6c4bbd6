// Classic pcap files written byte by byte from draft-ietf-opsawg-pcap §4–§5, read back
// through readCapture; and PcapEncoder's bytes compared with the same layout.

import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { after, before, describe, it } from "node:test";
import { DecodeError } from "../wire/errors.js";
import { hexToBytes } from "../wire/hex.js";
import { ipv6Echo, readAll, scratchDir } from "./_test-support.js";
import { PcapEncoder } from "./pcap.js";

function hex(text: string): Uint8Array {
  const b = hexToBytes(text.replace(/#[^\n]*/g, "").replace(/\s+/g, ""));
  if (!b) throw new Error("bad hex in test vector");
  return b;
}

// 62-byte Ethernet frame: zero MACs, EtherType 0x86dd, IPv6 2001:db8::1 → ::2, ICMPv6 echo (8 bytes).
const FRAME = `000000000000 000000000000 86dd
  60000000 0008 3a 40 20010db8000000000000000000000001 20010db8000000000000000000000002
  8000000012340001`;

// Big-endian, microsecond pcap, LinkType 1, SnapLen 65535, two records; the second is cut
// to its first 20 bytes of an original 100.
const BE_US = `
  a1b2c3d4          # Magic Number, microseconds, written big-endian
  0002 0004         # Major 2, Minor 4
  00000000 00000000 # Reserved1, Reserved2
  0000ffff          # SnapLen 65535
  00000001          # LinkType 1 (Ethernet)
  6553f100 0001e240 # 1700000000 s, 123456 µs
  0000003e 0000003e # captured 62, original 62
  ${FRAME}
  6553f101 000f423f # 1700000001 s, 999999 µs
  00000014 00000064 # captured 20, original 100
  000000000000 000000000000 86dd 60000000 0008`;

// Little-endian, nanosecond pcap, LinkType 229 with the FCS-present bit and an FCS length
// set in the upper bits of the LinkType field, one record.
const LE_NS = `
  4d3cb2a1          # Magic Number 0xa1b23c4d (nanoseconds), written little-endian
  0200 0400         # Major 2, Minor 4
  00000000 00000000
  00000400          # SnapLen 262144
  e5000014          # LinkType 229 (0x00e5), high bits 0x14 (F bit and FCS length 2)
  00f15365 ffc99a3b # 1700000000 s, 999999999 ns
  30000000 30000000 # captured 48, original 48
  60000000 0008 3a 40 20010db8000000000000000000000001 20010db8000000000000000000000002
  8000000012340001`;

describe("readCapture() on hand-written pcap files", () => {
  let dir: Awaited<ReturnType<typeof scratchDir>>;
  before(async () => (dir = await scratchDir()));
  after(() => dir.remove());

  it("reads a big-endian microsecond pcap field by field", async () => {
    const path = dir.file("be-us.pcap");
    await writeFile(path, hex(BE_US));
    const [a, b, ...rest] = await readAll(path);
    assert.deepEqual(rest, []);
    assert.ok(a && b);
    assert.equal(a.tsSec, 1_700_000_000);
    assert.equal(a.tsNsec, 123_456_000);
    assert.equal(a.capturedLength, 62);
    assert.equal(a.originalLength, 62);
    assert.equal(a.linkType, 1);
    assert.equal(a.interfaceIndex, 0);
    assert.deepEqual(a.data, hex(FRAME));
    assert.equal(b.tsSec, 1_700_000_001);
    assert.equal(b.tsNsec, 999_999_000);
    assert.equal(b.capturedLength, 20);
    assert.equal(b.originalLength, 100);
    assert.equal(b.data.length, 20);
  });

  it("reads a little-endian nanosecond pcap and keeps only the low 16 bits of LinkType", async () => {
    const path = dir.file("le-ns.pcap");
    await writeFile(path, hex(LE_NS));
    const [a] = await readAll(path);
    assert.ok(a);
    assert.equal(a.tsSec, 1_700_000_000);
    assert.equal(a.tsNsec, 999_999_999);
    assert.equal(a.linkType, 229);
    assert.equal(a.capturedLength, 48);
  });

  it("reads a file of only the file header as no packets", async () => {
    const path = dir.file("empty.pcap");
    await writeFile(path, hex(BE_US).subarray(0, 24));
    assert.deepEqual(await readAll(path), []);
  });

  it("rejects major version 3 at byte 4", async () => {
    const bytes = hex(BE_US);
    bytes[5] = 3;
    const path = dir.file("v3.pcap");
    await writeFile(path, bytes);
    await assert.rejects(readAll(path), (e: unknown) => e instanceof DecodeError && e.code === "MALFORMED" && e.offset === 4);
  });

  it("rejects an unknown magic number naming the file and byte 0", async () => {
    const path = dir.file("bad-magic.pcap");
    await writeFile(path, hex("a1b2cd34 0002 0004"));
    await assert.rejects(readAll(path), (e: unknown) => {
      assert.ok(e instanceof DecodeError);
      assert.equal(e.code, "MALFORMED");
      assert.equal(e.layer, "capture");
      assert.equal(e.offset, 0);
      assert.match(e.message, /bad-magic\.pcap at byte 0: magic number 0xa1b2cd34/);
      return true;
    });
  });
});

describe("PcapEncoder", () => {
  it("writes the big-endian file header and records of draft-ietf-opsawg-pcap", () => {
    const enc = new PcapEncoder({ linkType: 1, snaplen: 65535, nanosecond: false, bigEndian: true });
    const file = hex(BE_US);
    assert.deepEqual(enc.header(), file.subarray(0, 24));
    const p = { tsSec: 1_700_000_000, tsNsec: 123_456_789, data: hex(FRAME) };
    const out = new Uint8Array(enc.recordLength(p)).fill(0xaa);
    assert.equal(enc.encodeRecord(p, out, 0), 16 + 62);
    assert.deepEqual(out, file.subarray(24, 24 + 16 + 62));
  });

  it("writes the little-endian nanosecond magic and keeps nanoseconds", () => {
    const enc = new PcapEncoder({ linkType: 229, snaplen: 262144, nanosecond: true, bigEndian: false });
    assert.deepEqual(enc.header().subarray(0, 4), hex("4d3cb2a1"));
    const p = { tsSec: 1_700_000_000, tsNsec: 999_999_999, data: ipv6Echo(1, 0) };
    const out = new Uint8Array(enc.recordLength(p));
    enc.encodeRecord(p, out, 0);
    assert.deepEqual(out.subarray(0, 16), hex("00f15365 ffc99a3b 30000000 30000000"));
  });

  it("cuts frames to the snaplen and keeps their original length", () => {
    const enc = new PcapEncoder({ linkType: 101, snaplen: 20, nanosecond: false, bigEndian: true });
    const p = { tsSec: 0, tsNsec: 0, data: ipv6Echo(1, 52) };
    const out = new Uint8Array(enc.recordLength(p));
    assert.equal(out.length, 36);
    enc.encodeRecord(p, out, 0);
    assert.deepEqual(out.subarray(8, 16), hex("00000014 00000064"));
    assert.deepEqual(out.subarray(16), p.data.subarray(0, 20));
  });
});
