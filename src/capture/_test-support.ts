// Shared by the capture tests only: a scratch directory and small IPv6 packets
// (RFC 8200 §3 header + ICMPv6 Echo Request, RFC 4443 §4.1) written out byte by byte.

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readCapture, type ReadCaptureOptions } from "./reader.js";
import type { CapturedPacket } from "./packet.js";

/** A fresh directory under the OS temp dir, and a function that removes it. */
export async function scratchDir(): Promise<{ dir: string; file: (name: string) => string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "ioamkit-capture-"));
  return { dir, file: (name) => join(dir, name), remove: () => rm(dir, { recursive: true, force: true }) };
}

/** An IPv6 packet 2001:db8::1 → 2001:db8::2 with an ICMPv6 echo request of `extra` data bytes. */
export function ipv6Echo(seq: number, extra = 4): Uint8Array {
  const icmpLength = 8 + extra;
  const b = new Uint8Array(40 + icmpLength);
  b.set([0x60, 0, 0, 0, icmpLength >>> 8, icmpLength & 0xff, 58, 64]);
  b.set([0x20, 0x01, 0x0d, 0xb8], 8);
  b[23] = 1;
  b.set([0x20, 0x01, 0x0d, 0xb8], 24);
  b[39] = 2;
  b.set([128, 0, 0, 0, 0x12, 0x34, seq >>> 8, seq & 0xff], 40);
  for (let i = 0; i < extra; i++) b[48 + i] = (seq + i) & 0xff;
  return b;
}

/** Every packet of the file, each with its data copied out of the reader's buffer. */
export async function readAll(path: string, opts: ReadCaptureOptions = {}): Promise<CapturedPacket[]> {
  const all: CapturedPacket[] = [];
  for await (const batch of readCapture(path, opts)) {
    for (const p of batch) all.push({ ...p, data: p.data.slice() });
  }
  return all;
}
