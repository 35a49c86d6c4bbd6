// `ioam demo` (what `npm start` runs): the diamond with traffic, the collector and the UI in one
// process (src/ui/demo/), a live summary line, and everything removed on Ctrl-C.

import { UsageError } from "../../errors.js";
import { startDemo } from "../../ui/demo/run-demo.js";
import type { Parsed } from "../args.js";
import type { CommandSpec } from "../spec.js";
import { V } from "../values.js";
import { untilSignal } from "./ui.js";

async function run(a: Parsed): Promise<number> {
  if (a.words.length) throw new UsageError(`demo takes no words (got "${a.words[0]}")`);
  const rate = a.num("rate");
  const seconds = a.has("duration") ? a.num("duration") : 0;
  const json = a.has("json");
  const tty = process.stdout.isTTY === true && !json;
  const log = (line: string) => process.stderr.write(line + "\n");
  const f = (k: string) => a.text(k);
  // Listening from here on: a Ctrl-C while the lab comes up lets it finish, then takes it down.
  const stopped = untilSignal();
  const demo = await startDemo({ log, rate, emulate: a.has("emulate"), ...(f("listen") ? { listen: f("listen")! } : {}), ...(f("db") ? { db: f("db")! } : {}), ...(f("jaeger") ? { jaegerUrl: f("jaeger")! } : {}) });
  const say = (done: boolean) => (json ? JSON.stringify({ v: 1, url: demo.url, mode: demo.traffic.mode, ...demo.figures(), ...(done ? { done } : {}) }) : demo.summary());
  if (json) process.stdout.write(JSON.stringify({ v: 1, url: demo.url, mode: demo.traffic.mode }) + "\n");
  else process.stdout.write(`ioam demo: open ${demo.url}  (Ctrl-C stops everything)\n`);
  // On a terminal the summary rewrites one line every second; in a pipe, one line every 5 s.
  const every = tty ? 1000 : 5000;
  const ticker = setInterval(() => process.stdout.write(tty ? `\r\x1b[K${say(false)}` : `${say(false)}\n`), every);
  const ended = seconds ? new Promise<void>((r) => setTimeout(r, seconds * 1000).unref()) : new Promise<void>(() => {});
  await Promise.race([stopped, ended]);
  clearInterval(ticker);
  process.stdout.write(`${tty ? "\n" : ""}${say(true)}\n`);
  await demo.stop();
  if (!json) process.stdout.write("ioam demo: stopped; nothing left behind\n");
  return 0;
}

export const demoCommand: CommandSpec = {
  name: "demo",
  summary: "the whole system live: the diamond lab with traffic, the collector and the UI (npm start)",
  description: `Runs examples/diamond.yaml (h1 — r1 — {r2, r3} — r4 — h2) with continuous traffic (--rate
packets/s), the collector storing every journey in SQLite (a temporary database, or --db FILE
to keep it) and the UI over it, then prints the URL and a live summary: journeys stored, their
rate, the paths and their latency (--json: one JSON object per line instead). As root the
diamond is a real lab named demo<PID> (network namespaces, r2/r3 kernel transit, r1/r4 running
ioam node run, h1 pinging h2; the collector follows r1 and r4's sinks); without root, with
--emulate, or when the lab cannot come up, the same lab runs in this process on the engine.
Ctrl-C (or --duration) stops it and removes everything it made. npm start runs this.`,
  forms: [{ words: "", flags: ["emulate", "listen", "rate", "db", "duration", "jaeger", "json"] }],
  flags: [
    { name: "emulate", help: "run the lab in this process even as root" },
    { name: "listen", help: "where the UI listens (default 127.0.0.1:8464, any free port when taken)", value: { placeholder: "HOST:PORT", spec: V.text("an address and port, e.g. 127.0.0.1:0") } },
    { name: "rate", help: "packets per second h1 sends to h2", value: { placeholder: "N", spec: V.count("packets per second", 20_000n), default: "200" } },
    { name: "db", help: "keep the journeys in this database (default: a temporary one, removed at the end)", value: { placeholder: "FILE", spec: V.outfile("a SQLite database") } },
    { name: "duration", help: "stop after this many seconds (default: at Ctrl-C)", value: { placeholder: "SECONDS", spec: V.count("seconds", 86_400n) } },
    { name: "jaeger", help: "link journeys with an application trace to this Jaeger UI", value: { placeholder: "URL", spec: V.text("an http(s) URL, e.g. http://127.0.0.1:16686") } },
    { name: "json", help: "print the URL and each summary as JSON lines" },
  ],
  values: {},
  examples: [
    { cmd: "ioam demo" },
    { cmd: "ioam demo --emulate --listen 127.0.0.1:0 --duration 2", runnable: true },
    { cmd: "ioam demo --json --duration 10 | tail -n 1 | jq .paths" },
  ],
  run,
};
