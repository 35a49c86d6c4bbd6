// test: serial — the Long Tasks bound measures main-thread time, so this file runs alone (not beside other test files).
// The page in headless Chromium over diamond journeys from packets through the lab's emulation of
// examples/diamond.yaml (what npm start runs without root): the graph, a time series, the heatmap and
// a journey's waterfall render; node ids and hop latencies read from the page equal the API's;
// the live tail shows journeys as they are stored; no console errors; with 10 000 journeys
// loaded no main-thread task exceeds 200 ms (Long Tasks API). Screenshots: test-artifacts/.

import assert from "node:assert/strict";
import { availableParallelism, loadavg } from "node:os";
import { after, before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import { Joiner, type Journey } from "../../src/collector/journeys.js";
import type { SqliteStore } from "../../src/collector/store/sqlite-store.js";
import { demoTopology, nodeNamesOf } from "../../src/ui/demo/emulated-diamond.js";
import { GeneratedDiamond } from "./generated-diamond.js";
import type { UiServer } from "../../src/ui/server.js";
import { startUi } from "../../src/ui/start.js";
import { artifactPath, chromiumSkip, launchChromium } from "../harness/chromium.js";
import { diamondJourneys, diamondStore } from "./fixtures.js";
import { get } from "./http.js";

const skip = chromiumSkip();

/** Console errors and uncaught exceptions of a page. */
function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (m) => void (m.type() === "error" && errors.push(m.text())));
  page.on("pageerror", (e) => errors.push(e.message));
  return errors;
}

const attr = (page: Page, sel: string, name: string) => page.$$eval(sel, (els, n) => els.map((e) => e.getAttribute(n) ?? ""), name);

describe("the page in Chromium", { skip }, () => {
  let store: SqliteStore;
  let ui: UiServer;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  const end = Date.now() - 3000;
  const win = { from: end - 30_000, to: end + 1 };
  before(async () => {
    ({ store } = await diamondStore(12_000, end, "lab"));
    // The emulation's r1 carries no application trace context yet (that is ioam node run's):
    // journeys of the model that do, for the Jaeger link, 100 s before the end (before the lab's).
    await store.write({ journeys: diamondJourneys(100, end - 100_000, "model") });
    ui = await startUi(store, { listen: "127.0.0.1:0", nodeNames: nodeNamesOf(demoTopology()), jaegerUrl: "http://127.0.0.1:16686" });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await ui?.close();
    await store?.close();
  });
  const api = async <T>(path: string) => (await get(ui.port, path)).json<T>();

  it("renders graph, series, heatmap and waterfall; ids and latencies on the page equal the API's; no console errors", async () => {
    const page = await browser.context.newPage();
    const errors = watchErrors(page);
    const t0 = Date.now();
    await page.goto(`${ui.url}?from=${win.from}&to=${win.to}`);
    await page.waitForSelector("body[data-ready='1']", { timeout: 60_000 });
    const loadMs = Date.now() - t0;
    const q = `from=${win.from}&to=${win.to}`;
    type Topo = { nodes: Array<{ id: string }>; links: Array<{ id: string; latencyNs?: { p50: number } }> };
    const topo = await api<Topo>(`/api/v1/topology?${q}`);
    assert.ok((await page.$$("#graph canvas")).length > 0, "Cytoscape drew on canvas");
    assert.deepEqual((await attr(page, "#graph-figures tr[data-node-id]", "data-node-id")).sort(), topo.nodes.map((n) => n.id).sort());
    const linkIds = await attr(page, "#graph-figures tr[data-link-id]", "data-link-id");
    const linkP50 = await attr(page, "#graph-figures tr[data-link-id]", "data-latency-p50-ns");
    assert.deepEqual(Object.fromEntries(linkIds.map((id, i) => [id, Number(linkP50[i])])), Object.fromEntries(topo.links.map((l) => [l.id, l.latencyNs!.p50])));
    const selected = Number((await attr(page, "#paths tr[aria-selected='true']", "data-path-id"))[0]);
    const series = await api<{ rows: Array<{ hop: number; latency?: { p50: number } }> }>(`/api/v1/paths/${selected}/series?${q}`);
    const pageLat = (await attr(page, "#series-figures tr[data-hop]", "data-latency-p50-ns")).map((v) => (v === "" ? undefined : Number(v)));
    assert.deepEqual(pageLat, series.rows.map((r) => r.latency?.p50));
    assert.ok(Number(await page.getAttribute("#latency-chart", "data-points")) > 10, "the latency series has points");
    assert.ok((await page.$$("#latency-chart canvas")).length > 0 && (await page.$$("#heatmap-chart canvas")).length > 0);
    assert.ok(Number(await page.getAttribute("#heatmap-chart", "data-cells")) > 0);
    const newest = (await api<{ journeys: Array<{ id: number; latencyNs: Array<number | null>; hops: Array<{ nodeId: number }> }> }>(`/api/v1/journeys?${q}&limit=1`)).journeys[0]!;
    assert.equal(Number(await page.getAttribute("#waterfall-chart", "data-journey-id")), newest.id);
    assert.deepEqual((await attr(page, "#waterfall-fields tr[data-field='latencyNs'] td", "data-value")).map((v) => (v === "" ? null : Number(v))), newest.latencyNs);
    assert.deepEqual((await attr(page, "#waterfall-fields tr[data-field='nodeId'] td", "data-value")).map(Number), newest.hops.map((h) => h.nodeId));
    await page.screenshot({ path: artifactPath("ui-page.png"), fullPage: true });
    assert.deepEqual(errors, []);
    process.stderr.write(`page: ready in ${loadMs} ms (${topo.nodes.length} nodes, journeys of 12 000 packets in the store, 2000 loaded)\n`);
    await page.close();
  });

  it("links a journey with an application trace context to its trace in Jaeger", async () => {
    const page = await browser.context.newPage();
    const errors = watchErrors(page);
    const w = { from: end - 101_000, to: end - 99_000 };
    await page.goto(`${ui.url}?from=${w.from}&to=${w.to}&journeys=200`);
    await page.waitForSelector("body[data-ready='1']");
    const list = (await api<{ journeys: Array<{ id: number; traceId?: string }> }>(`/api/v1/journeys?from=${w.from}&to=${w.to}&limit=200`)).journeys;
    const i = list.findIndex((j) => j.traceId);
    await page.evaluate(`document.getElementById("journeys").scrollTop = ${i * 20}`);
    await page.click(`#journeys .row[data-journey-id='${list[i]!.id}']`);
    assert.equal(await page.getAttribute("#jaeger-link", "href"), `http://127.0.0.1:16686/trace/${list[i]!.traceId}`);
    assert.equal(await page.isVisible("#jaeger-link"), true);
    await page.screenshot({ path: artifactPath("ui-waterfall-jaeger.png"), clip: { x: 0, y: 0, width: 1400, height: 1000 } });
    assert.deepEqual(errors, []);
    await page.close();
  });

  it("loads 10 000 journeys without a main-thread task over 200 ms", async () => {
    const page = await browser.context.newPage();
    const errors = watchErrors(page);
    // Registered before the page's own scripts run, so that their evaluation is observed too.
    await page.addInitScript({ content: `window.longTasks = []; new PerformanceObserver((l) => l.getEntries().forEach((e) => window.longTasks.push(e.duration))).observe({ type: "longtask", buffered: true });` });
    await page.goto(`${ui.url}?from=${end - 120_000}&to=${win.to}&journeys=10000`);
    await page.waitForSelector("body[data-ready='1']", { timeout: 120_000 });
    assert.equal(await page.getAttribute("#journeys", "data-count"), "10000");
    await page.evaluate(`document.getElementById("journeys").scrollTop = 150000`);
    await page.waitForTimeout(500);
    const tasks = (await page.evaluate("window.longTasks")) as number[];
    const steps = (await page.evaluate("performance.getEntriesByType('measure').map((m) => m.name + ' ' + Math.round(m.duration) + ' ms').join(', ')")) as string;
    process.stderr.write(`long tasks with 10 000 journeys: ${tasks.length}, longest ${Math.round(Math.max(0, ...tasks))} ms (load average ${loadavg()[0]!.toFixed(1)}); steps: ${steps}\n`);
    // The Long Tasks API measures wall-clock time: on a machine busy with other work every task
    // stretches, so the failure says how busy this one was.
    const load = `load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores`;
    assert.ok(Math.max(0, ...tasks) <= 200, `longest main-thread task ${Math.max(...tasks)} ms (${load}); tasks ${tasks.map(Math.round).join(", ")}; the page's steps: ${steps}`);
    await page.screenshot({ path: artifactPath("ui-10k-journeys.png") });
    assert.deepEqual(errors, []);
    await page.close();
  });

  it("shows journeys in the live tail as they are stored", async () => {
    const page = await browser.context.newPage();
    const errors = watchErrors(page);
    await page.goto(ui.url);
    await page.waitForSelector("body[data-ready='1']");
    const gen = new GeneratedDiamond({ seed: 5 });
    for (let i = 0; i < 15 && !(Number(await page.getAttribute("#tail", "data-received")) >= 20); i++) {
      const js: Journey[] = [];
      const joiner = new Joiner((j) => js.push(j), { windowMs: 1 });
      for (let k = 0; k < 20; k++) joiner.add(gen.packet(Date.now() - 20 + k));
      joiner.drain();
      await store.write({ journeys: js });
      await page.waitForTimeout(300);
    }
    assert.ok(Number(await page.getAttribute("#tail", "data-received")) >= 20);
    assert.match((await page.textContent("#tail li"))!, /r1>r[23]>r4|r4>r2>r1/);
    assert.deepEqual(errors, []);
    await page.close();
  });
});
