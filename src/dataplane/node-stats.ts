// What `ioam node stats` prints and the Prometheus endpoint serves: the daemon's counters (all
// workers summed), the queue socket's own counts, and the packets that went by uninstrumented.
// The kernel does not count fail-open passes anywhere (nfnetlink_queue accepts a packet its
// queue has no room for without a counter), so they are the rule's packet counter minus what
// the daemon saw. At a decapsulating node such a packet is lost, not merely uninstrumented:
// the kernel cannot take the tunnel packet apart itself.

import type { CounterName, CounterSnapshot } from "./node-counters.js";
import { COUNTERS, DROP_REASONS } from "./node-counters.js";
import type { PacketPathStats } from "./packet-path.js";

export interface NodeStats {
  v: 1;
  pid: number;
  netns: string | null;
  file: string;
  startedAt: string;
  uptimeSeconds: number;
  role: { encapPolicies: number; decap: number; transit: "kernel" | "all"; ownedIngresses: string[]; failure: "open" | "closed"; workers: number; queues: string };
  counters: Record<CounterName, number>;
  /** Where timestamps came from: the kernel's receive time (NFQA_TIMESTAMP), the daemon's clock, both, or none yet. */
  timestampSource: "kernel" | "clock" | "both" | "none";
  latencyUs: CounterSnapshot["latencyUs"];
  queue: PacketPathStats;
  /** Packets the queue rules matched (since start, across reloads). */
  rulePackets: number;
  /** rulePackets − seen: went by uninstrumented (fail-open: queue full or daemon gone), or dropped (fail-closed). */
  bypassed: number;
  sink: { path: string | null; records: number; dropped: number };
  /** Cross-layer telemetry (docs/cross-layer.md): on, with its local API's socket (null: HTTP headers only); null when off. */
  traceContext: { socket: string | null } | null;
  notes: string[];
}

export function timestampSource(c: Record<CounterName, number>): NodeStats["timestampSource"] {
  if (c.ts_kernel && c.ts_clock) return "both";
  return c.ts_kernel ? "kernel" : c.ts_clock ? "clock" : "none";
}

const dropCount = (c: Record<CounterName, number>, r: string): number => c[`drop_${r.replaceAll("-", "_")}` as CounterName] ?? 0;
const label = (v: string) => v.replace(/[\\"\n]/g, (c) => (c === "\n" ? "\\n" : `\\${c}`));

/** The Prometheus text exposition of the stats (counters as _total, latency and state as gauges). */
export function prometheusText(s: NodeStats): string {
  const ns = `netns="${label(s.netns ?? "")}"`;
  const lines: string[] = [];
  const counter = (name: string, help: string, value: number, extra = "") => lines.push(`# HELP ioam_node_${name}_total ${help}`, `# TYPE ioam_node_${name}_total counter`, `ioam_node_${name}_total{${ns}${extra}} ${value}`);
  for (const n of COUNTERS) if (!n.startsWith("drop_")) counter(n, `ioam node run: ${n.replaceAll("_", " ")}`, s.counters[n] ?? 0);
  lines.push("# HELP ioam_node_dropped_by_reason_total packets dropped, by reason", "# TYPE ioam_node_dropped_by_reason_total counter");
  for (const r of DROP_REASONS) lines.push(`ioam_node_dropped_by_reason_total{${ns},reason="${r}"} ${dropCount(s.counters, r)}`);
  counter("rule_packets", "packets the NFQUEUE rules matched", s.rulePackets);
  counter("bypassed", "packets the rules matched that the daemon never saw (uninstrumented under fail-open; lost at a decapsulating node)", s.bypassed);
  lines.push("# HELP ioam_node_latency_microseconds kernel receive time to verdict, quantiles over the daemon's life", "# TYPE ioam_node_latency_microseconds gauge");
  for (const [q, v] of [["0.5", s.latencyUs.p50], ["0.99", s.latencyUs.p99]] as const) if (v !== null) lines.push(`ioam_node_latency_microseconds{${ns},quantile="${q}"} ${v}`);
  lines.push("# HELP ioam_node_timestamp_source 1 for the source of the timestamps written", "# TYPE ioam_node_timestamp_source gauge");
  lines.push(`ioam_node_timestamp_source{${ns},source="${s.timestampSource}"} 1`);
  lines.push("# HELP ioam_node_up_seconds time since start", "# TYPE ioam_node_up_seconds gauge", `ioam_node_up_seconds{${ns}} ${s.uptimeSeconds}`);
  return lines.join("\n") + "\n";
}

/** The human form of `ioam node stats`. */
export function statsLines(s: NodeStats): string[] {
  const c = s.counters;
  const drops = DROP_REASONS.map((r) => [r, dropCount(c, r)] as const).filter(([, n]) => n > 0);
  const lat = s.latencyUs.samples ? `p50 ${s.latencyUs.p50} µs, p99 ${s.latencyUs.p99} µs (${s.latencyUs.samples} samples)` : "no samples (no kernel timestamps)";
  return [
    `ioam node run pid ${s.pid}${s.netns ? ` in netns ${s.netns}` : ""}, up ${s.uptimeSeconds} s, ${s.file}`,
    `  role: ${s.role.encapPolicies} encap polic${s.role.encapPolicies === 1 ? "y" : "ies"}, ${s.role.decap} decap item(s), transit ${s.role.transit}, owns ${s.role.ownedIngresses.join(", ") || "no ingress"}, fail-${s.role.failure}, ${s.role.workers} worker(s), queue ${s.role.queues}`,
    `  seen ${c.seen}  encapsulated ${c.encapsulated} (inline ${c.encap_inline}, encap ${c.encap_outer})  decapsulated ${c.decapsulated}  filled ${c.filled}  passed ${c.passed}  dropped ${c.dropped}`,
    `  not encapsulated: frequency ${c.encap_skipped_frequency}, mtu ${c.encap_skipped_mtu}, hop-by-hop present ${c.encap_skipped_hop_by_hop}, hop limit ${c.encap_skipped_hop_limit}`,
    `  bypassed (matched by the rules, never seen by the daemon) ${s.bypassed} = rule packets ${s.rulePackets} − seen ${c.seen}`,
    `  timestamps: ${s.timestampSource} (kernel receive time ${c.ts_kernel}, daemon clock ${c.ts_clock}); latency receive → verdict ${lat}`,
    `  sink: ${s.sink.path ?? "none"}, ${s.sink.records} records, ${s.sink.dropped} dropped`,
    ...(s.traceContext ? [`  trace context (${s.traceContext.socket ?? "HTTP headers only"}): registered ${c.trace_context_registered}, http ${c.trace_context_http}, none ${c.trace_context_none}`] : []),
    ...(drops.length ? [`  drops: ${drops.map(([r, n]) => `${r} ${n}`).join(", ")}`] : []),
    ...s.notes.map((n) => `  note: ${n}`),
  ];
}
