// The `dataplane:` section of an apply file: what `ioam node run` gets from it, and every
// refusal naming file:line and the item.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError } from "../../errors.js";
import { parseApplyDocument } from "./document.js";

const FILE = `version: 1
dataplane:
  encap:
    - "2001:db8:2::/64 freq 1/2 mode encap tundst 2001:db8:9::1 trace prealloc type 0x800000 ns 123 size 12 pot ns 123"
    - "2001:db8:3::/64 trace incremental type 0xc00000 ns 7 size 40 dex ns 7 type 0x800000 seq"
  decap:
    - tunnel 2001:db8:1::2
    - edge 2001:db8:4::/48
  transit: all
  features: [incremental, dex]
  failure: closed
  queue: 5
  workers: 2
  pot:
    123: { prime: 0xffffffffffffffc5, share: 1, pre: 2, lpc: 3, secret: 4, maskOut: { rnd: 5, cml: 6 } }
`;

describe("the dataplane section", () => {
  it("reads policies, decapsulation, transit, features, failure, queues and POT keys", () => {
    const d = parseApplyDocument(FILE, "n.yaml");
    const s = d.dataplaneSpec;
    assert.equal(s.encap.length, 2);
    assert.deepEqual(s.encap[0]!.policy, { mode: "encap", freqK: 1, freqN: 2, tundst: "2001:db8:9::1", trace: { namespaceId: 123, traceType: 0x800000, size: 12, flags: { overflow: false, loopback: false, active: false, unknownBits: 0 }, variant: "prealloc" }, pot: { namespaceId: 123 } });
    assert.deepEqual([s.encap[0]!.prefix.length, s.encap[0]!.where, s.encap[1]!.where], [64, "n.yaml:4", "n.yaml:5"]);
    assert.deepEqual(s.encap[1]!.policy.dex, { namespaceId: 7, traceType: 0x800000, seq: true });
    assert.equal(s.encap[1]!.policy.trace?.variant, "incremental");
    assert.deepEqual(s.decap.map((x) => [x.kind, x.where]), [["tunnel", "n.yaml:7"], ["edge", "n.yaml:8"]]);
    assert.deepEqual([s.transit, s.features, s.failure, s.queue, s.workers], ["all", { incremental: true, dexExport: true }, "closed", 5, 2]);
    assert.deepEqual(s.pot[0]!.key, { prime: 0xffffffffffffffc5n, share: 1n, pre: 2n, lpc: 3n, secret: 4n, maskOut: { rnd: 5n, cml: 6n } });
    assert.deepEqual(d.dataplane.map((i) => i.path), ["dataplane.encap[0]", "dataplane.encap[1]", "dataplane.decap[0]", "dataplane.decap[1]", "dataplane.transit", "dataplane.features", "dataplane.failure", "dataplane.queue", "dataplane.workers", "dataplane.pot"]);
  });

  it("defaults: kernel transit, fail-open, queue 0, one worker", () => {
    const s = parseApplyDocument("version: 1\ndataplane:\n  encap: [\"2001:db8::/32 trace prealloc type 0x800000 ns 1 size 8\"]\n", "n.yaml").dataplaneSpec;
    assert.deepEqual([s.transit, s.failure, s.queue, s.workers, s.encap[0]!.policy.mode, s.encap[0]!.policy.freqN], ["kernel", "open", 0, 1, "inline", 1]);
  });

  it("reads traceContext: the local API's socket, with a policy able to carry the context", () => {
    const s = parseApplyDocument('version: 1\ndataplane:\n  traceContext: { socket: /run/ioamkit/h1.sock }\n  encap: ["2001:db8::/64 trace prealloc type 0x800002 ns 1 size 60"]\n', "n.yaml").dataplaneSpec;
    assert.deepEqual(s.traceContext, { socket: "/run/ioamkit/h1.sock", where: "n.yaml:3" });
  });

  const bad: Array<[string, RegExp]> = [
    ['encap: ["2001:db8::/64"]', /n\.yaml:3: dataplane\.encap\[0\]: no IOAM option/],
    ['encap: ["nonsense trace prealloc type 0x800000 ns 1 size 8"]', /n\.yaml:3: dataplane\.encap\[0\]: "nonsense" is not an IPv6 prefix/],
    ['encap: ["2001:db8::/64 mode encap trace prealloc type 0x800000 ns 1 size 8"]', /dataplane\.encap\[0\]: tundst: mode encap needs a tunnel destination/],
    ['encap: ["2001:db8::/64 tundst 2001:db8::1 trace prealloc type 0x800000 ns 1 size 8"]', /tundst: inline mode does not need tundst/],
    ['encap: ["2001:db8::/64 freq 3/2 trace prealloc type 0x800000 ns 1 size 8"]', /freq: k must not exceed n/],
    ['encap: ["2001:db8::/64 trace prealloc type 0x800000 ns 1 size 248"]', /size exceeds 244/],
    ['encap: ["2001:db8::/64 trace prealloc type 0x000400 ns 1 size 8"]', /undefined bits/],
    ['encap: ["2001:db8::/64 e2e ns 1 type 0x8000"]', /e2e travels in an outer Destination Options header: it needs mode encap/],
    ['encap: ["2001:db8::/64 pot ns 9"]', /n\.yaml:3: dataplane\.encap\[0\]: pot ns 9: no key/],
    ['encap: ["2001:db8::/64 trace prealloc type 0x800000 ns 1 size 8 in dest"]', /"in" and "opttype" are for ioam encode/],
    ['encap: ["2001:db8::/64 trace prealloc type 0x800000 ns 1 size 8 trace prealloc type 0x800000 ns 2 size 8"]', /trace given twice/],
    ['encap: ["2001:db8::/64 mode sideways trace prealloc type 0x800000 ns 1 size 8"]', /mode "sideways" is not inline, encap or auto/],
    ['encap:\n    - "2001:db8::/64 trace prealloc type 0x800000 ns 1 size 8"\n    - "2001:db8::/64 trace prealloc type 0x800000 ns 2 size 8"', /n\.yaml:5: dataplane\.encap\[1\]: another policy has the same prefix/],
    ['decap: ["tunnel 2001:db8::/64"]', /dataplane\.decap\[0\]: "2001:db8::\/64" is not an IPv6 address/],
    ['decap: ["exit 2001:db8::1"]', /expected "tunnel ADDR" or "edge PREFIX"/],
    ["transit: some", /n\.yaml:3: dataplane\.transit: expected one of kernel, all/],
    ["failure: maybe", /dataplane\.failure: expected one of open, closed/],
    ["workers: 0", /dataplane\.workers: expected 1 to 8/],
    ["workers: 9", /dataplane\.workers: expected an integer from 0 to 8/],
    ["features: [teleport]", /dataplane\.features: expected one of incremental, dex/],
    ["pot:\n    5: { prime: 7 }", /dataplane\.pot\.5\.share: required/],
    ["e2e: []", /n\.yaml:3: dataplane\.e2e: unknown key/],
    ['traceContext: { socket: /run/x.sock }\n  encap: ["2001:db8::/64 trace prealloc type 0x800000 ns 1 size 8"]', /n\.yaml:3: dataplane\.traceContext: no encap policy can carry the context: .*bit 22/],
    ['traceContext: {}\n  encap: ["2001:db8::/64 trace prealloc type 0x800002 ns 1 size 24"]', /n\.yaml:4: dataplane\.encap\[0\]: size 24 leaves no room for this node's entry with the trace context \(36 octets/],
    ['traceContext: { socket: run/x.sock }', /n\.yaml:3: dataplane\.traceContext\.socket: expected an absolute path/],
    ['traceContext: { sock: /run/x.sock }', /n\.yaml:3: dataplane\.traceContext\.sock: unknown key \(known: socket\)/],
    ['traceContext: /run/x.sock', /n\.yaml:3: dataplane\.traceContext: expected a mapping/],
  ];
  for (const [section, message] of bad) {
    it(`refuses ${section.split("\n")[0]} naming file:line`, () => {
      assert.throws(() => parseApplyDocument(`version: 1\ndataplane:\n  ${section}\n`, "n.yaml"), (e) => e instanceof ConfigError && message.test(e.message));
    });
  }
});
