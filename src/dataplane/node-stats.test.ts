// The Prometheus text and the human lines of `ioam node stats`, from one stats object.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { COUNTERS, type CounterName } from "./node-counters.js";
import { type NodeStats, prometheusText, statsLines, timestampSource } from "./node-stats.js";

const counters = Object.fromEntries(COUNTERS.map((n, i) => [n, i])) as Record<CounterName, number>;
const stats: NodeStats = {
  v: 1, pid: 42, netns: 'r"1', file: "r1.yaml", startedAt: "2026-01-01T00:00:00Z", uptimeSeconds: 9,
  role: { encapPolicies: 1, decap: 1, transit: "kernel", ownedIngresses: ["west"], failure: "open", workers: 1, queues: "0" },
  counters, timestampSource: "kernel", latencyUs: { samples: 10, p50: 12.3, p99: 99.5 },
  queue: { received: 5, accepted: 1, dropped: 0, replaced: 4, padded: 0, tooLong: 0, passedUnchanged: 0, lost: 0 },
  rulePackets: 8, bypassed: 3, sink: { path: null, records: 0, dropped: 0 }, traceContext: { socket: "/run/ioamkit/h1.sock" }, notes: ["a note"],
};

describe("node stats output", () => {
  it("Prometheus text: every counter once as _total with its value, drops by reason, quantiles, labels escaped", () => {
    const text = prometheusText(stats);
    for (const n of COUNTERS.filter((c) => !c.startsWith("drop_"))) assert.match(text, new RegExp(`^ioam_node_${n}_total\\{netns="r\\\\"1"\\} ${counters[n]}$`, "m"), n);
    assert.match(text, /^ioam_node_dropped_by_reason_total\{netns="r\\"1",reason="bad-padding"\} \d+$/m);
    assert.match(text, /^ioam_node_bypassed_total\{netns="r\\"1"\} 3$/m);
    assert.match(text, /^ioam_node_latency_microseconds\{netns="r\\"1",quantile="0.99"\} 99.5$/m);
    assert.match(text, /^ioam_node_timestamp_source\{netns="r\\"1",source="kernel"\} 1$/m);
    for (const l of text.trim().split("\n")) assert.match(l, /^(# (HELP|TYPE) \S+ .+|ioam_node_\w+\{[^}]*\} [\d.]+)$/, l);
  });

  it("human lines name the bypass arithmetic and the notes; the timestamp source follows the counters", () => {
    const lines = statsLines(stats).join("\n");
    assert.match(lines, /bypassed \(matched by the rules, never seen by the daemon\) 3 = rule packets 8 − seen 0/);
    assert.match(lines, /note: a note/);
    assert.match(lines, new RegExp(`trace context \\(/run/ioamkit/h1\\.sock\\): registered ${counters.trace_context_registered}, http ${counters.trace_context_http}, none ${counters.trace_context_none}`));
    assert.doesNotMatch(statsLines({ ...stats, traceContext: null }).join("\n"), /trace context/);
    assert.equal(timestampSource({ ...counters, ts_kernel: 0, ts_clock: 0 }), "none");
    assert.equal(timestampSource({ ...counters, ts_kernel: 0, ts_clock: 2 }), "clock");
    assert.equal(timestampSource({ ...counters, ts_kernel: 1, ts_clock: 2 }), "both");
  });
});
