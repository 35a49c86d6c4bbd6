// Query parameters of the API (docs/api.md, "Parameters"): every endpoint names the ones it
// takes; an unknown one, one given twice, or a value that does not read is a 400 naming it.
// Times: ms since the epoch, an ISO 8601 time, or `now` / `now-15m` (s, m, h, d).

import { badParameter } from "./api-error.js";

/** A time window, ms since the epoch; `to` is exclusive. */
export interface WindowParams {
  from: number;
  to: number;
}

const MAX_WINDOW_MS = 400 * 86_400_000;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** The parameters of one request, checked against the names its endpoint takes. */
export class Params {
  private readonly values = new Map<string, string>();

  constructor(search: URLSearchParams, allowed: readonly string[]) {
    for (const [k, v] of search) {
      if (!allowed.includes(k)) throw badParameter(k, v, `unknown parameter; this endpoint takes ${allowed.length ? allowed.join(", ") : "none"}`);
      if (this.values.has(k)) throw badParameter(k, v, "given twice");
      this.values.set(k, v);
    }
  }

  has(name: string): boolean {
    return this.values.has(name);
  }

  /** The value as given, if any. */
  raw(name: string): string | undefined {
    return this.values.get(name);
  }

  /** The window from `from` and `to` (default: the last 15 minutes up to now). */
  window(now: number, defaultSpanMs = 15 * 60_000): WindowParams {
    const to = this.time("to", now) ?? now;
    const from = this.time("from", now) ?? to - defaultSpanMs;
    if (from >= to) throw badParameter("from", this.values.get("from") ?? String(from), `must be before to (${new Date(to).toISOString()})`);
    if (to - from > MAX_WINDOW_MS) throw badParameter("from", this.values.get("from") ?? String(from), "the window may span at most 400 days");
    return { from, to };
  }

  private time(name: string, now: number): number | undefined {
    const v = this.values.get(name);
    if (v === undefined) return undefined;
    if (/^\d{1,15}$/.test(v)) return Number(v);
    const rel = /^now(?:-(\d{1,9})(ms|s|m|h|d))?$/.exec(v);
    if (rel) return rel[1] === undefined ? now : now - Number(rel[1]) * UNIT_MS[rel[2]!]!;
    if (/^\d{4}-\d\d-\d\dT/.test(v)) {
      const t = Date.parse(v);
      if (Number.isFinite(t)) return t;
    }
    throw badParameter(name, v, "expected ms since the epoch, an ISO 8601 time (2025-01-31T12:00:00Z) or now-15m");
  }

  /** An integer within [min, max], or `def`. */
  int(name: string, def: number, min: number, max: number): number;
  int(name: string, def: undefined, min: number, max: number): number | undefined;
  int(name: string, def: number | undefined, min: number, max: number): number | undefined {
    const v = this.values.get(name);
    if (v === undefined) return def;
    const n = /^\d{1,15}$/.test(v) ? Number(v) : NaN;
    if (!Number.isInteger(n) || n < min || n > max) throw badParameter(name, v, `expected an integer from ${min} to ${max}`);
    return n;
  }

  /** A duration (`500ms`, `10s`, `1m`, `1h`, or ms) within [min, max] ms, or `def`. */
  duration(name: string, def: number, min: number, max: number): number {
    const v = this.values.get(name);
    if (v === undefined) return def;
    const m = /^(\d{1,9})(ms|s|m|h|d)?$/.exec(v);
    const ms = m ? Number(m[1]) * UNIT_MS[m[2] ?? "ms"]! : NaN;
    if (!(ms >= min && ms <= max)) throw badParameter(name, v, `expected a duration from ${min} ms to ${max / 1000} s, e.g. 10s or 1m`);
    return ms;
  }

  /** A string matching `re`, or undefined when absent. */
  text(name: string, re: RegExp, expected: string): string | undefined {
    const v = this.values.get(name);
    if (v === undefined) return undefined;
    if (!re.test(v)) throw badParameter(name, v, expected);
    return v;
  }
}

/** A node id as the store keeps it: the short id, `w` + the wide id, or `?`. */
export const NODE_ID = /^(?:\d{1,8}|w\d{1,20}|\?)$/;
/** A W3C trace id: 32 lowercase hex digits. */
export const TRACE_ID = /^[0-9a-f]{32}$/;

/** The `node` filter (journeys, tail). */
export function nodeParam(p: Params): string | undefined {
  return p.text("node", NODE_ID, "expected a node id: a number, w + a wide id, or ?");
}

/** The `path` filter (journeys, tail): a path id. */
export function pathParam(p: Params): number | undefined {
  return p.int("path", undefined, 1, Number.MAX_SAFE_INTEGER);
}
