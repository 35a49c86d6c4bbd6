// What the data plane counts, laid out in a SharedArrayBuffer: one region per worker (each
// written by its worker alone, plain stores on the hot path), read and summed by the main
// thread for `ioam node stats`, the Prometheus endpoint and the state at exit. Each region
// also holds a latency histogram: kernel receive time → verdict, in 1/8-octave buckets of µs.

import { LINUX_VERDICTS } from "../node/linux-verdict.js";

/** Why the data plane dropped a packet: the engine's transit reasons, and its own. */
export const DROP_REASONS = [
  "truncated-header",
  "bad-padding",
  "too-many-options",
  "option-overrun",
  "unknown-option",
  "bad-router-alert",
  "jumbo",
  ...LINUX_VERDICTS.filter((v) => v.startsWith("drop-")),
  /** RFC 9322 Active flag: a measurement packet ends at the decapsulating node. */
  "active-terminated",
  /** Fail-closed only: a packet the handler failed on. */
  "handler-error",
] as const;
export type DropReason = (typeof DROP_REASONS)[number];

/** Counters, in region order. Names are the stats' and (with ioamkit_node_ and _total) Prometheus's. */
export const COUNTERS = [
  "seen",
  "encapsulated",
  "encap_inline",
  "encap_outer",
  "decapsulated",
  "decap_padded",
  "filled",
  "overflowed",
  "already_overflowed",
  "ignored",
  "pot_updated",
  "pot_verified",
  "pot_failed",
  "passed",
  "replaced",
  "padded",
  "dropped",
  "encap_skipped_mtu",
  "encap_skipped_frequency",
  "encap_skipped_hop_by_hop",
  "encap_skipped_hop_limit",
  "too_long",
  "ts_kernel",
  "ts_clock",
  "sink_records",
  "sink_dropped",
  "dex_exports",
  "handler_errors",
  /** Encapsulated packets whose trace context came from the local API, an HTTP header, or nowhere (docs/cross-layer.md). */
  "trace_context_registered",
  "trace_context_http",
  "trace_context_none",
  ...DROP_REASONS.map((r) => `drop_${r.replaceAll("-", "_")}` as const),
] as const;
export type CounterName = (typeof COUNTERS)[number];

/** Index of each counter in a region. */
export const C = Object.fromEntries(COUNTERS.map((n, i) => [n, i])) as Readonly<Record<CounterName, number>>;

/** Latency buckets: bucket i holds delays in [2^(i/8), 2^((i+1)/8)) µs; 0 also holds everything below 1 µs. */
export const LATENCY_BUCKETS = 8 * 24;
const REGION = COUNTERS.length + LATENCY_BUCKETS;

export const dropCounter = (r: DropReason): number => C[`drop_${r.replaceAll("-", "_")}` as CounterName]!;

/** The shared counters of `workers` regions. */
export function newCounterBuffer(workers: number): SharedArrayBuffer {
  return new SharedArrayBuffer(workers * REGION * Float64Array.BYTES_PER_ELEMENT);
}

/** Worker `i`'s region: counters at [0, COUNTERS.length), the histogram after them. */
export function counterRegion(sab: SharedArrayBuffer, i: number): Float64Array {
  return new Float64Array(sab, i * REGION * Float64Array.BYTES_PER_ELEMENT, REGION);
}

/** Adds one delay (µs) to the histogram of `region`. */
export function recordLatency(region: Float64Array, us: number): void {
  const b = us < 1 ? 0 : Math.min(LATENCY_BUCKETS - 1, Math.floor(8 * Math.log2(us)));
  region[COUNTERS.length + b]!++;
}

export interface CounterSnapshot {
  counters: Record<CounterName, number>;
  /** Delays from the kernel's receive time to the verdict, µs (bucket upper bounds: within 9%); null without samples. */
  latencyUs: { samples: number; p50: number | null; p99: number | null };
}

/** Sums the regions of every worker. */
export function snapshotCounters(sab: SharedArrayBuffer, workers: number): CounterSnapshot {
  const counters = Object.fromEntries(COUNTERS.map((n) => [n, 0])) as Record<CounterName, number>;
  const hist = new Float64Array(LATENCY_BUCKETS);
  for (let w = 0; w < workers; w++) {
    const r = counterRegion(sab, w);
    COUNTERS.forEach((n, i) => (counters[n] += r[i]!));
    for (let b = 0; b < LATENCY_BUCKETS; b++) hist[b] = hist[b]! + r[COUNTERS.length + b]!;
  }
  return { counters, latencyUs: percentiles(hist) };
}

function percentiles(hist: Float64Array): CounterSnapshot["latencyUs"] {
  const samples = hist.reduce((a, b) => a + b, 0);
  const at = (q: number): number | null => {
    if (samples === 0) return null;
    let seen = 0;
    for (let b = 0; b < hist.length; b++) if ((seen += hist[b]!) >= q * samples) return Math.round(2 ** ((b + 1) / 8) * 10) / 10;
    return null;
  };
  return { samples, p50: at(0.5), p99: at(0.99) };
}
