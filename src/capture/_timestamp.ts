// pcapng timestamps: a 64-bit count of units since the epoch, split in two 32-bit words,
// with units of 10^-n or 2^-n seconds (draft-ietf-opsawg-pcapng §4.2 if_tsresol).
// Everything here stays in exact double arithmetic (no BigInt on the per-packet path).

const TWO_32 = 4294967296;
const TWO_16 = 65536;
/** Counts below this convert as one double without rounding (2^53 / 2^32). */
const FAST_HI_LIMIT = 1 << 21;

/** Seconds and nanoseconds of the last `unitsToTime` call; a shared scratch to avoid allocation. */
export const TS = { sec: 0, nsec: 0 };

/** The units of an interface: `perSecond` units a second, and how a remainder becomes ns. */
export interface TsUnits {
  readonly perSecond: number;
  /** True when perSecond is a power of 10 ≤ 10^9 (remainder × 10^9/perSecond is exact). */
  readonly decimal: boolean;
  /** The if_tsresol byte this came from (6 by default). */
  readonly resol: number;
}

/** Units described by an if_tsresol byte: MSB clear = 10^-n, MSB set = 2^-n. */
export function tsUnits(resol: number): TsUnits {
  const n = resol & 0x7f;
  const binary = (resol & 0x80) !== 0;
  return { perSecond: binary ? 2 ** n : 10 ** n, decimal: !binary && n <= 9, resol };
}

/** The pcapng default: microseconds. */
export const MICROSECONDS: TsUnits = tsUnits(6);

/** Converts the count hi·2^32 + lo of `u` into TS.sec and TS.nsec. */
export function unitsToTime(hi: number, lo: number, u: TsUnits): void {
  const d = u.perSecond;
  let sec: number;
  let rem: number;
  if (d > TWO_32) return bigUnitsToTime(hi, lo, u.resol);
  if (hi < FAST_HI_LIMIT) {
    const t = hi * TWO_32 + lo;
    sec = Math.floor(t / d);
    rem = t - sec * d;
    if (rem < 0) (sec -= 1), (rem += d);
    else if (rem >= d) (sec += 1), (rem -= d);
  } else {
    // Long division in base 2^16: every partial value stays below 2^48.
    const digits = [hi >>> 16, hi & 0xffff, lo >>> 16, lo & 0xffff];
    sec = 0;
    rem = 0;
    for (const digit of digits) {
      const cur = rem * TWO_16 + digit;
      const q = Math.floor(cur / d);
      rem = cur - q * d;
      sec = sec * TWO_16 + q;
    }
  }
  TS.sec = sec;
  // For 2^-n units rem·10^9 = rem·1953125·2^9 is exact, and so is the division by 2^n.
  TS.nsec = u.decimal ? rem * (1e9 / d) : Math.floor((rem * 1e9) / d);
}

function bigUnitsToTime(hi: number, lo: number, resol: number): void {
  const t = (BigInt(hi) << 32n) | BigInt(lo);
  const n = BigInt(resol & 0x7f);
  const D = resol & 0x80 ? 2n ** n : 10n ** n;
  TS.sec = Number(t / D);
  TS.nsec = Number(((t % D) * 1_000_000_000n) / D);
}

/** The high and low 32-bit words of the last `timeToUnits` call; a shared scratch. */
export const WORDS = { hi: 0, lo: 0 };

/**
 * The count for `sec` seconds and `frac` units (frac < perSecond ≤ 2^32) as WORDS.hi /
 * WORDS.lo. Exact: each partial product stays below 2^48.
 */
export function timeToUnits(sec: number, frac: number, perSecond: number): void {
  const a = Math.floor(sec / TWO_16) * perSecond;
  const b = (sec % TWO_16) * perSecond + frac;
  const c = a + Math.floor(b / TWO_16);
  WORDS.hi = Math.floor(c / TWO_16) >>> 0;
  WORDS.lo = ((c % TWO_16) * TWO_16 + (b % TWO_16)) >>> 0;
}
