// Proof of Transit against the worked example of docs/worked-packets.md (CML 94 on the full path, 50 with
// node 2 skipped; packet (e) on the wire), and property tests with primes ≥ 2^61 and
// random keys: the full path verifies; a skipped node or a wrong share fails; plain POT cannot
// see reordering, Ordered POT can.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { buildPacket } from "../wire/build.js";
import { bytesToHex } from "../wire/hex.js";
import { decodePacket } from "../wire/packet.js";
import { type PacketContext, fixedClock } from "./context.js";
import { newCounters } from "./counters.js";
import { type DecapRecord, decapsulate } from "./decap.js";
import { Encapsulator } from "./encap.js";
import { createNodeState } from "./state.js";
import { transitPacket } from "./transit.js";
import { type PotNodeKey, type PotVerifierKey, lagrangeAtZero, potIngress, potPathKeys, potStep, potTransit, potVerified, potVerify } from "./pot.js";

const P = 101n;
const SPEC_NODES: PotNodeKey[] = [
  { prime: P, share: 61n, pre: 43n, lpc: 31n },
  { prime: P, share: 60n, pre: 2n, lpc: 49n },
  { prime: P, share: 75n, pre: 13n, lpc: 22n },
];
const SPEC_VERIFIER: PotVerifierKey = { ...SPEC_NODES[2]!, secret: 17n };

describe("proof of transit: the worked example of docs/worked-packets.md", () => {
  it("gives CML 56, 100, 94 along the path and verifies; 50 with node 2 skipped fails", () => {
    const rnd = 77n;
    const cmls: bigint[] = [];
    let cml = 0n;
    for (const k of SPEC_NODES) cmls.push((cml = potStep(cml, rnd, k)));
    assert.deepEqual(cmls, [56n, 100n, 94n]);
    assert.ok(potVerified(94n, rnd, SPEC_VERIFIER));
    const skipped = potStep(potStep(0n, rnd, SPEC_NODES[0]!), rnd, SPEC_NODES[2]!);
    assert.equal(skipped, 50n);
    assert.ok(!potVerified(skipped, rnd, SPEC_VERIFIER));
  });

  it("derives the same keys from the polynomials (POLY-1 = 17 + 4x + 9x², POLY-2 = RND + 12x + 30x², x = 2, 5, 9)", () => {
    const { nodes, verifier } = potPathKeys(P, [17n, 4n, 9n], [12n, 30n], [2n, 5n, 9n]);
    assert.deepEqual(nodes.map((k) => [k.share, k.pre, k.lpc]), SPEC_NODES.map((k) => [k.share, k.pre, k.lpc]));
    assert.equal(verifier.secret, 17n);
  });

  it("puts PktID 77 and Cumulative 94 on the wire, as worked packet (e) carries them", () => {
    const p = buildPacket({ src: "2001:db8::1", dst: "2001:db8::2", options: [{ kind: "pot", namespaceId: 1, potType: 0, flags: 0, random: 0n, cumulative: 0n, header: "hop" }], upper: { kind: "icmp-echo" } });
    const opt = 44;
    potIngress(p, opt, 77n, SPEC_NODES[0]!);
    potTransit(p, opt, SPEC_NODES[1]!);
    // The verifier reads the option as it arrives (after node 2): its own step makes 94.
    assert.ok(potVerify(p, opt, SPEC_VERIFIER));
    potTransit(p, opt, SPEC_NODES[2]!);
    assert.equal(bytesToHex(p.subarray(40, 72)), ["3a03", "0100", "31160002", "00010000", "000000000000004d", "000000000000005e", "01020000"].join(""));
  });
});

// Primes ≥ 2^61: 2^61 − 1 (Mersenne) and 2^64 − 59, the largest below 2^64.
const PRIMES = [(1n << 61n) - 1n, (1n << 64n) - 59n];
/**
 * Uniform draws (no bias towards 0, 1, p − 1): a random key fails a check only if some node's
 * share point is a root of POLY-1 + POLY-2, which uniform keys hit with probability ~n/p.
 */
const bigBelow = (p: bigint) => fc.noBias(fc.bigInt({ min: 1n, max: p - 1n }));

/** A random profile for a path of n nodes: distinct non-zero x, random polynomials of degree n − 1. */
const profile = fc.constantFrom(...PRIMES).chain((p) =>
  fc.integer({ min: 2, max: 6 }).chain((n) =>
    fc.record({
      p: fc.constant(p),
      xs: fc.uniqueArray(bigBelow(p), { minLength: n, maxLength: n }),
      secretPoly: fc.array(bigBelow(p), { minLength: n, maxLength: n }),
      publicPoly: fc.array(bigBelow(p), { minLength: n - 1, maxLength: n - 1 }),
      rnd: bigBelow(p),
      masks: fc.array(fc.record({ rnd: bigBelow(1n << 64n), cml: bigBelow(1n << 64n) }), { minLength: n - 1, maxLength: n - 1 }),
    }),
  ),
);

function walk(order: readonly PotNodeKey[], verifier: PotVerifierKey, rnd: bigint): boolean {
  let cml = 0n;
  for (const k of order) cml = potStep(cml, rnd, k);
  return potVerified(potStep(cml, rnd, verifier), rnd, verifier); // the verifier is the last node
}

describe("proof of transit: properties with primes ≥ 2^61", () => {
  it("the full path verifies; skipping any node or a wrong share fails", () => {
    fc.assert(
      fc.property(profile, fc.nat(), ({ p, xs, secretPoly, publicPoly, rnd }, pick) => {
        const { nodes, verifier } = potPathKeys(p, secretPoly, publicPoly, xs);
        const body = nodes.slice(0, -1);
        assert.ok(walk(body, verifier, rnd), "full path");
        const skip = pick % body.length;
        assert.ok(!walk(body.filter((_, i) => i !== skip), verifier, rnd), "skipped node");
        const wrong = body.map((k, i) => (i === skip ? { ...k, share: (k.share + 1n) % p } : k));
        assert.ok(!walk(wrong, verifier, rnd), "wrong share");
      }),
      { numRuns: 300, seed: 9197 },
    );
  });

  it("plain POT cannot see reordering; Ordered POT (masks between neighbours) fails it", () => {
    fc.assert(
      fc.property(profile.filter((x) => x.xs.length >= 4), ({ p, xs, secretPoly, publicPoly, rnd, masks }) => {
        const { nodes, verifier } = potPathKeys(p, secretPoly, publicPoly, xs);
        const body = nodes.slice(0, -1);
        const swapped = [body[0]!, body[2]!, body[1]!, ...body.slice(3)];
        assert.ok(walk(swapped, verifier, rnd), "addition commutes");
        // Ordered: node i shares masks[i-1] with node i-1 and masks[i] with node i+1.
        const ordered = nodes.map((k, i) => ({ ...k, ...(i > 0 ? { maskIn: masks[i - 1]! } : {}), ...(i < nodes.length - 1 ? { maskOut: masks[i]! } : {}) }));
        const run = (order: PotNodeKey[]) => {
          const pkt = buildPacket({ src: "2001:db8::1", dst: "2001:db8::2", options: [{ kind: "pot", namespaceId: 1, potType: 0, flags: 0, random: 0n, cumulative: 0n, header: "hop" }], upper: { kind: "icmp-echo" } });
          potIngress(pkt, 44, rnd, order[0]!);
          for (const k of order.slice(1)) potTransit(pkt, 44, k);
          return potVerify(pkt, 44, { ...verifier, ...(ordered[nodes.length - 1]!.maskIn ? { maskIn: ordered[nodes.length - 1]!.maskIn! } : {}) });
        };
        const orderedBody = ordered.slice(0, -1);
        assert.ok(run(orderedBody), "ordered, in order");
        assert.ok(!run([orderedBody[0]!, orderedBody[2]!, orderedBody[1]!, ...orderedBody.slice(3)]), "ordered, reordered");
      }),
      { numRuns: 200, seed: 9486 },
    );
  });

  it("Lagrange coefficients sum to 1 (Σ l_i(0) = 1 for any distinct x)", () => {
    fc.assert(
      fc.property(profile, ({ p, xs }) => xs.reduce((s, _, i) => (s + lagrangeAtZero(xs, i, p)) % p, 0n) === 1n),
      { numRuns: 200, seed: 1 },
    );
  });
});

describe("proof of transit through the engine: encap adds, transit nodes update, the decapsulator verifies", () => {
  const cfg = (k: number, key: PotNodeKey | PotVerifierKey | undefined) =>
    createNodeState({ nodeId: k, interfaces: { in: { enabled: true } }, namespaces: [{ id: 1 }], ...(key ? { pot: [{ namespaceId: 1, key }] } : {}) });
  const ctx: PacketContext = { stage: "prerouting", ingress: "in", egress: "out", clock: fixedClock(1, 0) };
  const run = (middle: PotNodeKey | undefined) => {
    const e = new Encapsulator({ mode: "inline", freqK: 1, freqN: 1, pot: { namespaceId: 1, random: () => 77n } });
    const p = e.process(buildPacket({ src: "2001:db8::1", dst: "2001:db8::2", options: [], upper: { kind: "icmp-echo" } }), cfg(1, SPEC_NODES[0]), { ...ctx, stage: "output" }, {}, { encapInline: 0, encapOuter: 0, encap_skipped_mtu: 0 }).packet;
    const c = newCounters();
    transitPacket(p, 0, p.length, cfg(2, middle), ctx, c);
    const got: DecapRecord[] = [];
    decapsulate(p, cfg(3, SPEC_VERIFIER), ctx, newCounters(), (r) => got.push(r));
    return { p, c, got };
  };

  it("carries RND 77 and, after node 2, CML 100 (the worked example); the verifier accepts", () => {
    const { p, c, got } = run(SPEC_NODES[1]);
    const o = decodePacket(p).options[0]!;
    assert.ok(o.kind === "pot");
    assert.deepEqual([o.random, o.cumulative, c.potUpdated], [77n, 100n, 1]);
    assert.deepEqual(got[0]!.potVerified, [true]);
  });

  it("a node without the share on the path makes the verifier refuse", () => {
    const { got } = run(undefined);
    assert.deepEqual(got[0]!.potVerified, [false]);
  });
});
