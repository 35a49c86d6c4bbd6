import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Observation } from "./observation.js";
import { Collector } from "./service.js";
import type { Checkpoint, ObservationSink, Source, SourceStats } from "./sources/source.js";
import type { Store, WriteBatch, WriteResult } from "./store/store.js";

/** A capture-like source handing out `n` observations with positions, waiting when told. */
class FakeSource implements Source {
  readonly kind = "pcap" as const;
  readonly name = "pcap:fake";
  private last: number | undefined;
  constructor(private readonly n: number) {}
  async run(sink: ObservationSink, resume: Checkpoint | undefined): Promise<void> {
    for (let i = resume?.position ?? 0; i < this.n; i++) {
      const o: Observation = { source: "packet", time: i, timeSource: "capture", at: "fake", namespaceId: 1, traceType: 0x800000, overflow: false, nodes: [{ hopLimit: 63, nodeId: 1 }], position: i };
      this.last = i;
      sink.observe(o);
      if (i % 100 === 99) await sink.ready();
    }
  }
  async stop(): Promise<void> {}
  stats(): SourceStats {
    return { records: 0, problems: 0, running: false, ...(this.last !== undefined ? { position: this.last } : {}) };
  }
}

function fakeStore(failAt: number): Store & { batches: WriteBatch[] } {
  const batches: WriteBatch[] = [];
  return {
    batches,
    async write(b: WriteBatch): Promise<WriteResult> {
      if (batches.length + 1 === failAt) throw new Error("disk full");
      batches.push(b);
      return { journeys: b.journeys.length, duplicates: 0 };
    },
    checkpoint: async () => undefined,
  } as unknown as Store & { batches: WriteBatch[] };
}

describe("Collector", () => {
  it("writes batches with the checkpoint of the first position not yet stored", async () => {
    const store = fakeStore(0);
    const c = new Collector(store, [new FakeSource(1000)], [], { batchSize: 300, windowMs: 0 });
    await c.start();
    await c.sourcesEnded();
    await c.stop();
    assert.equal(store.batches.reduce((n, b) => n + b.journeys.length, 0), 1000);
    const cps = store.batches.map((b) => b.checkpoints!.find((x) => x.source === "pcap:fake")?.position);
    for (let i = 0; i < store.batches.length; i++) {
      const storedSoFar = store.batches.slice(0, i + 1).reduce((n, b) => n + b.journeys.length, 0);
      assert.ok(cps[i]! <= storedSoFar, `batch ${i}: checkpoint ${cps[i]} never past what is stored (${storedSoFar})`);
    }
    assert.equal(cps.at(-1), 1000, "the end: just after the last position");
  });

  it("stops writing after a failed write, reports it once, and never acknowledges the failed batch", async () => {
    const store = fakeStore(3);
    const failures: Error[] = [];
    let acked = 0;
    const c = new Collector(store, [new FakeSource(2000)], [], { batchSize: 300, windowMs: 0, onFailure: (e) => failures.push(e), onStored: (r) => (acked = r.totalStored) });
    await c.start();
    await c.sourcesEnded();
    await c.stop();
    assert.deepEqual(failures.map((e) => e.message), ["disk full"]);
    assert.equal(store.batches.length, 2);
    assert.equal(acked, store.batches.reduce((n, b) => n + b.journeys.length, 0));
  });
});
