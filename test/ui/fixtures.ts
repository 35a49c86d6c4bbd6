// Stores of diamond journeys for the UI tests: the demo's generated diamond traffic, joined by
// the collector's Joiner and written by the SQLite store — the pipeline `ioam collect` runs.

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Journey, Joiner } from "../../src/collector/journeys.js";
import { SqliteStore } from "../../src/collector/store/sqlite-store.js";
import { GeneratedDiamond } from "../../src/ui/demo/generated-diamond.js";

/** A SQLite store holding `n` journeys, 5 ms apart, the newest `endMs` ago… at `endMs`. */
export async function diamondStore(n: number, endMs = Date.now() - 2000): Promise<{ store: SqliteStore; file: string; journeys: Journey[] }> {
  const file = join(mkdtempSync(join(tmpdir(), "ioamkit-ui-test-")), "ui.db");
  const store = SqliteStore.open(file);
  const journeys: Journey[] = [];
  const joiner = new Joiner((j) => journeys.push(j), { windowMs: 1 });
  const gen = new GeneratedDiamond({ seed: 11 });
  for (let i = 0; i < n; i++) joiner.add(gen.packet(endMs - (n - 1 - i) * 5));
  joiner.drain();
  for (let i = 0; i < journeys.length; i += 5000) await store.write({ journeys: journeys.slice(i, i + 5000) });
  return { store, file, journeys };
}
