// Oracle: Wireshark's capinfos and tshark read the pcap and pcapng files our writers make,
// with the packet count, link type (Wireshark's encapsulation name), IPv6 inside every
// link type, and the timestamps we wrote. Skips outside CI when the tools are missing.

import assert from "node:assert/strict";
import { execFile, spawnSync } from "node:child_process";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { ipv6Echo, scratchDir } from "./_test-support.js";
import { LINKTYPE, wrapIpv6 } from "./link-type.js";
import { openPcapWriter, openPcapngWriter } from "./writer.js";

const run = promisify(execFile);
const TOOLS = ["tshark", "capinfos"];
const missing = TOOLS.filter((t) => spawnSync(t, ["--version"]).error !== undefined);
const skip = missing.length > 0 && process.env.CI !== "true" ? `${missing.join(" and ")} not installed` : false;

/** Wireshark's short encapsulation name for each link type (its wtap_encap table). */
const ENCAP: Record<number, string> = {
  [LINKTYPE.NULL]: "null",
  [LINKTYPE.ETHERNET]: "ether",
  [LINKTYPE.RAW]: "rawip",
  12: "rawip",
  14: "rawip",
  [LINKTYPE.IPV6]: "rawip6",
  [LINKTYPE.LINUX_SLL]: "linux-sll",
  [LINKTYPE.LINUX_SLL2]: "linux-sll2",
};
const LINK_TYPES = Object.keys(ENCAP).map(Number);
const T0 = 1_700_000_000;

/** capinfos' table row: file, type, encapsulation, packet count. */
async function capinfos(path: string): Promise<string[]> {
  const { stdout } = await run("capinfos", ["-T", "-r", "-t", "-E", "-c", path]);
  return stdout.trim().split("\t").slice(1);
}

/** One row per frame as tshark decodes it: interface id, protocol stack, epoch time. */
async function tshark(path: string): Promise<string[][]> {
  const fields = ["frame.interface_id", "frame.protocols", "frame.time_epoch"].flatMap((f) => ["-e", f]);
  const { stdout } = await run("tshark", ["-r", path, "-T", "fields", ...fields]);
  return stdout.trimEnd().split("\n").map((l) => l.split("\t"));
}

describe("Wireshark reads our capture files", { skip }, () => {
  let dir: Awaited<ReturnType<typeof scratchDir>>;
  before(async () => (dir = await scratchDir()));
  after(() => dir?.remove());

  it("finds tshark and capinfos on PATH (required when CI=true)", () => {
    assert.deepEqual(missing, []);
  });

  for (const bigEndian of [false, true]) {
    it(`capinfos and tshark agree on ${bigEndian ? "big" : "little"}-endian pcaps of every link type`, async () => {
      for (const linkType of LINK_TYPES) {
        const nanosecond = linkType % 2 === 0;
        const path = dir.file(`oracle-${linkType}.pcap`);
        const w = await openPcapWriter(path, { linkType, nanosecond, bigEndian });
        for (let i = 0; i < 3; i++) w.write({ tsSec: T0 + i, tsNsec: 123_456_789, data: wrapIpv6(linkType, ipv6Echo(i)) });
        await w.close();
        assert.deepEqual(await capinfos(path), [nanosecond ? "nsecpcap" : "pcap", ENCAP[linkType], "3"], `link type ${linkType}`);
        const frac = nanosecond ? "123456789" : "123456000";
        for (const [i, [, protocols, time]] of (await tshark(path)).entries()) {
          assert.match(protocols ?? "", /(^|:)ipv6:icmpv6(:|$)/, `link type ${linkType}`);
          assert.equal(time, `${T0 + i}.${frac}`);
        }
      }
    });
  }

  for (const bigEndian of [false, true]) {
    it(`reads a ${bigEndian ? "big" : "little"}-endian pcapng with one interface per link type`, async () => {
      const path = dir.file("oracle.pcapng");
      const interfaces = LINK_TYPES.map((linkType, i) => ({ linkType, name: `if${i}`, tsResolutionNs: i % 2 === 0 }));
      const w = await openPcapngWriter(path, { interfaces, bigEndian });
      interfaces.forEach((iface, i) =>
        w.write({ tsSec: T0, tsNsec: 987_654_321, data: wrapIpv6(iface.linkType, ipv6Echo(i)), interfaceIndex: i }),
      );
      await w.close();
      assert.deepEqual(await capinfos(path), ["pcapng", "per-packet", String(LINK_TYPES.length)]);
      const { stdout } = await run("capinfos", ["-I", path]);
      const encaps = [...stdout.matchAll(/Encapsulation = .*\(\d+ - (\S+)\)/g)].map((m) => m[1]);
      assert.deepEqual(encaps, LINK_TYPES.map((lt) => ENCAP[lt]));
      const rows = await tshark(path);
      assert.deepEqual(
        rows.map(([id, protocols, time]) => [id, /(^|:)ipv6:icmpv6(:|$)/.test(protocols ?? ""), time]),
        interfaces.map((_, i) => [String(i), true, `${T0}.${i % 2 === 0 ? "987654321" : "987654000"}`]),
      );
    });
  }
});
