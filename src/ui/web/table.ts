// The header row of the figure tables (each chart's numbers, readable without the canvas).

import { el } from "./api.js";

/** A header row of th cells. */
export function headRow(cells: readonly string[]): HTMLTableRowElement {
  const tr = el("tr");
  for (const c of cells) tr.append(el("th", { scope: "col" }, c));
  return tr;
}
