import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError } from "../../errors.js";
import { streamConfig } from "./stream-config.js";
import { type AgentMark, type MarkState, advance, noteMark } from "./watermark.js";

const start: MarkState = { next: 1, streamMs: 0, stopped: false, ahead: [] };
const m = (first: number, last: number, timeMs: number): AgentMark => ({ first, last, timeMs });

describe("watermark", () => {
  it("advance() moves over consecutive messages to the newest time", () => {
    const s = advance(advance(start, m(1, 10, 100), 0, 60_000), m(11, 20, 200), 0, 60_000);
    assert.deepEqual({ next: s.next, streamMs: s.streamMs, ahead: s.ahead }, { next: 21, streamMs: 200, ahead: [] });
  });

  it("advance() marks the agent stopped by its final heartbeat, and running again by anything newer, not by a replay", () => {
    const stopped = advance(start, { ...m(1, 10, 100), final: true }, 0, 60_000);
    assert.equal(stopped.stopped, true);
    assert.equal(advance(stopped, m(3, 5, 50), 0, 60_000).stopped, true, "a replay of older records");
    assert.equal(advance(stopped, m(11, 12, 150), 0, 60_000).stopped, false, "the agent started again");
  });

  it("advance() holds a message committed before the one ahead of it, until that one comes", () => {
    const early = advance(start, m(11, 20, 200), 0, 60_000);
    assert.equal(early.streamMs, 0, "a hole below: the watermark waits");
    assert.equal(early.ahead.length, 1);
    const both = advance(early, m(1, 10, 100), 5, 60_000);
    assert.deepEqual({ next: both.next, streamMs: both.streamMs, ahead: both.ahead, skipped: both.skipped }, { next: 21, streamMs: 200, ahead: [], skipped: 0 });
  });

  it("advance() takes a replay (sequences already passed) by its time and skips a hole older than gapMs", () => {
    const s = advance({ next: 50, streamMs: 300, stopped: false, ahead: [] }, m(1, 10, 400), 0, 60_000);
    assert.deepEqual([s.next, s.streamMs], [50, 400]);
    const held = advance(s, m(60, 70, 500), 0, 1000);
    const skipped = advance(held, m(71, 71, 600), 2000, 1000);
    assert.deepEqual([skipped.next, skipped.streamMs, skipped.skipped], [72, 600, 10]);
  });

  it("noteMark() keeps each agent's sequence range and newest time", () => {
    const marks = new Map<string, AgentMark>();
    for (const [a, seq, t] of [["r1", 5, 10], ["r1", 3, 30], ["r2", 9, 1]] as const) noteMark(marks, a, seq, t);
    noteMark(marks, "r2", 10, 2, true);
    assert.deepEqual(Object.fromEntries(marks), { r1: { first: 3, last: 5, timeMs: 30 }, r2: { first: 9, last: 10, timeMs: 2, final: true } });
  });

  it("streamConfig() refuses a wait limit or silence limit not longer than the grace, naming the key", () => {
    assert.throws(() => streamConfig({ grace: "3s", maxWait: "2s" }), (e) => e instanceof ConfigError && e.message.includes("stream.maxWait"));
    assert.throws(() => streamConfig({ grace: "3s", silentAfter: "1s" }), (e) => e instanceof ConfigError && e.message.includes("stream.silentAfter"));
    assert.deepEqual(streamConfig({ grace: "1s", silentAfter: "20s", maxWait: "40s" })!.assembly, { graceMs: 1000, silentMs: 20_000, maxWaitMs: 40_000 });
  });
});
