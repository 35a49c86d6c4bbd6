// Journeys: the observations of one packet joined into one record (docs/collector.md,
// "Journeys"). Keys, in order: the E2E sequence number with its scope (the tunnel) and namespace (RFC 9197
// §4.6), the DEX Flow ID + Sequence Number (RFC 9326 §3.2), else content (content-key.ts) when
// the trace carries timestamps. Never guesswork: an observation without any of these stays
// alone (joinedBy "none") and is only counted per path; a content key two different packets
// share is marked ambiguous and joins nothing.

import type { TraceNode } from "../wire/ioam/trace-node.js";
import { contentKeys, joinableByContent } from "./content-key.js";
import { pathKey } from "./hops.js";
import { type FlowInfo, type Observation, type RecordSource, type TimeSource, e2eScope } from "./observation.js";

export type JoinedBy = "e2e" | "dex" | "content" | "none";

/** One packet's way through the domain, as far as it was observed. */
export interface Journey {
  /** Collection time of its first observation (ms since the epoch). */
  time: number;
  timeSource: TimeSource;
  namespaceId: number;
  traceType: number;
  /** Traversal order (oldest first): the most complete data seen. */
  hops: TraceNode[];
  pathKey: string;
  joinedBy: JoinedBy;
  observations: number;
  /** The distinct places it was observed, in order of first sight. */
  at: string[];
  /** Source of its most complete observation. */
  source: RecordSource;
  overflow: boolean;
  flow?: FlowInfo;
  e2eSeq?: number | string;
  dexFlowId?: number;
  dexSeq?: number;
  issues?: string[];
  /** Source positions of its observations (pcap frame offsets), for resume… */
  positions?: number[];
  /** …and where each was read (the observation's `at`: the capture file). */
  positionsAt?: string[];
}

/** Joiner settings. */
export interface JoinerOptions {
  /** How long a journey stays open for more observations (ms of collection time; default 500). */
  windowMs?: number;
  /** Most open journeys; beyond, the oldest is closed early (counted in `evicted`). Default 100 000. */
  maxOpen?: number;
  /**
   * The window's clock (ms). Without one, the window runs on the observations' own times (a
   * capture's timestamps); a live collector passes its clock, so that old captures and live
   * events mix.
   */
  clock?: () => number;
}

interface Open {
  j: Journey;
  /** When it was opened, on the window's clock. */
  opened: number;
  keys: Array<number | string>;
  /** Content keys K_1 … K_n of its deepest observation (empty for DEX). */
  chain: number[];
  closed: boolean;
}

const AMBIGUOUS = null;

/** Joins observations into journeys and hands each closed journey to `emit`, oldest first. */
export class Joiner {
  private readonly index = new Map<number | string, Open | null>();
  private readonly ambiguousAt: Array<{ key: number | string; time: number }> = [];
  private readonly queue: Open[] = [];
  private head = 0;
  private readonly windowMs: number;
  private readonly maxOpen: number;
  /** Journeys closed early because maxOpen was reached. */
  evicted = 0;
  /** Content keys found shared by two packets. */
  ambiguous = 0;
  private newest = -Infinity;
  private readonly clock: (() => number) | undefined;

  constructor(
    private readonly emit: (j: Journey) => void,
    opts: JoinerOptions = {},
  ) {
    this.windowMs = opts.windowMs ?? 500;
    this.maxOpen = opts.maxOpen ?? 100_000;
    this.clock = opts.clock;
  }

  /** Journeys still open. */
  get open(): number {
    return this.queue.length - this.head;
  }

  add(o: Observation): void {
    const now = this.clock ? this.clock() : o.time;
    if (now > this.newest) this.newest = now;
    const hops = o.source === "dex" ? o.nodes : o.nodes.slice().reverse();
    const idKey = identityKey(o);
    const content = o.source !== "dex" && joinableByContent(o.traceType) && hops.length > 0 ? contentKeys(o.namespaceId, o.traceType, hops) : undefined;
    if (idKey === undefined && content === undefined) return this.emit(single(o, hops));
    const byId = idKey !== undefined ? this.index.get(idKey) : undefined;
    const found = byId ?? (content ? this.byContent(content, o.time) : undefined);
    if (found) this.attach(found, o, hops, idKey, content);
    else this.start(o, hops, idKey, content);
    this.expire();
  }

  /**
   * The open journey whose first node entry is this observation's (K_1), if the two agree on
   * every entry both hold (K_m, m = the shorter). Only K_1 is indexed: one map entry per
   * journey. Two packets with the same first entry but different later ones make K_1
   * ambiguous: it joins nothing more.
   */
  private byContent(keys: number[], time: number): Open | undefined {
    const hit = this.index.get(keys[0]!);
    if (!hit) return undefined;
    const m = Math.min(hit.chain.length, keys.length);
    if (hit.chain[m - 1] === keys[m - 1]) return hit;
    this.markAmbiguous([keys[0]!], time);
    return undefined;
  }

  private markAmbiguous(keys: number[], time: number): void {
    for (const k of keys) {
      this.index.set(k, AMBIGUOUS);
      this.ambiguousAt.push({ key: k, time });
    }
    this.ambiguous++;
  }

  private start(o: Observation, hops: TraceNode[], idKey: string | undefined, content: number[] | undefined): void {
    const j = single(o, hops);
    j.joinedBy = idKey === undefined ? "content" : o.e2eSeq !== undefined ? "e2e" : "dex";
    const open: Open = { j, opened: this.newest, keys: [], chain: content ?? [], closed: false };
    this.queue.push(open);
    this.register(open, idKey, content);
    if (this.open > this.maxOpen) {
      this.evicted++;
      this.close(this.queue[this.head++]!);
    }
  }

  private attach(open: Open, o: Observation, hops: TraceNode[], idKey: string | undefined, content: number[] | undefined): void {
    const j = open.j;
    j.observations++;
    if (!j.at.includes(o.at)) j.at.push(o.at);
    if (o.position !== undefined) (j.positions ??= []).push(o.position), (j.positionsAt ??= []).push(o.at);
    mergeContext(j, o);
    if (o.source === "dex") j.hops = orderDexHops([...j.hops, ...hops]);
    else if (hops.length > j.hops.length) {
      if (content) open.chain = content;
      Object.assign(j, { hops, source: o.source, overflow: o.overflow, traceType: o.traceType });
    }
    j.pathKey = pathKey(j.namespaceId, j.hops);
    this.register(open, idKey, content);
  }

  private register(open: Open, idKey: string | undefined, content: number[] | undefined): void {
    if (idKey !== undefined && !this.index.has(idKey)) (this.index.set(idKey, open), open.keys.push(idKey));
    const k1 = content?.[0];
    if (k1 !== undefined && this.index.get(k1) === undefined) (this.index.set(k1, open), open.keys.push(k1));
  }

  /** Closes journeys older than the window (by the newest collection time seen). */
  private expire(): void {
    const limit = this.newest - this.windowMs;
    while (this.head < this.queue.length && this.queue[this.head]!.opened < limit) this.close(this.queue[this.head++]!);
    if (this.head > 4096 && this.head * 2 > this.queue.length) this.queue.splice(0, this.head), (this.head = 0);
    while (this.ambiguousAt.length && this.ambiguousAt[0]!.time < limit) this.index.delete(this.ambiguousAt.shift()!.key);
  }

  private close(open: Open): void {
    if (open.closed) return;
    open.closed = true;
    for (const k of open.keys) if (this.index.get(k) === open) this.index.delete(k);
    this.emit(open.j);
  }

  /** Closes journeys whose window ended by `nowMs` (a live collector's clock). */
  tick(nowMs: number): void {
    if (nowMs > this.newest) this.newest = nowMs;
    this.expire();
  }

  /** Closes every open journey (end of input, shutdown). */
  drain(): void {
    while (this.head < this.queue.length) this.close(this.queue[this.head++]!);
    this.queue.length = this.head = 0;
    this.index.clear();
    this.ambiguousAt.length = 0;
  }
}

/** The E2E or DEX key of an observation, or undefined. */
function identityKey(o: Observation): string | undefined {
  if (o.e2eSeq !== undefined && o.flow) {
    const { src, dst } = e2eScope(o.flow);
    return `e|${o.namespaceId}|${src}|${dst}|${o.e2eSeq}`;
  }
  if (o.dexFlowId !== undefined && o.dexSeq !== undefined) return `d|${o.namespaceId}|${o.dexFlowId}|${o.dexSeq}`;
  return undefined;
}

function single(o: Observation, hops: TraceNode[]): Journey {
  const j: Journey = {
    time: o.time,
    timeSource: o.timeSource,
    namespaceId: o.namespaceId,
    traceType: o.traceType,
    hops,
    pathKey: pathKey(o.namespaceId, hops),
    joinedBy: "none",
    observations: 1,
    at: [o.at],
    source: o.source,
    overflow: o.overflow,
  };
  mergeContext(j, o);
  if (o.position !== undefined) (j.positions = [o.position]), (j.positionsAt = [o.at]);
  return j;
}

function mergeContext(j: Journey, o: Observation): void {
  if (o.flow && !j.flow) j.flow = o.flow;
  if (o.e2eSeq !== undefined) j.e2eSeq = o.e2eSeq;
  if (o.dexFlowId !== undefined) j.dexFlowId = o.dexFlowId;
  if (o.dexSeq !== undefined) j.dexSeq = o.dexSeq;
  if (o.issues) j.issues = [...new Set([...(j.issues ?? []), ...o.issues])];
  if (o.overflow) j.overflow = true;
}

/** DEX blocks in traversal order: hop limit falling (RFC 8200 §3), then time. */
export function orderDexHops(hops: TraceNode[]): TraceNode[] {
  return hops.sort((a, b) => (b.hopLimit ?? 0) - (a.hopLimit ?? 0) || (a.tsSec ?? 0) - (b.tsSec ?? 0) || (a.tsFrac ?? 0) - (b.tsFrac ?? 0));
}
