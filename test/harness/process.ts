// Long-running helpers of network tests: the ioam CLI in the background (waiting until it is
// ready), packet injection with inject.py, and packet capture with tcpdump — each stopped and
// removed by the caller's cleanup, also when a test fails.

import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { readCapture } from "../../src/capture/reader.js";
import { ipv6Offset } from "../../src/capture/link-type.js";
import { bytesToHex } from "../../src/wire/hex.js";
import { IOAM_MAIN, type NetnsSet } from "./netns.js";

const INJECT = join(fileURLToPath(new URL(".", import.meta.url)), "..", "..", "..", "test", "harness", "inject.py");

/** How long a helper may take to start: Node's start-up alone takes seconds on a loaded 2-core machine. */
const READY_MS = 30_000;

/**
 * Resolves when `child` writes a line matching `ready` on stderr; rejects if it exits first, or
 * kills it and rejects when it is not ready in time (a child left running would keep the test
 * process, and with it the whole run, from ending).
 */
function waitReady(child: ChildProcess, ready: RegExp, what: string): Promise<void> {
  let err = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => (child.kill("SIGKILL"), reject(new Error(`${what}: not ready after ${READY_MS / 1000} s: ${err}`))), READY_MS);
    child.stderr!.on("data", (d: Buffer) => {
      err += d.toString();
      if (ready.test(err)) (clearTimeout(timer), resolve());
    });
    child.on("exit", (code) => (clearTimeout(timer), reject(new Error(`${what} exited (${code}) before it was ready: ${err}`))));
  });
}

/** A background `ioam` process and its collected stdout. */
export interface BackgroundIoam {
  child: ChildProcess;
  /** Resolves with stdout when the process exits by itself. */
  done: Promise<{ code: number | null; out: string }>;
}

/** Starts `ioam monitor …` (or another command that prints "monitoring" when ready). */
export async function startIoamMonitor(args: string[], path: string): Promise<BackgroundIoam> {
  const child = spawn(process.execPath, [IOAM_MAIN, ...args], { env: { ...process.env, PATH: path, IOAMKIT_MONITOR_READY: "1" } });
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  const done = new Promise<{ code: number | null; out: string }>((resolve) => child.on("exit", (code) => resolve({ code, out })));
  await waitReady(child, /monitoring/, "ioam monitor");
  return { child, done };
}

/** Sends IPv6 packets (whole, header included) from inside netns `ns`, routed by destination; `pps` paces them. */
export function injectPackets(nets: NetnsSet, ns: string, packets: readonly Uint8Array[], pps?: number): void {
  nets.exec(ns, "python3", [INJECT, "raw6", ...(pps ? [String(pps)] : [])], packets.map((p) => bytesToHex(p)).join("\n") + "\n");
}

/** injectPackets in the background: resolves when all are sent. */
export function injectPacketsAsync(ns: string, packets: readonly Uint8Array[], pps?: number): Promise<void> {
  const child = spawn("ip", ["netns", "exec", ns, "python3", INJECT, "raw6", ...(pps ? [String(pps)] : [])], { stdio: ["pipe", "ignore", "pipe"] });
  let err = "";
  child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
  child.stdin!.end(packets.map((p) => bytesToHex(p)).join("\n") + "\n");
  return new Promise((resolve, reject) => child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`inject.py in ${ns}: ${err}`)))));
}

/** A running tcpdump on one interface of a netns. */
export class Capture {
  private constructor(
    private readonly child: ChildProcess,
    private readonly dir: string,
    readonly file: string,
  ) {}

  /**
   * Captures packets received on `ifname` (not those sent from it) that match `filter`, the
   * first `snaplen` octets of each. Immediate mode, so that a capture stopped early has what
   * arrived (TPACKET_V3 holds packets up to its 1 s block timeout); immediate mode rings have
   * one snaplen-sized frame per packet, hence the 64 MiB buffer (about a thousand frames: a
   * burst of a thousand packets is not dropped by the capture).
   */
  static async start(ns: string, ifname: string, filter = "ip6", snaplen = 65535): Promise<Capture> {
    const dir = mkdtempSync(join(tmpdir(), "ioamkit-cap-"));
    const file = join(dir, "cap.pcap");
    const child = spawn("ip", ["netns", "exec", ns, "tcpdump", "--immediate-mode", "-B", "65536", "-U", "-n", "-Q", "in", "-s", String(snaplen), "-i", ifname, "-w", file, filter]);
    await waitReady(child, /listening on/, `tcpdump on ${ns}:${ifname}`);
    return new Capture(child, dir, file);
  }

  /**
   * Stops tcpdump — after it has written `atLeast` packets, or once a second passed without a
   * new one (packets still flowing through a busy router keep it waiting, up to a minute) —
   * and returns the IPv6 packets it saw, with capture times (ns since the epoch).
   */
  async stop(atLeast = 0): Promise<Array<{ ipv6: Uint8Array; timeNs: bigint }>> {
    let seen = -1;
    let quietSince = Date.now();
    for (const start = Date.now(); Date.now() - start < 60_000; await new Promise((r) => setTimeout(r, 50))) {
      const n = (await this.packets()).length;
      if (n >= atLeast) break;
      if (n !== seen) (seen = n), (quietSince = Date.now());
      else if (Date.now() - quietSince >= 1000) break;
    }
    const exited = new Promise((resolve) => this.child.on("exit", resolve));
    this.child.kill("SIGINT");
    await exited;
    return this.packets();
  }

  private async packets(): Promise<Array<{ ipv6: Uint8Array; timeNs: bigint }>> {
    const out: Array<{ ipv6: Uint8Array; timeNs: bigint }> = [];
    for await (const batch of readCapture(this.file)) {
      for (const p of batch) out.push({ ipv6: p.data.slice(ipv6Offset(p.linkType, p.data)), timeNs: BigInt(p.tsSec) * 1_000_000_000n + BigInt(p.tsNsec) });
    }
    return out;
  }

  /** Kills tcpdump (if still running) and removes its file. */
  cleanup(): void {
    this.child.kill("SIGKILL");
    rmSync(this.dir, { recursive: true, force: true });
  }
}
