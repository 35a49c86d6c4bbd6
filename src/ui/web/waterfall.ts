// One journey as a waterfall of hops (ECharts bars: each hop from the previous node's timestamp
// to its own), every IOAM field of every hop in a table beside it, and a link to the
// application's trace in Jaeger when the journey carries a trace context.

import { type Journey, el, usText } from "./api.js";
import { chartIn } from "./charts.js";
import { headRow } from "./table.js";

/** "0xf20000" etc. stay text; numbers as numbers; the snapshot as schema + bytes. */
function fieldText(v: unknown): string {
  if (v === undefined) return "";
  if (typeof v === "object" && v !== null && "schemaId" in v) {
    const o = v as { schemaId: number; data: string };
    return `schema 0x${o.schemaId.toString(16)} data ${o.data}`;
  }
  return Array.isArray(v) ? v.join(" ") : String(v);
}

function hopName(j: Journey, i: number, names: Record<string, string>): string {
  const id = String(j.hops[i]?.nodeId ?? j.path.split("|")[1]?.split(">")[i]?.split(":")[0] ?? "?");
  return `${i + 1}. ${names[id] ? `${names[id]} (${id})` : `node ${id}`}`;
}

/** Draws the journey. */
export function renderWaterfall(box: HTMLElement, table: HTMLTableElement, link: HTMLAnchorElement, j: Journey, names: Record<string, string>, jaegerUrl: string | null): void {
  const labels = j.hops.map((_, i) => hopName(j, i, names));
  const start = j.offsetNs.map((o, i) => (i === 0 ? 0 : (j.offsetNs[i - 1] ?? o ?? 0) / 1000));
  const span = j.latencyNs.map((l) => (l === null ? 0 : l / 1000));
  chartIn(box).setOption({
    animation: false,
    grid: { left: 110, right: 24, top: 10, bottom: 24 },
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    xAxis: { type: "value", name: "µs from the first node", nameLocation: "middle", nameGap: 18, nameTextStyle: { fontSize: 10 }, axisLabel: { fontSize: 10 } },
    yAxis: { type: "category", data: labels, inverse: true, axisLabel: { fontSize: 11 } },
    series: [
      { type: "bar", stack: "w", name: "offset", data: start, itemStyle: { color: "transparent" }, tooltip: { show: false } },
      { type: "bar", stack: "w", name: "latency µs", data: span, itemStyle: { color: "#3b6fd8" }, label: { show: true, position: "right", fontSize: 10, formatter: (p: { dataIndex: number }) => (p.dataIndex === 0 ? "start" : `${usText(j.latencyNs[p.dataIndex])} µs`) } },
    ],
    aria: { enabled: true, label: { description: `journey ${j.id}: ${j.hops.length} hops` } },
  }, { notMerge: true, lazyUpdate: true });
  box.dataset.journeyId = String(j.id);
  box.dataset.timeMs = String(j.timeMs);
  box.dataset.hops = String(j.hops.length);
  renderFields(table, j, labels);
  const href = j.traceId && jaegerUrl ? `${jaegerUrl}/trace/${j.traceId}` : undefined;
  link.hidden = href === undefined;
  if (href) (link.href = href), (link.rel = "noopener noreferrer"), (link.target = "_blank");
  else link.removeAttribute("href");
}

function renderFields(table: HTMLTableElement, j: Journey, labels: string[]): void {
  const keys: string[] = [];
  for (const h of j.hops) for (const k of Object.keys(h)) if (!keys.includes(k)) keys.push(k);
  const rows: HTMLElement[] = [
    el("caption", {}, `Journey ${j.id}: ${j.path}, trace type ${j.traceType}, joined by ${j.joinedBy}, seen at ${j.at.join(", ")}${j.traceId ? `, application trace ${j.traceId}` : ""}`),
    headRow(["field", ...labels]),
  ];
  const derived: Array<[string, Array<number | null>]> = [["latencyNs", j.latencyNs], ["offsetNs", j.offsetNs]];
  for (const [name, values] of derived) {
    const tr = el("tr", { "data-field": name });
    tr.append(el("th", { scope: "row" }, name === "latencyNs" ? "latency µs (derived)" : "offset µs (derived)"));
    values.forEach((v, i) => tr.append(el("td", { "data-hop": i, "data-value": v ?? "" }, usText(v))));
    rows.push(tr);
  }
  for (const k of keys) {
    const tr = el("tr", { "data-field": k });
    tr.append(el("th", { scope: "row" }, k));
    j.hops.forEach((h, i) => tr.append(el("td", { "data-hop": i, "data-value": fieldText(h[k]) }, fieldText(h[k]))));
    rows.push(tr);
  }
  table.replaceChildren(...rows);
}
