// pcapng timestamp units against a BigInt reference (draft-ietf-opsawg-pcapng §4.2 if_tsresol).

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { TS, WORDS, timeToUnits, tsUnits, unitsToTime } from "./_timestamp.js";

function reference(hi: number, lo: number, resol: number): { sec: number; nsec: number } {
  const n = BigInt(resol & 0x7f);
  const d = resol & 0x80 ? 2n ** n : 10n ** n;
  const t = (BigInt(hi) << 32n) | BigInt(lo);
  return { sec: Number(t / d), nsec: Number(((t % d) * 1_000_000_000n) / d) };
}

const RESOLUTIONS = [0, 3, 6, 9, 12, 30, 0x80, 0x80 | 10, 0x80 | 20, 0x80 | 30, 0x80 | 32, 0x80 | 40, 0x80 | 100];

describe("unitsToTime()", () => {
  it("splits 10^-6 and 10^-9 counts into seconds and nanoseconds", () => {
    unitsToTime(0x00060a24, 0x18202240, tsUnits(6)); // 1700000000.123456 s in µs
    assert.deepEqual({ ...TS }, { sec: 1_700_000_000, nsec: 123_456_000 });
    unitsToTime(0x17979cfe, 0x3d85cd15, tsUnits(9)); // 1700000000.123456789 s in ns
    assert.deepEqual({ ...TS }, { sec: 1_700_000_000, nsec: 123_456_789 });
  });

  it("reads 2^-n units as the fraction of a second they are", () => {
    unitsToTime(0, (5 << 10) | 512, tsUnits(0x80 | 10)); // 5.5 s in 1/1024 s
    assert.deepEqual({ ...TS }, { sec: 5, nsec: 500_000_000 });
  });

  it("equals exact BigInt arithmetic for any count and resolution", () => {
    const word = fc.integer({ min: 0, max: 0xffffffff });
    fc.assert(
      fc.property(word, word, fc.constantFrom(...RESOLUTIONS), (hi, lo, resol) => {
        unitsToTime(hi, lo, tsUnits(resol));
        assert.deepEqual({ ...TS }, reference(hi, lo, resol));
      }),
      { numRuns: 5000 },
    );
  });
});

describe("timeToUnits()", () => {
  it("gives the two words of sec × perSecond + frac exactly", () => {
    const sec = fc.integer({ min: 0, max: 0xffffffff });
    fc.assert(
      fc.property(sec, fc.constantFrom(1e6, 1e9), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (s, per, f) => {
        const frac = Math.floor(f * per);
        timeToUnits(s, frac, per);
        const t = BigInt(s) * BigInt(per) + BigInt(frac);
        assert.equal(WORDS.hi, Number(t >> 32n));
        assert.equal(WORDS.lo, Number(t & 0xffffffffn));
      }),
      { numRuns: 5000 },
    );
  });
});
