// Stores of diamond journeys for the UI tests, joined by the collector's Joiner and written by
// the SQLite store — the pipeline `ioam collect` runs: from the model (test/ui/generated-diamond.ts:
// the r3 path and application trace contexts too) or from packets through the lab's emulation
// of examples/diamond.yaml (what the demo runs without root).

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Observation } from "../../src/collector/observation.js";
import { type Journey, Joiner } from "../../src/collector/journeys.js";
import { SqliteStore } from "../../src/collector/store/sqlite-store.js";
import { EmulatedDiamond } from "../../src/ui/demo/emulated-diamond.js";
import { GeneratedDiamond } from "./generated-diamond.js";

/** Journeys of `n` packets, 5 ms apart, the last at `endMs`. */
export function diamondJourneys(n: number, endMs: number, from: "model" | "lab" = "model"): Journey[] {
  const journeys: Journey[] = [];
  const joiner = new Joiner((j) => journeys.push(j), { windowMs: 1 });
  const gen = new GeneratedDiamond({ seed: 11 });
  const emu = from === "lab" ? new EmulatedDiamond({ seed: 11, clock: () => endMs - n * 5 }) : undefined;
  for (let i = 0; i < n; i++) {
    const t = endMs - (n - 1 - i) * 5;
    const obs: Observation[] = emu ? emu.send(t) : [gen.packet(t)];
    for (const o of obs) joiner.add(o);
  }
  joiner.drain();
  return journeys;
}

/** The stores' directories, removed when the test process ends (after its stores are closed). */
const made: string[] = [];
process.on("exit", () => made.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A SQLite store holding the journeys of `n` packets, 5 ms apart, the newest at `endMs`. */
export async function diamondStore(n: number, endMs = Date.now() - 2000, from: "model" | "lab" = "model"): Promise<{ store: SqliteStore; file: string; journeys: Journey[] }> {
  const dir = mkdtempSync(join(tmpdir(), "ioamkit-ui-test-"));
  made.push(dir);
  const file = join(dir, "ui.db");
  const store = SqliteStore.open(file);
  const journeys = diamondJourneys(n, endMs, from);
  for (let i = 0; i < journeys.length; i += 5000) await store.write({ journeys: journeys.slice(i, i + 5000) });
  return { store, file, journeys };
}
