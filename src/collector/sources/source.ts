// The Source interface (docs/collector.md, "Sources"): anything that produces observations —
// capture files, the kernel's ioam6_events in a netns, the data plane's decap sink, DEX
// receivers, and (issue 14) a stream consumer. Loss is never silent: what a source could not
// read, or knows it missed, is a Problem with a reason and a count.

import type { Observation } from "../observation.js";

/** Why a source lost or refused something. */
export type ProblemReason =
  | "malformed" // a record or packet that could not be decoded
  | "corrupt-capture" // a capture file that cannot be read on (the rest of it is skipped)
  | "capture-dropped" // a live capture: packets the kernel dropped before tcpdump read them
  | "unknown-namespace" // an IOAM namespace the configuration does not list
  | "unauthorized-sender" // a DEX datagram from a sender not configured
  | "overrun" // the kernel dropped events (ENOBUFS): how many is unknown
  | "gap" // the source was not running (restart): records in between are gone
  | "spool-full" // an agent's spool reached its bound while the stream was unreachable: records dropped
  | "late" // a stream record arrived after its journey was stored: the journey was completed, its series not
  | "wait-limit" // stream journeys assembled at stream.maxWait, not by the agents' watermark: maybe incomplete
  | "agent-silent" // an agent not heard for stream.silentAfter: it no longer holds stream assembly back
  | "sequence-hole" // an agent's record sequence had a hole that did not fill: its watermark skipped it
  | "source-failed"; // the source stopped with an error

/** One problem, as reported and stored. */
export interface Problem {
  reason: ProblemReason;
  source: string;
  /** When it happened (ms since the epoch). */
  time: number;
  detail: string;
  /** Records lost, when known (an overrun does not say). */
  count?: number;
  /** For a gap: when it began (the last record stored before). */
  since?: number;
  /** For an agent's gap: the observation point (`at`) whose records are missing… */
  node?: string;
  /** …and its IOAM node id, so that journeys that crossed it meanwhile can be counted. */
  nodeId?: number;
}

/** Where a source resumes: its committed position, or the time of its last stored record. */
export interface Checkpoint {
  position?: number;
  time?: number;
}

/** Receives a source's output. */
export interface ObservationSink {
  observe(o: Observation): void;
  problem(p: Problem): void;
  /** Resolves when the sink can take more (back-pressure for sources that can wait, like files). */
  ready(): Promise<void>;
}

/** Counters a source keeps about itself. */
export interface SourceStats {
  records: number;
  problems: number;
  /** Its position (pcap: the next frame's file offset). */
  position?: number;
  running: boolean;
}

/** A producer of observations. `name` is stable across restarts: checkpoints are keyed by it. */
export interface Source {
  readonly name: string;
  readonly kind: "pcap" | "capture" | "events" | "decap" | "dex";
  /**
   * Delivers observations to `sink` until the source ends (a file at its end) or stop() is
   * called. `resume` is what the store kept from the previous run.
   */
  run(sink: ObservationSink, resume: Checkpoint | undefined): Promise<void>;
  stop(): Promise<void>;
  stats(): SourceStats;
  /** Resolves once the source receives (a subscription made, a socket bound), if it can tell. */
  ready?(): Promise<void>;
}
