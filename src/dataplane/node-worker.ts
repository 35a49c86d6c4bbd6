// A worker thread of `ioam node run` (plane.ts): one queue, one handler. Messages from the main
// thread: update (a reloaded configuration), flow (a change of the trace-context registry,
// acknowledged once applied), stats, close; it answers "ready" once its queue is bound, or the
// error that stopped it.

import { parentPort, workerData } from "node:worker_threads";
import { type CoreStart, PlaneCore } from "./plane.js";
import type { SetupInput } from "./handler-setup.js";
import type { FlowChange } from "./trace-context-api.js";

interface Message {
  op: "update" | "flow" | "stats" | "close";
  change?: FlowChange;
  id?: number;
  input?: SetupInput;
  sequences?: SharedArrayBuffer;
}

if (parentPort) {
  const port = parentPort;
  try {
    const core = await PlaneCore.open(workerData as CoreStart);
    port.on("message", (m: Message) => {
      if (m.op === "update") core.update(m.input!, m.sequences);
      else if (m.op === "flow") (core.flow(m.change!), port.postMessage({ id: m.id }));
      else if (m.op === "stats") port.postMessage({ id: m.id, result: core.stats() });
      else void core.close().then(() => (port.postMessage({ id: m.id }), port.close()));
    });
    port.postMessage({ op: "ready" });
  } catch (e) {
    port.postMessage({ op: "error", error: (e as Error).message });
  }
}
