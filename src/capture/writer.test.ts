// The bytes our writers put in files, against draft-ietf-opsawg-pcapng §4.1–§4.3 written
// out by hand, and the writers' buffering and error behaviour.

import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { after, before, describe, it } from "node:test";
import { ConfigError, IoamError } from "../errors.js";
import { hexToBytes } from "../wire/hex.js";
import { ipv6Echo, readAll, scratchDir } from "./_test-support.js";
import { LINKTYPE } from "./link-type.js";
import { openPcapWriter, openPcapngWriter } from "./writer.js";

function hex(text: string): Uint8Array {
  const b = hexToBytes(text.replace(/#[^\n]*/g, "").replace(/\s+/g, ""));
  if (!b) throw new Error("bad hex in test vector");
  return b;
}

const SHB = `
  0a0d0d0a 2c000000 4d3c2b1a 0100 0000 ffffffffffffffff  # SHB, 44 bytes, little-endian, v1.0
  0400 0700 696f616d6b697400 0000 0000 2c000000           # shb_userappl "ioamkit" (+1 pad), end`;
const IDB_ETH0_NS = `
  01000000 28000000 0100 0000 00000400                    # IDB, 40 bytes, Ethernet, SnapLen 262144
  0200 0400 65746830 0900 0100 09000000 0000 0000 28000000 # if_name "eth0", if_tsresol 9, end`;
const IDB_RAW = `01000000 14000000 6500 0000 dc050000 14000000 # IDB, 20 bytes, raw IP, SnapLen 1500, no options`;

describe("openPcapngWriter()", () => {
  let dir: Awaited<ReturnType<typeof scratchDir>>;
  before(async () => (dir = await scratchDir()));
  after(() => dir.remove());

  it("writes an SHB with shb_userappl, one IDB per interface, and padded EPBs", async () => {
    const path = dir.file("layout.pcapng");
    const w = await openPcapngWriter(path, {
      interfaces: [{ linkType: LINKTYPE.ETHERNET, name: "eth0", tsResolutionNs: true }, { linkType: 101, snaplen: 1500 }],
    });
    const pkt = ipv6Echo(1, 1); // 49 bytes: 3 padding bytes
    w.write({ tsSec: 1_700_000_000, tsNsec: 123_456_789, data: pkt, interfaceIndex: 1 });
    await w.close();
    const epb = `06000000 54000000 01000000 240a0600 40222018 31000000 31000000`; // 84 bytes, if 1, µs
    const expected = hex([SHB, IDB_ETH0_NS, IDB_RAW, epb].join("\n"));
    const file = await readFile(path);
    assert.deepEqual(file.subarray(0, expected.length), Buffer.from(expected));
    assert.deepEqual(file.subarray(expected.length, expected.length + 49), Buffer.from(pkt));
    assert.deepEqual(file.subarray(expected.length + 49), Buffer.from(hex("000000 54000000")));
  });

  it("names another application when asked", async () => {
    const path = dir.file("app.pcapng");
    await (await openPcapngWriter(path, { interfaces: [], application: "lab" })).close();
    assert.deepEqual(await readFile(path), Buffer.from(hex("0a0d0d0a 28000000 4d3c2b1a 01000000 ffffffffffffffff 04000300 6c616200 00000000 28000000")));
  });

  it("throws ConfigError for an interface index the file lacks and writes nothing for it", async () => {
    const path = dir.file("bad-if.pcapng");
    const w = await openPcapngWriter(path, { interfaces: [{ linkType: LINKTYPE.RAW }] });
    assert.throws(() => w.write({ tsSec: 0, tsNsec: 0, data: ipv6Echo(0), interfaceIndex: 1 }), ConfigError);
    w.write({ tsSec: 0, tsNsec: 0, data: ipv6Echo(0) });
    await w.close();
    assert.equal((await readAll(path)).length, 1);
  });
});

describe("openPcapWriter()", () => {
  let dir: Awaited<ReturnType<typeof scratchDir>>;
  before(async () => (dir = await scratchDir()));
  after(() => dir.remove());

  it("writes the same bytes whether its buffer holds one record or all of them", async () => {
    const small = dir.file("small.pcap");
    const large = dir.file("large.pcap");
    for (const [path, bufferSize] of [[small, 64], [large, 1 << 20]] as const) {
      const w = await openPcapWriter(path, { linkType: LINKTYPE.RAW, bufferSize });
      for (let i = 0; i < 200; i++) w.write({ tsSec: i, tsNsec: i * 1000, data: ipv6Echo(i, i % 90) });
      await w.close();
    }
    const bytes = await readFile(small);
    assert.deepEqual(bytes, await readFile(large));
    assert.equal((await readAll(small)).length, 200);
  });

  it("cuts frames to the snaplen and records their original length", async () => {
    const path = dir.file("snap.pcap");
    const w = await openPcapWriter(path, { linkType: LINKTYPE.RAW, snaplen: 40 });
    w.write({ tsSec: 0, tsNsec: 0, data: ipv6Echo(0, 20) });
    w.write({ tsSec: 0, tsNsec: 0, data: ipv6Echo(1, 0).subarray(0, 40), originalLength: 1280 });
    await w.close();
    const got = await readAll(path);
    assert.deepEqual(got.map((p) => [p.capturedLength, p.originalLength]), [[40, 68], [40, 1280]]);
  });

  it("refuses write() after close()", async () => {
    const w = await openPcapWriter(dir.file("closed.pcap"), { linkType: LINKTYPE.RAW });
    await w.close();
    assert.throws(() => w.write({ tsSec: 0, tsNsec: 0, data: ipv6Echo(0) }), (e: unknown) => e instanceof IoamError && e.code === "IO");
  });

  it("rejects close() with the error of a failed background write", async () => {
    const w = await openPcapWriter("/dev/full", { linkType: LINKTYPE.RAW, bufferSize: 64 });
    for (let i = 0; i < 4; i++) w.write({ tsSec: 0, tsNsec: 0, data: ipv6Echo(i) });
    await assert.rejects(w.close(), /ENOSPC/);
  });
});
