// The API's routes (docs/api.md): a table of path patterns, the parameters each takes, and its
// handler. Everything is a GET answering JSON; the live tail (/api/v1/tail) is the WebSocket
// upgrade handled by tail.ts.

import { ApiError, badParameter } from "./api-error.js";
import type { ApiContext } from "./context.js";
import { journeysJson } from "./journeys.js";
import { Params } from "./params.js";
import { autoStep, checkBuckets, heatmapJson, seriesJson } from "./series.js";
import { pathsJson, topologyJson, windowSummary } from "./summary.js";

export const API_PREFIX = "/api/v1";

interface Route {
  pattern: RegExp;
  params: readonly string[];
  run(ctx: ApiContext, p: Params, m: RegExpExecArray): Promise<string>;
}

const WINDOW = ["from", "to"];

function pathIdOf(m: RegExpExecArray): number {
  const id = Number(m[1]);
  if (!Number.isSafeInteger(id) || id < 1) throw badParameter("path id", m[1]!, "expected a path id (a positive integer, from /api/v1/paths)");
  return id;
}

function stepOf(p: Params, w: { from: number; to: number }): number {
  const step = p.duration("step", autoStep(w), 1000, 86_400_000);
  checkBuckets(w, step, p.raw("step") ?? `${step}ms (automatic)`);
  return step;
}

const ROUTES: readonly Route[] = [
  {
    pattern: /^$/,
    params: [],
    run: async (ctx) => JSON.stringify({ v: 1, api: "ioamkit", version: 1, now: ctx.now(), jaegerUrl: ctx.jaegerUrl ?? null, nodeNames: Object.fromEntries(ctx.nodeNames), endpoints: ENDPOINTS }),
  },
  {
    pattern: /^\/topology$/,
    params: [...WINDOW, "sample"],
    run: async (ctx, p) => topologyJson(ctx, await windowSummary(ctx, p.window(ctx.now()), p.int("sample", 2000, 0, 10_000))),
  },
  {
    pattern: /^\/paths$/,
    params: [...WINDOW, "limit", "sample"],
    run: async (ctx, p) => {
      const w = p.window(ctx.now());
      const limit = p.int("limit", 100, 1, 1000);
      return pathsJson(await windowSummary(ctx, w, p.int("sample", 2000, 0, 10_000)), limit);
    },
  },
  {
    pattern: /^\/paths\/([^/]+)\/series$/,
    params: [...WINDOW, "step"],
    run: async (ctx, p, m) => {
      const id = pathIdOf(m);
      const w = p.window(ctx.now());
      return seriesJson(ctx, id, w, stepOf(p, w));
    },
  },
  {
    pattern: /^\/paths\/([^/]+)\/heatmap$/,
    params: [...WINDOW, "step", "hop"],
    run: async (ctx, p, m) => {
      const id = pathIdOf(m);
      const w = p.window(ctx.now());
      return heatmapJson(ctx, id, w, stepOf(p, w), p.int("hop", undefined, 1, 255));
    },
  },
  { pattern: /^\/journeys$/, params: [...WINDOW, "path", "node", "trace", "limit"], run: (ctx, p) => journeysJson(ctx, p) },
  {
    pattern: /^\/problems$/,
    params: [...WINDOW, "limit"],
    run: async (ctx, p) => {
      const w = p.window(ctx.now(), 86_400_000);
      return JSON.stringify({ v: 1, window: w, problems: await ctx.store.problems({ ...w, limit: p.int("limit", 100, 1, 1000) }) });
    },
  },
  {
    pattern: /^\/flags$/,
    params: [...WINDOW, "limit"],
    run: async (ctx, p) => {
      const w = p.window(ctx.now(), 86_400_000);
      return JSON.stringify({ v: 1, window: w, flags: await ctx.store.flags({ ...w, limit: p.int("limit", 100, 1, 1000) }) });
    },
  },
];

/** What GET /api/v1 lists. */
const ENDPOINTS = ["/api/v1/topology", "/api/v1/paths", "/api/v1/paths/{id}/series", "/api/v1/paths/{id}/heatmap", "/api/v1/journeys", "/api/v1/problems", "/api/v1/flags", "/api/v1/tail (WebSocket)"];

/** Answers one GET under /api/v1 (`rest` is the path after the prefix). */
export async function handleApi(ctx: ApiContext, rest: string, search: URLSearchParams): Promise<string> {
  for (const r of ROUTES) {
    const m = r.pattern.exec(rest);
    if (m) return r.run(ctx, new Params(search, r.params), m);
  }
  throw new ApiError("NOT_FOUND", `no endpoint ${API_PREFIX}${rest}; endpoints: ${ENDPOINTS.join(", ")}`);
}
