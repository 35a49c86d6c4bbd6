// Which ip6tables backend this host uses — nf_tables (iptables-nft, xt targets through
// nft_compat) or legacy (ip6_tables) — found once from `ip6tables -V`, and the programs that
// speak to it. Rules are removed with the programs of the backend that installed them, so a
// changed update-alternatives between start and cleanup leaves nothing behind.

import { IoamError } from "../../errors.js";
import { type Where, runOk } from "../run-program.js";

export type IptablesBackend = "nf_tables" | "legacy";

/** The restore and save programs of a backend. */
export interface IptablesPrograms {
  restore: string;
  save: string;
}

/** The backend named in `ip6tables -V` output ("ip6tables v1.8.9 (nf_tables)"); undefined when unknown. */
export function parseBackend(versionText: string): IptablesBackend | undefined {
  const m = /\((nf_tables|legacy)\)/.exec(versionText);
  if (m) return m[1] as IptablesBackend;
  // iptables before 1.8 had only the legacy backend and printed no suffix.
  return /^ip6tables v1\.[0-7]\./m.test(versionText) ? "legacy" : undefined;
}

export function programsOf(backend: IptablesBackend): IptablesPrograms {
  return backend === "nf_tables" ? { restore: "ip6tables-nft-restore", save: "ip6tables-nft-save" } : { restore: "ip6tables-legacy-restore", save: "ip6tables-legacy-save" };
}

const detected = new Map<string, IptablesBackend>();

/** Runs `ip6tables -V` once per netns and remembers the answer. */
export async function detectBackend(where: Where = {}): Promise<IptablesBackend> {
  const key = where.netns ?? "";
  const known = detected.get(key);
  if (known) return known;
  const out = await runOk("ip6tables", ["-V"], { ...where, what: "finding the ip6tables backend" });
  const backend = parseBackend(out);
  if (!backend) throw new IoamError("NOT_SUPPORTED", `ip6tables -V says "${out.trim()}": neither nf_tables nor legacy`);
  detected.set(key, backend);
  return backend;
}
