// `ioam node run`'s life (docs/dataplane.md): clean up after a dead predecessor, apply the
// file's kernel part, self-test NFQUEUE, take over the ingresses it must own, bind the queues,
// install the rules — each change recorded in the state file before it is made — then serve;
// SIGHUP reloads without dropping a packet (the new set-up is swapped in between two packets,
// new rules go in before the old ones go out); stop undoes everything in reverse: rules first
// (no packet is queued any more), the queue drained, sockets closed, sysctls restored.

import { readFileSync } from "node:fs";
import type { Server } from "node:net";
import { ConfigError, IoamError } from "../errors.js";
import { type DataplaneSpec } from "../linux/apply/dataplane-spec.js";
import { type DesiredState, parseApplyDocument } from "../linux/apply/document.js";
import { type InstalledQueueRules, installQueueRules, readQueueCounters, removeQueueRules } from "../linux/ip6tables/queue-rules.js";
import type { QueueRule } from "../linux/ip6tables/queue-spec.js";
import { NETNS_ENV } from "../linux/netns.js";
import { nfqueueAddon } from "../linux/nfqueue/native.js";
import { readQueueTable } from "../linux/nfqueue/proc.js";
import { NODE_TAGS, cleanupNode } from "./cleanup.js";
import { type ControlServers, startControl } from "./control-server.js";
import { ownsIngresses } from "./handler-setup.js";
import { snapshotCounters } from "./node-counters.js";
import { applyKernelPart, ingressesToOwn, readKernelFacts, setupInputOf } from "./node-config.js";
import { nodeQueueRules, sameRules } from "./node-rules.js";
import { type NodeStats, timestampSource } from "./node-stats.js";
import { enabledKey, restoreSysctls, takeIngresses, writeSysctl } from "./ownership.js";
import { Plane } from "./plane.js";
import { kernelSelfTestCached } from "./selftest-cache.js";
import { type NodeRunState, controlPath, netnsInode, removeState, writeState } from "./state-file.js";
import { roleNotes } from "./role-notes.js";
import { listenFlowContexts } from "./trace-context-api.js";

export interface NodeRunOptions {
  file: string;
  sink?: string | undefined;
  metrics?: { host: string; port: number } | undefined;
  /** One line for the operator (stderr). */
  log(line: string): void;
}

/** Routes and MTUs are read again this often (and at each reload). */
const REFRESH_MS = 10_000;

export class NodeDaemon {
  private readonly state: NodeRunState;
  private plane: Plane | undefined;
  private control: ControlServers | undefined;
  /** The trace-context local API (docs/cross-layer.md), when dataplane.traceContext.socket is set. */
  private flowApi: Server | undefined;
  private rules: InstalledQueueRules | undefined;
  private ruleList: QueueRule[] = [];
  private rulePacketsBase = 0;
  private generation = 0;
  /** Owned ingresses and their configured ioam6_enabled. */
  private owned = new Map<string, boolean>();
  private work: Promise<void> = Promise.resolve();
  private refresh: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly startedAt = Date.now();
  private readonly netns = process.env[NETNS_ENV] ?? null;

  private constructor(
    private readonly o: NodeRunOptions,
    private spec: DataplaneSpec,
  ) {
    this.state = { v: 1, pid: process.pid, startedAt: new Date().toISOString(), netns: this.netns, netnsInode: netnsInode(), file: o.file, tags: [], rules: [], sysctls: [] };
  }

  /** Starts the daemon; on any failure everything done so far is undone and the error thrown. */
  static async start(o: NodeRunOptions): Promise<NodeDaemon> {
    const doc = parseApplyDocument(readFileText(o.file), o.file);
    checkHasWork(doc);
    nfqueueAddon(); // not built: say so before anything changes
    const stale = await cleanupNode();
    if (stale.stalePid !== null || stale.chainsRemoved.length) o.log(`cleaned up after a daemon that did not stop (pid ${stale.stalePid ?? "?"}): ${stale.chainsRemoved.length} chain(s) removed, ${stale.sysctlsRestored.length} sysctl(s) restored${stale.problems.length ? `; problems: ${stale.problems.join("; ")}` : ""}`);
    const d = new NodeDaemon(o, doc.dataplaneSpec);
    writeState(d.state);
    try {
      await d.begin(doc);
    } catch (e) {
      await d.stop(`start failed: ${(e as Error).message}`);
      throw e;
    }
    return d;
  }

  private async begin(doc: DesiredState): Promise<void> {
    const kernel = await readKernelFacts(this.spec); // a spec the kernel cannot serve fails before anything changes
    const { state, applied } = await applyKernelPart(doc, this.owned);
    if (applied.length) this.o.log(`applied the kernel part: ${applied.join("; ")}`);
    this.o.log("checking what this kernel does through NFQUEUE (self-test)…");
    const st = await kernelSelfTestCached();
    if (!st.ok) throw new IoamError("NOT_SUPPORTED", st.reason ?? "the NFQUEUE self-test failed");
    const input = setupInputOf(this.spec, state, this.netns, kernel);
    const owned = ownsIngresses(this.spec) ? ingressesToOwn(state) : [];
    this.plane = await Plane.open(input, { queue: this.spec.queue, workers: this.spec.workers, failOpen: this.spec.failure === "open", sinkPath: this.o.sink });
    await this.serveTraceContexts();
    this.take(owned, state);
    await this.installRules();
    this.control = await startControl(controlPath(), this.o.metrics, () => this.stats());
    // A failed refresh (a tunnel destination became unroutable …) keeps the last facts and says why.
    this.refresh = setInterval(() => void this.queue(() => this.refreshFacts()).catch((e: Error) => this.o.log(`refreshing routes failed, keeping the last ones: ${e.message}`)), REFRESH_MS);
    this.refresh.unref();
    for (const n of roleNotes(this.spec, input.facts)) this.o.log(`note: ${n}`);
  }

  /** The local API of dataplane.traceContext.socket: registrations go to every worker's registry. */
  private async serveTraceContexts(): Promise<void> {
    const tc = this.spec.traceContext;
    if (!tc?.socket) return;
    try {
      this.flowApi = await listenFlowContexts(tc.socket, this.plane!.registry());
    } catch (e) {
      throw new IoamError("IO", `${tc.where}: dataplane.traceContext.socket: cannot listen on ${tc.socket}: ${(e as Error).message}`);
    }
    this.o.log(`trace contexts: local API on ${tc.socket}`);
  }

  /** Takes over `devs` (ioam6_enabled=0, recorded first); `state` holds their configured values. */
  private take(devs: readonly string[], state: { interfaces: Map<string, { enabled: boolean }> }): void {
    for (const dev of devs) this.owned.set(dev, state.interfaces.get(dev)?.enabled ?? true);
    takeIngresses(devs, (c) => (this.state.sysctls.push(c), writeState(this.state)));
  }

  /** Gives `dev` back: its sysctl as configured now, the record dropped. */
  private release(dev: string): void {
    const key = enabledKey(dev);
    const change = this.state.sysctls.find((c) => c.key === key);
    const configured = this.owned.get(dev);
    writeSysctl(key, configured === undefined ? (change?.before ?? "1") : configured ? "1" : "0");
    this.owned.delete(dev);
    this.state.sysctls = this.state.sysctls.filter((c) => c.key !== key);
    writeState(this.state);
  }

  /** Installs this configuration's rules under the next tag, then removes the previous ones. */
  private async installRules(): Promise<void> {
    const list = nodeQueueRules(this.spec, [...this.owned.keys()]);
    if (this.rules && sameRules(list, this.ruleList)) return;
    const tag = NODE_TAGS[this.generation++ % NODE_TAGS.length]!;
    this.state.tags = [...new Set([...this.state.tags, tag])];
    writeState(this.state);
    const installed = await installQueueRules(tag, list);
    const old = this.rules;
    this.rules = installed;
    this.ruleList = list;
    this.state.rules = old ? [old, installed] : [installed];
    writeState(this.state);
    if (!old) return;
    this.rulePacketsBase += (await readQueueCounters(old)).reduce((a, c) => a + c.packets, 0);
    await removeQueueRules(old);
    this.state.rules = [installed];
    this.state.tags = [tag];
    writeState(this.state);
  }

  /** Runs `job` after whatever reload/refresh is under way (one at a time). */
  private queue(job: () => Promise<void>): Promise<void> {
    this.work = this.work.then(job, job);
    return this.work;
  }

  private async refreshFacts(): Promise<void> {
    if (this.stopped || !this.plane) return;
    const { state } = await applyKernelPart({ file: this.o.file, dataplane: [], dataplaneSpec: this.spec, where: new Map() }, this.owned);
    this.plane.update(setupInputOf(this.spec, state, this.netns, await readKernelFacts(this.spec)), { keepSequences: true });
  }

  /** SIGHUP: the file again. A bad file changes nothing (the error is logged). */
  reload(): Promise<void> {
    return this.queue(async () => {
      if (this.stopped) return;
      try {
        await this.reloadNow();
      } catch (e) {
        this.o.log(`reload failed, still running the previous configuration: ${(e as Error).message}`);
      }
    });
  }

  private async reloadNow(): Promise<void> {
    const doc = parseApplyDocument(readFileText(this.o.file), this.o.file);
    checkHasWork(doc);
    const next = doc.dataplaneSpec;
    for (const k of ["queue", "workers", "failure"] as const) {
      if (next[k] !== this.spec[k]) this.o.log(`reload: dataplane.${k} changes only with a restart; keeping ${this.spec[k]}`);
    }
    if (traceContextKey(next) !== traceContextKey(this.spec)) this.o.log("reload: dataplane.traceContext changes only with a restart; keeping the running one");
    const { traceContext: _, ...rest } = next;
    const spec: DataplaneSpec = { ...rest, queue: this.spec.queue, workers: this.spec.workers, failure: this.spec.failure, ...traceContextOf(this.spec) };
    const kernel = await readKernelFacts(spec);
    const { state, applied } = await applyKernelPart(doc, this.owned);
    const input = setupInputOf(spec, state, this.netns, kernel);
    this.plane!.update(input, { keepSequences: false });
    this.spec = spec;
    const want = ownsIngresses(spec) ? ingressesToOwn(state) : [];
    // Configured values first: an ingress the file now disables is given back disabled.
    for (const [dev, i] of state.interfaces) if (this.owned.has(dev)) this.owned.set(dev, i.enabled);
    for (const dev of [...this.owned.keys()]) if (!want.includes(dev)) this.release(dev);
    this.take(want.filter((d) => !this.owned.has(d)), state);
    await this.installRules();
    this.o.log(`reloaded ${this.o.file}${applied.length ? ` (kernel: ${applied.join("; ")})` : ""}`);
  }

  /** Packets the rules matched since start. */
  private async rulePackets(): Promise<number> {
    return this.rulePacketsBase + (this.rules ? (await readQueueCounters(this.rules)).reduce((a, c) => a + c.packets, 0) : 0);
  }

  /** The counters, the queue's own counts and the bypass figure (rule packets − packets received). */
  async stats(rulePackets?: number): Promise<NodeStats> {
    const queue = await this.plane!.pathStats();
    const { counters, latencyUs } = snapshotCounters(this.plane!.counters, this.spec.workers);
    rulePackets ??= await this.rulePackets();
    const queues = this.spec.workers > 1 ? `${this.spec.queue}:${this.spec.queue + this.spec.workers - 1}` : String(this.spec.queue);
    return {
      v: 1, pid: process.pid, netns: this.netns, file: this.o.file, startedAt: this.state.startedAt, uptimeSeconds: Math.round((Date.now() - this.startedAt) / 1000),
      role: { encapPolicies: this.spec.encap.length, decap: this.spec.decap.length, transit: this.spec.transit, ownedIngresses: [...this.owned.keys()], failure: this.spec.failure, workers: this.spec.workers, queues },
      counters, timestampSource: timestampSource(counters), latencyUs, queue, rulePackets, bypassed: Math.max(0, rulePackets - queue.received),
      sink: { path: this.o.sink ?? null, records: counters.sink_records, dropped: counters.sink_dropped },
      traceContext: this.spec.traceContext ? { socket: this.spec.traceContext.socket ?? null } : null,
      notes: roleNotes(this.spec, undefined),
    };
  }

  /** Undoes everything, in reverse; never throws (problems are logged). Returns the last stats (after the queue drained). */
  async stop(why: string): Promise<NodeStats | undefined> {
    if (this.stopped) return undefined;
    this.stopped = true;
    clearInterval(this.refresh);
    await this.work.catch(() => undefined);
    let last: NodeStats | undefined;
    const rulePackets = this.rules ? await this.rulePackets().catch(() => undefined) : undefined;
    const problems: string[] = [];
    const step = async (what: string, f: () => unknown) => {
      try {
        await f();
      } catch (e) {
        problems.push(`${what}: ${(e as Error).message}`);
      }
    };
    for (const r of this.state.rules) await step("removing rules", () => removeQueueRules(r));
    await step("draining the queue", () => drain(this.spec));
    if (this.plane) await step("reading the last counters", async () => (last = await this.stats(rulePackets)));
    await step("closing the queue", () => this.plane?.close());
    problems.push(...restoreSysctls(this.state.sysctls));
    await step("closing the control socket", () => this.control?.close());
    await step("closing the trace-context socket", () => new Promise<void>((r) => (this.flowApi ? this.flowApi.close(() => r()) : r())));
    if (problems.length === 0) removeState();
    this.o.log(`stopped (${why}): ${problems.length ? `left in place, see ioam node cleanup: ${problems.join("; ")}` : "rules removed, sysctls restored"}`);
    return last;
  }
}

/** What a reload compares of traceContext: on or off, and its socket. */
const traceContextKey = (s: DataplaneSpec): string | null => (s.traceContext ? (s.traceContext.socket ?? "") : null);

/** The running spec's traceContext (kept across reloads), as spread into a spec. */
const traceContextOf = (s: DataplaneSpec): Pick<DataplaneSpec, "traceContext"> => (s.traceContext ? { traceContext: s.traceContext } : {});

/** Waits (≤ 1 s) until the kernel holds no packet for our queues: they still get their verdicts. */
async function drain(spec: DataplaneSpec): Promise<void> {
  const ours = (q: number) => q >= spec.queue && q < spec.queue + spec.workers;
  for (let i = 0; i < 100 && readQueueTable().some((r) => ours(r.queue) && r.waiting > 0); i++) await new Promise((r) => setTimeout(r, 10));
}

/** A file whose dataplane section asks for nothing would install no rule: say so instead. */
function checkHasWork(doc: DesiredState): void {
  const s = doc.dataplaneSpec;
  if (s.encap.length === 0 && s.decap.length === 0 && s.transit === "kernel") {
    throw new ConfigError(`${doc.where.get("dataplane") ?? doc.file}: dataplane`, "nothing for ioam node run to do: add encap policies, decap items or transit: all (ioam apply applies the rest of the file)");
  }
}

function readFileText(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (e) {
    throw new IoamError("IO", `cannot read ${file}: ${(e as Error).message}`);
  }
}
