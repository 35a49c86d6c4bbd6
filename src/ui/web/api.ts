// The page's view of the HTTP API (docs/api.md): the shapes it reads and one fetch helper. The
// page is served by the same server, so requests are same-origin (the token, beyond loopback, is
// the cookie set by /?token=…).

export interface Distribution { count: number; p50: number; p90: number; p99: number; max: number; min: number; mean: number }
export interface Window { from: number; to: number }
export interface TopologyNode { id: string; name?: string; interfaces: string[]; journeys: number; paths: number[]; queueDepth?: Distribution }
export interface TopologyLink { id: string; from: string; to: string; egressIf?: string; ingressIf?: string; journeys: number; paths: number[]; latencyNs?: Distribution }
export interface Topology { window: Window; journeys: number; nodes: TopologyNode[]; links: TopologyLink[] }
export interface PathHop { node: string; latencyNs?: Distribution; queueDepth?: Distribution; transitDelayNs?: Distribution }
export interface PathInfo { id: number; path: string; namespaceId: number; nodes: string[]; journeys: number; share: number; hops: PathHop[] }
export interface Paths { window: Window; journeys: number; paths: PathInfo[] }
export interface SeriesRow { bucketMs: number; hop: number; count: number; latency?: { p50: number; p90: number; p99: number; max: number; count: number }; queueDepth?: { p50: number; max: number; count: number } }
export interface Series { pathId: number; hops: string[]; window: Window; stepMs: number; rows: SeriesRow[] }
export interface Heatmap { pathId: number; hop: number | "path"; stepMs: number; binsNs: number[]; cells: Array<[number, number, number]> }
export type HopNode = Record<string, unknown> & { nodeId?: number; opaque?: { schemaId: number; data: string } };
export interface Journey {
  id: number; timeMs: number; pathId: number; path: string; namespaceId: number; traceType: string; joinedBy: string; observations: number;
  at: string[]; source: string; overflow: boolean; flow?: { src: string; dst: string; sport?: number; dport?: number; nextHeader?: number };
  seq?: string; traceId?: string; spanId?: string; hops: HopNode[]; latencyNs: Array<number | null>; offsetNs: Array<number | null>;
}
export interface ApiIndex { now: number; jaegerUrl: string | null; nodeNames: Record<string, string> }

/** GET an API path; throws with the server's reason on an error status. */
export async function api<T>(path: string, params: Record<string, string | number | undefined> = {}): Promise<T> {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, String(v));
  const res = await fetch(`/api/v1${path}${q.size ? "?" + q : ""}`, { headers: { accept: "application/json" } });
  if (!res.ok) {
    const body = (await res.json().catch(() => undefined)) as { error?: { message?: string } } | undefined;
    throw new Error(`${res.status} ${body?.error?.message ?? res.statusText}`);
  }
  return (await res.json()) as T;
}

/** Nanoseconds as µs text. */
export function usText(ns: number | undefined | null): string {
  if (ns === undefined || ns === null) return "–";
  const us = ns / 1000;
  return us < 10 ? us.toFixed(1) : us.toFixed(0);
}

/** "2:513/516" → "2"; with names: "r2". */
export function nodeLabel(hop: string, names: Record<string, string>): string {
  const id = hop.split(":")[0]!;
  return names[id] ?? id;
}

/** Creates an element with attributes and text. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string | number> = {}, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}
