// Bad input: random truncations and bit flips of valid packets. decodePacket and the direct JSON
// writer get the packet through a view that throws on any index past its end (a Uint8Array
// itself would answer `undefined` and hide the read); IoamScanner, which takes bounds, runs
// inside a larger buffer guarded first by 0x00 and then by 0xFF, with identical results. Every
// failure is a DecodeError with 0 ≤ offset ≤ length; a cut valid packet fails with TRUNCATED
// at the cut.
// FUZZ_CASES (default 100000) sets the number of mutated inputs; the note reports a 1M run.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { buildPacket } from "../../src/wire/build.js";
import { DecodeError } from "../../src/wire/errors.js";
import { IoamScanner } from "../../src/wire/ioam-scan.js";
import { decodePacket } from "../../src/wire/packet.js";
import { packetToJson } from "../../src/wire/json/record-json.js";
import { writePacketMembersDirect } from "../../src/wire/json/direct-json.js";
import { JsonBytes } from "../../src/wire/json/json-bytes.js";
import { packetArb } from "../fixtures/ioam-arbitraries.js";

const CASES = Number(process.env.FUZZ_CASES ?? 100_000);
const GUARD = 64;

type Outcome = { ok: string } | { code: string; offset: number; layer: string };

/** A read past the end of a strict view. */
class ReadPastEnd extends Error {}

/**
 * The bytes (copied into a buffer of their own, so that a DataView over `.buffer` is bounded
 * too) behind a view whose index reads past the end throw; subarrays are strict as well.
 */
export function strictBytes(bytes: Uint8Array): Uint8Array {
  return strictView(bytes.slice());
}

function strictView(t: Uint8Array): Uint8Array {
  return new Proxy(t, {
    get(target, prop) {
      if (typeof prop === "string" && /^\d+$/.test(prop)) {
        if (Number(prop) >= target.length) throw new ReadPastEnd(`read at ${prop} of ${target.length}`);
        return target[Number(prop)];
      }
      if (prop === "subarray") return (a?: number, b?: number) => strictView(target.subarray(a, b));
      const v: unknown = Reflect.get(target, prop, target);
      return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

function outcome(bytes: Uint8Array): Outcome {
  const direct = new JsonBytes(256);
  writePacketMembersDirect(direct, strictBytes(bytes), true);
  try {
    return { ok: packetToJson(decodePacket(strictBytes(bytes)), true) };
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    assert.ok(e.offset >= 0 && e.offset <= bytes.length, `offset ${e.offset} outside [0, ${bytes.length}]`);
    return { code: e.code, offset: e.offset, layer: e.layer };
  }
}

function scanOutcome(buf: Uint8Array, len: number): string {
  const s = new IoamScanner();
  if (!s.reset(buf, GUARD, GUARD + len)) return `e${s.error}@${s.errorOffset}`;
  let r = "";
  while (s.next()) r += `${s.optionOffset}-${s.optionEnd}:${s.ioamType()},`;
  return r + `e${s.error}`;
}

function guarded(bytes: Uint8Array, fill: number): Uint8Array {
  const buf = new Uint8Array(bytes.length + 2 * GUARD).fill(fill);
  buf.set(bytes, GUARD);
  return buf;
}

function check(bytes: Uint8Array): Outcome {
  assert.equal(scanOutcome(guarded(bytes, 0x00), bytes.length), scanOutcome(guarded(bytes, 0xff), bytes.length));
  return outcome(bytes);
}

const seeds = fc.sample(fc.integer({ min: 0, max: 10_000 }).chain(packetArb), { seed: 77, numRuns: 200 }).map((s) => buildPacket(s));

describe("the strict view itself", () => {
  it("throws on a read past the end, also through a subarray, and reads like the bytes inside", () => {
    const v = strictBytes(Uint8Array.of(1, 2, 3));
    assert.deepEqual([v[0], v[2], v.length, v.subarray(1)[1]], [1, 3, 3, 3]);
    assert.throws(() => v[3], ReadPastEnd);
    assert.throws(() => v.subarray(1)[2], ReadPastEnd);
  });
});

describe("decodePacket(), the direct JSON writer and IoamScanner on bad input", () => {
  it("report TRUNCATED at the cut for every prefix of valid packets", () => {
    for (const p of seeds.slice(0, 60)) {
      for (let n = 0; n < p.length; n++) {
        const r = check(p.subarray(0, n));
        assert.ok("code" in r && r.code === "TRUNCATED" && r.offset === n, `cut at ${n} of ${p.length}: ${JSON.stringify(r)}`);
      }
    }
  });

  it(`never read outside the packet and fail only with DecodeError (${CASES} mutations)`, (t) => {
    let rnd = 0x2545f491;
    const next = () => ((rnd = (Math.imul(rnd, 1103515245) + 12345) >>> 0), rnd);
    let failures = 0;
    for (let i = 0; i < CASES; i++) {
      const p = seeds[i % seeds.length]!.slice();
      const flips = 1 + (next() % 4);
      for (let f = 0; f < flips; f++) p[next() % p.length]! ^= 1 << (next() % 8);
      const cut = next() % 4 === 0 ? next() % (p.length + 1) : p.length;
      if ("code" in check(p.subarray(0, cut))) failures++;
    }
    t.diagnostic(`${CASES} mutated packets, ${failures} rejected with a DecodeError`);
  });
});
