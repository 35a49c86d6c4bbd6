// Proof of Transit (draft-ietf-sfc-proof-of-transit §3–§5): Shamir secret
// sharing over GF(p). Each node adds its share of POLY-1 + POLY-2 at its x, weighted by its
// Lagrange coefficient, to the Cumulative; the verifier accepts iff CML = SECRET + RND (mod p).
// Ordered POT XORs RND‖CML with a mask shared by each pair of neighbours, so a node that
// receives the packet from anyone but its configured upstream neighbour unmasks garbage.
// Carried in the IOAM POT option type 0: PktID = RND, Cumulative = CML (64 bits each).

import { readU64, writeUBig } from "../wire/_be.js";
import { IOAM_OPT } from "../wire/ioam/option.js";

/** What one node holds for a POT profile. */
export interface PotNodeKey {
  prime: bigint;
  /** y_i = POLY-1(x_i), the node's secret share. */
  share: bigint;
  /** POLY-2(x_i) − RND: the public polynomial's non-constant part at x_i. */
  pre: bigint;
  /** l_i(0), the constant coefficient of the node's Lagrange basis polynomial. */
  lpc: bigint;
  /** Ordered POT: mask shared with the upstream neighbour (absent at the ingress). */
  maskIn?: { rnd: bigint; cml: bigint };
  /** Ordered POT: mask shared with the downstream neighbour (absent at the verifier). */
  maskOut?: { rnd: bigint; cml: bigint };
}

export interface PotVerifierKey extends PotNodeKey {
  secret: bigint;
}

const mod = (a: bigint, p: bigint) => ((a % p) + p) % p;

/** a^e mod p by square-and-multiply. */
export function modPow(a: bigint, e: bigint, p: bigint): bigint {
  let r = 1n;
  let b = mod(a, p);
  for (let k = e; k > 0n; k >>= 1n) {
    if (k & 1n) r = (r * b) % p;
    b = (b * b) % p;
  }
  return r;
}

/** Multiplicative inverse in GF(p), p prime (Fermat). */
export const modInverse = (a: bigint, p: bigint): bigint => modPow(a, p - 2n, p);

/** Evaluates the polynomial with coefficients c (c[0] constant) at x, mod p. */
export function evalPoly(c: readonly bigint[], x: bigint, p: bigint): bigint {
  let r = 0n;
  for (let i = c.length - 1; i >= 0; i--) r = mod(r * x + c[i]!, p);
  return r;
}

/** l_i(0) = Π_{j≠i} (0 − x_j)/(x_i − x_j) mod p. */
export function lagrangeAtZero(xs: readonly bigint[], i: number, p: bigint): bigint {
  let num = 1n;
  let den = 1n;
  for (const [j, xj] of xs.entries()) {
    if (j === i) continue;
    num = mod(num * -xj, p);
    den = mod(den * (xs[i]! - xj), p);
  }
  return mod(num * modInverse(den, p), p);
}

/**
 * The keys of a path of xs.length nodes (the last one verifies), as a controller computes
 * them: POLY-1 = secretPoly (secretPoly[0] = SECRET), POLY-2's non-constant coefficients = publicPoly.
 */
export function potPathKeys(prime: bigint, secretPoly: readonly bigint[], publicPoly: readonly bigint[], xs: readonly bigint[]): { nodes: PotNodeKey[]; verifier: PotVerifierKey } {
  const nodes = xs.map((x, i) => ({ prime, share: evalPoly(secretPoly, x, prime), pre: evalPoly([0n, ...publicPoly], x, prime), lpc: lagrangeAtZero(xs, i, prime) }));
  return { nodes, verifier: { ...nodes[nodes.length - 1]!, secret: mod(secretPoly[0]!, prime) } };
}

/** One node's update: CML + (y + (RND + pre) mod p) · LPC, mod p. */
export function potStep(cml: bigint, rnd: bigint, k: PotNodeKey): bigint {
  const p = k.prime;
  return mod(cml + mod((k.share + mod(rnd + k.pre, p)) * k.lpc, p), p);
}

/** The verifier's test, after its own step. */
export function potVerified(cml: bigint, rnd: bigint, k: PotVerifierKey): boolean {
  return cml === mod(k.secret + rnd, k.prime);
}

const RND_AT = IOAM_OPT.BODY + 4;
const CML_AT = IOAM_OPT.BODY + 12;

/** Ingress: RND (below the prime) and CML 0 into the POT option TLV at `opt`, then its own step. */
export function potIngress(b: Uint8Array, opt: number, rnd: bigint, k: PotNodeKey): void {
  writeUBig(b, opt + RND_AT, mod(rnd, k.prime), 8);
  writeUBig(b, opt + CML_AT, 0n, 8);
  potTransit(b, opt, k);
}

/** A transit node's step on the POT option TLV at `opt`: unmask, update, re-mask. */
export function potTransit(b: Uint8Array, opt: number, k: PotNodeKey): void {
  const { rnd, cml } = readMasked(b, opt, k.maskIn);
  writeMasked(b, opt, rnd, potStep(cml, rnd, k), k.maskOut);
}

/** The verifier: unmask, its own step, compare. The option is left as received. */
export function potVerify(b: Uint8Array, opt: number, k: PotVerifierKey): boolean {
  const { rnd, cml } = readMasked(b, opt, k.maskIn);
  return potVerified(potStep(cml, rnd, k), rnd, k);
}

function readMasked(b: Uint8Array, opt: number, mask?: { rnd: bigint; cml: bigint }): { rnd: bigint; cml: bigint } {
  const rnd = readU64(b, opt + RND_AT);
  const cml = readU64(b, opt + CML_AT);
  return mask ? { rnd: rnd ^ mask.rnd, cml: cml ^ mask.cml } : { rnd, cml };
}

function writeMasked(b: Uint8Array, opt: number, rnd: bigint, cml: bigint, mask?: { rnd: bigint; cml: bigint }): void {
  writeUBig(b, opt + RND_AT, mask ? rnd ^ mask.rnd : rnd, 8);
  writeUBig(b, opt + CML_AT, mask ? cml ^ mask.cml : cml, 8);
}

/** True for the key of the node that verifies (it holds the secret). */
export function isVerifierKey(k: PotNodeKey | PotVerifierKey): k is PotVerifierKey {
  return "secret" in k;
}

/** Octets of a POT option TLV of type 0: option header, Namespace-ID, type, flags, PktID, Cumulative. */
export const POT_TYPE0_TLV_LENGTH = IOAM_OPT.BODY + 4 + 16;
