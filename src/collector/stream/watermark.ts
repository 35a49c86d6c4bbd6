// The agents' stream-time watermarks (docs/deployment.md, "Watermarks"): for each agent (the node of
// its record ids), the newest record time it has delivered, advanced at ingest in the same
// transaction as the records. An agent's spool publishes in order, so once its watermark passed a
// time, every record it holds up to that time is in the database; a journey is assembled when its
// time + the grace is below the lowest watermark of the active agents (assembler.ts).
//
// Two workers commit one agent's messages in any order. The watermark therefore advances only
// over the agent's sequence numbers without a hole: a message whose first sequence lies beyond
// the next expected one waits in `ahead` until the messages before it commit (or, the hole never
// filling, for `gapMs`). A message at or below the next sequence (a replay) advances by its time.
// An agent that stops cleanly ends with a final heartbeat: once that is its newest delivered
// record, the agent is `stopped` and holds nothing back (until it sends again).

import type pg from "pg";

/** What one agent's records of one ingest say: their sequence range and newest time. */
export interface AgentMark {
  first: number;
  last: number;
  timeMs: number;
  /** The record at `last` is the agent's final heartbeat (it stopped). */
  final?: boolean;
}

/** An agent's stored watermark state. */
export interface MarkState {
  /** The next sequence expected: everything below it was delivered. */
  next: number;
  streamMs: number;
  stopped: boolean;
  /** Delivered ranges past a hole, with when they were noted (ms, the worker's clock). */
  ahead: Array<AgentMark & { atMs: number }>;
}

/** Adds record `seq` at `timeMs` of `agent` (`final`: its final heartbeat) to the marks of one message. */
export function noteMark(marks: Map<string, AgentMark>, agent: string, seq: number, timeMs: number, final = false): void {
  const m = marks.get(agent);
  if (!m) return void marks.set(agent, final ? { first: seq, last: seq, timeMs, final } : { first: seq, last: seq, timeMs });
  if (seq >= m.last) m.final = final;
  (m.first = Math.min(m.first, seq)), (m.last = Math.max(m.last, seq)), (m.timeMs = Math.max(m.timeMs, timeMs));
}

/** The state after `m` was delivered at `nowMs`; a hole older than `gapMs` is skipped. */
export function advance(s: MarkState, m: AgentMark, nowMs: number, gapMs: number): MarkState & { skipped: number } {
  let { next, streamMs, stopped } = s;
  let skipped = 0;
  const fold = (a: AgentMark) => {
    if (a.last + 1 >= next) stopped = a.final === true; // the newest delivered record says whether it stopped
    (next = Math.max(next, a.last + 1)), (streamMs = Math.max(streamMs, a.timeMs));
  };
  const ahead = [...s.ahead];
  if (m.first <= next) fold(m);
  else ahead.push({ ...m, atMs: nowMs });
  ahead.sort((a, b) => a.first - b.first);
  while (ahead.length > 0 && (ahead[0]!.first <= next || nowMs - ahead[0]!.atMs > gapMs)) {
    const a = ahead.shift()!;
    if (a.first > next) skipped += a.first - next;
    fold(a);
  }
  return { next, streamMs, stopped, ahead, skipped };
}

/**
 * Advances the agents' watermarks by the marks of some messages (one map per message, in any
 * order) inside the caller's transaction; rows are locked in name order. Returns the sequence
 * numbers skipped as holes.
 */
export async function advanceMarks(c: pg.ClientBase, messages: ReadonlyArray<ReadonlyMap<string, AgentMark>>, gapMs: number): Promise<number> {
  const byAgent = new Map<string, AgentMark[]>();
  for (const marks of messages) for (const [agent, m] of marks) (byAgent.get(agent) ?? byAgent.set(agent, []).get(agent)!).push(m);
  let skipped = 0;
  for (const agent of [...byAgent.keys()].sort()) {
    const ms = byAgent.get(agent)!.sort((a, b) => a.first - b.first);
    await c.query("INSERT INTO agent_marks (agent, next_seq, stream_ms) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING", [agent, ms[0]!.first, ms[0]!.timeMs]);
    const r = await c.query<{ next_seq: string; stream_ms: number; stopped: boolean; ahead: MarkState["ahead"] }>("SELECT next_seq, stream_ms, stopped, ahead FROM agent_marks WHERE agent = $1 FOR UPDATE", [agent]);
    const row = r.rows[0]!;
    let s: MarkState = { next: Number(row.next_seq), streamMs: row.stream_ms, stopped: row.stopped, ahead: row.ahead };
    for (const m of ms) {
      const a = advance(s, m, Date.now(), gapMs);
      skipped += a.skipped;
      s = a;
    }
    await c.query("UPDATE agent_marks SET next_seq = $2, stream_ms = $3, stopped = $4, ahead = $5, seen = clock_timestamp(), silent_reported = false WHERE agent = $1", [agent, s.next, s.streamMs, s.stopped, JSON.stringify(s.ahead)]);
  }
  return skipped;
}

/** SQL: the lowest watermark of the agents running and heard within $SILENT ms; Infinity when none is. */
export const ACTIVE_WATERMARK = (silentParam: string) =>
  `(SELECT coalesce(min(stream_ms), 'Infinity'::float8) FROM agent_marks WHERE NOT stopped AND seen > clock_timestamp() - ${silentParam} * interval '1 millisecond')`;

/** An agent that turned silent: it no longer holds assembly back. */
export interface SilentAgent {
  agent: string;
  streamMs: number;
  seenMs: number;
}

/** The agents silent longer than `silentMs` not yet reported; marks them reported (one worker reports each). */
export async function takeSilent(c: pg.ClientBase, silentMs: number): Promise<SilentAgent[]> {
  const r = await c.query<{ agent: string; stream_ms: number; seen_ms: number }>(
    "UPDATE agent_marks SET silent_reported = true WHERE NOT silent_reported AND NOT stopped AND seen < clock_timestamp() - $1 * interval '1 millisecond' RETURNING agent, stream_ms, extract(epoch FROM seen)::float8 * 1000 AS seen_ms",
    [silentMs],
  );
  return r.rows.map((x) => ({ agent: x.agent, streamMs: x.stream_ms, seenMs: x.seen_ms }));
}

/** How many agents are silent now. */
export async function silentCount(c: pg.ClientBase, silentMs: number): Promise<number> {
  const r = await c.query<{ n: string }>("SELECT count(*) AS n FROM agent_marks WHERE NOT stopped AND seen <= clock_timestamp() - $1 * interval '1 millisecond'", [silentMs]);
  return Number(r.rows[0]!.n);
}
