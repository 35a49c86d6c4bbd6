// Capture files as a source: frames → IPv6 → canonical record → observations, each carrying
// its frame's file offset. Resume starts at the offset committed with the records (the store
// commits it in the same transaction), so no frame is lost or counted twice across a crash.

import type { ByteInput } from "../../capture/byte-input.js";
import { ipv6Offset } from "../../capture/link-type.js";
import { readFrames } from "../../capture/reader.js";
import type { FrameRecord } from "../../capture/_parser.js";
import { DecodeError } from "../../wire/errors.js";
import { decodePacket } from "../../wire/packet.js";
import type { Observation } from "../observation.js";
import { packetObservations } from "../packet-observation.js";
import type { Checkpoint, ObservationSink, Problem, Source, SourceStats } from "./source.js";

/** Frame counts of one file. */
export interface FrameCounts {
  frames: number;
  notIpv6: number;
  noTrace: number;
  /** DecodeError codes of packets that could not be walked. */
  malformed: Map<string, number>;
}

/** Calls `each` for every observation of the frame; counts what it could not use. */
export function frameObservations(f: FrameRecord, b: Uint8Array, at: string, counts: FrameCounts, each: (o: Observation) => void): void {
  counts.frames++;
  const frame = b.subarray(f.dataStart, f.dataStart + f.capturedLength);
  const off = ipv6Offset(f.linkType, frame);
  if (off < 0) return void counts.notIpv6++;
  try {
    const time = f.tsSec * 1000 + f.tsNsec / 1e6;
    const obs = packetObservations(decodePacket(frame.subarray(off)), { source: "packet", time, timeSource: "capture", at, position: f.recordOffset });
    if (obs.length === 0) counts.noTrace++;
    for (const o of obs) each(o);
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    counts.malformed.set(e.code, (counts.malformed.get(e.code) ?? 0) + 1);
  }
}

/** Streams the observations of a capture (a file, or a live capture's stream), frame by frame; `at` is the input's name. */
export async function readCaptureObservations(input: string | ByteInput, opts: { startOffset?: number; counts: FrameCounts; each: (o: Observation) => void; batch?: () => Promise<void> | void }): Promise<void> {
  const at = typeof input === "string" ? input : input.name;
  const sink = (f: FrameRecord, b: Uint8Array) => frameObservations(f, b, at, opts.counts, opts.each);
  for await (const _ of readFrames(input, sink, opts.startOffset !== undefined ? { startOffset: opts.startOffset } : {})) await opts.batch?.();
}

/** A pcap/pcapng file as a collector source. */
export class PcapSource implements Source {
  readonly kind = "pcap" as const;
  readonly name: string;
  private stopped = false;
  private records = 0;
  private problems = 0;
  private position: number | undefined;
  private running = false;
  readonly counts: FrameCounts = { frames: 0, notIpv6: 0, noTrace: 0, malformed: new Map() };

  constructor(readonly path: string) {
    this.name = `pcap:${path}`;
  }

  async run(sink: ObservationSink, resume: Checkpoint | undefined): Promise<void> {
    this.running = true;
    if (resume?.position !== undefined) this.position = resume.position - 1; // nothing new read yet: keep the committed point
    const each = (o: Observation) => {
      this.records++;
      this.position = o.position ?? this.position;
      sink.observe(o);
    };
    const batch = async () => {
      await sink.ready();
      if (this.stopped) throw STOP;
    };
    try {
      const startOffset = resume?.position;
      await readCaptureObservations(this.path, { ...(startOffset !== undefined ? { startOffset } : {}), counts: this.counts, each, batch });
    } catch (e) {
      if (e !== STOP) this.report(sink, e);
    } finally {
      this.running = false;
    }
  }

  private report(sink: ObservationSink, e: unknown): void {
    this.problems++;
    const p: Problem = { reason: e instanceof DecodeError ? "corrupt-capture" : "source-failed", source: this.name, time: Date.now(), detail: e instanceof Error ? e.message : String(e) };
    sink.problem(p);
  }

  async stop(): Promise<void> {
    this.stopped = true;
  }

  stats(): SourceStats {
    const s: SourceStats = { records: this.records, problems: this.problems, running: this.running };
    if (this.position !== undefined) s.position = this.position;
    return s;
  }
}

const STOP = Symbol("stop");
