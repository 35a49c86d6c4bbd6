// What a caller asks to send to NFQUEUE, checked before anything runs, and the ip6tables
// rule text for it (iptables-extensions(8): NFQUEUE --queue-num/--queue-balance/--queue-bypass,
// ipv6header --header hop-by-hop --soft, comment). Each rule gets a chain of ioamkit's own in
// the mangle table, named from the caller's instance tag, and one jump from a built-in chain.

import { parseIpv6Address } from "../../wire/ipv6-address.js";
import { ConfigError } from "../../errors.js";
import { MAX_QUEUE } from "../nfqueue/constants.js";

/** Built-in mangle chains a jump may go into. */
export const QUEUE_HOOKS = ["PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"] as const;
export type QueueHook = (typeof QUEUE_HOOKS)[number];

/** Packets to queue; every given member must match (absent = any). */
export interface QueueMatch {
  /** IPv6 prefix or address, e.g. "fd00:20::/48". */
  destination?: string;
  source?: string;
  /** Input interface (PREROUTING, INPUT, FORWARD); a trailing "+" matches a name prefix. */
  inInterface?: string;
  /** Output interface (FORWARD, OUTPUT, POSTROUTING). */
  outInterface?: string;
  /** Only packets that carry a Hop-by-Hop Options header. */
  hopByHop?: boolean;
  /** Upper-layer protocol number (-p), e.g. 17 for UDP. */
  protocol?: number;
}

export interface QueueRule {
  hook: QueueHook;
  match?: QueueMatch;
  /** One queue, or first..last spread by flow (--queue-balance). */
  queues: { first: number; last?: number };
  /** Let packets pass when no process listens on the queue (default true: never blackhole). */
  bypass?: boolean;
  /** --queue-cpu-fanout: pick the queue by CPU instead of by flow. */
  cpuFanout?: boolean;
}

/** Chain names are at most 28 characters (xtables); "IOAMKIT-" + tag + "-" + index fits with tags of ≤ 16. */
export const TAG_PATTERN = /^[A-Za-z0-9_]{1,16}$/;
export const CHAIN_PREFIX = "IOAMKIT-";

export const chainName = (tag: string, index: number): string => `${CHAIN_PREFIX}${tag}-${index}`;
export const jumpComment = (tag: string): string => `ioamkit:${tag}`;

/** IFNAMSIZ 16 with its NUL: 15 characters, a trailing "+" included (xtables_parse_interface). */
const IFNAME = /^(?=.{1,15}$)[A-Za-z0-9_.:@-]+\+?$/;
const INPUT_HOOKS: readonly QueueHook[] = ["PREROUTING", "INPUT", "FORWARD"];
const OUTPUT_HOOKS: readonly QueueHook[] = ["FORWARD", "OUTPUT", "POSTROUTING"];

function checkPrefix(text: string, path: string): void {
  const [addr, len, extra] = text.split("/");
  const ok = extra === undefined && parseIpv6Address(addr ?? "") !== undefined && (len === undefined || (/^\d{1,3}$/.test(len) && Number(len) <= 128));
  if (!ok) throw new ConfigError(path, `"${text}" is not an IPv6 address or prefix`);
}

function checkMatch(m: QueueMatch, hook: QueueHook, path: string): void {
  if (m.destination !== undefined) checkPrefix(m.destination, `${path}.destination`);
  if (m.source !== undefined) checkPrefix(m.source, `${path}.source`);
  for (const [key, hooks] of [["inInterface", INPUT_HOOKS], ["outInterface", OUTPUT_HOOKS]] as const) {
    const v = m[key];
    if (v === undefined) continue;
    if (!IFNAME.test(v)) throw new ConfigError(`${path}.${key}`, `"${v}" is not an interface name`);
    if (!hooks.includes(hook)) throw new ConfigError(`${path}.${key}`, `${hook} packets have no ${key === "inInterface" ? "input" : "output"} interface to match`);
  }
  if (m.protocol !== undefined && !(Number.isInteger(m.protocol) && m.protocol >= 0 && m.protocol <= 255)) throw new ConfigError(`${path}.protocol`, `${m.protocol} is not a protocol number 0..255`);
}

/** Throws ConfigError naming the member (`rules[i].…`) when the tag or a rule is unusable. */
export function checkQueueRules(tag: string, rules: readonly QueueRule[]): void {
  if (!TAG_PATTERN.test(tag)) throw new ConfigError("tag", `"${tag}" must be 1-16 letters, digits or _ (it names ip6tables chains)`);
  if (rules.length === 0) throw new ConfigError("rules", "no rule to install");
  rules.forEach((r, i) => {
    const path = `rules[${i}]`;
    if (!QUEUE_HOOKS.includes(r.hook)) throw new ConfigError(`${path}.hook`, `"${r.hook}" is not one of ${QUEUE_HOOKS.join(", ")}`);
    const { first, last = first } = r.queues;
    if (!Number.isInteger(first) || !Number.isInteger(last) || first < 0 || last > MAX_QUEUE || last < first) throw new ConfigError(`${path}.queues`, `${first}..${last} is not a queue range within 0..${MAX_QUEUE}`);
    if (r.cpuFanout && last === first) throw new ConfigError(`${path}.cpuFanout`, "needs a queue range (--queue-cpu-fanout picks one of several queues)");
    if (r.match) checkMatch(r.match, r.hook, `${path}.match`);
  });
}

/** The rule inside the chain: matches, then the NFQUEUE target with its options. */
export function queueRuleArgs(r: QueueRule): string[] {
  const m = r.match ?? {};
  const a: string[] = [];
  if (m.source !== undefined) a.push("-s", m.source);
  if (m.destination !== undefined) a.push("-d", m.destination);
  if (m.inInterface !== undefined) a.push("-i", m.inInterface);
  if (m.outInterface !== undefined) a.push("-o", m.outInterface);
  if (m.protocol !== undefined) a.push("-p", String(m.protocol));
  if (m.hopByHop) a.push("-m", "ipv6header", "--header", "hop-by-hop", "--soft");
  const { first, last = first } = r.queues;
  a.push("-j", "NFQUEUE", ...(last > first ? ["--queue-balance", `${first}:${last}`] : ["--queue-num", String(first)]));
  if (r.bypass ?? true) a.push("--queue-bypass");
  if (r.cpuFanout) a.push("--queue-cpu-fanout");
  return a;
}

/** The jump from the built-in chain: unconditional, tagged with a comment for stale cleanup. */
export function jumpArgs(tag: string, chain: string): string[] {
  return ["-m", "comment", "--comment", jumpComment(tag), "-j", chain];
}
