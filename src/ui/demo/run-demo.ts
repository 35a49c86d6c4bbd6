// The demo (`npm start`, `ioam demo`): traffic through the diamond, the collector storing its
// journeys in SQLite, and the UI over that store — in one process, so that Ctrl-C takes
// everything down in one place. A summary line says how much was stored and what the paths
// measure; stop() removes what the demo made (its traffic's namespaces and processes, the
// temporary database) whatever happened before.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Collector } from "../../collector/service.js";
import { SqliteStore } from "../../collector/store/sqlite-store.js";
import { DEFAULT_LISTEN } from "../security.js";
import type { UiServer } from "../server.js";
import { startUi } from "../start.js";
import { labTraffic, realLabUnavailable } from "./lab-traffic.js";
import { type DemoTraffic, emulatedTraffic } from "./traffic.js";

/** Settings of the demo. */
export interface DemoOptions {
  /** HOST:PORT; when not given and the default port is taken, any free port. */
  listen?: string;
  /** Keep the journeys in this database (default: a temporary one, removed at the end). */
  db?: string;
  /** Packets per second (default 200). */
  rate?: number;
  /** Never the real lab, even as root. */
  emulate?: boolean;
  jaegerUrl?: string;
  /** Where to say what happens (one line each). */
  log(line: string): void;
}

/** A running demo. */
export interface RunningDemo {
  url: string;
  traffic: DemoTraffic;
  collector: Collector;
  ui: UiServer;
  /** The live summary: journeys stored, rate, paths, latency. */
  summary(): string;
  /** The summary's figures. */
  figures(): DemoFigures;
  stop(): Promise<void>;
}

async function listenSomewhere(start: (listen: string) => Promise<UiServer>, asked: string | undefined): Promise<UiServer> {
  if (asked !== undefined) return start(asked);
  try {
    return await start(DEFAULT_LISTEN);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EADDRINUSE") throw e;
    return start(DEFAULT_LISTEN.replace(/:\d+$/, ":0"));
  }
}

/** The real lab when it can run here (root, a build with the data plane), else the emulation. */
async function chooseTraffic(o: DemoOptions): Promise<DemoTraffic> {
  const why = o.emulate ? "--emulate" : realLabUnavailable();
  if (why === undefined) {
    try {
      return await labTraffic(o.rate ?? 200, o.log);
    } catch (e) {
      o.log(`ioam demo: the real lab failed (${(e as Error).message}); it is taken down again`);
      o.log("ioam demo: running the diamond in the lab's emulation instead");
      return emulatedTraffic(o.rate ?? 200);
    }
  }
  o.log(`ioam demo: real lab not started (${why}); running the diamond in the lab's emulation`);
  return emulatedTraffic(o.rate ?? 200);
}

/** Starts traffic, collector and UI; on any failure takes down what was started. */
export async function startDemo(o: DemoOptions): Promise<RunningDemo> {
  const dir = o.db === undefined ? mkdtempSync(join(tmpdir(), "ioamkit-demo-")) : undefined;
  const undo: Array<() => Promise<void> | void> = [];
  if (dir) undo.push(() => rmSync(dir, { recursive: true, force: true }));
  const stop = async () => {
    for (const u of undo.splice(0).reverse()) await Promise.resolve(u()).catch((e: unknown) => o.log(`ioam demo: cleanup: ${(e as Error).message}`));
  };
  try {
    const store = SqliteStore.open(o.db ?? join(dir!, "demo.db"));
    undo.push(() => store.close());
    const traffic = await chooseTraffic(o);
    undo.push(() => traffic.stop());
    const collector = new Collector(store, traffic.sources, [], { windowMs: 300 });
    await collector.start();
    undo.push(() => collector.stop());
    const ui = await listenSomewhere((listen) => startUi(store, { listen, nodeNames: traffic.nodeNames, ...(o.jaegerUrl ? { jaegerUrl: o.jaegerUrl } : {}) }), o.listen);
    undo.push(() => ui.close());
    o.log(`ioam demo: ${traffic.label}`);
    const figures = demoFigures(collector, ui, traffic.nodeNames);
    return { url: ui.url, traffic, collector, ui, figures, summary: summaryLine(figures, ui.url), stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** "1:256/258>2:…" → "r1>r2>…" with the traffic's names. */
function pathNames(key: string, names: ReadonlyMap<string, string>): string {
  const body = key.slice(key.indexOf("|") + 1);
  return body.split(">").map((h) => names.get(h.split(":")[0]!) ?? h.split(":")[0]).join(">");
}

const us = (ns: number) => (ns / 1000).toFixed(ns < 10_000 ? 1 : 0);

/** What the summary line says, as data (`ioam demo --json`). */
export interface DemoFigures {
  journeys: number;
  perSecond: number;
  paths: Array<{ path: string; journeys: number; p50Us: number | null }>;
  tailClients: number;
}

function demoFigures(c: Collector, ui: UiServer, names: ReadonlyMap<string, string>): () => DemoFigures {
  let last = { t: Date.now(), n: 0 };
  let rate = 0;
  return () => {
    const now = Date.now();
    const n = c.health.journeysStored;
    if (now - last.t >= 900) (rate = ((n - last.n) * 1000) / (now - last.t)), (last = { t: now, n });
    const paths = [...c.analytics.paths.values()].sort((a, b) => b.journeys - a.journeys);
    return {
      journeys: n,
      perSecond: Math.round(rate),
      paths: paths.map((p) => ({ path: pathNames(p.key, names), journeys: p.journeys, p50Us: p.latency.count ? Number(us(p.latency.quantile(0.5))) : null })),
      tailClients: ui.tail.stats.clients,
    };
  };
}

function summaryLine(figures: () => DemoFigures, url: string): () => string {
  return () => {
    const f = figures();
    const lat = f.paths.slice(0, 3).map((p) => `${p.path} p50 ${p.p50Us ?? "-"} µs`);
    return `journeys ${f.journeys} (${f.perSecond}/s), paths ${f.paths.length}${lat.length ? "; " + lat.join(", ") : ""}; tail clients ${f.tailClients} · ${url}`;
  };
}
