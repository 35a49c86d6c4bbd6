// GET /api/v1/journeys (docs/api.md, "/journeys"): by trace id, or by path and/or node in a
// window, newest first — the store's named queries. Path and node together: the path's
// journeys, kept when the node is on it.

import { keyHops } from "./summary.js";
import type { ApiContext } from "./context.js";
import { journeyJson } from "./journey-json.js";
import { type Params, TRACE_ID, nodeParam, pathParam } from "./params.js";

export async function journeysJson(ctx: ApiContext, p: Params): Promise<string> {
  const limit = p.int("limit", 100, 1, 10_000);
  const traceId = p.text("trace", TRACE_ID, "expected a W3C trace id: 32 lowercase hex digits");
  const node = nodeParam(p);
  const pathId = pathParam(p);
  if (traceId !== undefined) {
    if (p.has("from") || p.has("to") || node !== undefined || pathId !== undefined) p.text("trace", /^$/, "a trace id selects journeys alone: leave out from, to, path and node");
    const rows = await ctx.store.journeys({ traceId, limit });
    return `{"v":1,"trace":"${traceId}","journeys":[${rows.map((r) => journeyJson(r, ctx.tsFormat(r.namespaceId))).join(",")}]}`;
  }
  const w = p.window(ctx.now());
  let rows = await ctx.store.journeys({ ...w, limit, ...(pathId !== undefined ? { pathId } : node !== undefined ? { node } : {}) });
  if (pathId !== undefined && node !== undefined) rows = rows.filter((r) => keyHops(r.pathKey).some((h) => h.node === node));
  return `{"v":1,"window":${JSON.stringify(w)},"journeys":[${rows.map((r) => journeyJson(r, ctx.tsFormat(r.namespaceId))).join(",")}]}`;
}
