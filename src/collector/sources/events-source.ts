// The kernel's ioam6_events as a source, one per network namespace: in this process for the
// current netns, else a child under nsenter (Node cannot setns(2); see linux/netns.ts) writing
// JSON lines. Multicast events cannot be replayed: after a restart the source starts from now
// and records the gap since its last stored record; an ENOBUFS overrun is recorded with its time
// (the kernel does not say how many events were lost).

import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { Ioam6Client, type Ioam6TraceEvent } from "../../linux/netlink/ioam6-family.js";
import { NETNS_RUN_DIR } from "../../linux/netns.js";
import { eventObservation, parseEventLine } from "./event-observation.js";
import type { Checkpoint, ObservationSink, Source, SourceStats } from "./source.js";

const CHILD = fileURLToPath(new URL("./events-child.js", import.meta.url));

/** ioam6_events of one netns (`netns` undefined: the collector's own). */
export class EventsSource implements Source {
  readonly kind = "events" as const;
  readonly name: string;
  private client: Ioam6Client | undefined;
  private child: ChildProcess | undefined;
  private records = 0;
  private problems = 0;
  private running = false;
  private done: (() => void) | undefined;
  private readyResolve: (() => void) | undefined;
  private readonly readyPromise = new Promise<void>((r) => (this.readyResolve = r));

  constructor(readonly netns: string | undefined) {
    this.name = `events:${netns ?? "self"}`;
  }

  async run(sink: ObservationSink, resume: Checkpoint | undefined): Promise<void> {
    this.running = true;
    const now = Date.now();
    if (resume?.time !== undefined) {
      this.problems++;
      sink.problem({ reason: "gap", source: this.name, time: now, since: resume.time, detail: "kernel events cannot be replayed: events between the last stored record and this start are lost" });
    }
    const at = this.netns ?? "self";
    const onEvent = (e: Ioam6TraceEvent, time: number) => {
      this.records++;
      sink.observe(eventObservation(e, at, time));
    };
    const onOverrun = (time: number) => {
      this.problems++;
      sink.problem({ reason: "overrun", source: this.name, time, detail: "ENOBUFS: the kernel dropped ioam6_events for this socket (how many is not reported)" });
    };
    const ended = new Promise<void>((resolve) => (this.done = resolve));
    try {
      if (this.netns === undefined) await this.inProcess(onEvent, onOverrun).then(() => this.readyResolve?.());
      else this.inChild(this.netns, onEvent, onOverrun, sink);
    } catch (e) {
      this.running = false;
      this.problems++;
      sink.problem({ reason: "source-failed", source: this.name, time: Date.now(), detail: e instanceof Error ? e.message : String(e) });
      this.readyResolve?.();
      return;
    }
    await ended;
    this.running = false;
  }

  private async inProcess(onEvent: (e: Ioam6TraceEvent, t: number) => void, onOverrun: (t: number) => void): Promise<void> {
    this.client = await Ioam6Client.open();
    this.client.setReceiveBuffer(8 << 20);
    this.client.subscribeEvents((e) => onEvent(e, Date.now()), () => onOverrun(Date.now()));
  }

  private inChild(netns: string, onEvent: (e: Ioam6TraceEvent, t: number) => void, onOverrun: (t: number) => void, sink: ObservationSink): void {
    if (!/^[\w.-]+$/.test(netns) || !existsSync(`${NETNS_RUN_DIR}/${netns}`)) throw new Error(`network namespace "${netns}" not found in ${NETNS_RUN_DIR} (see ip netns list)`);
    const child = spawn("nsenter", [`--net=${NETNS_RUN_DIR}/${netns}`, "--", process.execPath, CHILD], { stdio: ["pipe", "pipe", "pipe"] });
    this.child = child;
    let stderr = "";
    child.stderr!.on("data", (b: Buffer) => (stderr = (stderr + b.toString()).slice(-2000)));
    createInterface({ input: child.stdout! }).on("line", (line) => {
      const r = parseEventLine(line);
      if (r === undefined && line.includes('"ready"')) this.readyResolve?.();
      else if (r && "overrun" in r) onOverrun(r.overrun);
      else if (r) onEvent(r.event, r.time);
    });
    child.on("exit", (code, signal) => {
      if (this.child && code !== 0 && signal === null) {
        this.problems++;
        sink.problem({ reason: "source-failed", source: this.name, time: Date.now(), detail: `events in netns ${netns} stopped (status ${code}): ${stderr.trim()}` });
      }
      this.done?.();
      this.readyResolve?.();
    });
    child.on("error", (e) => {
      this.problems++;
      sink.problem({ reason: "source-failed", source: this.name, time: Date.now(), detail: `cannot enter netns ${netns}: ${e.message} (needs nsenter)` });
      this.done?.();
    });
  }

  async stop(): Promise<void> {
    this.client?.close();
    this.client = undefined;
    const c = this.child;
    this.child = undefined;
    if (c && c.exitCode === null) {
      const exited = new Promise<void>((r) => c.once("exit", () => r()));
      c.stdin?.end();
      c.kill("SIGTERM");
      await exited;
    }
    this.done?.();
  }

  ready(): Promise<void> {
    return this.readyPromise;
  }

  stats(): SourceStats {
    return { records: this.records, problems: this.problems, running: this.running };
  }
}
