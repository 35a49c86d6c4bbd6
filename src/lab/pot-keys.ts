// Proof-of-transit keys for a lab: the lab plays the controller of
// draft-ietf-sfc-proof-of-transit §3 — for each profile it draws the secret and public
// polynomials (deterministically from the lab and profile names, so that the real lab and the
// emulation hold the same keys) and gives each node on the profile's path its share; the last
// node verifies.

import { createHash } from "node:crypto";
import { ConfigError } from "../errors.js";
import { type PotNodeKey, type PotVerifierKey, potPathKeys } from "../node/pot.js";
import type { RawPotProfile } from "./topology-file.js";
import type { LabNode, PotProfile, Topology } from "./topology.js";

/** 2^61 − 1, a Mersenne prime: RND and CML stay below it and fit the option's 64-bit fields. */
export const POT_PRIME = 2305843009213693951n;

/** Deterministic coefficients below the prime: SHA-256 of (lab, profile, index). */
function coefficient(lab: string, profile: string, i: number): bigint {
  const h = createHash("sha256").update(`${lab}\0${profile}\0${i}`).digest();
  return h.readBigUInt64BE(0) % POT_PRIME;
}

/** Each node's key for `profile`, by node name (the last one a verifier's key). */
export function potKeys(lab: string, profile: PotProfile): Map<string, PotNodeKey | PotVerifierKey> {
  const k = profile.nodes.length;
  const secret = Array.from({ length: k }, (_, i) => coefficient(lab, profile.name, i));
  const pub = Array.from({ length: k - 1 }, (_, i) => coefficient(lab, profile.name, k + i));
  const xs = profile.nodes.map((_, i) => BigInt(i + 1));
  const { nodes, verifier } = potPathKeys(POT_PRIME, secret, pub, xs);
  return new Map(profile.nodes.map((n, i) => [n, i === k - 1 ? verifier : nodes[i]!]));
}

/** Profiles from the file, checked against the nodes: each listed node runs the data plane and names the profile. */
export function potProfiles(raw: readonly RawPotProfile[], nodes: Map<string, LabNode>): Map<string, PotProfile> {
  const out = new Map<string, PotProfile>();
  for (const p of raw) {
    for (const n of p.nodes) {
      const node = nodes.get(n.name);
      if (!node) throw new ConfigError(`${n.where}: pot.${p.name}.nodes`, `unknown node "${n.name}"`);
      if (!node.roles?.potProfiles.some((x) => x.name === p.name)) throw new ConfigError(`${n.where}: pot.${p.name}.nodes`, `${n.name} is on profile ${p.name}'s path but does not carry it (the kernel does no proof of transit): give ${n.name} dataplane: { pot: ["profile ${p.name}"] }`);
    }
    if (new Set(p.nodes.map((n) => n.name)).size !== p.nodes.length) throw new ConfigError(`${p.where}: pot.${p.name}`, "a node appears twice on the path");
    out.set(p.name, { name: p.name, namespaceId: p.namespaceId, nodes: p.nodes.map((n) => n.name), where: p.where });
  }
  return out;
}

/** Nodes name only profiles that exist and list them; an encap policy's POT starts its profile's path. */
export function checkPotUse(t: Topology): void {
  for (const node of t.nodes.values()) {
    for (const use of node.roles?.potProfiles ?? []) {
      const p = t.pot.get(use.name);
      if (!p?.nodes.includes(node.name)) throw new ConfigError(`${use.where}: topology.nodes.${node.name}.ioam.dataplane.pot`, p ? `${node.name} is not on profile ${use.name}'s path (${p.nodes.join(", ")})` : `unknown POT profile "${use.name}" (the file's pot: section defines profiles)`);
    }
    node.roles?.encap.forEach((role, i) => {
      if (!role.pot) return;
      const p = t.pot.get(role.pot.profile);
      const at = `${role.where}: topology.nodes.${node.name}.ioam.dataplane.encap[${i}]`;
      if (!p) throw new ConfigError(at, `unknown POT profile "${role.pot.profile}"`);
      if (p.nodes[0] !== node.name) throw new ConfigError(at, `profile ${p.name}'s path starts at ${p.nodes[0]}, not at ${node.name}, which inserts the option`);
      if (p.namespaceId !== role.pot.namespaceId) throw new ConfigError(at, `pot ns ${role.pot.namespaceId} differs from profile ${p.name}'s ns ${p.namespaceId}`);
    });
  }
}
