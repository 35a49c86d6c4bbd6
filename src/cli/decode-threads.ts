// How many worker threads `ioam decode --pcap` uses when --threads is not given: workers only
// where they pay for themselves (measured by bench/codec.ts, table in docs/architecture.md).
// The main thread reads the capture and writes the output for every mode, so a worker pool
// needs cores beyond it; and each worker costs start-up time a small capture never earns back.

/** Captures smaller than this are decoded inline by default. */
export const WORKER_MIN_BYTES = 64 << 20;
/** Cores needed before workers are used by default: the main thread's and at least two more. */
export const WORKER_MIN_CORES = 3;
/** Workers at most by default. */
export const WORKER_MAX = 4;

/**
 * The threads to decode with: `asked` when given, else workers for a regular file of at least
 * WORKER_MIN_BYTES on a machine of at least WORKER_MIN_CORES cores (one per core beyond the
 * main thread, at most WORKER_MAX), else 0 (inline). A stream (size undefined) is decoded
 * inline: its rate is the writer's, and inline keeps latency per frame low.
 */
export function decodeThreads(asked: number | undefined, size: number | undefined, cores: number): number {
  if (asked !== undefined) return asked;
  if (size === undefined || size < WORKER_MIN_BYTES || cores < WORKER_MIN_CORES) return 0;
  return Math.min(cores - 1, WORKER_MAX);
}
