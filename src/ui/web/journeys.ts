// The journeys of the window, newest first, in a virtual list (only the rows in view exist in
// the DOM), loaded a page of 1000 at a time with a yield between pages: 10 000 journeys never
// make one long main-thread task. And the live tail over the WebSocket.

import { type Journey, type Window, api, el, nodeLabel, usText } from "./api.js";

const ROW = 20;
const PAGE = 1000;

function pathText(j: Journey, names: Record<string, string>): string {
  return j.path.slice(j.path.indexOf("|") + 1).split(">").map((h) => nodeLabel(h, names)).join(">");
}

/** One line of text for a journey. */
export function journeyLine(j: Journey, names: Record<string, string>): string {
  const t = new Date(j.timeMs);
  const lat = j.latencyNs.slice(1).map((l) => usText(l)).join(" / ");
  return `${t.toLocaleTimeString()}.${String(t.getMilliseconds()).padStart(3, "0")}  ${pathText(j, names)}  ${lat} µs${j.traceId ? "  [app trace]" : ""}`;
}

const yieldToBrowser = () => new Promise<void>((r) => setTimeout(r, 0));

export class JourneyList {
  private items: Journey[] = [];
  private readonly spacer = el("div");
  private generation = 0;

  constructor(private readonly box: HTMLElement, private readonly names: () => Record<string, string>, private readonly onPick: (j: Journey) => void) {
    box.append(this.spacer);
    box.addEventListener("scroll", () => this.draw());
    box.addEventListener("click", (e) => {
      const id = (e.target as HTMLElement).closest<HTMLElement>(".row")?.dataset.journeyId;
      const j = this.items.find((x) => String(x.id) === id);
      if (j) this.onPick(j);
    });
  }

  get length(): number {
    return this.items.length;
  }

  /** Loads up to `max` journeys of the window, page by page; a newer load cancels this one. */
  async load(w: Window, max: number, onPage: (n: number) => void): Promise<Journey[]> {
    const gen = ++this.generation;
    const seen = new Set<number>();
    const items: Journey[] = [];
    let to = w.to;
    while (items.length < max) {
      const page = await api<{ journeys: Journey[] }>("/journeys", { from: w.from, to, limit: PAGE });
      if (gen !== this.generation) return items;
      let added = 0;
      for (const j of page.journeys) if (!seen.has(j.id) && items.length < max) seen.add(j.id), items.push(j), added++;
      if (page.journeys.length < PAGE || added === 0) break;
      // The next page ends just after this one's oldest journey (ids already taken are skipped).
      to = Math.ceil(page.journeys[page.journeys.length - 1]!.timeMs) + 1;
      onPage(items.length);
      await yieldToBrowser();
    }
    this.items = items;
    this.draw();
    onPage(items.length);
    return items;
  }

  /** Draws the rows in view (and a few around them). */
  draw(): void {
    this.spacer.style.height = `${this.items.length * ROW}px`;
    const first = Math.max(0, Math.floor(this.box.scrollTop / ROW) - 5);
    const last = Math.min(this.items.length, first + Math.ceil(this.box.clientHeight / ROW) + 10);
    const rows: HTMLElement[] = [];
    for (let i = first; i < last; i++) {
      const j = this.items[i]!;
      const r = el("div", { class: "row", role: "row", "data-journey-id": j.id, "data-path-id": j.pathId }, journeyLine(j, this.names()));
      r.style.top = `${i * ROW}px`;
      rows.push(r);
    }
    this.box.replaceChildren(this.spacer, ...rows);
    this.box.dataset.count = String(this.items.length);
  }
}

/** The live tail: newest journey on top, at most `keep` lines; reconnects after a drop. */
export function startTail(list: HTMLOListElement, state: HTMLElement, names: () => Record<string, string>, onPick: (j: Journey) => void, keep = 100): void {
  const proto = location.protocol === "https:" ? "wss" : "ws";
  const ws = new WebSocket(`${proto}://${location.host}/api/v1/tail`);
  const byId = new Map<string, Journey>();
  ws.onopen = () => (state.textContent = "(connected)");
  ws.onmessage = (m) => {
    const msg = JSON.parse(String(m.data)) as { type: string; journey?: Journey };
    if (msg.type !== "journey" || !msg.journey) return;
    const j = msg.journey;
    const li = el("li", { "data-journey-id": j.id }, journeyLine(j, names()));
    byId.set(String(j.id), j);
    list.prepend(li);
    while (list.children.length > keep) byId.delete((list.lastElementChild as HTMLElement).dataset.journeyId!), list.lastElementChild!.remove();
    list.dataset.received = String(Number(list.dataset.received ?? 0) + 1);
  };
  list.onclick = (e) => {
    const j = byId.get((e.target as HTMLElement).closest("li")?.dataset.journeyId ?? "");
    if (j) onPick(j);
  };
  ws.onclose = () => {
    state.textContent = "(reconnecting…)";
    setTimeout(() => startTail(list, state, names, onPick, keep), 2000);
  };
}
