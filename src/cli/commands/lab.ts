// `ioam lab up|down|status|exec|trace`: labs from topology files (docs/lab.md), real — one
// network namespace per node, as root — or emulated in-process with --emulate.

import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { serverUrls } from "../../collector/stream/nats-config.js";
import { IoamError, UsageError } from "../../errors.js";
import { Emulation } from "../../lab/emulation.js";
import { fileDigest, listLabs, readLabState } from "../../lab/lab-state.js";
import { loadTopology } from "../../lab/load.js";
import { liveStatus } from "../../lab/background.js";
import { labDown, labUp } from "../../lab/netns-lab.js";
import { buildProbes } from "../../lab/probes.js";
import { traceReal } from "../../lab/real-trace.js";
import type { Topology } from "../../lab/topology.js";
import { traceEmulated } from "../../lab/trace.js";
import type { Parsed } from "../args.js";
import type { CommandSpec } from "../spec.js";
import { V } from "../values.js";
import { LAB_DESCRIPTION } from "./lab-help.js";
import { pathText, probeJson, probeLines, probeOptions } from "./lab-trace.js";

const say = (line: string) => process.stdout.write(line + "\n");
const note = (line: string) => process.stderr.write(line + "\n");
const ms = (since: number) => `${Date.now() - since} ms`;

/** Splits positional words into plain words and NAME=VALUE variable assignments. */
function splitAssignments(words: readonly string[]): { words: string[]; vars: Record<string, string> } {
  const vars: Record<string, string> = {};
  const rest: string[] = [];
  for (const w of words) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(w);
    if (m) vars[m[1]!] = m[2]!;
    else rest.push(w);
  }
  return { words: rest, vars };
}

function topology(file: string, a: Parsed, vars: Record<string, string>): Topology {
  const name = a.text("name");
  return loadTopology(file, { vars, ...(name !== undefined ? { name } : {}) });
}

async function up(a: Parsed, args: string[]): Promise<number> {
  const { words, vars } = splitAssignments(args);
  if (words.length !== 1) throw new UsageError("usage: ioam lab up FILE [NAME=VALUE…] [--name NAME] [--emulate | --agents nats://HOST:PORT] [--json]");
  const started = Date.now();
  const t = topology(words[0]!, a, vars);
  if (a.has("emulate")) return upEmulated(t, a.has("json"), started);
  // ^C or a kill while the lab is being made: take down what exists, then go.
  const abort = (sig: NodeJS.Signals) => void labDown(t.name).finally(() => process.exit(sig === "SIGINT" ? 130 : 143));
  process.once("SIGINT", abort).once("SIGTERM", abort);
  const agents = a.text("agents");
  const s = await labUp(t, { vars, progress: a.has("json") ? () => {} : note, ...(agents !== undefined ? { agents: serverUrls(agents) } : {}) });
  process.off("SIGINT", abort).off("SIGTERM", abort);
  if (a.has("json")) say(JSON.stringify({ ...s, seconds: (Date.now() - started) / 1000 }));
  else {
    say(`lab ${t.name} is up (${t.nodes.size} nodes, ${t.links.length} links) in ${ms(started)}`);
    for (const [name, n] of Object.entries(s.nodes)) say(`  ${name.padEnd(8)} ${n.netns}${n.daemon ? `  data plane: ${n.daemon.status}` : ""}${n.agent ? `  agent: ${n.agent.status}` : ""}`);
    say(`try: ioam lab exec ${t.name} ${[...t.nodes.keys()][0]} -- ip -6 addr; ioam lab down ${t.name}`);
  }
  return 0;
}

/** An emulated lab lives only in this process: build it, show that the hosts reach each other. */
function upEmulated(t: Topology, json: boolean, started: number): number {
  const emu = new Emulation(t);
  const hosts = [...t.nodes.values()].filter((n) => n.kind === "host").map((n) => n.name).slice(0, 8);
  const pairs = hosts.flatMap((s) => hosts.filter((d) => d !== s).map((d) => [s, d] as const));
  const checks = pairs.map(([s, d]) => {
    const [probe] = buildProbes(t, s, d, { count: 1, protos: ["icmp"], hopLimit: 64, insert: [] });
    const j = emu.send(s, probe!.packet);
    const fate = (x: typeof j) => (x.end.kind === "delivered" ? "delivered" : `dropped at ${x.end.node}: ${x.end.reason}`);
    return { src: s, dst: d, path: [s, ...j.hops.map((h) => h.to)], echo: fate(j), ...(j.reply ? { reply: fate(j.reply) } : {}) };
  });
  if (json) say(JSON.stringify({ name: t.name, emulated: true, nodes: t.nodes.size, links: t.links.length, ms: Date.now() - started, ping: checks }));
  else {
    say(`emulated lab ${t.name}: ${t.nodes.size} nodes, ${t.links.length} links, built in ${ms(started)} (in this process only; nothing to take down)`);
    for (const c of checks) say(`  ping ${c.src} → ${c.dst}: ${c.echo}, reply ${c.reply ?? "none"}; path ${pathText(c.path)}`);
  }
  return 0;
}

/** A lab name from FILE (its name:, or --name) or the argument itself. */
function labName(arg: string, a: Parsed): string {
  const name = a.text("name");
  if (name !== undefined) return name;
  if (!existsSync(arg)) return arg;
  const m = /^name:\s*["']?([a-z0-9][a-z0-9_-]*)/m.exec(readFileSync(arg, "utf8"));
  if (!m) throw new UsageError(`${arg} has no name: line; give the lab's name instead`);
  return m[1]!;
}

async function down(a: Parsed, args: string[]): Promise<number> {
  if (args.length !== 1) throw new UsageError("usage: ioam lab down FILE|NAME [--name NAME] [--json]");
  const name = labName(args[0]!, a);
  const started = Date.now();
  const removed = await labDown(name, a.has("json") ? () => {} : note);
  if (a.has("json")) say(JSON.stringify({ name, removed }));
  else say(removed.length ? `lab ${name} is down: removed ${removed.length} namespaces in ${ms(started)}` : `no lab named ${name} was up (nothing removed)`);
  return 0;
}

function status(a: Parsed, args: string[]): number {
  const names = args.length ? args : listLabs();
  const labs = names.map((name) => {
    const s = readLabState(name);
    if (!s) throw new IoamError("BAD_CONFIG", `no lab named ${name} is up (labs: ${listLabs().join(", ") || "none"})`);
    const nodes = Object.entries(s.nodes).map(([node, n]) => ({
      node,
      ...n,
      ...(n.daemon ? { daemon: { ...n.daemon, status: liveStatus(n.daemon) } } : {}),
      ...(n.agent ? { agent: { ...n.agent, status: liveStatus(n.agent) } } : {}),
      present: existsSync(`/run/netns/${n.netns}`),
    }));
    return { name, file: s.file, created: s.created, complete: s.complete, vars: s.vars, nodes };
  });
  if (a.has("json")) say(JSON.stringify(labs));
  else if (labs.length === 0) say("no labs are up");
  for (const l of a.has("json") ? [] : labs) {
    say(`${l.name}  ${l.complete ? "up" : "incomplete (ioam lab down removes it)"}  ${l.file}  since ${l.created}`);
    for (const n of l.nodes) say(`  ${n.node.padEnd(8)} ${n.kind.padEnd(6)} ${n.netns}${n.present ? "" : " (namespace missing)"}${n.daemon ? `  data plane: ${n.daemon.status}` : ""}${n.agent ? `  agent: ${n.agent.status} (log ${n.agent.log})` : ""}`);
  }
  return 0;
}

function exec(args: string[]): number {
  const [name, node, ...cmd] = args;
  if (name === undefined || node === undefined || cmd.length === 0) throw new UsageError("usage: ioam lab exec NAME NODE -- CMD [ARGS…]");
  const s = readLabState(name);
  if (!s) throw new IoamError("BAD_CONFIG", `no lab named ${name} is up (labs: ${listLabs().join(", ") || "none"})`);
  const n = s.nodes[node];
  if (!n) throw new UsageError(`lab ${name} has no node ${node} (nodes: ${Object.keys(s.nodes).join(", ")})`);
  const r = spawnSync("ip", ["netns", "exec", n.netns, ...cmd], { stdio: "inherit" });
  if (r.error) throw new IoamError("NOT_SUPPORTED", `cannot run ${cmd[0]} in ${n.netns}: ${r.error.message}`);
  return r.status ?? 1;
}

async function trace(a: Parsed, args: string[]): Promise<number> {
  const { words, vars } = splitAssignments(args);
  if (words.length !== 3) throw new UsageError("usage: ioam lab trace FILE SRC DST [NAME=VALUE…] [--count N] [--proto icmp|udp|both] [--insert WORDS] [--emulate] [--json]");
  const [file, src, dst] = words as [string, string, string];
  const started = Date.now();
  let t = topology(file, a, vars);
  const o = probeOptions(a);
  let traces;
  if (a.has("emulate")) traces = traceEmulated(t, src, dst, o);
  else {
    const s = readLabState(t.name);
    if (!s) throw new IoamError("BAD_CONFIG", `lab ${t.name} is not up: run 'ioam lab up ${file}' first, or trace an emulation with --emulate`);
    t = topology(file, a, { ...s.vars, ...vars }); // read the file as the running lab was
    if (s.sha256 && fileDigest(file) !== s.sha256) note(`warning: ${file} has changed since lab ${t.name} came up; the trace follows the file as it is now`);
    if (!a.has("json")) note(`tracing ${src} → ${dst} in lab ${t.name}: ${o.count * o.protos.length} probe(s)…`);
    traces = await traceReal(t, s, src, dst, o);
  }
  for (const p of traces) a.has("json") ? say(probeJson(p)) : say(probeLines(t, p).join("\n"));
  if (!a.has("json")) say(`${a.has("emulate") ? "emulated" : "real"} lab ${t.name}: ${traces.length} probe(s) in ${ms(started)}`);
  return 0;
}

async function run(a: Parsed): Promise<number> {
  const args = [...a.words];
  switch (a.form.verb) {
    case "up": return up(a, args);
    case "down": return down(a, args);
    case "status": return status(a, args);
    case "exec": return exec(args);
    default: return trace(a, args);
  }
}

const SETTINGS = "[SETTING...]";

export const labCommand: CommandSpec = {
  name: "lab",
  summary: "IOAM labs from a topology file: network namespaces (root) or an in-process emulation",
  description: LAB_DESCRIPTION,
  forms: [
    { verb: "up", words: `FILE ${SETTINGS}`, flags: ["name", "emulate", "agents", "json"] },
    { verb: "down", words: "FILE|LAB", flags: ["name", "json"] },
    { verb: "status", isDefault: true, words: "[LAB...]", flags: ["json"] },
    { verb: "exec", words: "LAB NODE -- CMD [ARG...]", flags: [] },
    { verb: "trace", words: `FILE SRC DST ${SETTINGS}`, flags: ["count", "proto", "hop-limit", "insert", "name", "emulate", "json"] },
  ],
  flags: [
    { name: "name", help: "the lab's name instead of the file's name:", value: { placeholder: "LAB", spec: V.text("a lab name: lower-case letters, digits, - and _") } },
    { name: "agents", help: "every IOAM node runs ioam agent (its netns's kernel events, its data plane's sink) publishing to these NATS servers as ioam.LAB.NODE; credentials from IOAM_NATS_* (docs/deployment.md)", value: { placeholder: "nats://HOST:PORT[,…]", spec: V.text("NATS server URLs, comma-separated") }, notWith: ["emulate"] },
    { name: "emulate", help: "build the lab in this process on the IOAM engine (no root, nothing to take down)" },
    { name: "json", help: "print JSON (trace: one line per probe with the canonical option records)" },
    { name: "count", help: "probes of each protocol", value: { placeholder: "N", spec: V.count("probes of each protocol", 1000n), default: "1" } },
    { name: "proto", help: "which probes to send", value: { placeholder: "PROTO", spec: V.choice("the probes' protocol", ["icmp", "udp", "both"]), default: "both" } },
    { name: "hop-limit", help: "the probes' hop limit", value: { placeholder: "N", spec: V.num("a hop limit", 255n, 1n), default: "64" } },
    { name: "insert", help: "IOAM options the probes leave SRC with, empty (option words as ioam encode takes them)", value: { placeholder: "WORDS", spec: V.text('option words in one argument, e.g. "trace prealloc type 0x800000 ns 123 size 12"') } },
  ],
  values: {
    FILE: V.file("a topology file (docs/lab.md)"),
    SETTING: V.text("NAME=VALUE: the value of ${NAME} (or ${NAME:=default}) in the file"),
    LAB: V.text("the name of a lab that is up"),
    NODE: V.text("a node of the lab"),
    SRC: V.text("the node the probes leave"),
    DST: V.text("the node they are sent to"),
    CMD: V.text("a program to run inside the node's network namespace"),
    ARG: V.text("its arguments"),
  },
  examples: [
    { cmd: "ioam lab up examples/diamond.yaml --emulate", runnable: true },
    { cmd: "ioam lab trace examples/diamond.yaml h1 h2 --emulate", runnable: true },
    { cmd: 'ioam lab trace examples/diamond.yaml h1 h2 TRACE="type 0x440000 size 24" --emulate --json', runnable: true },
    { cmd: "sudo ioam lab up examples/diamond.yaml MODE=inline" },
    { cmd: "sudo ioam lab exec diamond h1 -- ping -c 3 fd00:20::2" },
    { cmd: 'sudo ioam lab trace examples/ioam6-selftest.yaml alpha gamma --insert "trace prealloc type 0x800000 ns 123 size 12"' },
    { cmd: "sudo ioam lab down diamond" },
  ],
  run,
};
