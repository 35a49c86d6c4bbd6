// `ioam monitor`: the kernel's IOAM6_EVENT_TRACE notifications, as `ip ioam monitor` prints
// them, or (--json) as canonical trace records with the node data decoded.

import { UsageError } from "../../errors.js";
import { type Ioam6TraceEvent, decodeTraceEvent } from "../../linux/netlink/ioam6-family.js";
import { JsonBytes } from "../../wire/json/json-bytes.js";
import { writeList, writeNode } from "../../wire/json/record-json.js";
import type { Parsed } from "../args.js";
import type { CommandSpec } from "../spec.js";
import { V } from "../values.js";
import { traceEventLine } from "../format-ioam6.js";
import { withIoam6 } from "../ioam6-session.js";

/**
 * The canonical record of a kernel event. The kernel sends no flags nor RemainingLen, so
 * they are absent; the node data is decoded as the entries of a pre-allocated trace.
 */
export function traceEventJson(e: Ioam6TraceEvent, now: number): string {
  const { trace: t, issues } = decodeTraceEvent(e);
  const w = new JsonBytes(512);
  w.ascii(`{"v":1,"source":"kernel-event","time":${JSON.stringify(new Date(now).toISOString())},"option":{"kind":"trace","variant":"prealloc","namespaceId":`);
  w.uint(t.namespaceId);
  w.ascii(',"nodeLen":');
  w.uint(t.nodeLen);
  w.ascii(',"traceType":');
  w.hexNum(t.traceType, 6);
  w.ascii(',"reserved":');
  w.uint(t.reserved);
  w.ascii(',"nodes":[');
  writeList(w, t.nodes, writeNode);
  w.ascii("]");
  if (t.rawData) (w.ascii(',"rawData":'), w.hexBytes(t.rawData));
  w.text(`,"issues":${JSON.stringify(issues.map((x) => ({ code: x.code, offset: x.offset - 8 })))}}}`);
  return w.toString();
}

async function run(a: Parsed): Promise<number> {
  if (a.words.length) throw new UsageError(`monitor takes no arguments (got "${a.words[0]}")`);
  const count = a.has("count") ? a.num("count") : 0;
  const json = a.has("json");
  return withIoam6(
    (c) =>
      new Promise<number>((resolve) => {
        let seen = 0;
        const stop = () => resolve(0);
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
        c.subscribeEvents((e) => {
          process.stdout.write((json ? traceEventJson(e, Date.now()) : traceEventLine(e)) + "\n");
          if (count && ++seen >= count) stop();
        });
        if (process.env.IOAMKIT_MONITOR_READY) process.stderr.write("monitoring ioam6_events\n");
      }),
  );
}

export const monitorCommand: CommandSpec = {
  name: "monitor",
  summary: "print the kernel's IOAM trace events (as ip ioam monitor; --json records)",
  description: `Subscribes to the IOAM6 Generic Netlink group ioam6_events (Linux >= 6.9) and prints one line
per IOAM trace the kernel processed on an interface with ioam6_enabled=1, as ip ioam monitor
does; --json prints canonical records (source "kernel-event", nodes decoded). Stops on
Ctrl-C, or after N events with --count.`,
  forms: [{ words: "", flags: ["json", "count"], kernel: true }],
  flags: [
    { name: "json", help: "one canonical record per event, one per line" },
    { name: "count", help: "stop after N events", value: { placeholder: "N", spec: V.count("events", 0xffffffffn) } },
  ],
  values: {},
  examples: [{ cmd: "ioam --netns r2 monitor" }, { cmd: "ioam monitor --json --count 10 | jq .option.nodes" }],
  run,
};
