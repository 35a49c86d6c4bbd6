// `ioam demo` (what `npm start` runs): the diamond with traffic, the collector and the UI in one
// process (src/ui/demo/), a live summary line, and everything removed on Ctrl-C.

import { UsageError } from "../../errors.js";
import { startDemo } from "../../ui/demo/run-demo.js";
import type { ParsedArgs } from "../args.js";
import { intFlag } from "../args.js";
import type { Command } from "../command.js";
import { untilSignal } from "./ui.js";

async function run(a: ParsedArgs): Promise<number> {
  if (a.positional.length) throw new UsageError(`demo takes no words (got "${a.positional[0]}")`);
  const rate = intFlag(a, "rate", 200, 1, 20_000);
  const seconds = intFlag(a, "duration", 0, 0, 86_400);
  const tty = process.stdout.isTTY === true;
  const log = (line: string) => process.stderr.write(line + "\n");
  const f = (k: string) => a.flags.get(k);
  const demo = await startDemo({ log, rate, emulate: a.booleans.has("emulate"), ...(f("listen") ? { listen: f("listen")! } : {}), ...(f("db") ? { db: f("db")! } : {}), ...(f("jaeger") ? { jaegerUrl: f("jaeger")! } : {}) });
  process.stdout.write(`ioam demo: open ${demo.url}  (Ctrl-C stops everything)\n`);
  // On a terminal the summary rewrites one line every second; in a pipe, one line every 5 s.
  const every = tty ? 1000 : 5000;
  const ticker = setInterval(() => process.stdout.write(tty ? `\r\x1b[K${demo.summary()}` : `${demo.summary()}\n`), every);
  const ended = seconds ? new Promise<void>((r) => setTimeout(r, seconds * 1000).unref()) : new Promise<void>(() => {});
  await Promise.race([untilSignal(), ended]);
  clearInterval(ticker);
  process.stdout.write(`${tty ? "\n" : ""}${demo.summary()}\n`);
  await demo.stop();
  process.stdout.write("ioam demo: stopped; nothing left behind\n");
  return 0;
}

export const demoCommand: Command = {
  name: "demo",
  summary: "the whole system live: the diamond lab with traffic, the collector and the UI (npm start)",
  help: `usage: ioam demo [--emulate] [--listen HOST:PORT] [--rate N] [--db FILE] [--duration SECONDS] [--jaeger URL]

Runs examples/diamond.yaml's domain (h1 — r1 — {r2, r3} — r4 — h2) with continuous traffic
(--rate packets/s, default 200), the collector storing every journey in SQLite (a temporary
database, or --db FILE to keep it) and the UI over it, then prints the URL and a live summary:
journeys stored, their rate, the paths and their latency. As root the diamond is a real lab
(network namespaces, kernel transit at r2/r3, the userspace data plane at r1/r4); without root,
or with --emulate, it runs in this process. Ctrl-C (or --duration) stops it and removes
everything it made. This is what npm start runs.

Examples:
  ioam demo
  ioam demo --emulate --listen 127.0.0.1:0 --duration 30`,
  flags: { values: ["listen", "rate", "db", "duration", "jaeger"], booleans: ["emulate"] },
  run,
};
