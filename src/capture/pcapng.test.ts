// A two-section, multi-interface pcapng written byte by byte from draft-ietf-opsawg-pcapng
// (§4.1 SHB, §4.2 IDB, §4.3 EPB, §4.4 SPB, Appendix A PB), read back through readCapture.

import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { after, before, describe, it } from "node:test";
import { DecodeError } from "../wire/errors.js";
import { hexToBytes } from "../wire/hex.js";
import { readAll, scratchDir } from "./_test-support.js";

/** Hex with spaces, newlines and # comments allowed. */
function hex(text: string): Uint8Array {
  const b = hexToBytes(text.replace(/#[^\n]*/g, "").replace(/\s+/g, ""));
  if (!b) throw new Error("bad hex in test vector");
  return b;
}

const IP6 = `60000000 0008 3a 40 20010db8000000000000000000000001 20010db8000000000000000000000002 8000000012340001`;
const ETH = `000000000000 000000000000 86dd ${IP6}`; // 62 bytes
const SLL2 = `86dd 0000 00000000 0001 00 06 0000000000000000 ${IP6}`; // 68 bytes

/** Section 1, little-endian: Ethernet µs (if 0), raw IP ns (if 1), an unknown block, EPB, EPB, SPB. */
const SECTION_LE = `
  0a0d0d0a 1c000000 4d3c2b1a 0100 0000 ffffffffffffffff 1c000000   # SHB, 28 bytes, no options
  01000000 14000000 0100 0000 00000000 14000000                   # IDB 0: Ethernet, SnapLen 0
  01000000 20000000 6500 0000 ffff0000                            # IDB 1: LinkType 101, SnapLen 65535
    0900 0100 09000000  0000 0000  20000000                       #   if_tsresol 9, opt_endofopt
  ad0b0000 10000000 deadbeef 10000000                             # unknown block type 0xbad: skipped
  06000000 50000000 01000000 fe9c9717 15cd853d 30000000 30000000  # EPB if 1, 1700000000123456789 ns
    ${IP6} 50000000
  06000000 6c000000 00000000 240a0600 40222018 3e000000 3e000000  # EPB if 0, 1700000000123456 µs
    ${ETH} 0000 0200 0400 01000000 0000 0000 6c000000             #   2 padding bytes, epb_flags, end
  03000000 50000000 3e000000 ${ETH} 0000 50000000                 # SPB: original length 62
`;

/** Section 2, big-endian: SLL2 in 2^-10 s units with if_tsoffset 100 s; EPB, obsolete PB. */
const SECTION_BE = `
  0a0d0d0a 00000028 1a2b3c4d 0001 0000 ffffffffffffffff           # SHB, 40 bytes
    0004 0004 68616e64 0000 0000 00000028                         #   shb_userappl "hand", end
  00000001 0000002c 0114 0000 00000000                            # IDB 0: LinkType 276, SnapLen 0
    0009 0001 8a000000 000e 0008 0000000000000064 0000 0000       #   if_tsresol 2^-10, if_tsoffset 100
    0000002c
  00000006 00000064 00000000 00000000 00001600 00000044 00000044  # EPB if 0, 5632/1024 s = 5.5 s
    ${SLL2} 00000064
  00000002 00000064 0000 0000 00000000 00002000 00000044 00000044 # PB if 0, drops 0, 8192/1024 s
    ${SLL2} 00000064
`;

const FILE = hex(SECTION_LE + SECTION_BE);

describe("readCapture() on a hand-written two-section pcapng", () => {
  let dir: Awaited<ReturnType<typeof scratchDir>>;
  let path = "";
  before(async () => {
    dir = await scratchDir();
    path = dir.file("two-sections.pcapng");
    await writeFile(path, FILE);
  });
  after(() => dir.remove());

  it("gives every packet its interface, link type and timestamp", async () => {
    const got = (await readAll(path)).map(({ data, ...rest }) => ({ ...rest, length: data.length }));
    const pkt = (tsSec: number, tsNsec: number, len: number, linkType: number, interfaceIndex: number) => ({
      tsSec,
      tsNsec,
      capturedLength: len,
      originalLength: len,
      linkType,
      interfaceIndex,
      length: len,
    });
    assert.deepEqual(got, [
      pkt(1_700_000_000, 123_456_789, 48, 101, 1),
      pkt(1_700_000_000, 123_456_000, 62, 1, 0),
      pkt(0, 0, 62, 1, 0),
      pkt(105, 500_000_000, 68, 276, 0),
      pkt(108, 0, 68, 276, 0),
    ]);
  });

  it("hands out the frames' bytes without block padding", async () => {
    const frames = (await readAll(path)).map((p) => p.data);
    assert.deepEqual(frames, [hex(IP6), hex(ETH), hex(ETH), hex(SLL2), hex(SLL2)]);
  });

  it("reads the same packets when every block spans chunk boundaries", async () => {
    const whole = await readAll(path);
    for (const chunkSize of [16, 17, 64]) {
      assert.deepEqual(await readAll(path, { chunkSize, batchSize: 2 }), whole, `chunk ${chunkSize}`);
    }
  });
});

describe("readCapture() on corrupt pcapng", () => {
  let dir: Awaited<ReturnType<typeof scratchDir>>;
  before(async () => (dir = await scratchDir()));
  after(() => dir.remove());

  /** Writes FILE with `patch` applied and expects a MALFORMED DecodeError at `offset`. */
  async function rejects(name: string, patch: (b: Uint8Array) => void, offset: number): Promise<void> {
    const b = FILE.slice();
    patch(b);
    const path = dir.file(name);
    await writeFile(path, b);
    await assert.rejects(readAll(path), (e: unknown) => {
      assert.ok(e instanceof DecodeError, String(e));
      assert.equal(e.code, "MALFORMED");
      assert.equal(e.offset, offset);
      assert.ok(e.message.startsWith(`${path} at byte ${offset}: corrupt pcapng block`), e.message);
      return true;
    });
  }

  it("rejects a Byte-Order Magic that is neither order", () => rejects("bom.pcapng", (b) => (b[8] = 0), 8));
  it("rejects a block length that is not a multiple of 4", () => rejects("len.pcapng", (b) => (b[32] = 0x15), 32));
  it("rejects a trailing block length that differs", () => rejects("trail.pcapng", (b) => (b[44] = 0x18), 44));
  it("rejects an EPB naming an interface the section lacks", () => rejects("ifid.pcapng", (b) => (b[104] = 2), 104));
  it("rejects a captured length that runs past its block", () => rejects("caplen.pcapng", (b) => (b[116] = 0x31), 116));
});
