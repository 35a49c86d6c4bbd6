// Live capture on an interface as a collector source (docs/collector.md, "Sources and resume").
// Node has no AF_PACKET socket, so tcpdump captures inside the interface's netns and writes pcap
// to its standard output (-w -, flushed per packet with -U and --immediate-mode: libpcap's
// TPACKET_V3 otherwise hands packets over a block at a time); the capture reader parses the
// stream as it arrives and each frame's IOAM options become observations stamped with the
// capture's time, exactly as from a file. What differs from a file:
//   - it cannot be replayed: a restart resumes from now with the gap recorded, and its frames
//     carry no position (a new tcpdump counts offsets from 0 again);
//   - packets the kernel dropped before tcpdump read them are counted from tcpdump's own
//     statistics, asked for with SIGUSR1 every STATS_MS and read once more at exit, and reported
//     as `capture-dropped` with the count; frames that do not decode as `malformed`.

import { type ChildProcess, spawn } from "node:child_process";
import { streamInput } from "../../capture/byte-input.js";
import { ConfigError, IoamError } from "../../errors.js";
import type { Observation } from "../observation.js";
import { type FrameCounts, readCaptureObservations } from "./pcap-source.js";
import type { Checkpoint, ObservationSink, Problem, Source, SourceStats } from "./source.js";

/** How often tcpdump is asked for its drop count. */
export const STATS_MS = 2000;
/** How long tcpdump may take to start listening. */
const READY_MS = 10_000;

/** `IFNAME` (this netns) or `NETNS/IFNAME`, as given to --capture. */
export function parseCaptureSpec(spec: string): { netns?: string; ifname: string } {
  const m = /^(?:([^/\s]+)\/)?([^/\s:]{1,15})$/.exec(spec);
  if (!m) throw new ConfigError("capture", `${JSON.stringify(spec)}: expected IFNAME or NETNS/IFNAME (an interface name is 1–15 characters)`);
  return m[1] ? { netns: m[1], ifname: m[2]! } : { ifname: m[2]! };
}

/** What tcpdump's statistics lines say (cumulative). */
export function droppedByKernel(stderr: string): number | undefined {
  const all = [...stderr.matchAll(/(\d+) packets? dropped by kernel/g)];
  return all.length ? Number(all[all.length - 1]![1]) : undefined;
}

export class CaptureSource implements Source {
  readonly kind = "capture" as const;
  readonly name: string;
  private readonly at: string;
  private readonly where: { netns?: string; ifname: string };
  private child: ChildProcess | undefined;
  private stderr = "";
  private records = 0;
  private problems = 0;
  private dropped = 0;
  private malformed = 0;
  private running = false;
  private stopped = false;
  private listening: Promise<void> | undefined;
  /** tcpdump said it listens: from then on its end is a source failure (before, ready() says why). */
  private listened = false;
  readonly counts: FrameCounts = { frames: 0, notIpv6: 0, noTrace: 0, malformed: new Map() };

  constructor(spec: string) {
    this.where = parseCaptureSpec(spec);
    this.at = spec;
    this.name = `capture:${spec}`;
  }

  async run(sink: ObservationSink, resume: Checkpoint | undefined): Promise<void> {
    if (resume?.time !== undefined) sink.problem({ reason: "gap", source: this.name, time: Date.now(), since: resume.time, detail: "a live capture cannot be replayed: packets while the collector was not running are not in it" });
    const child = this.spawnTcpdump();
    this.running = true;
    const exited = new Promise<number | null>((r) => child.on("close", r));
    const stats = setInterval(() => (this.listened && child.kill("SIGUSR1"), this.reportCounts(sink)), STATS_MS); // before its handler is set, SIGUSR1 would end tcpdump
    const each = (o: Observation) => {
      delete o.position; // offsets of a stream that restarts at 0: not a resume point
      this.records++;
      sink.observe(o);
    };
    try {
      await readCaptureObservations(streamInput(this.at, child.stdout!), { counts: this.counts, each, batch: () => sink.ready() });
    } catch (e) {
      if (!this.stopped && this.counts.frames + this.counts.notIpv6 > 0) this.problem(sink, { reason: "source-failed", source: this.name, time: Date.now(), detail: `reading tcpdump's output: ${e instanceof Error ? e.message : String(e)}` });
    } finally {
      clearInterval(stats);
      child.kill("SIGTERM");
      const code = await exited;
      this.running = false;
      this.reportCounts(sink);
      if (!this.stopped && this.listened) this.problem(sink, { reason: "source-failed", source: this.name, time: Date.now(), detail: `tcpdump on ${this.at} ended (${code}): ${this.stderr.trim().split("\n").slice(-2).join("; ")}` });
    }
  }

  private spawnTcpdump(): ChildProcess {
    const args = ["--immediate-mode", "-U", "-n", "-B", "16384", "-i", this.where.ifname, "-w", "-", "ip6"];
    const child = this.where.netns ? spawn("ip", ["netns", "exec", this.where.netns, "tcpdump", ...args], { stdio: ["ignore", "pipe", "pipe"] }) : spawn("tcpdump", args, { stdio: ["ignore", "pipe", "pipe"] });
    this.child = child;
    this.listening = new Promise<void>((resolve, reject) => {
      const fail = (why: string) => reject(new IoamError("IO", `capturing on ${this.at}: ${why}`));
      const timer = setTimeout(() => fail(`tcpdump not listening after ${READY_MS / 1000} s: ${this.stderr.trim()}`), READY_MS);
      child.stderr!.on("data", (d: Buffer) => {
        this.stderr = (this.stderr + d.toString()).slice(-4096);
        if (/listening on/.test(this.stderr)) (clearTimeout(timer), (this.listened = true), resolve());
      });
      child.on("error", (e) => (clearTimeout(timer), fail(`${e.message} (a live capture needs tcpdump: apt-get install tcpdump)`)));
      child.on("close", (code) => (clearTimeout(timer), fail(`tcpdump exited (${code}): ${this.stderr.trim().replace(/\n/g, "; ")}`)));
    });
    this.listening.catch(() => undefined);
    return child;
  }

  /** Reports what tcpdump's kernel dropped and what did not decode since the last report. */
  private reportCounts(sink: ObservationSink): void {
    const dropped = droppedByKernel(this.stderr);
    if (dropped !== undefined && dropped > this.dropped) {
      this.problem(sink, { reason: "capture-dropped", source: this.name, time: Date.now(), count: dropped - this.dropped, detail: `the kernel dropped packets before tcpdump read them on ${this.at}` });
      this.dropped = dropped;
    }
    let malformed = 0;
    for (const n of this.counts.malformed.values()) malformed += n;
    if (malformed > this.malformed) {
      this.problem(sink, { reason: "malformed", source: this.name, time: Date.now(), count: malformed - this.malformed, detail: `frames whose IOAM did not decode: ${[...this.counts.malformed].map(([c, n]) => `${c} ${n}`).join(", ")}` });
      this.malformed = malformed;
    }
  }

  private problem(sink: ObservationSink, p: Problem): void {
    this.problems++;
    sink.problem(p);
  }

  /** Resolves once tcpdump listens; rejects with why it did not. */
  async ready(): Promise<void> {
    for (let t = Date.now(); !this.listening && Date.now() - t < READY_MS; ) await new Promise((r) => setTimeout(r, 10));
    return this.listening;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.child?.kill("SIGTERM");
  }

  stats(): SourceStats {
    return { records: this.records, problems: this.problems, running: this.running };
  }
}
