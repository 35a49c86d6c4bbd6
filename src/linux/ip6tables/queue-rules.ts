// ioamkit's NFQUEUE rules in ip6tables: installed in one ip6tables-restore --noflush
// transaction (a chain of ioamkit's own per rule, plus one tagged jump from a built-in mangle
// chain), read back with their packet counters, and removed in one transaction — by the
// serialisable record install returned (so that a later process can clean up after a killed
// one) or by tag alone (stale rules without a record). Both backends commit a table
// atomically (legacy replaces the table, nf_tables runs one batch): nothing half-applied.

import { IoamError } from "../../errors.js";
import { type IptablesBackend, detectBackend, programsOf } from "./backend.js";
import { type QueueHook, type QueueRule, CHAIN_PREFIX, chainName, checkQueueRules, jumpArgs, queueRuleArgs } from "./queue-spec.js";
import { type Where, runOk } from "../run-program.js";
import { jumpTarget, parseSave, type SavedTable } from "./save-parse.js";

const TABLE = "mangle";

/** What was installed: enough for any later process to find and remove it (a state file's entry). */
export interface InstalledQueueRules {
  v: 1;
  backend: IptablesBackend;
  /** The named netns the rules live in, or null for the installing process's own. */
  netns: string | null;
  table: typeof TABLE;
  tag: string;
  chains: Array<{ name: string; hook: QueueHook; rule: string[] }>;
}

/** Where, and optionally which backend (default: detected with ip6tables -V). */
export interface RulesOptions extends Where {
  backend?: IptablesBackend;
}

/** The packet and byte counters of one installed rule (the NFQUEUE rule in its chain). */
export interface QueueRuleCounters {
  chain: string;
  hook: QueueHook;
  packets: number;
  bytes: number;
}

async function saveTable(backend: IptablesBackend, where: Where): Promise<SavedTable> {
  return parseSave(await runOk(programsOf(backend).save, ["-c", "-t", TABLE], { ...where, what: "reading ip6tables rules" }));
}

async function restore(backend: IptablesBackend, where: Where, lines: string[], what: string): Promise<void> {
  await runOk(programsOf(backend).restore, ["--wait=10", "--noflush"], { ...where, what, input: [`*${TABLE}`, ...lines, "COMMIT", ""].join("\n") });
}

const ownsChain = (tag: string) => (chain: string) => chain.startsWith(`${CHAIN_PREFIX}${tag}-`) && /^\d+$/.test(chain.slice(CHAIN_PREFIX.length + tag.length + 1));

/**
 * Installs `rules` for instance `tag` and returns the record of what it did. Refuses (and
 * changes nothing) when rules of the same tag are already there: remove them first.
 */
export async function installQueueRules(tag: string, rules: readonly QueueRule[], options: RulesOptions = {}): Promise<InstalledQueueRules> {
  checkQueueRules(tag, rules);
  const where = { netns: options.netns };
  const backend = options.backend ?? (await detectBackend(where));
  const existing = [...(await saveTable(backend, where)).chains].filter(ownsChain(tag));
  if (existing.length > 0) throw new IoamError("BAD_CONFIG", `ip6tables chain ${existing[0]} of ioamkit instance "${tag}" already exists${where.netns ? ` in netns ${where.netns}` : ""}: remove the stale rules first (ioam node cleanup)`);
  const chains = rules.map((r, i) => ({ name: chainName(tag, i), hook: r.hook, rule: queueRuleArgs(r) }));
  const lines = [...chains.map((c) => `:${c.name} - [0:0]`), ...chains.map((c) => `-A ${c.name} ${c.rule.join(" ")}`)];
  // Inserted at the top of each built-in chain, last rule first, so that they keep the caller's order.
  for (const c of [...chains].reverse()) lines.push(`-I ${c.hook} 1 ${jumpArgs(tag, c.name).join(" ")}`);
  await restore(backend, where, lines, `installing ioamkit's NFQUEUE rules (${tag})`);
  return { v: 1, backend, netns: options.netns ?? null, table: TABLE, tag, chains };
}

/** Reads the packet counter of every rule in the record (0 for a rule no longer there). */
export async function readQueueCounters(rec: InstalledQueueRules): Promise<QueueRuleCounters[]> {
  const saved = await saveTable(rec.backend, { netns: rec.netns ?? undefined });
  return rec.chains.map((c) => {
    const rule = saved.rules.find((r) => r.chain === c.name);
    return { chain: c.name, hook: c.hook, packets: rule?.packets ?? 0, bytes: rule?.bytes ?? 0 };
  });
}

/**
 * Removes every chain of instance `tag` and every jump to them, found in the live table, in
 * one transaction. Idempotent: returns the chains removed (none when nothing was left).
 */
export async function removeQueueRulesByTag(tag: string, options: RulesOptions = {}): Promise<string[]> {
  const where = { netns: options.netns };
  const backend = options.backend ?? (await detectBackend(where));
  const saved = await saveTable(backend, where);
  const ours = ownsChain(tag);
  const chains = [...saved.chains].filter(ours);
  const jumps = saved.rules.filter((r) => !ours(r.chain) && ours(jumpTarget(r.args) ?? ""));
  if (chains.length === 0 && jumps.length === 0) return [];
  const lines = [...jumps.map((r) => `-D ${r.chain} ${r.args}`), ...chains.map((c) => `-F ${c}`), ...chains.map((c) => `-X ${c}`)];
  await restore(backend, where, lines, `removing ioamkit's NFQUEUE rules (${tag})`);
  return chains;
}

/** Removes what `installQueueRules` recorded, with the backend and netns it used. */
export function removeQueueRules(rec: InstalledQueueRules): Promise<string[]> {
  return removeQueueRulesByTag(rec.tag, { backend: rec.backend, netns: rec.netns ?? undefined });
}

/** Tags of ioamkit instances that have chains in this netns (for finding stale rules). */
export async function listQueueRuleTags(options: RulesOptions = {}): Promise<string[]> {
  const where = { netns: options.netns };
  const backend = options.backend ?? (await detectBackend(where));
  const tags = new Set<string>();
  for (const c of (await saveTable(backend, where)).chains) {
    const m = new RegExp(`^${CHAIN_PREFIX}([A-Za-z0-9_]{1,16})-\\d+$`).exec(c);
    if (m) tags.add(m[1]!);
  }
  return [...tags];
}
