// The rules every command follows (docs/cli.md), on the cases issue 10 found: a flag or word
// acts or is refused; exit statuses (usage 2, failures 1) and messages that name what and where;
// --json errors as JSON; decode of malformed and foreign captures; jumbograms as tshark reads them.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { after, describe, it } from "node:test";
import { LINKTYPE, wrapIpv6 } from "../../src/capture/link-type.js";
import { PcapEncoder } from "../../src/capture/pcap.js";
import { SAMPLE, ioam, scratch, toolSkip } from "./_support.js";

const ENC = ["encode", "--src", "2001:db8::1", "--dst", "2001:db8::2"];
const TRACE = ["trace", "prealloc", "type", "0x800000", "ns", "1", "size", "4"];

function refused(args: string[], why: RegExp): void {
  const r = ioam(args);
  assert.equal(r.code, 2, `${args.join(" ")}: exit ${r.code} ${r.err}`);
  assert.match(r.err, /^ioam: [^\n]+\n$/, args.join(" "));
  assert.match(r.err, why, args.join(" "));
}

/** A pcap of `frames` with one link type. */
function pcap(path: string, linkType: number, frames: Uint8Array[]): void {
  const enc = new PcapEncoder({ linkType, snaplen: 262144, nanosecond: false, bigEndian: false });
  const records = frames.map((data, i) => {
    const out = new Uint8Array(enc.recordLength({ tsSec: i, tsNsec: 0, data }));
    enc.encodeRecord({ tsSec: i, tsNsec: 0, data }, out, 0);
    return out;
  });
  writeFileSync(path, Buffer.concat([enc.header(), ...records]));
}

describe("a flag or word acts or is refused", () => {
  it("refuses flags without effect (they were silently ignored)", () => {
    refused([...ENC, "--payload", "tcp", "--data", "hello", ...TRACE], /--data has no effect with --payload tcp \(only with --payload icmp-echo or udp\)/);
    refused([...ENC, "--payload", "none", "--dport", "5", ...TRACE], /--dport has no effect with --payload none/);
    refused([...ENC, "--id", "5", "--payload", "udp", ...TRACE], /--id has no effect with --payload udp/);
    refused([...ENC, "--link", "sll", ...TRACE], /--link has no effect without --pcap/);
    refused([...ENC, "--json", "--pcap", "/tmp/x.pcap", ...TRACE], /--json has no effect with --pcap/);
    refused(["decode", "--payload", "00"], /--payload has no effect without --json/);
    refused(["decode", "--threads", "2", "00"], /--threads has no effect in ioam decode HEX\.\.\. \(it applies to ioam decode --pcap FILE\)/);
    refused(["--netns", "x", "decode", "00"], /--netns has no effect on ioam decode/);
    refused([...ENC, "pot", "ns", "1", "profile", "p1"], /pot: profile "p1" has no effect on a packet built here/);
  });

  it("refuses a flag given twice (the last one won before)", () => {
    refused(["decode", "--pcap", "a", "--pcap", "b"], /--pcap given twice \("a" and "b"\): give it once/);
    refused(["decode", "--json", "--json", "00"], /--json given twice/);
  });

  it("refuses words given twice or that contradict each other", () => {
    refused(["link", "set", "lo", "enable", "enable"], /"enable" given twice/);
    refused(["link", "set", "lo", "enable", "disable"], /"enable" and "disable" contradict each other/);
    refused(["node", "set", "id", "1", "id", "2"], /"id" given twice/);
  });

  it("refuses encode without an IOAM option (it built a packet without IOAM)", () => {
    refused(ENC, /encode needs at least one IOAM option, e\.g\. trace prealloc/);
  });

  it("applies --limit to hex packets (it printed 2 of 2)", () => {
    const hex = ioam([...ENC, "--count", "2", ...TRACE]).out.trim().split("\n");
    const r = ioam(["decode", "--limit", "1", ...hex]);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out.split("\n").filter((l) => /^(packet \d+: )?2001:db8::1 > 2001:db8::2 /.test(l)).length, 1);
  });

  it("refuses encode --from-json of records without payload (it wrote ICMPv6 with no body)", () => {
    const json = ioam(["decode", "--json", "--pcap", SAMPLE, "--limit", "1"]).out;
    const r = ioam(["encode", "--from-json", "-"], json);
    assert.equal(r.code, 2);
    assert.match(r.err, /<stdin>:1: the record has no "payload" .*decode with --json --payload/);
    assert.equal(r.out, "");
  });
});

describe("exit statuses and messages", () => {
  const tmp = scratch();
  after(() => tmp.remove());

  it("exits 2 for trace size 248, saying the limit, in encode and route alike (exit 1 before)", () => {
    refused([...ENC, "trace", "prealloc", "type", "0x800000", "ns", "1", "size", "248"], /trace: size "248": size exceeds 244, the most Opt Data Len can hold/);
    refused(["route", "add", "2001:db8::/64", "encap", "ioam6", "trace", "prealloc", "type", "0x800000", "ns", "1", "size", "248"], /size "248": size exceeds 244, the most Opt Data Len can hold/);
  });

  it("words the same mistake the same way in encode and route", () => {
    for (const [word, value] of [["size", "6"], ["ns", "65536"], ["type", "0x1000000"], ["ns", "09"]] as const) {
      const words = (w: string, v: string) => ["trace", "prealloc", "type", w === "type" ? v : "0x800000", "ns", w === "ns" ? v : "1", "size", w === "size" ? v : "4"];
      const enc = ioam([...ENC, ...words(word, value)]).err.replace(/^ioam: trace: /, "");
      const route = ioam(["route", "add", "2001:db8::/64", "encap", "ioam6", ...words(word, value)]).err.replace(/^ioam: /, "");
      assert.equal(enc, route, `${word} ${value}`);
    }
  });

  it("says what is wrong with bad hex: odd length, or the bad character and where", () => {
    refused(["decode", "600"], /the packet "600": odd number of hex digits \(3\); every octet takes two/);
    refused(["decode", "60z0"], /the packet "60z0": character 3, "z", is not a hex digit/);
    refused(["decode", "6000", "60x0"], /packet 2 "60x0": character 3/);
    refused([...ENC, "--data", "0x123", ...TRACE], /--data "0x123": odd number of hex digits/);
  });

  it("exits 1 for malformed packets whether they come as hex or in a capture (a capture exited 0)", () => {
    const bad = Uint8Array.from([0x60, 0, 0, 0, 0, 50, 58, 64, ...new Array(32).fill(0)]); // Payload Length 50, no payload
    const file = tmp.path("malformed.pcap");
    pcap(file, LINKTYPE.ETHERNET, [wrapIpv6(LINKTYPE.ETHERNET, bad), wrapIpv6(LINKTYPE.ETHERNET, bad)]);
    for (const json of [[], ["--json"]]) {
      const r = ioam(["decode", ...json, "--pcap", file]);
      assert.equal(r.code, 1);
      assert.match(r.err, /malformed\.pcap: 2 frames: 2 malformed\n$/);
    }
    const hex = ioam(["decode", Buffer.from(bad).toString("hex")]);
    assert.equal(hex.code, 1);
    assert.match(hex.err, /1 of 1 packet malformed/);
  });

  it("names a link type it does not read (it said 'not IPv6'), and exits 1", () => {
    const file = tmp.path("wifi.pcap");
    pcap(file, 105, [new Uint8Array(30), new Uint8Array(30)]);
    const r = ioam(["decode", "--pcap", file]);
    assert.equal(r.code, 1);
    assert.match(r.err, /wifi\.pcap: 2 frames: 2 of link type 105 \(IEEE802_11\), which ioam does not read \(it reads Ethernet, raw IP/);
  });

  it("does not count frames cut by the snap length as malformed", () => {
    const hex = ioam([...ENC, ...TRACE]).out.trim();
    const whole = wrapIpv6(LINKTYPE.ETHERNET, Uint8Array.from(Buffer.from(hex, "hex")));
    const file = tmp.path("snap.pcap");
    const enc = new PcapEncoder({ linkType: LINKTYPE.ETHERNET, snaplen: 60, nanosecond: false, bigEndian: false });
    const rec = new Uint8Array(enc.recordLength({ tsSec: 0, tsNsec: 0, data: whole }));
    enc.encodeRecord({ tsSec: 0, tsNsec: 0, data: whole }, rec, 0);
    writeFileSync(file, Buffer.concat([enc.header(), rec]));
    const r = ioam(["decode", "--pcap", file]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /frame 1 .*cut short by the capture's snap length/);
    assert.match(r.err, /1 frame: 1 cut short by the capture's snap length/);
  });

  it("writes the error as JSON on stdout too with --json (apply, decode, show)", () => {
    const file = tmp.path("noversion.yaml");
    writeFileSync(file, "node: { id: 1 }\n");
    const r = ioam(["apply", file, "--json", "--dry-run"]);
    assert.equal(r.code, 2);
    const e = JSON.parse(r.out) as { v: number; error: { code: string; message: string; path: string } };
    assert.equal(e.error.code, "BAD_CONFIG");
    assert.match(e.error.message, /version: missing/);
    assert.match(r.err, /^ioam: .*version: missing/);
    const usage = JSON.parse(ioam(["decode", "--json", "--pcap", tmp.path("none.pcap")]).out) as { error: { code: string } };
    assert.equal(usage.error.code, "IO");
  });
});

describe("E2E with both sequence bits and jumbograms", () => {
  const tmp = scratch();
  after(() => tmp.remove());

  it("prints both sequence fields by width (it printed seq 42  seq 42)", () => {
    // ns 1, type 0xc000, seq64 42, seq32 42 in a Destination Options header, built by hand.
    const hex = "6000000000243c4000000000000000000000000000000001000000000000000000000000000000023a020100111200030001c000000000000000002a0000002a8000a2a412340001696f616d";
    const r = ioam(["decode", hex]);
    assert.match(r.out, /edge-to-edge .* type 0xc000 {2}seq64 42 {2}seq32 42\n/);
    assert.match(r.out, /issues: BOTH_SEQ_BITS/);
  });

  it("decodes a 70,000-byte jumbogram (RFC 2675) as tshark does (it said malformed)", () => {
    const hbh = [17, 2, 0xc2, 4, 0, 1, 0x11, 0x90, 0x31, 14, 0, 0, 0, 1, 0x08, 0, 0x80, 0, 0, 0, 63, 0, 0, 1]; // Jumbo Payload 70032, trace ns 1
    const udp = [0x04, 0xd2, 0, 9, 0, 0, 0, 0];
    const packet = Uint8Array.from([0x60, 0, 0, 0, 0, 0, 0, 64, ...new Array(15).fill(0), 1, ...new Array(15).fill(0), 2, ...hbh, ...udp, ...new Array(70_000).fill(0xab)]);
    const file = tmp.path("jumbo.pcap");
    pcap(file, LINKTYPE.RAW, [packet]);
    const r = ioam(["decode", "--json", "--pcap", file]);
    assert.equal(r.code, 0, r.err);
    const rec = JSON.parse(r.out) as { upper: { protocol: number; length: number }; options: Array<{ nodes: unknown[] }> };
    assert.deepEqual([rec.upper.protocol, rec.upper.length], [17, 70_008]);
    assert.deepEqual(rec.options[0]!.nodes, [{ hopLimit: 63, nodeId: 1 }]);
    assert.match(ioam(["decode", "--pcap", file]).out, /len 70072 \(jumbogram\)/);
    if (toolSkip("tshark")) return;
    const t = spawnSync("tshark", ["-r", file, "-T", "fields", "-e", "ipv6.opt.jumbo", "-e", "udp.payload", "-e", "_ws.malformed"], { encoding: "utf8" });
    const [jumbo, payload, malformed] = t.stdout.trim().split("\t");
    assert.equal(jumbo, "70032");
    assert.equal(payload!.length, 2 * 70_000);
    assert.equal(malformed ?? "", "");
  });
});
