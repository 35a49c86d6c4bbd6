// Netlink requests as a program really sends them: run it under strace(1) with a hex dump of
// every sendmsg/sendto buffer, and give back the netlink messages in the order sent.

import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** strace's absolute path (the programs it runs may get a PATH without it), or undefined. */
export function stracePath(): string | undefined {
  const r = spawnSync("sh", ["-c", "command -v strace"], { encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

export interface StracedRun {
  status: number | null;
  stdout: string;
  stderr: string;
  /** Every netlink message sent, in order (a datagram holding several is split). */
  messages: Uint8Array[];
}

/** Parses `strace -e write=all` output: the buffers of each send call, concatenated. */
export function parseStraceHexDump(text: string): Uint8Array[] {
  const calls: number[][] = [];
  let current: number[] | undefined;
  for (const line of text.split("\n")) {
    if (line.startsWith(" | ")) {
      // " | 00000  68 00 … 00  ascii |": the hex area is the 49 characters after the offset.
      for (const h of line.slice(10, 59).match(/[0-9a-f]{2}/g) ?? []) current!.push(parseInt(h, 16));
    } else if (line.startsWith(" * ")) {
      current ??= [];
    } else if (current) {
      calls.push(current);
      current = undefined;
    }
  }
  if (current) calls.push(current);
  return calls.flatMap((c) => splitMessages(Uint8Array.from(c)));
}

function splitMessages(b: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  for (let o = 0; o + 16 <= b.length; ) {
    const len = dv.getUint32(o, true);
    if (len < 16 || o + len > b.length) break;
    out.push(b.slice(o, o + len));
    o += (len + 3) & ~3;
  }
  return out;
}

/** Runs `argv` under strace (following children) and collects what it sent. */
export function straceSends(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): StracedRun {
  const dir = mkdtempSync(join(tmpdir(), "ioamkit-strace-"));
  try {
    const out = join(dir, "trace");
    const strace = stracePath();
    if (!strace) throw new Error("strace is not installed (apt-get install strace)");
    const r = spawnSync(strace, ["-f", "-qq", "-e", "trace=sendmsg,sendto", "-e", "write=all", "-o", out, ...argv], { encoding: "utf8", env });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr, messages: parseStraceHexDump(readFileSync(out, "utf8")) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A copy with nlmsg_seq and nlmsg_pid zeroed, and every attribute's padding octets zeroed
 * (recursively into NLA_F_NESTED attributes): iproute2 6.1 leaves uninitialised stack bytes
 * in padding (seen after RTA_ENCAP_TYPE), which the kernel never reads. `headerLen` is the
 * family header after the 16-octet netlink header (12 for struct rtmsg).
 */
export function normaliseRequest(msg: Uint8Array, headerLen: number): { bytes: Uint8Array; paddingChanged: number } {
  const b = msg.slice();
  b.fill(0, 8, 16);
  let paddingChanged = 0;
  const walk = (start: number, end: number) => {
    const dv = new DataView(b.buffer);
    for (let o = start; o + 4 <= end; ) {
      const len = dv.getUint16(o, true);
      if (len < 4 || o + len > end) return;
      const padded = Math.min((len + 3) & ~3, end - o);
      for (let i = o + len; i < o + padded; i++) if (b[i] !== 0) (paddingChanged++, (b[i] = 0));
      if (dv.getUint16(o + 2, true) & 0x8000) walk(o + 4, o + len);
      o += padded;
    }
  };
  walk(16 + headerLen, b.length);
  return { bytes: b, paddingChanged };
}
