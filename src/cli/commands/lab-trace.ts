// `ioam lab trace FILE SRC DST`: probes through a lab (real or --emulate) and each hop's IOAM
// data as a table, in path order with the lab's node names — or, with --json, one line per
// probe holding the canonical IOAM option records of what arrived.

import type { Topology } from "../../lab/topology.js";
import type { ProbeOptions, ProbeProto } from "../../lab/probes.js";
import type { ProbeTrace } from "../../lab/trace.js";
import { parseOptionWords } from "../../wire/ioam/option-words.js";
import type { IoamOption } from "../../wire/ioam/option.js";
import type { TraceBody } from "../../wire/ioam/trace.js";
import { formatTraceType } from "../../wire/ioam/trace-type.js";
import { JsonBytes } from "../../wire/json/json-bytes.js";
import { writeList, writeOption } from "../../wire/json/record-json.js";
import type { Parsed } from "../args.js";
import { columnsFor, optionLines } from "../format-packet.js";

/** The probe options of the command line. */
export function probeOptions(a: Parsed): ProbeOptions {
  const proto = a.text("proto") as "icmp" | "udp" | "both";
  const insertText = a.text("insert");
  const insert: ProbeOptions["insert"] = insertText === undefined ? [] : parseOptionWords(insertText.trim().split(/\s+/));
  return { count: a.num("count"), protos: proto === "both" ? ["icmp", "udp"] : [proto as ProbeProto], hopLimit: a.num("hop-limit"), insert };
}

/** Node names by IOAM node id (the lab knows which node has which id). */
function namesById(t: Topology): Map<number, string> {
  const out = new Map<number, string>();
  for (const n of t.nodes.values()) if (n.ioam?.node?.id !== undefined) out.set(n.ioam.node.id, n.name);
  return out;
}

/** What a trace says about itself: its kind, how many entries, and whether (and why) it overflowed. */
export function traceSummary(o: TraceBody & { variant: "prealloc" | "incremental" }): string {
  const kind = o.variant === "prealloc" ? "pre-allocated" : "incremental";
  const entries = (n: number) => `${n} entr${n === 1 ? "y" : "ies"}`;
  const why = o.variant === "prealloc" ? "the pre-allocated space ran out" : "the option reached its size limit";
  const overflow = o.flags.overflow ? `, Overflow set: ${why} after ${entries(o.nodes.length)} and later nodes could not write theirs` : "";
  return `${kind} trace ns ${o.namespaceId} type ${formatTraceType(o.traceType)}: ${entries(o.nodes.length)}${overflow}`;
}

/** The trace's node table in path order (oldest first), with the lab's node names. */
function hopTable(o: TraceBody, names: Map<number, string>): string[] {
  const cols = columnsFor(o.traceType);
  const path = [...o.nodes].reverse();
  const head = ["hop", "name", ...cols.map((c) => c.title)];
  const rows = path.map((n, i) => [String(i + 1), n.nodeId !== undefined ? (names.get(n.nodeId) ?? "?") : "-", ...cols.map((c) => c.cell(n))]);
  const widths = head.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j]!.length)));
  const fmt = (cells: string[]) => "    " + cells.map((c, j) => (j === 1 ? c.padEnd(widths[j]!) : c.padStart(widths[j]!))).join("  ");
  return [fmt(head), ...rows.map(fmt)];
}

function optionText(o: IoamOption, names: Map<number, string>): string[] {
  if (o.kind !== "trace") return optionLines(o);
  return [`  ${traceSummary(o)}`, ...(o.nodes.length ? hopTable(o, names) : ["    (no node data)"])];
}

/** A path for people: long ones keep their ends ("h1 → r1 → r2 → r3 … r99 → r100 → h2, 102 nodes"). */
export function pathText(path: readonly string[]): string {
  if (path.length <= 12) return path.join(" → ");
  return `${path.slice(0, 4).join(" → ")} … ${path.slice(-3).join(" → ")} (${path.length} nodes)`;
}

/** Human lines for one probe. */
export function probeLines(t: Topology, p: ProbeTrace): string[] {
  const where = p.at ? `IOAM read from ${p.at.source === "sink" ? `${p.at.node}'s sink` : `a capture on ${p.at.node}:${p.at.ifname}`}` : "no IOAM seen";
  const lines = [`probe ${p.probe.seq} ${p.probe.proto} ${p.probe.src} > ${p.probe.dst}: ${p.end ?? ""}; path ${pathText(p.path)}; ${where}`];
  const names = namesById(t);
  for (const o of p.options) lines.push(...optionText(o, names));
  if (p.potVerified) lines.push(`  proof of transit at ${p.at!.node}: ${p.potVerified.map((v) => (v ? "verified" : "FAILED")).join(", ")}`);
  return lines;
}

/** One JSON line for one probe: the probe, where it was read, and the canonical option records. */
export function probeJson(p: ProbeTrace): string {
  const w = new JsonBytes(1024);
  const head = JSON.stringify({ v: 1, probe: p.probe, path: p.path, ...(p.at ? { at: p.at } : {}), ...(p.potVerified ? { potVerified: p.potVerified } : {}), ...(p.end !== undefined ? { end: p.end } : {}) });
  w.text(head.slice(0, -1) + ',"options":[');
  writeList(w, p.options, writeOption);
  w.text("]}");
  return w.toString();
}
