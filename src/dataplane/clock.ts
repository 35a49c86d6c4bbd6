// The daemon's real-time clock, for packets that come without the kernel's receive time
// (NFQA_TIMESTAMP): performance.timeOrigin (gettimeofday when the process started, µs) plus
// performance.now() (monotonic, ns resolution). Date.now() cannot anchor it: in Node 20 it
// follows a coarse real-time clock that moves in steps of a few milliseconds. Both Linux
// clocks are slewed alike by NTP, so their offset holds; a step of the system clock (date -s)
// is noticed against Date.now() and followed to within its coarseness.

import { performance } from "node:perf_hooks";
import type { Timestamp } from "../node/context.js";

/** Offsets beyond this from Date.now() mean the system clock was stepped. */
const STEP_MS = 50;
const CHECK_EVERY_MS = 1000;

export class RealtimeClock {
  /** real time = offsetSec s + (offsetMs + performance.now()) ms; offsetMs stays small so the sum keeps ns resolution. */
  private offsetSec: number;
  private offsetMs: number;
  private checkedAt = -Infinity;
  /** Clock steps followed since start. */
  steps = 0;
  /** The engine reads sec/nsec at once: one object, overwritten by every read. */
  private readonly t: Timestamp = { sec: 0, nsec: 0 };
  /** Bound once, handed to PacketContext.clock. */
  readonly read: () => Timestamp = () => this.now();

  constructor(origin = performance.timeOrigin) {
    this.offsetSec = Math.floor(origin / 1000);
    this.offsetMs = origin - this.offsetSec * 1000;
  }

  now(): Timestamp {
    const p = performance.now();
    if (p - this.checkedAt > CHECK_EVERY_MS) this.followSteps(p);
    const ms = this.offsetMs + p;
    const s = Math.floor(ms / 1000);
    this.t.sec = this.offsetSec + s;
    this.t.nsec = Math.floor((ms - s * 1000) * 1e6);
    return this.t;
  }

  private followSteps(p: number): void {
    this.checkedAt = p;
    const diff = Date.now() - (this.offsetSec * 1000 + this.offsetMs + p);
    if (Math.abs(diff) < STEP_MS) return;
    this.offsetMs += diff;
    this.steps++;
  }

  /** Microseconds from the real time `sec`.`nsec` to now (the delay a packet has seen since the kernel stamped it). */
  microsSince(sec: number, nsec: number): number {
    const t = this.now();
    return (t.sec - sec) * 1e6 + (t.nsec - nsec) / 1e3;
  }
}
