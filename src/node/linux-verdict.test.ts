// linuxOptionVerdict() follows ipv6_hop_ioam's order of checks (net/ipv6/exthdrs.c); the
// packets are written by hand from the RFC 9197 / RFC 9486 byte layouts, not by our encoder.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { hexToBytes } from "../wire/hex.js";
import { IoamScanner } from "../wire/ioam-scan.js";
import { linuxOptionVerdict } from "./linux-verdict.js";

/** What the verdict needs of the receiving node. */
interface LinuxIngressState {
  ioam6Enabled: boolean;
  namespaces: { has(id: number): boolean };
}

const ADDRS = "20010db8000000000000000000000001" + "20010db8000000000000000000000002";
const ICMP = "8000473212340001696f616d";

/** An IPv6 packet with the given Hop-by-Hop header (hex) and an ICMPv6 echo request. */
function withHbh(hbh: string): Uint8Array {
  const plen = hbh.length / 2 + ICMP.length / 2;
  return hexToBytes(`6000000000${plen.toString(16).padStart(2, "0")}0040${ADDRS}${hbh}${ICMP}`)!;
}

function verdict(hbh: string, ingress?: LinuxIngressState) {
  const b = withHbh(hbh);
  const s = new IoamScanner();
  assert.ok(s.reset(b) && s.next(), "an IOAM option is found");
  return ingress ? linuxOptionVerdict(b, s.optionOffset, s.optionEnd, 0, { enabled: ingress.ioam6Enabled }, ingress.namespaces) : linuxOptionVerdict(b, s.optionOffset, s.optionEnd, 0);
}

const ENABLED_NS1: LinuxIngressState = { ioam6Enabled: true, namespaces: new Set([1]) };
const DISABLED: LinuxIngressState = { ioam6Enabled: false, namespaces: { has: () => true } };
// Worked packet (a) (docs/worked-packets.md): PadN, trace ns 1, NodeLen 1, RemainingLen 1, type 0x800000, 12 octets.
const TRACE_A = "3a0301003116000000010801800000000000000" + "03e0000023f00000101020000";

describe("linuxOptionVerdict()", () => {
  it("processes an aligned, well-formed pre-allocated trace of a known namespace", () => {
    assert.equal(verdict(TRACE_A, ENABLED_NS1), "process");
  });
  it("drops a misaligned option even when IOAM is disabled on the ingress", () => {
    // Pad1 puts the option at offset 3 of the header; PadN with 3 data octets ends it at 32.
    const hbh = "3a0300" + "311600000001080180000000000000003e0000023f000001" + "0103000000";
    assert.equal(verdict(hbh, DISABLED), "drop-misaligned");
  });
  it("ignores every option when ioam6_enabled is 0", () => {
    assert.equal(verdict(TRACE_A, DISABLED), "ignore-disabled");
  });
  it("drops an option with Opt Data Len below 2", () => {
    assert.equal(verdict("3a000100310100" + "00", ENABLED_NS1), "drop-short-option");
  });
  it("ignores IOAM types other than the pre-allocated trace (POT here)", () => {
    const pot = "3a030100311600020001000000000000" + "0000004d000000000000005e01020000";
    assert.equal(verdict(pot, ENABLED_NS1), "ignore-not-prealloc");
  });
  it("drops a trace whose header does not fit (Opt Data Len 6)", () => {
    assert.equal(verdict("3a01010031060000000108010102" + "0000", ENABLED_NS1), "drop-short-trace");
  });
  it("drops a trace whose RemainingLen exceeds its data", () => {
    assert.equal(verdict(TRACE_A.replace("00010801", "00010804"), ENABLED_NS1), "drop-remaining-len");
  });
  it("drops NodeLen 2 with type 0x800000, before looking at the namespace", () => {
    const bad = TRACE_A.replace("00010801", "00071001");
    assert.equal(verdict(bad, ENABLED_NS1), "drop-nodelen");
  });
  it("ignores a namespace the node does not know", () => {
    assert.equal(verdict(TRACE_A, { ioam6Enabled: true, namespaces: new Set() }), "ignore-unknown-namespace");
  });
  it("ignores option type 0x11, which Linux does not know", () => {
    assert.equal(verdict(TRACE_A.replace("311600", "111600"), ENABLED_NS1), "ignore-not-ioam");
  });
});
