import assert from "node:assert/strict";
import { createSocket } from "node:dgram";
import { appendFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import type { Observation } from "../observation.js";
import { DecapSinkSource, DexReceiver } from "./line-sources.js";
import type { ObservationSink, Problem } from "./source.js";

const dir = mkdtempSync(join(tmpdir(), "ioam-lines-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function collecting(): ObservationSink & { obs: Observation[]; problems: Problem[] } {
  const obs: Observation[] = [];
  const problems: Problem[] = [];
  return { obs, problems, observe: (o) => obs.push(o), problem: (p) => problems.push(p), ready: async () => {} };
}

const until = async (f: () => boolean) => {
  for (let i = 0; i < 400 && !f(); i++) await new Promise((r) => setTimeout(r, 10));
};

const DEX_RECORD = JSON.stringify({ v: 1, source: "dex", node: "r2", time: 1700000000000, flowId: 9, seq: 4, option: { kind: "trace", namespaceId: 5, traceType: "0x800000", nodes: [{ hopLimit: 63, nodeId: 2 }] }, somethingNew: { ignored: true } });

describe("DexReceiver", () => {
  it("reads records from configured senders, refuses others and counts malformed lines with a reason", async () => {
    const rx = new DexReceiver({ udp: "127.0.0.1:0", senders: ["127.0.0.1"] });
    const other = new DexReceiver({ udp: "127.0.0.1:0", senders: ["192.0.2.7"] });
    const a = collecting();
    const b = collecting();
    void rx.run(a, undefined);
    void other.run(b, undefined);
    await until(() => rx.port > 0 && other.port > 0);
    const tx = createSocket("udp4");
    const send = (text: string, port: number) => new Promise<void>((r) => tx.send(text, port, "127.0.0.1", () => r()));
    await send(DEX_RECORD + "\n" + '{"v":1,"option":{"kind":"trace","namespaceId":5}}', rx.port);
    await send('{"v":2}', rx.port);
    await send(DEX_RECORD, other.port);
    await until(() => a.obs.length + a.problems.length >= 3 && b.problems.length >= 1);
    tx.close();
    await rx.stop();
    await other.stop();
    assert.equal(a.obs.length, 1);
    assert.deepEqual([a.obs[0]!.dexFlowId, a.obs[0]!.dexSeq, a.obs[0]!.at, a.obs[0]!.source], [9, 4, "r2", "dex"]);
    assert.deepEqual(a.problems.map((p) => p.reason), ["malformed", "malformed"]);
    assert.match(a.problems[0]!.detail, /nodes: expected an array/);
    assert.match(a.problems[1]!.detail, /version 2/);
    assert.deepEqual(b.obs, []);
    assert.equal(b.problems[0]!.reason, "unauthorized-sender");
  });
});

describe("DecapSinkSource", () => {
  const record = (seq: number) => JSON.stringify({ v: 1, source: "decap", time: 1700000000000 + seq, timeSource: "kernel-rx", mode: "encap", src: "2001:db8::1", dst: "2001:db8::2", options: [{ kind: "trace", variant: "prealloc", namespaceId: 123, traceType: "0xf00000", flags: { overflow: false }, nodes: [{ hopLimit: 62, nodeId: 2, tsSec: 1, tsFrac: 20 }, { hopLimit: 63, nodeId: 1, tsSec: 1, tsFrac: 10 }] }, { kind: "e2e", namespaceId: 123, e2eType: "0x4000", seq32: seq }] });

  it("reads records from the daemon's unix socket", async () => {
    const path = join(dir, "decap.sock");
    const src = new DecapSinkSource(path);
    const s = collecting();
    void src.run(s, { time: 5 });
    await until(() => existsSync(path));
    const c = connect(path);
    await new Promise<void>((r) => c.on("connect", r));
    c.write(record(1) + "\n" + record(2).slice(0, 40));
    c.end(record(2).slice(40) + "\n");
    await until(() => s.obs.length >= 2);
    await src.stop();
    assert.deepEqual(s.obs.map((o) => [o.e2eSeq, o.timeSource, o.flow?.src, o.nodes.length]), [[1, "kernel-rx", "2001:db8::1", 2], [2, "kernel-rx", "2001:db8::1", 2]]);
    assert.equal(s.problems[0]!.reason, "gap", "restarted: the gap since the last stored record is recorded");
    assert.equal(s.problems[0]!.since, 5);
  });

  it("follows a file the daemon appends to, from its end", async () => {
    const path = join(dir, "decap.ndjson");
    writeFileSync(path, record(0) + "\n");
    const src = new DecapSinkSource(path);
    const s = collecting();
    void src.run(s, undefined);
    await new Promise((r) => setTimeout(r, 150));
    appendFileSync(path, record(7) + "\nnot json\n");
    await until(() => s.obs.length >= 1 && s.problems.length >= 1);
    await src.stop();
    assert.deepEqual(s.obs.map((o) => o.e2eSeq), [7]);
    assert.equal(s.problems[0]!.reason, "malformed");
  });
});
