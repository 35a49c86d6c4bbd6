// `ioam analyze`'s engine on a generated 1M-packet capture: per-path counts equal a count made
// here from the generator's own choices, and every hop's p50/p90/p99 is within the sketch's 1%
// of the exact nearest-rank value of the latencies the generator wrote.

import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { GEN_PATHS, genHop, genPathKey, writeJourneyCapture } from "../../bench/collector-traffic.js";
import { type Distribution, analyzeFiles } from "../../src/collector/analyze.js";
import { SKETCH_ALPHA, nearestRank } from "../../src/collector/sketch.js";

const N = 1_000_000;

describe("analyzeFiles() on 1M generated packets", () => {
  it("gives the generator's per-path counts and percentiles within the sketch's bound of exact nearest-rank", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ioam-analyze-"));
    try {
      const file = join(dir, "gen.pcap");
      const counts = new Array<number>(GEN_PATHS.length).fill(0);
      const lat = GEN_PATHS.map((p) => p.nodes.map(() => [] as number[]));
      let seqs = 0;
      writeJourneyCapture(file, N, {
        e2e: true,
        drop: (s) => s % 50 === 7,
        onPacket: (g) => {
          counts[g.path]!++;
          seqs++;
          for (let h = 1; h < GEN_PATHS[g.path]!.nodes.length; h++) lat[g.path]![h]!.push(g.latencyUs[h]! * 1000);
        },
      });
      const r = await analyzeFiles([file]);
      assert.equal(r.frames, N);
      assert.equal(r.journeys, N);
      assert.equal(r.paths.length, GEN_PATHS.length);
      GEN_PATHS.forEach((p, i) => {
        const got = r.paths.find((x) => x.path === genPathKey(p.nodes));
        assert.ok(got, `path ${genPathKey(p.nodes)} reported`);
        assert.equal(got.journeys, counts[i], `journeys on ${got.path}`);
        assert.deepEqual(got.hops.map((h) => h.node), p.nodes.map(genHop));
        for (let h = 1; h < p.nodes.length; h++) {
          const exact = Float64Array.from(lat[i]![h]!).sort();
          const d: Distribution = got.hops[h]!.latencyNs!;
          assert.equal(d.count, exact.length);
          assert.equal(d.max, exact[exact.length - 1]);
          for (const [q, v] of [[0.5, d.p50], [0.9, d.p90], [0.99, d.p99]] as const) {
            const e = nearestRank(exact, q);
            assert.ok(Math.abs(v - e) <= SKETCH_ALPHA * e, `path ${i} hop ${h} q${q}: ${v} vs exact ${e}`);
          }
        }
      });
      // one E2E flow (the same addresses on every path), 2% of sequence numbers never sent
      const lost = r.loss.reduce((n, l) => n + l.lost, 0);
      const received = r.loss.reduce((n, l) => n + l.received, 0);
      assert.equal(received, N);
      assert.ok(lost > 0.015 * N && lost < 0.025 * N, `lost ${lost}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
