// The part of the NFQUEUE self-test that runs inside the scratch netns (kernel-selftest.ts
// starts it there): binds the queue, sends UDP probes round the loop, edits each on its
// arrivals (selftest-probe.ts) and prints one JSON line of what the kernel did.
// argv[2]: { queue, local, via: [y1, y2, y3, y4], timeoutMs }
//
// Probe route: y1 —grow→ y2 —fill→ y3 —strip→ y4 —check, re-address→ local socket.
// "small" is stripped below its transport offset and padded; "unpadded" likewise, unpadded;
// "local" is stripped and sent straight to the local address (delivery after an in-place
// strip, which needs the kernel to re-parse the headers it had already walked).

import { createSocket, type Socket } from "node:dgram";
import { NF_VERDICT } from "../linux/nfqueue/constants.js";
import type { NfqPacketView } from "../linux/nfqueue/packet-view.js";
import { NfqueueSocket } from "../linux/nfqueue/socket.js";
import { parseIpv6Address } from "../wire/ipv6-address.js";
import { transportOffset } from "./packet-path.js";
import { fill, grow, isFilled, isStripped, probePort, readdress, strip } from "./selftest-probe.js";

interface Config {
  queue: number;
  local: string;
  via: [string, string, string, string];
  timeoutMs: number;
}

/** What the kernel did with the probes (printed as JSON). */
export interface ChildReport {
  grow: boolean;
  rewrite: boolean;
  strip: boolean;
  stripPadded: boolean;
  /** Re-addressed packets were routed by their new destination (local delivery), not forwarded. */
  reroute: boolean;
  /** The kernel dropped a replacement shorter than the transport offset (null: unknown). */
  shrinkRefused: boolean | null;
  /** A packet stripped in place at prerouting reached a local socket. */
  localDeliveryAfterStrip: boolean;
  timestamps: boolean;
  error?: string;
}

type Kind = "big" | "small" | "unpadded" | "local";
const PROBES: ReadonlyArray<[Kind, number]> = [["big", 100], ["small", 0], ["unpadded", 0], ["local", 100]];
const cfg = JSON.parse(process.argv[2] ?? "{}") as Config;
const via = cfg.via.map((a) => parseIpv6Address(a)!);
const local = parseIpv6Address(cfg.local)!;
const report: ChildReport = { grow: false, rewrite: false, strip: false, stripPadded: false, reroute: true, shrinkRefused: null, localDeliveryAfterStrip: false, timestamps: false };
const kinds = new Map<number, Kind>();
const strippedAtY4 = new Set<Kind>();
const delivered = new Set<Kind>();

/** Which hop of the route a packet is on: 0..3 for y1..y4, 4 for the local address, -1 otherwise. */
function hopOf(p: Uint8Array): number {
  const same = (a: Uint8Array) => a.every((x, i) => p[24 + i] === x);
  const i = via.findIndex(same);
  return i >= 0 ? i : same(local) ? 4 : -1;
}

function finish(): void {
  report.strip = strippedAtY4.has("big") && delivered.has("big");
  report.stripPadded = strippedAtY4.has("small") && delivered.has("small");
  report.shrinkRefused = strippedAtY4.has("small") ? !strippedAtY4.has("unpadded") : null;
  report.localDeliveryAfterStrip = delivered.has("local");
  process.stdout.write(JSON.stringify(report) + "\n", () => process.exit(0));
}

function answer(sock: NfqueueSocket, v: NfqPacketView, next: Uint8Array | undefined, padTo = 0): void {
  if (!next) return sock.verdict(v.queue, v.id, NF_VERDICT.ACCEPT);
  const size = Math.max(next.length, padTo);
  const at = sock.reserve(v, size);
  if (at < 0) return sock.verdict(v.queue, v.id, NF_VERDICT.ACCEPT);
  sock.out.bytes.fill(0, at, at + size);
  sock.out.bytes.set(next, at);
}

function onPacket(sock: NfqueueSocket, v: NfqPacketView): void {
  const p = v.bytes.slice(v.payloadOffset, v.payloadOffset + v.payloadLength);
  const kind = kinds.get(probePort(p));
  report.timestamps ||= v.hasTimestamp;
  const hop = kind ? hopOf(p) : -1;
  if (hop === 0) return answer(sock, v, grow(p, cfg.via[1]));
  if (hop === 1) {
    report.grow ||= p[6] === 0;
    return answer(sock, v, fill(p, cfg.via[2]) ? p : undefined);
  }
  if (hop === 2) {
    report.rewrite ||= isFilled(p);
    const next = strip(p, kind === "local" ? cfg.local : cfg.via[3]);
    return answer(sock, v, next, kind === "small" ? transportOffset(p, 0, p.length, "prerouting") : 0);
  }
  if (hop === 3) {
    if (isStripped(p)) strippedAtY4.add(kind!);
    readdress(p, cfg.local);
    return answer(sock, v, p);
  }
  if (hop === 4) report.reroute = false; // it went out and came back instead of local delivery
  sock.verdict(v.queue, v.id, NF_VERDICT.ACCEPT);
}

function probe(rxPort: number, kind: Kind, size: number): Promise<void> {
  const s: Socket = createSocket("udp6");
  return new Promise((resolve, reject) => {
    s.once("error", reject);
    s.bind(0, cfg.local, () => {
      kinds.set(s.address().port, kind);
      s.send(new Uint8Array(size), rxPort, cfg.via[0], (e) => (s.close(), e ? reject(e) : resolve()));
    });
  });
}

async function main(): Promise<void> {
  const sock: NfqueueSocket = await NfqueueSocket.open({ queues: [cfg.queue] }, (v) => onPacket(sock, v));
  const rx = createSocket("udp6");
  let settling = false;
  rx.on("message", (_m, from) => {
    const kind = kinds.get(from.port);
    if (kind) delivered.add(kind);
    // The probes that may be lost ("unpadded", "local") travel with the others: a short wait once those are in.
    if (!settling && delivered.has("big") && delivered.has("small")) (settling = true), setTimeout(finish, 300);
  });
  await new Promise<void>((resolve) => rx.bind(0, cfg.local, resolve));
  setTimeout(finish, cfg.timeoutMs);
  for (const [kind, size] of PROBES) await probe(rx.address().port, kind, size);
}

main().catch((e: Error) => {
  report.error = e.message.split("\n")[0]!;
  finish();
});
