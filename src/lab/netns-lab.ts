// A real lab: one network namespace per node, veth pairs created straight into their two
// namespaces (nothing ever appears in the caller's namespace), addresses without DAD, the
// lab's routes, forwarding on routers, the domain-edge filter, each node's IOAM config through
// `ioam --netns NS apply`, and the data plane where a node asks for it. Every step is recorded
// in the lab's state first; any failure takes down what was made.

import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { ConfigError, IoamError } from "../errors.js";
import { type RunResult, run, runOk } from "../linux/run-program.js";
import { startLabAgent, stopAgent } from "./agent-hook.js";
import { runIoamIn, startDaemon, stopDaemon } from "./daemon-hook.js";
import { edgeFilterRules } from "./edge-filter.js";
import { type LabState, fileDigest, labDir, netnsName, netnsPrefix, netnsWithPrefix, readLabState, removeLabState, writeLabState } from "./lab-state.js";
import { nodeApplyFile } from "./node-file.js";
import { formatPrefix } from "./prefix.js";
import type { LabNode, Topology } from "./topology.js";

export interface UpOptions {
  /** The variables the file was read with (recorded, so that `trace` reads it the same way). */
  vars?: Record<string, string>;
  /** One line per step, for a person watching. */
  progress?: (line: string) => void;
  /** NATS servers: every IOAM node then runs `ioam agent` publishing to them (agent-hook.ts). */
  agents?: readonly string[];
}

/** Runs `fn` over `items`, at most `limit` at a time. */
async function eachLimited<T>(items: readonly T[], limit: number, fn: (x: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

export function assertRoot(what: string): void {
  if (process.getuid?.() !== 0) throw new IoamError("NOT_SUPPORTED", `${what} needs root (network namespaces, veth, sysctls); run it with sudo, or use --emulate, which needs none`);
}

function checkNoClash(t: Topology): void {
  const existing = readLabState(t.name);
  const stray = netnsWithPrefix(netnsPrefix(t.name));
  if (existing || stray.length) {
    throw new ConfigError(`${t.nameWhere}: name`, `name clash: a lab named "${t.name}" is already up (${existing ? `from ${existing.file}` : `namespaces ${stray.join(", ")}`}); take it down with 'ioam lab down ${t.name}', or give this one another name (--name)`);
  }
}

async function createNamespace(node: LabNode, ns: string): Promise<void> {
  await runOk("ip", ["netns", "add", ns], { what: `creating netns for ${node.name}` });
  // No DAD: addresses are usable at once. "all" also sets "default", so later links inherit it.
  const sysctls = ["net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.default.accept_dad=0", `net.ipv6.conf.all.forwarding=${node.kind === "router" ? 1 : 0}`];
  await runOk("sysctl", ["-qw", ...sysctls], { netns: ns, what: `sysctls of ${node.name}` });
}

/** The `ip -batch` lines of one node: loopback, MTU, addresses, links up, then routes. */
function ipBatch(node: LabNode): string {
  const lines = ["link set lo up"];
  for (const i of node.interfaces) lines.push(`link set ${i.name} mtu ${i.mtu}`, `addr add ${i.addressText}/${i.prefixLength} dev ${i.name} nodad`, `link set ${i.name} up`);
  for (const r of node.routes) lines.push(`route add ${formatPrefix(r.prefix)} via ${r.viaText} dev ${r.dev}`);
  return lines.join("\n") + "\n";
}

async function wire(t: Topology, s: LabState): Promise<void> {
  for (const l of t.links) {
    const [a, b] = l.ends;
    // Both ends are named inside their own namespaces, never in ours: no clash with the host's interfaces.
    await runOk("ip", ["link", "add", "name", a.ifname, "netns", s.nodes[a.node]!.netns, "type", "veth", "peer", "name", b.ifname, "netns", s.nodes[b.node]!.netns], { what: `link ${a.node}:${a.ifname}–${b.node}:${b.ifname}` });
  }
  await eachLimited([...t.nodes.values()], 4, async (n) => {
    await runOk("ip", ["-batch", "-"], { netns: s.nodes[n.name]!.netns, input: ipBatch(n), what: `addresses and routes of ${n.name}` });
    const edges = n.interfaces.filter((i) => i.edge).map((i) => i.name);
    if (edges.length) await runOk("ip6tables-restore", ["--noflush"], { netns: s.nodes[n.name]!.netns, input: edgeFilterRules(edges), what: `domain-edge filter of ${n.name}` });
  });
}

async function configure(t: Topology, s: LabState, progress: (l: string) => void): Promise<void> {
  const nodes = [...t.nodes.values()].filter((n) => s.nodes[n.name]!.file);
  let done = 0;
  await eachLimited(nodes, 4, async (n) => {
    const r = await runIoamIn(s.nodes[n.name]!.netns, ["apply", s.nodes[n.name]!.file!, "--json"]);
    if (r.code !== 0) throw new IoamError("KERNEL", `ioam apply for ${n.name} failed: ${r.stderr.trim()}`);
    progress(`  applied IOAM config of ${n.name} (${++done}/${nodes.length})`);
  });
  // The first daemon runs the NFQUEUE self-test (cached per boot); the others then start side by side.
  const [first, ...rest] = [...t.nodes.values()].filter((n) => n.roles);
  if (!first) return;
  const start = async (n: LabNode) => {
    const rec = s.nodes[n.name]!;
    const dir = labDir(t.name);
    rec.daemon = await startDaemon(n.name, rec.netns, { file: rec.file!, sink: join(dir, `${n.name}.sink.ndjson`), log: join(dir, `${n.name}.log`) });
    writeLabState(s);
    progress(`  data plane of ${n.name}: ${rec.daemon.status}`);
  };
  await start(first);
  await Promise.all(rest.map(start));
}

/** An agent per IOAM node (those with an apply file): its netns's events, and its data plane's sink. */
async function startAgents(t: Topology, s: LabState, servers: readonly string[], progress: (l: string) => void): Promise<void> {
  const nodes = [...t.nodes.values()].filter((n) => s.nodes[n.name]!.file);
  await eachLimited(nodes, 4, async (n) => {
    const rec = s.nodes[n.name]!;
    rec.agent = await startLabAgent(t.name, n.name, rec.netns, { servers, dir: labDir(t.name), ...(rec.daemon ? { sink: rec.daemon.sink } : {}) });
    writeLabState(s);
    progress(`  agent of ${n.name}: publishing to ioam.${t.name}.${n.name}`);
  });
}

/** Brings the lab up; on failure removes everything it made and rethrows. */
export async function labUp(t: Topology, opts: UpOptions = {}): Promise<LabState> {
  assertRoot("ioam lab up");
  checkNoClash(t);
  const progress = opts.progress ?? (() => {});
  const s: LabState = { v: 1, name: t.name, file: resolve(t.file), vars: opts.vars ?? {}, created: new Date().toISOString(), complete: false, nodes: {} };
  const digest = fileDigest(t.file);
  if (digest) s.sha256 = digest;
  for (const n of t.nodes.values()) s.nodes[n.name] = { netns: netnsName(t.name, n.name), kind: n.kind };
  writeLabState(s);
  try {
    for (const n of t.nodes.values()) {
      const text = nodeApplyFile(t, n);
      if (text === undefined) continue;
      s.nodes[n.name]!.file = join(labDir(t.name), `${n.name}.ioam.yaml`);
      writeFileSync(s.nodes[n.name]!.file!, text);
    }
    writeLabState(s);
    progress(`creating ${t.nodes.size} namespaces and ${t.links.length} links`);
    await eachLimited([...t.nodes.values()], 4, (n) => createNamespace(n, s.nodes[n.name]!.netns));
    await wire(t, s);
    progress("configuring IOAM");
    await configure(t, s, progress);
    if (opts.agents?.length) await startAgents(t, s, opts.agents, progress);
    s.complete = true;
    writeLabState(s);
    return s;
  } catch (e) {
    await labDown(t.name).catch(() => undefined);
    throw e;
  }
}

/** Takes a lab down: daemons, namespaces (with their links, rules and sysctls), state. Returns the namespaces removed. */
export async function labDown(name: string, progress: (line: string) => void = () => {}): Promise<string[]> {
  assertRoot("ioam lab down");
  const s = readLabState(name);
  const agents = Object.values(s?.nodes ?? {}).flatMap((n) => (n.agent ? [n.agent] : []));
  if (agents.length) progress(`stopping ${agents.length} agent(s)`);
  await Promise.all(agents.map(stopAgent)); // before the data planes: the last sink records get out
  const daemons = Object.entries(s?.nodes ?? {}).filter(([, n]) => n.daemon);
  const running = daemons.filter(([, n]) => n.daemon!.status === "running").length;
  if (running) progress(`stopping ${running} data plane(s)`);
  await Promise.all(daemons.map(([, n]) => stopDaemon(n.netns, n.daemon!)));
  // Also namespaces a crash left before the state named them.
  const all = [...new Set([...Object.values(s?.nodes ?? {}).map((n) => n.netns), ...netnsWithPrefix(netnsPrefix(name))])];
  const removed: string[] = [];
  for (const ns of all) {
    const r: RunResult = await run("ip", ["netns", "del", ns]);
    if (r.code === 0) removed.push(ns);
  }
  removeLabState(name);
  return removed;
}
