// Run by the events source inside another network namespace (nsenter --net=/run/netns/NAME
// node events-child.js): subscribes to ioam6_events there and writes one JSON line per event,
// and {"overrun": time} when the kernel dropped events (ENOBUFS), to stdout. Ends when stdin
// closes (the collector went away) or on SIGTERM.

import { Ioam6Client } from "../../linux/netlink/ioam6-family.js";
import { eventLine } from "./event-observation.js";

async function main(): Promise<void> {
  const c = await Ioam6Client.open();
  c.setReceiveBuffer(8 << 20);
  let pending = "";
  const flush = () => {
    if (pending) process.stdout.write(pending);
    pending = "";
  };
  const timer = setInterval(flush, 20);
  c.subscribeEvents(
    (e) => {
      pending += eventLine(e, Date.now()) + "\n";
      if (pending.length > 65536) flush();
    },
    () => (pending += JSON.stringify({ overrun: Date.now() }) + "\n"),
  );
  process.stdout.write(JSON.stringify({ ready: Date.now() }) + "\n");
  const stop = () => {
    clearInterval(timer);
    flush();
    c.close();
    process.exit(0);
  };
  process.stdin.on("end", stop).resume();
  process.on("SIGTERM", stop);
}

main().catch((e: unknown) => {
  process.stderr.write(`ioam events: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
