// Packets as they arrive on an interface of a lab node, captured with tcpdump inside that
// node's netns (Node has no AF_PACKET socket; tcpdump sees a packet before netfilter and
// before the kernel's IOAM processing, as a capture on the wire would) into a pcap file that
// the capture reader takes back. --immediate-mode: with TPACKET_V3, libpcap otherwise hands
// packets over a block at a time (after its timeout), and a tcpdump stopped sooner has
// written none of them.

import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ipv6Offset } from "../capture/link-type.js";
import { readCapture } from "../capture/reader.js";
import { IoamError } from "../errors.js";

const READY_MS = 10_000;

/** A running tcpdump on one interface of a netns, capturing what arrives (-Q in). */
export class LiveCapture {
  private constructor(
    private readonly child: ChildProcess,
    private readonly dir: string,
    private readonly file: string,
  ) {}

  static async start(netns: string, ifname: string): Promise<LiveCapture> {
    const dir = mkdtempSync(join(tmpdir(), "ioamkit-lab-cap-"));
    const file = join(dir, "cap.pcap");
    const child = spawn("ip", ["netns", "exec", netns, "tcpdump", "--immediate-mode", "-U", "-n", "-Q", "in", "-i", ifname, "-w", file, "ip6"], { stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    await new Promise<void>((resolve, reject) => {
      const fail = (why: string) => (rmSync(dir, { recursive: true, force: true }), reject(new IoamError("NOT_SUPPORTED", `capturing on ${netns}:${ifname}: ${why}`)));
      const timer = setTimeout(() => (child.kill("SIGKILL"), fail(`tcpdump not ready after ${READY_MS / 1000} s: ${err.trim()}`)), READY_MS);
      child.stderr!.on("data", (d: Buffer) => {
        err += d.toString();
        if (/listening on/.test(err)) (clearTimeout(timer), resolve());
      });
      child.on("error", (e) => (clearTimeout(timer), fail(`${e.message} (ioam lab trace needs tcpdump: apt-get install tcpdump)`)));
      child.on("exit", (code) => (clearTimeout(timer), fail(`tcpdump exited (${code}): ${err.trim()}`)));
    });
    child.removeAllListeners("exit");
    return new LiveCapture(child, dir, file);
  }

  /** Stops tcpdump and returns the IPv6 packets it saw, in order; removes its file. */
  async stop(): Promise<Uint8Array[]> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise((resolve) => this.child.once("exit", resolve));
      this.child.kill("SIGINT");
      await exited;
    }
    const out: Uint8Array[] = [];
    try {
      for await (const batch of readCapture(this.file)) for (const p of batch) out.push(p.data.slice(ipv6Offset(p.linkType, p.data)));
    } finally {
      rmSync(this.dir, { recursive: true, force: true });
    }
    return out;
  }

  /** Kills tcpdump at once (after a failure elsewhere). */
  kill(): void {
    this.child.kill("SIGKILL");
    rmSync(this.dir, { recursive: true, force: true });
  }
}
